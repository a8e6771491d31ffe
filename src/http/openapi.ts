/** OpenAPI pieces every route shares: the problem schema, error responses, paging. */
import { z } from '@hono/zod-openapi';
import { PROBLEM_CODES } from '../errors.js';
import { PROBLEM_CONTENT_TYPE } from './app.js';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(PROBLEM_CODES) as [keyof typeof PROBLEM_CODES, ...(keyof typeof PROBLEM_CODES)[]]),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .passthrough()
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
});

/** Spread into every authenticated route's `responses`. */
export const errorResponses = {
  400: problem('The request is not valid (field problems in `errors`)'),
  401: problem('Missing, unknown, revoked or expired token'),
  403: problem('The token’s role may not call this'),
  404: problem('Not found, or not visible to this token'),
  409: problem('Conflicts with the current state'),
  422: problem('Valid, but cannot be carried out (reason in `code` and `detail`)'),
  503: problem('Temporarily unavailable; retry'),
} as const;

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const IdParam = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Retry-safe POST: same key and body replays the first response' }),
});

export const bearerSecurity = [{ bearerAuth: [] }];
