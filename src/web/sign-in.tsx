/**
 * Signing in as a person: by a one-time link sent by email, by accepting an
 * emailed invitation, or (staff, where configured) with OpenID Connect; then,
 * for a person with several memberships, choosing which one to act as. The
 * links only show a page with a button: opening a link changes nothing, so a
 * mail scanner that follows links cannot use one up.
 */
import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { EmailAddress } from '../schemas/people.js';
import { acceptInvitation, invitationForLink, type LinkRefusal } from '../services/invitations.js';
import { beginOidcSignIn, finishOidcSignIn, oidcConfigured, PENDING_MINUTES, type OidcRefusal } from '../services/oidc.js';
import { membershipsOf, principalOfMembership } from '../services/people.js';
import { checkSignInLink, requestSignInLink, SIGN_IN_LINK_MINUTES, useSignInLink } from '../services/sign-in-links.js';
import { chooseMembership } from '../services/web-sessions.js';
import { idOrNone, readForm, text } from './forms.js';
import { Csrf, ErrorBox, Layout } from './layout.js';
import { clientAddress, currentSessionSecret, homeOf, publicBase, signInFailed, startPersonSignIn, type WebEnv } from './session.js';

export const signInPages = new Hono<WebEnv>();

const OIDC_COOKIE = 'sb_oidc';

/** The page for a link that will not sign anyone in, saying why and what to do. */
function refusedLink(c: Context<WebEnv>, why: LinkRefusal, what: 'sign-in' | 'invitation') {
  const again =
    what === 'sign-in' ? (
      <p class="govuk-body">
        <a class="govuk-link" href="/sign-in/email">Get a new sign-in link</a>
      </p>
    ) : (
      <p class="govuk-body">Ask the person who invited you to send a new invitation. If you have already accepted it, <a class="govuk-link" href="/sign-in/email">sign in with your email</a>.</p>
    );
  const title = why === 'USED' ? `This ${what === 'sign-in' ? 'sign-in link' : 'invitation'} has already been used` : why === 'WITHDRAWN' ? 'This invitation has been withdrawn' : why === 'EXPIRED' ? `This ${what === 'sign-in' ? 'sign-in link' : 'invitation'} has expired` : `This ${what === 'sign-in' ? 'sign-in link' : 'invitation'} is not valid`;
  const detail =
    why === 'USED' ? (what === 'sign-in' ? 'Each sign-in link works once.' : 'Each invitation can be accepted once.')
    : why === 'EXPIRED' ? (what === 'sign-in' ? `Sign-in links work for ${SIGN_IN_LINK_MINUTES} minutes.` : 'Invitations work for 7 days.')
    : why === 'WITHDRAWN' ? 'The person who invited you has withdrawn it.'
    : 'Check you copied the whole link from the email.';
  const status: ContentfulStatusCode = why === 'UNKNOWN' ? 404 : 410;
  return c.html(
    <Layout title={title} session={null} csrf={c.get('csrfToken')}>
      <p class="govuk-body">{detail}</p>
      {again}
    </Layout>,
    status,
  );
}

function tooMany(c: Context<WebEnv>, wait: number) {
  c.header('Retry-After', String(wait));
  return c.html(
    <Layout title="Too many failed sign-ins" session={null} csrf={c.get('csrfToken')}>
      <p class="govuk-body">Too many sign-ins failed from your connection. Try again in {wait} seconds.</p>
    </Layout>,
    429,
  );
}

// ---- Sign in with an emailed link --------------------------------------------------

