/** Bearer-token authentication: every /v1 route runs with a resolved principal. */
import { createMiddleware } from 'hono/factory';
import { resolveToken } from '../services/tokens.js';
import { ApiError } from './problem.js';
import type { AppEnv } from './app.js';

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9_\-.~+/]{10,200}=*)$/.exec(header.trim());
  if (!match?.[1]) {
    throw new ApiError('UNAUTHENTICATED', 'Send Authorization: Bearer <token>');
  }
  const principal = await resolveToken(match[1]);
  if (!principal) throw new ApiError('UNAUTHENTICATED', 'The token is unknown, revoked or expired');
  c.set('principal', principal);
  await next();
});
