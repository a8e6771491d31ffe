/**
 * Browser sessions for the web pages (issue 7). The cookie carries no secret:
 * it is the signed principal of the token the user pasted (its id and scope),
 * HMAC-SHA256 with SESSION_SECRET, with an expiry. The token itself and its
 * hash never leave the server. Forms carry a CSRF token derived from a random
 * per-browser cookie (double submit, signed), checked on every POST together
 * with Hono's Origin check.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { config } from '../config.js';
import type { Principal, Role } from '../services/access.js';

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

function readSession(c: Context): Principal | null {
  const raw = getCookie(c, SESSION_COOKIE);
  const [body, mac] = raw?.split('.') ?? [];
  if (!body || !mac || !sameSignature(mac, sign(`session:${body}`))) return null;
  const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { p: Principal; exp: number };
  return parsed.exp > Date.now() ? parsed.p : null;
}

export function startSession(c: Context, principal: Principal): void {
  const body = Buffer.from(JSON.stringify({ p: principal, exp: Date.now() + SESSION_HOURS * 3600_000 })).toString('base64url');
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
  c.set('session', readSession(c));
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
