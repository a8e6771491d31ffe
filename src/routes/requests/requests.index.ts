import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { BreakRequestSchema, CreateRequestBody, RequestQuery, UpdateRequestBody } from '../../schemas/requests.js';
import { createRequest, getRequest, listRequests, updateRequest, withdrawRequest } from '../../services/requests.js';

const tags = ['Requests'];
export const createRequestRoute = createRoute({
  method: 'post', path: '/v1/requests', tags, security: bearerSecurity,
  summary: 'File ranked preferences for a period (the family for its own child, or a coordinator)',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateRequestBody) },
  responses: { 201: jsonContent(BreakRequestSchema, 'Filed'), ...errorResponses },
});
export const listRequestsRoute = createRoute({
  method: 'get', path: '/v1/requests', tags, security: bearerSecurity,
  request: { query: RequestQuery },
  responses: { 200: jsonContent(page(BreakRequestSchema), 'Requests'), ...errorResponses },
});

export const getRequestRoute = createRoute({
  method: 'get', path: '/v1/requests/{id}', tags, security: bearerSecurity,
  request: { params: IdParam },
  responses: { 200: jsonContent(BreakRequestSchema, 'The request'), ...errorResponses },
});
export const updateRequestRoute = createRoute({
  method: 'patch', path: '/v1/requests/{id}', tags, security: bearerSecurity,
  summary: 'Replace an open request (period, preferences, transport, notes) while no round for its period is under way',
  request: { params: IdParam, body: jsonBody(UpdateRequestBody) },
  responses: { 200: jsonContent(BreakRequestSchema, 'Changed'), ...errorResponses },
});
export const withdrawRequestRoute = createRoute({
  method: 'post', path: '/v1/requests/{id}/withdraw', tags, security: bearerSecurity,
  summary: 'Withdraw an open request; the next round leaves it out',
  request: { headers: IdempotencyHeader, params: IdParam },
  responses: { 200: jsonContent(BreakRequestSchema, 'Withdrawn'), ...errorResponses },
});

export const requestsRouter = createRouter()
  .openapi(createRequestRoute, async (c) => c.json(await createRequest(c.get('principal'), c.req.valid('json')), 201))
  .openapi(listRequestsRoute, async (c) => c.json(await listRequests(c.get('principal'), c.req.valid('query')), 200))
  .openapi(getRequestRoute, async (c) => c.json(await getRequest(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(updateRequestRoute, async (c) => c.json(await updateRequest(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(withdrawRequestRoute, async (c) => c.json(await withdrawRequest(c.get('principal'), c.req.valid('param').id), 200));
