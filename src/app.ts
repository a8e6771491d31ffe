/** The API: features composed onto one app (STYLE.md: thin routes over services). */
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { createApp, type AppEnv } from './http/app.js';
import { authenticate } from './http/auth.js';
import { FailureLimiter } from './http/rate-limit.js';
import { config } from './config.js';
import { idempotency } from './http/idempotency.js';
import { ApiError } from './http/problem.js';
import { healthRouter } from './routes/health/health.index.js';
import { providersRouter } from './routes/providers/providers.index.js';
import { slotsRouter } from './routes/slots/slots.index.js';
import { vehiclesRouter } from './routes/vehicles/vehicles.index.js';
import { familiesRouter } from './routes/families/families.index.js';
import { bookingsRouter } from './routes/bookings/bookings.index.js';
import { requestsRouter } from './routes/requests/requests.index.js';
import { swapsRouter } from './routes/swaps/swaps.index.js';
import { waitlistRouter } from './routes/waitlist/waitlist.index.js';
import { roundsRouter } from './routes/rounds/rounds.index.js';
import { closuresRouter } from './routes/closures/closures.index.js';
import { reportsRouter } from './routes/reports/reports.index.js';
import { calendarRouter, publicCalendarRouter } from './routes/calendar/calendar.index.js';
import { webRouter } from './web/web.index.js';
import type { OpenAPIHono } from '@hono/zod-openapi';

export const MAX_BODY_BYTES = 256 * 1024;

export interface AppOptions {
  /** Failed authentications allowed per client address per minute (default AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute?: number;
}

export function buildApp(options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = createApp();
  const limiter = new FailureLimiter(options.authFailuresPerMinute ?? config().AUTH_FAILURES_PER_MINUTE);
  app.use('*', secureHeaders());
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB`);
      },
    }),
  );
  app.use('/v1/*', authenticate(limiter, config().TRUST_PROXY));
  app.use('/v1/*', idempotency);

  const features = [
    healthRouter,
    providersRouter,
    slotsRouter,
    vehiclesRouter,
    familiesRouter,
    requestsRouter,
    bookingsRouter,
    waitlistRouter,
    swapsRouter,
    roundsRouter,
    closuresRouter,
    reportsRouter,
    calendarRouter,
    publicCalendarRouter,
  ];
  for (const feature of features) app.route('/', feature);
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
