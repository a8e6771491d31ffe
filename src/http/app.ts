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
import { ApiError, invalid, type FieldProblem } from '../errors.js';
import { toProblem } from './problem.js';
import { mapDatabaseError } from '../services/db-errors.js';
import { logger } from '../logger.js';
import { TEXT_ISSUE } from '../schemas/common.js';
import { methodsFor } from './allowed-methods.js';

export interface AppEnv extends Env {
  Variables: {
    principal: Principal;
    requestId: string;
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(c: Context, error: ApiError): Response {
  return c.body(JSON.stringify(toProblem(error, c.req.path)), error.status as ContentfulStatusCode, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
  });
}

type ZodIssueLike = { path: PropertyKey[]; message: string; code?: string; keys?: string[]; params?: unknown };
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

const isTextIssue = (i: ZodIssueLike) => (i.params as Partial<typeof TEXT_ISSUE> | undefined)?.unacceptableText === true;

/**
 * The error for a failed parse: text with characters we refuse (NUL, unpaired
 * surrogates, control characters in names) is a 422 naming those fields; any
 * other problem is a 400 listing them all.
 */
export function validationError(issues: readonly ZodIssueLike[], prefix = ''): ApiError {
  const text = issues.filter(isTextIssue);
  if (text.length) {
    const errors = fieldProblems(text, prefix);
    return new ApiError('UNACCEPTABLE_TEXT', errors.map((e) => `${e.path} ${e.message}`).join('; '), { errors });
  }
  return invalid(fieldProblems(issues, prefix));
}

/** Validation failures of any request part become one problem with field paths. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (!result.success) {
    const target = (result as { target?: string }).target ?? 'json';
    return problemResponse(c, validationError(result.error.issues, TARGET_PREFIX[target] ?? target));
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

export interface CreateAppOptions {
  /** An HTML page for an unknown URL that is not part of the API, or null to answer problem+json. */
  notFoundPage?: (c: Context) => Response | Promise<Response> | null;
}

export function createApp(options: CreateAppOptions = {}): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const allowed = methodsFor(app.routes);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods.length && !methods.includes(c.req.method)) {
      c.header('Allow', methods.join(', '));
      return problemResponse(c, new ApiError('METHOD_NOT_ALLOWED', `${c.req.path} answers ${methods.join(', ')}, not ${c.req.method}`));
    }
    const page = options.notFoundPage?.(c);
    if (page) return page;
    return problemResponse(c, new ApiError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`));
  });
  app.onError((err, c) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) logger.error('request failed', { path: c.req.path, err });
    // The rest of an oversized body is still on the socket, unread: say the connection
    // ends here, so a keep-alive client opens a new one instead of losing its next request.
    if (apiError.status === 413) c.header('Connection', 'close');
    return problemResponse(c, apiError);
  });
  return app;
}
