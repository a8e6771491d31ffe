/**
 * Browser sessions for the web pages (issue 7). The cookie carries no secret:
 * it is the signed id of the token the user pasted, HMAC-SHA256 with
 * SESSION_SECRET, with an expiry. Every page looks the token up again by that
 * id, so a revoked or expired token ends its sessions on the next click. The
 * token itself and its hash never leave the server. Forms carry a CSRF token
 * derived from a random per-browser cookie (double submit, signed), checked on
 * every POST. (No Origin check: behind a TLS-terminating proxy the request URL's
 * origin is not the browser's, and the signed token already does the job.)
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { config } from '../config.js';
import type { Principal, Role } from '../services/access.js';
import { resolveTokenId } from '../services/tokens.js';

export interface WebEnv {
  Variables: { session: Principal | null; csrfToken: string };
}

const SESSION_COOKIE = 'sb_session';
const FORM_COOKIE = 'sb_form';
const SESSION_HOURS = 8;

// A random per-process default means sessions end on restart unless SESSION_SECRET is set.
const secret = process.env.SESSION_SECRET && process.env.SESSION_SECRET.length >= 16 ? process.env.SESSION_SECRET : randomBytes(32).toString('hex');

const sign = (value: string) => createHmac('sha256', secret).update(value).digest('base64url');

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isHttps(c: Context): boolean {
  if (config().TRUST_PROXY && c.req.header('X-Forwarded-Proto') === 'https') return true;
  return new URL(c.req.url).protocol === 'https:';
}

const cookieOptions = (c: Context, maxAge?: number) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'Lax' as const,
  secure: isHttps(c),
  ...(maxAge ? { maxAge } : {}),
});

/** The token id of a well-signed, unexpired session cookie. */
function readSessionTokenId(c: Context): string | null {
  const raw = getCookie(c, SESSION_COOKIE);
  const [body, mac] = raw?.split('.') ?? [];
  if (!body || !mac || !sameSignature(mac, sign(`session:${body}`))) return null;
  const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { t?: unknown; exp?: unknown };
  return typeof parsed.t === 'string' && typeof parsed.exp === 'number' && parsed.exp > Date.now() ? parsed.t : null;
}

export function startSession(c: Context, principal: Principal): void {
  const body = Buffer.from(JSON.stringify({ t: principal.tokenId, exp: Date.now() + SESSION_HOURS * 3600_000 })).toString('base64url');
  setCookie(c, SESSION_COOKIE, `${body}.${sign(`session:${body}`)}`, cookieOptions(c, SESSION_HOURS * 3600));
  // A new form secret on every sign-in, so a form token from before cannot be replayed.
  setCookie(c, FORM_COOKIE, randomBytes(18).toString('base64url'), cookieOptions(c));
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  deleteCookie(c, FORM_COOKIE, { path: '/' });
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
  const tokenId = readSessionTokenId(c);
  const session = tokenId ? await resolveTokenId(tokenId) : null;
  // A session whose token was revoked or expired is over: drop the cookie rather than check it on every page.
  if (tokenId && !session) deleteCookie(c, SESSION_COOKIE, { path: '/' });
  c.set('session', session);
  if (c.req.method === 'POST') {
    const form = await c.req.parseBody();
    const sent = typeof form._csrf === 'string' ? form._csrf : '';
    if (!sameSignature(sent, csrfToken)) {
      return c.text('This form has expired. Go back, reload the page and try again.', 403);
    }
  }
  await next();
});

const HOME: Record<Role, string> = { COORDINATOR: '/coordinator', PROVIDER: '/provider', FAMILY: '/family' };
export const homeOf = (p: Principal) => HOME[p.role];

/** The signed-in principal of a role, or a redirect to the sign-in page. */
export function requirePage<R extends Role>(role: R) {
  return createMiddleware<WebEnv>(async (c, next) => {
    const session = c.get('session');
    if (!session) return c.redirect('/?expired=1', 303);
    if (session.role !== role) return c.redirect(homeOf(session), 303);
    await next();
  });
}

export function principalOf<R extends Role>(c: Context<WebEnv>, _role: R): Extract<Principal, { role: R }> {
  return c.get('session') as Extract<Principal, { role: R }>;
}
