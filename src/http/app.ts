/**
 * The Hono app factory: one `onError`, one `notFound` and one validation hook,
 * so every error anywhere leaves as the same problem+json shape
 * (after w3cj/hono-open-api-starter's createApp and unkey's error handling).
 */
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Principal } from '../services/access.js';
import { ApiError, invalid, type FieldProblem } from './problem.js';
import { mapDatabaseError } from '../services/db-errors.js';
import { logger } from '../logger.js';

export interface AppEnv extends Env {
  Variables: {
    principal: Principal;
    requestId: string;
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(c: Context, error: ApiError): Response {
  return c.body(JSON.stringify(error.toProblem(c.req.path)), error.status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
  });
}

type ZodIssueLike = { path: PropertyKey[]; message: string; code?: string; keys?: string[] };
export function fieldProblems(issues: readonly ZodIssueLike[], prefix = ''): FieldProblem[] {
  const at = (path: PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.') || '(root)';
  return issues.flatMap((i) =>
    // Name each unknown field where it is, so a client sees exactly what to remove.
    i.code === 'unrecognized_keys' && i.keys?.length
      ? i.keys.map((k) => ({ path: at([...i.path, k]), message: 'unknown field' }))
      : [{ path: at(i.path), message: i.message }],
  );
}

const TARGET_PREFIX: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/** Validation failures of any request part become one 400 with field paths. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (!result.success) {
    const target = (result as { target?: string }).target ?? 'json';
    return problemResponse(c, invalid(fieldProblems(result.error.issues, TARGET_PREFIX[target] ?? target)));
  }
  return undefined;
};

export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook });
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new ApiError('PAYLOAD_TOO_LARGE', 'The request body is larger than the limit');
    if (err.status === 400) return invalid([{ path: 'body', message: err.message }], 'The request body is not valid JSON');
    if (err.status === 401) return new ApiError('UNAUTHENTICATED', err.message);
    // @hono/zod-openapi refuses a body sent with a content type the route does not declare.
    if (err.status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  return mapDatabaseError(err) ?? new ApiError('INTERNAL', 'An unexpected error occurred; it has been logged');
}

export function createApp(): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.notFound((c) => problemResponse(c, new ApiError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) logger.error('request failed', { path: c.req.path, err });
    return problemResponse(c, apiError);
  });
  return app;
}
