/** Bearer-token authentication: every /v1 route runs with a resolved principal. */
import { createMiddleware } from 'hono/factory';
import { resolveToken } from '../services/tokens.js';
import { ApiError } from './problem.js';
import type { AppEnv } from './app.js';
import { clientKey, type FailureLimiter } from './rate-limit.js';

export function authenticate(limiter: FailureLimiter, trustProxy: boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const client = clientKey(c, trustProxy);
    const wait = limiter.retryAfter(client);
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new ApiError('RATE_LIMITED', `Too many failed sign-ins from this address; try again in ${wait} s`);
    }
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer\s+([A-Za-z0-9_\-.~+/]{10,200}=*)$/.exec(header.trim());
    const principal = match?.[1] ? await resolveToken(match[1]) : null;
    if (!principal) {
      limiter.fail(client);
      throw new ApiError('UNAUTHENTICATED', match ? 'The token is unknown, revoked or expired' : 'Send Authorization: Bearer <token>');
    }
    c.set('principal', principal);
    await next();
  });
}
