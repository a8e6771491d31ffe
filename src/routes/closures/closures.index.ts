import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent, page } from '../../http/openapi.js';
import { ClosureListQuery, ClosureSchema, ClosureSummarySchema, StartClosureBody } from '../../schemas/closures.js';
import { getClosure, listClosures, retryClosure, startClosure } from '../../services/closures.js';

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

export const listClosuresRoute = createRoute({
  method: 'get', path: '/v1/closures', tags, security: bearerSecurity,
  summary: 'Closures this authority started or whose re-homing affected its children, newest first, with counts',
  request: { query: ClosureListQuery },
  responses: { 200: jsonContent(page(ClosureSummarySchema), 'Closures'), ...errorResponses },
});
export const retryClosureRoute = createRoute({
  method: 'post', path: '/v1/closures/{id}/retry', tags, security: bearerSecurity,
  summary: 'Send a FAILED closure back to the worker; it carries on from where it stopped (202: poll the closure)',
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 202: jsonContent(ClosureSchema, 'Queued again'), ...errorResponses },
});

export const closuresRouter = createRouter()
  .openapi(listClosuresRoute, async (c) => c.json(await listClosures(c.get('principal'), c.req.valid('query')), 200))
  .openapi(retryClosureRoute, async (c) => c.json(await retryClosure(c.get('principal'), c.req.valid('param').id), 202))
  .openapi(startClosureRoute, async (c) => c.json(await startClosure(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202))
  .openapi(getClosureRoute, async (c) => c.json(await getClosure(c.get('principal'), c.req.valid('param').id), 200));
