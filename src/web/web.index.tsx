/**
 * The web pages (issue 7): server-rendered Hono JSX over the same services as
 * the API, plain forms, no client script. Mounted at '/' beside /v1; the
 * session middleware runs on page paths only, never on the API.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { config } from '../config.js';
import { FailureLimiter, clientKey } from '../http/rate-limit.js';
import { resolveToken } from '../services/tokens.js';
import { coordinatorPages } from './coordinator.js';
import { closurePages } from './coordinator-closures.js';
import { familyPages } from './family.js';
import { Csrf, ErrorBox, Layout, errorMessage } from './layout.js';
import { providerPages } from './provider.js';
import { capacityPages } from './provider-capacity.js';
import { readForm, text } from './forms.js';
import { endSession, homeOf, startSession, webSession, type WebEnv } from './session.js';
import { toApiError } from '../http/app.js';
import { logger } from '../logger.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const webRouter = new Hono<WebEnv>();
const PAGE_PATHS = ['/', '/sign-in', '/sign-out', '/coordinator', '/coordinator/*', '/provider', '/provider/*', '/family', '/family/*'];
const FORM_BYTES = 64 * 1024;
for (const path of PAGE_PATHS) {
  webRouter.use(path, bodyLimit({ maxSize: FORM_BYTES, onError: (c) => c.text('This form is too large to send.', 413) }));
  webRouter.use(path, webSession);
}

// Same failure budget as bearer authentication: pasting tokens is probing too.
// Created on first sign-in, not at import: configuration is read when used, never at module load.
let limiterInstance: FailureLimiter | undefined;
const limiter = () => (limiterInstance ??= new FailureLimiter(config().AUTH_FAILURES_PER_MINUTE));

function signInPage(c: Context<WebEnv>, error?: ReturnType<typeof errorMessage>, status: ContentfulStatusCode = 200) {
  const expired = c.req.query('expired') === '1';
  return c.html(
    <Layout title="Sign in" session={null} csrf={c.get('csrfToken')}>
      <ErrorBox error={error ?? (expired ? { detail: 'Please sign in to continue.', fields: [] } : null)} />
      <p>Coordinators, providers and families sign in with the access key they were given.</p>
      <form method="post" action="/sign-in">
        <Csrf token={c.get('csrfToken')} />
        <label for="token">Access key</label>
        <input type="password" id="token" name="token" autocomplete="off" required spellcheck={false} />
        <div>
          <button type="submit">Sign in</button>
        </div>
      </form>
    </Layout>,
    status,
  );
}

webRouter.get('/', (c) => {
  const session = c.get('session');
  return session ? c.redirect(homeOf(session), 303) : signInPage(c);
});

webRouter.post('/sign-in', async (c) => {
  const client = clientKey(c, config().TRUST_PROXY);
  const wait = limiter().retryAfter(client);
  if (wait > 0) return signInPage(c, { detail: `Too many failed sign-ins; try again in ${wait} seconds.`, fields: [] }, 429);
  const form = await readForm(c);
  const token = text(form, 'token');
  const principal = /^[A-Za-z0-9_\-.~+/]{10,200}=*$/.test(token) ? await resolveToken(token) : null;
  if (!principal) {
    limiter().fail(client);
    return signInPage(c, { detail: 'That access key is unknown, revoked or expired.', fields: [] }, 401);
  }
  startSession(c, principal);
  return c.redirect(homeOf(principal), 303);
});

webRouter.post('/sign-out', (c) => {
  endSession(c);
  return c.redirect('/', 303);
});

webRouter.route('/', coordinatorPages);
webRouter.route('/', closurePages);
webRouter.route('/', providerPages);
webRouter.route('/', capacityPages);
webRouter.route('/', familyPages);

// Anything a page did not catch still reaches the user as a readable page, not problem+json.
webRouter.onError((err, c) => {
  const apiError = toApiError(err);
  if (apiError.status >= 500) logger.error('page failed', { path: c.req.path, err });
  return c.html(
    <Layout title="Something went wrong" session={c.get('session') ?? null} csrf={c.get('csrfToken') ?? ''}>
      <ErrorBox error={errorMessage(apiError)} />
      <p>
        <a href="/">Back to the start</a>
      </p>
    </Layout>,
    apiError.status as ContentfulStatusCode,
  );
});
