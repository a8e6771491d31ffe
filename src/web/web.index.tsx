/**
 * The web pages: server-rendered Hono JSX over the same services as
 * the API, plain forms, no client script. Mounted at '/' beside /v1; the
 * session middleware runs on page paths only, never on the API.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { resolveToken } from '../services/tokens.js';
import { calendarPages } from './coordinator/calendar.js';
import { roundPages } from './coordinator/rounds.js';
import { swapApprovalPages } from './coordinator/swaps.js';
import { ledgerPages } from './coordinator/ledger.js';
import { closurePages } from './coordinator/closures.js';
import { reportPages } from './coordinator/reports.js';
import { fundingReviewPages } from './coordinator/funding-review.js';
import { scenarioPages } from './coordinator/scenarios.js';
import { familyHomePages } from './family/home.js';
import { familyRequestPages } from './family/requests.js';
import { Csrf, ErrorBox, Layout, errorMessage } from './layout.js';
import { providerDayPages } from './provider/day.js';
import { capacityPages } from './provider/capacity.js';
import { providerChildPages } from './provider/arrivals.js';
import { providerStaffPages } from './provider/staff.js';
import { transportPages } from './transport/journeys.js';
import { familyPassportPages } from './family/passport.js';
import { familyPrivacyPages } from './family/privacy.js';
import { familyConsultationPages } from './family/consultations.js';
import { familyDataPages } from './family/data.js';
import { familySwapBoardPages } from './family/swap-board.js';
import { emergencyPassportPages } from './coordinator/emergency-passport.js';
import { childRecordPages } from './coordinator/child-record.js';
import { notificationPages } from './notification-pages.js';
import { messagePages } from './coordinator/messages.js';
import { signInPages } from './sign-in.js';
import { adminPages } from './admin.js';
import { oidcConfigured, oidcSignOutUrl } from '../services/oidc.js';
import { readForm, text } from './forms.js';
import { endSession, homeOf, publicBase, requirePage, signInFailed, startSession, webSession, type WebEnv } from './session.js';
import { toApiError } from '../http/app.js';
import { logger } from '../logger.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Child, FC } from 'hono/jsx';

export const webRouter = new Hono<WebEnv>();
// '/x/*' matches /x itself too: listing both ran the middleware, and its session lookup, twice per page.
const PAGE_PATHS = ['/', '/sign-in/*', '/sign-out', '/choose', '/invitations/*', '/admin/*', '/coordinator/*', '/provider/*', '/family/*', '/transport/*', '/preferences'];
const FORM_BYTES = 64 * 1024;
for (const path of PAGE_PATHS) {
  webRouter.use(path, bodyLimit({ maxSize: FORM_BYTES, onError: (c) => c.text('This form is too large to send.', 413, { Connection: 'close' }) }));
  webRouter.use(path, webSession);
}
// Each role's pages, whichever file serves them ('/x/*' matches /x itself too).
webRouter.use('/coordinator/*', requirePage('COORDINATOR'));
webRouter.use('/family/*', requirePage('FAMILY'));
webRouter.use('/provider/*', requirePage('PROVIDER'));

function signInPage(c: Context<WebEnv>, error?: ReturnType<typeof errorMessage>, status: ContentfulStatusCode = 200) {
  const expired = c.req.query('expired') === '1';
  return c.html(
    <Layout title="Sign in" session={null} csrf={c.get('csrfToken')}>
      <ErrorBox error={error ?? (expired ? { detail: 'Please sign in to continue.', fields: [] } : null)} />
      <p class="govuk-body">
        <a class="govuk-button" href="/sign-in/email" role="button">Sign in with your email address</a>
      </p>
      {oidcConfigured() ? (
        <p class="govuk-body">
          Staff: <a class="govuk-link" href="/sign-in/oidc">sign in with your organisation’s account</a>
        </p>
      ) : null}
      <h2 class="govuk-heading-m">Sign in with an access key</h2>
      <p>Integrations and test accounts sign in with the access key they were given.</p>
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
  const form = await readForm(c);
  const token = text(form, 'token');
  // The key is checked first: a valid one signs in whatever others sent from the same address.
  const principal = /^[A-Za-z0-9_\-.~+/]{10,200}=*$/.test(token) ? await resolveToken(token) : null;
  if (!principal) {
    const wait = await signInFailed(c, { method: 'TOKEN', reason: 'UNKNOWN_TOKEN' });
    if (wait > 0) return signInPage(c, { detail: `Too many failed sign-ins; try again in ${wait} seconds.`, fields: [] }, 429);
    return signInPage(c, { detail: 'That access key is unknown, revoked or expired.', fields: [] }, 401);
  }
  await startSession(c, principal);
  return c.redirect(homeOf(principal), 303);
});

webRouter.post('/sign-out', async (c) => {
  // Ended here first, on every replica; then, for a person who came through their organisation's
  // sign-in, that provider is asked to end its session too and send them back to the start.
  const ended = await endSession(c);
  const atProvider = ended?.method === 'OIDC' ? await oidcSignOutUrl(`${publicBase(c)}/`, ended.oidcIdToken) : null;
  return c.redirect(atProvider ?? '/', 303);
});

webRouter.route('/', signInPages);
webRouter.route('/', adminPages);
webRouter.route('/', calendarPages);
webRouter.route('/', roundPages);
webRouter.route('/', swapApprovalPages);
webRouter.route('/', ledgerPages);
webRouter.route('/', closurePages);
webRouter.route('/', reportPages);
webRouter.route('/', fundingReviewPages);
webRouter.route('/', scenarioPages);
webRouter.route('/', providerDayPages);
webRouter.route('/', capacityPages);
webRouter.route('/', familyHomePages);
webRouter.route('/', familyRequestPages);
webRouter.route('/', providerChildPages);
webRouter.route('/', providerStaffPages);
webRouter.route('/', transportPages);
webRouter.route('/', familyPassportPages);
webRouter.route('/', familyPrivacyPages);
webRouter.route('/', familyConsultationPages);
webRouter.route('/', familyDataPages);
webRouter.route('/', familySwapBoardPages);
webRouter.route('/', emergencyPassportPages);
webRouter.route('/', childRecordPages);
webRouter.route('/', notificationPages);
webRouter.route('/', messagePages);

/** A page that ends where something went wrong: what happened, and the way back to the start. */
const ErrorPage: FC<{ title: string; session: WebEnv['Variables']['session'] | null; csrf: string; children?: Child }> = ({ title, session, csrf, children }) => (
  <Layout title={title} session={session} csrf={csrf}>
    {children}
    <p class="govuk-body">
      <a class="govuk-link" href="/">
        Go to the start
      </a>
    </p>
  </Layout>
);

