/**
 * Browser sessions for the web pages. The session cookie is an opaque random
 * secret; the session itself is a PostgreSQL row (src/services/web-sessions.ts)
 * looked up on every page, so any API replica serves it, and signing out or
 * revoking the credential it came from ends it everywhere on the next click.
 * Forms carry a CSRF token derived from a random per-browser cookie (double
 * submit, HMAC with SESSION_SECRET, which every replica shares through
 * src/config.ts), checked on every POST. (No Origin check: behind a
 * TLS-terminating proxy the request URL's origin is not the browser's.)
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { config } from '../config.js';
import { clientKey } from '../http/rate-limit.js';
import { FailureLimiter } from '../failure-limiter.js';
import { signInFailure, type SignInEvent } from '../services/sign-in-events.js';
import type { Principal, Role } from '../services/access.js';
import { membershipsOf, principalOfMembership } from '../services/people.js';
import { endWebSession, resolveWebSession, SESSION_HOURS, startPersonSession, startWebSession, type SignInMethod } from '../services/web-sessions.js';

export interface WebEnv {
  /** `person`: who is signed in, when a person is (their session may not have chosen a membership yet). */
  Variables: { session: Principal | null; person: { id: string; name: string } | null; csrfToken: string };
}

const SESSION_COOKIE = 'sb_session';
const FORM_COOKIE = 'sb_form';
/** What a session cookie can look like: anything else is not looked up at all. */
const SESSION_SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const sign = (value: string) => createHmac('sha256', config().SESSION_SECRET).update(value).digest('base64url');

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isHttps(c: Context): boolean {
  if (config().TRUST_PROXY && c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim() === 'https') return true;
  return new URL(c.req.url).protocol === 'https:';
}

const cookieOptions = (c: Context, maxAge?: number) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'Lax' as const,
  secure: isHttps(c),
  ...(maxAge ? { maxAge } : {}),
});

const sessionSecretOf = (c: Context): string | null => {
  const raw = getCookie(c, SESSION_COOKIE);
  return raw && SESSION_SECRET_SHAPE.test(raw) ? raw : null;
};

/** This service's address as browsers reach it (PUBLIC_BASE_URL, or the address this request came to), without a trailing slash. */
export const publicBase = (c: Context): string => (config().PUBLIC_BASE_URL ?? new URL(c.req.url).origin).replace(/\/$/, '');

/** The client address a sign-in is audited and rate-limited by (proxy-aware, as configured). */
export const clientAddress = (c: Context): string => clientKey(c, config().TRUST_PROXY);

// Same failure budget as bearer authentication: pasting keys and guessing links is probing too.
// Created on first use, not at import: configuration is read when used, never at module load.
let failureLimiter: FailureLimiter | undefined;
const failures = () => (failureLimiter ??= new FailureLimiter(config().AUTH_FAILURES_PER_MINUTE));

/** A sign-in failed: counted against the client address and audited (boundedly: signInFailure). Answers the seconds to wait, or 0. */
export const signInFailed = (c: Context, e: Pick<SignInEvent, 'method' | 'reason' | 'personId'>): Promise<number> => signInFailure(failures(), { ...e, address: clientAddress(c) });

export async function startSession(c: Context, principal: Principal): Promise<void> {
  // Signing in again replaces the browser's previous session rather than leaving it live.
  const previous = sessionSecretOf(c);
  if (previous) await endWebSession(previous);
  setCookie(c, SESSION_COOKIE, await startWebSession(principal, new Date(), { address: clientAddress(c) }), cookieOptions(c, SESSION_HOURS * 3600));
  // A new form secret on every sign-in, so a form token from before cannot be replayed.
  setCookie(c, FORM_COOKIE, randomBytes(18).toString('base64url'), cookieOptions(c));
}

/**
 * A person has proved who they are (an emailed link, an invitation, OpenID Connect): start their
 * session, acting through their membership when they have one, and say where they go next —
 * their pages, or the page where they choose what to act as.
 */