function emailForm(c: Context<WebEnv>, error?: string, status: ContentfulStatusCode = 200) {
  return c.html(
    <Layout title="Sign in with your email address" session={null} csrf={c.get('csrfToken')}>
      <ErrorBox error={error ? { detail: 'There is a problem', fields: [error], anchors: ['email'] } : null} />
      <p class="govuk-body">We will email you a link to sign in. It works once, for {SIGN_IN_LINK_MINUTES} minutes.</p>
      <form method="post" action="/sign-in/email" novalidate>
        <Csrf token={c.get('csrfToken')} />
        <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
          <label class="govuk-label" for="email">Email address</label>
          {error ? <p id="email-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {error}</p> : null}
          <input class="govuk-input" type="email" id="email" name="email" autocomplete="email" spellcheck={false} required />
        </div>
        <button type="submit" class="govuk-button">Send me a link</button>
      </form>
    </Layout>,
    status,
  );
}

signInPages.get('/sign-in/email', (c) => emailForm(c));

signInPages.post('/sign-in/email', async (c) => {
  const form = await readForm(c);
  const email = EmailAddress.safeParse(text(form, 'email'));
  if (!email.success) return emailForm(c, 'Enter an email address in the correct format, like name@example.com', 400);
  await requestSignInLink(email.data, new Date(), clientAddress(c));
  // The same answer whether or not the address is known: the form tells nobody who uses the service.
  return c.html(
    <Layout title="Check your email" session={null} csrf={c.get('csrfToken')}>
      <p class="govuk-body">If {email.data} is the address you use with the short-breaks service, we have sent a link to sign in. It works once, for {SIGN_IN_LINK_MINUTES} minutes.</p>
      <p class="govuk-body">
        <a class="govuk-link" href="/sign-in/email">Send another link</a>
      </p>
    </Layout>,
  );
});

signInPages.get('/sign-in/link/:secret', async (c) => {
  const secret = c.req.param('secret');
  const refused = await checkSignInLink(secret);
  if (refused) return refusedLink(c, refused, 'sign-in');
  return c.html(
    <Layout title="Sign in to short breaks" session={null} csrf={c.get('csrfToken')}>
      <form method="post" action="/sign-in/link">
        <Csrf token={c.get('csrfToken')} />
        <input type="hidden" name="secret" value={secret} />
        <button type="submit" class="govuk-button">Continue</button>
      </form>
    </Layout>,
  );
});

signInPages.post('/sign-in/link', async (c) => {
  const form = await readForm(c);
  const used = await useSignInLink(text(form, 'secret'));
  if ('refused' in used) {
    const wait = await signInFailed(c, { method: 'EMAIL_LINK', reason: used.refused });
    if (wait > 0) return tooMany(c, wait);
    return refusedLink(c, used.refused, 'sign-in');
  }
  return c.redirect(await startPersonSignIn(c, used.personId, 'EMAIL_LINK'), 303);
});

// ---- Invitations ---------------------------------------------------------------------

signInPages.get('/invitations/:secret', async (c) => {
  const secret = c.req.param('secret');
  const found = await invitationForLink(secret);
  if (!found.invitation) return refusedLink(c, found.refused ?? 'UNKNOWN', 'invitation');
  const i = found.invitation;
  return c.html(
    <Layout title="Accept your invitation" session={null} csrf={c.get('csrfToken')}>
      <p class="govuk-body">
        {i.name}, you are invited to use the short-breaks service as {i.invitedAs}, with the email address {i.email}.
      </p>
      <form method="post" action="/invitations/accept">
        <Csrf token={c.get('csrfToken')} />
        <input type="hidden" name="secret" value={secret} />
        <button type="submit" class="govuk-button">Accept and sign in</button>
      </form>
    </Layout>,
  );
});

signInPages.post('/invitations/accept', async (c) => {
  const form = await readForm(c);
  const accepted = await acceptInvitation(text(form, 'secret'));
  if ('refused' in accepted) {
    const wait = await signInFailed(c, { method: 'INVITATION', reason: accepted.refused });
    if (wait > 0) return tooMany(c, wait);
    return refusedLink(c, accepted.refused, 'invitation');
  }
  // Receiving the invitation proved the address, as a sign-in link does.
  return c.redirect(await startPersonSignIn(c, accepted.personId, 'EMAIL_LINK', { membershipId: accepted.membershipId, via: 'INVITATION' }), 303);
});

// ---- OpenID Connect ------------------------------------------------------------------

/** The callback URL registered with the identity provider: PUBLIC_BASE_URL's, or the address this request came to. */
function callbackUrl(c: Context): string {
  return `${publicBase(c)}/sign-in/oidc/callback`;
}

const OIDC_REFUSALS: Record<OidcRefusal, string> = {
  NO_SIGN_IN_IN_PROGRESS: `The sign-in took too long or was started in another browser. Sign-ins must finish within ${PENDING_MINUTES} minutes.`,
  PROVIDER_REFUSED: 'Your organisation’s sign-in service did not confirm who you are.',
  NO_VERIFIED_EMAIL: 'Your organisation’s account has no verified email address, so we cannot tell who you are here.',
  UNKNOWN_PERSON: 'There is no short-breaks account for your email address. Ask your coordinator or manager to invite you.',
};

signInPages.get('/sign-in/oidc', async (c) => {
  if (!oidcConfigured()) return c.redirect('/sign-in/email', 303);
  const { url, pending } = await beginOidcSignIn(callbackUrl(c));
  setCookie(c, OIDC_COOKIE, pending, { path: '/sign-in/oidc', httpOnly: true, sameSite: 'Lax', secure: new URL(c.req.url).protocol === 'https:' || callbackUrl(c).startsWith('https:'), maxAge: PENDING_MINUTES * 60 });
  return c.redirect(url, 302);
});

signInPages.get('/sign-in/oidc/callback', async (c) => {
  if (!oidcConfigured()) return c.redirect('/sign-in/email', 303);
  const pending = getCookie(c, OIDC_COOKIE);
  deleteCookie(c, OIDC_COOKIE, { path: '/sign-in/oidc' });
  const result = await finishOidcSignIn(pending, new URL(c.req.url).search);
  if ('refused' in result) {
    const wait = await signInFailed(c, { method: 'OIDC', reason: result.refused });
    if (wait > 0) return tooMany(c, wait);
    return c.html(
      <Layout title="You could not be signed in" session={null} csrf={c.get('csrfToken')}>
        <p class="govuk-body">{OIDC_REFUSALS[result.refused]}</p>
        <p class="govuk-body">
          <a class="govuk-link" href="/">Go to the start</a>
        </p>
      </Layout>,
      result.refused === 'UNKNOWN_PERSON' ? 403 : 400,
    );
  }
  return c.redirect(await startPersonSignIn(c, result.personId, 'OIDC', { oidcIdToken: result.idToken }), 303);
});

// ---- Choosing what to act as ---------------------------------------------------------

signInPages.get('/choose', async (c) => {
  const person = c.get('person');
  if (!person) return c.redirect('/?expired=1', 303);
  const memberships = await membershipsOf(person.id);
  return c.html(
    <Layout title="What are you signing in as?" session={c.get('session')} csrf={c.get('csrfToken')}>
      {memberships.length === 0 ? (
        <p class="govuk-body">{person.name}, you have no access to the service at the moment. Ask your coordinator or manager to invite you.</p>
      ) : (
        <form method="post" action="/choose">
          <Csrf token={c.get('csrfToken')} />
          <div class="govuk-form-group">
            <fieldset class="govuk-fieldset">
              <legend class="govuk-fieldset__legend">Signed in as {person.name}. Choose one:</legend>
              <div class="govuk-radios" data-module="govuk-radios">
                {memberships.map((m, i) => (
                  <div class="govuk-radios__item">
                    <input class="govuk-radios__input" id={`membership-${i}`} name="membershipId" type="radio" value={m.id} checked={i === 0} />
                    <label class="govuk-label govuk-radios__label" for={`membership-${i}`}>{m.label}</label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <button type="submit" class="govuk-button">Continue</button>
        </form>
      )}
    </Layout>,
  );
});

signInPages.post('/choose', async (c) => {
  const secret = currentSessionSecret(c);
  if (!secret || !c.get('person')) return c.redirect('/?expired=1', 303);
  const form = await readForm(c);
  const membershipId = text(form, 'membershipId');
  const chosen = await chooseMembership(secret, idOrNone(membershipId));
  const principal = principalOfMembership(chosen, { tokenId: secret });
  return c.redirect(principal ? homeOf(principal) : '/choose', 303);
});