// Anything a page did not catch still reaches the user as a readable page, not problem+json.
webRouter.onError((err, c) => {
  const apiError = toApiError(err);
  if (apiError.status >= 500) logger.error('page failed', { path: c.req.path, err });
  if (apiError.status === 404) return notFoundPage(c);
  const session = c.get('session') ?? null;
  const csrf = c.get('csrfToken') ?? '';
  const status = apiError.status as ContentfulStatusCode;
  if (apiError.status >= 500) {
    return c.html(
      <ErrorPage title="Sorry, there is a problem with the service" session={session} csrf={csrf}>
        <p class="govuk-body">Try again later. Nothing you sent has been lost: a form that failed here changed nothing.</p>
        <p class="govuk-body">The problem has been logged. If it keeps happening, contact your short-breaks team.</p>
      </ErrorPage>,
      status,
    );
  }
  return c.html(
    <ErrorPage title="This cannot be done" session={session} csrf={csrf}>
      <ErrorBox error={errorMessage(apiError)} />
    </ErrorPage>,
    status,
  );
});

/** The GOV.UK "Page not found" page, for any URL that is not a page, an asset or part of the API. */
export function notFoundPage(c: Context): Response | Promise<Response> {
  const session = (c.get('session' as never) as WebEnv['Variables']['session'] | undefined) ?? null;
  return c.html(
    <ErrorPage title="Page not found" session={session} csrf={(c.get('csrfToken' as never) as string | undefined) ?? ''}>
      <p class="govuk-body">If you typed the web address, check it is correct.</p>
      <p class="govuk-body">If you pasted the web address, check you copied the entire address.</p>
    </ErrorPage>,
    404,
  );
}

/** API paths keep problem+json for an unknown route; everything else is a page. */
export const isApiPath = (path: string) => /^\/(v1|calendar|openreferral)(\/|$)/.test(path) || path === '/health' || path === '/openapi.json';