export async function startPersonSignIn(c: Context, personId: string, method: SignInMethod, options: { membershipId?: string; via?: 'INVITATION'; oidcIdToken?: string | null } = {}): Promise<string> {
  const { membershipId, via, oidcIdToken } = options;
  const previous = sessionSecretOf(c);
  if (previous) await endWebSession(previous);
  const memberships = await membershipsOf(personId);
  const chosen = (membershipId ? memberships.find((m) => m.id === membershipId) : undefined) ?? (memberships.length === 1 ? memberships[0]! : null);
  setCookie(c, SESSION_COOKIE, await startPersonSession(personId, method, chosen?.id ?? null, new Date(), { address: clientAddress(c), ...(via ? { via } : {}), oidcIdToken: oidcIdToken ?? null }), cookieOptions(c, SESSION_HOURS * 3600));
  setCookie(c, FORM_COOKIE, randomBytes(18).toString('base64url'), cookieOptions(c));
  if (!chosen) return '/choose';
  // Live memberships only (membershipsOf), so none is revoked.
  const principal = principalOfMembership({ ...chosen, revokedAt: null }, { tokenId: 'new' });
  return principal ? homeOf(principal) : '/choose';
}

/** The cookie's session secret, for the page that changes which membership the session acts through. */
export const currentSessionSecret = (c: Context): string | null => sessionSecretOf(c);

/** Sign out here; answers how the ended session was signed in, with its OpenID Connect ID token (null when there was none). */
export async function endSession(c: Context): Promise<Awaited<ReturnType<typeof endWebSession>>> {
  const secret = sessionSecretOf(c);
  const ended = secret ? await endWebSession(secret) : null;
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  deleteCookie(c, FORM_COOKIE, { path: '/' });
  return ended;
}

/** Reads the session and makes sure the browser has a form secret; rejects POSTs without a matching CSRF token. */
export const webSession = createMiddleware<WebEnv>(async (c, next) => {
  let formSecret = getCookie(c, FORM_COOKIE);
  if (!formSecret) {
    formSecret = randomBytes(18).toString('base64url');
    setCookie(c, FORM_COOKIE, formSecret, cookieOptions(c));
  }
  const csrfToken = sign(`csrf:${formSecret}`);
  c.set('csrfToken', csrfToken);
  const secret = sessionSecretOf(c);
  const session = secret ? await resolveWebSession(secret) : null;
  // A session that ended (signed out elsewhere, expired, credential revoked) is over: drop the cookie.
  if (getCookie(c, SESSION_COOKIE) && !session) deleteCookie(c, SESSION_COOKIE, { path: '/' });
  c.set('session', session?.principal ?? null);
  c.set('person', session?.person ?? null);
  if (c.req.method === 'POST') {
    const form = await c.req.parseBody();
    const sent = typeof form._csrf === 'string' ? form._csrf : '';
    if (!sameSignature(sent, csrfToken)) {
      return c.text('This form has expired. Go back, reload the page and try again.', 403);
    }
  }
  await next();
});

const HOME: Record<Role, string> = { COORDINATOR: '/coordinator', PROVIDER: '/provider', FAMILY: '/family', TRANSPORT: '/transport', ADMIN: '/admin' };
export const homeOf = (p: Principal) => HOME[p.role];

/** The signed-in principal of a role, or a redirect to the sign-in page. */
export function requirePage<R extends Role>(role: R) {
  return createMiddleware<WebEnv>(async (c, next) => {
    const session = c.get('session');
    // Signed in but not yet acting as anyone: choose first.
    if (!session) return c.redirect(c.get('person') ? '/choose' : '/?expired=1', 303);
    if (session.role !== role) return c.redirect(homeOf(session), 303);
    await next();
  });
}

export function principalOf<R extends Role>(c: Context<WebEnv>, _role: R): Extract<Principal, { role: R }> {
  return c.get('session') as Extract<Principal, { role: R }>;
}
