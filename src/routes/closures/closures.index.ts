import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { ClosureSchema, StartClosureBody } from '../../schemas/closures.js';
import { getClosure, startClosure } from '../../services/closures.js';

const tags = ['Closures'];
export const startClosureRoute = createRoute({
  method: 'post', path: '/v1/providers/{id}/closure', tags, security: bearerSecurity,
  summary: 'Close a provider from a date; every affected booking is re-homed or accounted for (202: poll the closure)',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(StartClosureBody) },
  responses: { 202: jsonContent(ClosureSchema, 'Closing; re-homing plan queued'), ...errorResponses },
});
export const getClosureRoute = createRoute({
  method: 'get', path: '/v1/closures/{id}', tags, security: bearerSecurity,
  summary: 'Progress, counts (they add up to the affected bookings) and the outcome of every affected booking',
  request: { params: IdParam },
  responses: { 200: jsonContent(ClosureSchema, 'The closure'), ...errorResponses },
});

export const closuresRouter = createRouter()
  .openapi(startClosureRoute, async (c) => c.json(await startClosure(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202))
  .openapi(getClosureRoute, async (c) => c.json(await getClosure(c.get('principal'), c.req.valid('param').id), 200));
