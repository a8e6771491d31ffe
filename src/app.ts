/** The API: features composed onto one app (STYLE.md: thin routes over services). */
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import { createApp, type AppEnv } from './http/app.js';
import { authenticate } from './http/auth.js';
import { FailureLimiter } from './failure-limiter.js';
import { config } from './config.js';
import { idempotency } from './http/idempotency.js';
import { refuseUnstorableText } from './http/text-guard.js';
import { ApiError } from './errors.js';
import { healthRouter } from './routes/health/health.index.js';
import { providersRouter } from './routes/providers/providers.index.js';
import { slotsRouter } from './routes/slots/slots.index.js';
import { vehiclesRouter } from './routes/vehicles/vehicles.index.js';
import { familiesRouter } from './routes/families/families.index.js';
import { passportsRouter } from './routes/passports/passports.index.js';
import { dataProtectionRouter } from './routes/data-protection/data-protection.index.js';
import { bookingsRouter } from './routes/bookings/bookings.index.js';
import { requestsRouter } from './routes/requests/requests.index.js';
import { swapsRouter } from './routes/swaps/swaps.index.js';
import { swapBoardRouter } from './routes/swap-board/swap-board.index.js';
import { waitlistRouter } from './routes/waitlist/waitlist.index.js';
import { roundsRouter } from './routes/rounds/rounds.index.js';
import { closuresRouter } from './routes/closures/closures.index.js';
import { reportsRouter } from './routes/reports/reports.index.js';
import { calendarRouter, publicCalendarRouter } from './routes/calendar/calendar.index.js';
import { openReferralRouter } from './routes/openreferral/openreferral.index.js';
import { isApiPath, notFoundPage, webRouter } from './web/web.index.js';
import { assetsRouter } from './web/assets.js';
import { fundingRouter } from './routes/funding/funding.index.js';
import { scenariosRouter } from './routes/scenarios/scenarios.index.js';
import { notificationsRouter } from './routes/notifications/notifications.index.js';
import { peopleRouter } from './routes/people/people.index.js';
import type { OpenAPIHono } from '@hono/zod-openapi';

export const MAX_BODY_BYTES = 256 * 1024;

const tooLarge = () => {
  throw new ApiError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
};
const streamedBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

/**
 * Hono's bodyLimit, without its cost on every request: it asks `c.req.raw.body`, which makes
 * node-server build a full web Request and a stream over the socket even for a GET or a body
 * whose Content-Length already says its size. Those two cases are answered from the headers;
 * a streamed (chunked) body is still counted as it is read.
 */
const limitBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  const length = c.req.header('Content-Length');
  if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
    if (Number.parseInt(length, 10) > MAX_BODY_BYTES) tooLarge();
    return next();
  }
  return streamedBodyLimit(c, next);
});

export interface AppOptions {
  /** Failed authentications allowed per client address per minute (default AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute?: number;
  /** Proxies in front that append to X-Forwarded-For (default TRUST_PROXY). */
  trustedProxies?: number;
}

export function buildApp(options: AppOptions = {}): OpenAPIHono<AppEnv> {
  // An unknown URL asked for by a browser (Accept: text/html) outside the API gets an HTML page; API clients keep problem+json.
  const app = createApp({ notFoundPage: (c) => (isApiPath(c.req.path) || !c.req.header('Accept')?.includes('text/html') ? null : notFoundPage(c)) });
  const limiter = new FailureLimiter(options.authFailuresPerMinute ?? config().AUTH_FAILURES_PER_MINUTE);
  app.use('*', secureHeaders());
  app.use('/v1/*', limitBody);
  app.use('/v1/*', authenticate(limiter, options.trustedProxies ?? config().TRUST_PROXY));
  app.use('/v1/*', refuseUnstorableText);
  // The public feed takes query text too (authority code, search words).
  app.use('/openreferral/*', refuseUnstorableText);
  app.use('/v1/*', idempotency);

  const features = [
    healthRouter,
    providersRouter,
    slotsRouter,
    vehiclesRouter,
    familiesRouter,
    passportsRouter,
    dataProtectionRouter,
    requestsRouter,
    bookingsRouter,
    waitlistRouter,
    swapsRouter,
    swapBoardRouter,
    roundsRouter,
    closuresRouter,
    reportsRouter,
    fundingRouter,
    scenariosRouter,
    calendarRouter,
    publicCalendarRouter,
    openReferralRouter,
    notificationsRouter,
    peopleRouter,
  ];
  for (const feature of features) app.route('/', feature);
  app.route('/', assetsRouter);
  app.route('/', webRouter);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Short-breaks booking and capacity scheduler',
      version: '1.0.0',
      description: 'Capacity, bookings, fair allocation and re-homing of short breaks for disabled children. Errors are RFC 9457 problem+json.',
    },
  });
  return app;
}
