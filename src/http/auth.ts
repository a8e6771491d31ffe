/** Bearer-token authentication: every /v1 route runs with a resolved principal. */
import { createMiddleware } from 'hono/factory';
import { assertTransportMayCall } from '../services/access.js';
import { signInFailure } from '../services/sign-in-events.js';
import { actingThrough, resolveToken } from '../services/tokens.js';
import { ApiError, forbidden } from '../errors.js';
import type { AppEnv } from './app.js';
import { clientKey } from './rate-limit.js';
import type { FailureLimiter } from '../failure-limiter.js';

export const BEARER = /^Bearer\s+([A-Za-z0-9_\-.~+/]{10,200}=*)$/;

export function authenticate(limiter: FailureLimiter, trustedProxies: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const authorization = c.req.header('Authorization');
    const match = BEARER.exec((authorization ?? '').trim());
    // The credential is checked first: a valid one is served whatever others sent from the same address.
    const principal = match?.[1] ? await resolveToken(match[1]) : null;
    if (!principal) {
      // A credential that was sent and refused is a failed sign-in, audited (boundedly) as one; a request
      // that sent none is only counted. The token itself is never written anywhere.
      const address = clientKey(c, trustedProxies);
      const wait = authorization
        ? await signInFailure(limiter, { method: 'API_TOKEN', address, reason: match ? 'UNKNOWN_TOKEN' : 'MALFORMED_AUTHORIZATION' })
        : await limiter.fail([`ip:${address}`]);
      if (wait > 0) {
        c.header('Retry-After', String(wait));
        throw new ApiError('RATE_LIMITED', `Too many failed sign-ins from this address; try again in ${wait} s`);
      }
      throw new ApiError('UNAUTHENTICATED', match ? 'The token is unknown, revoked or expired' : 'Send Authorization: Bearer <token>');
    }
    // A token scoped to several memberships acts through its first unless the request names another.
    const actingAs = c.req.header('Acting-As')?.trim();
    const acting = actingAs ? await actingThrough(principal, actingAs) : principal;
    if (!acting) throw forbidden('This token does not act through that membership (Acting-As), or that membership has ended');
    assertTransportMayCall(acting, c.req.method, c.req.path);
    c.set('principal', acting);
    await next();
  });
}
