import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, jsonBody, jsonContent, page } from '../../http/openapi.js';
import { BreakRequestSchema, CreateRequestBody, RequestQuery } from '../../schemas/requests.js';
import { createRequest, listRequests } from '../../services/requests.js';

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

export const requestsRouter = createRouter()
  .openapi(createRequestRoute, async (c) => c.json(await createRequest(c.get('principal'), c.req.valid('json')), 201))
  .openapi(listRequestsRoute, async (c) => c.json(await listRequests(c.get('principal'), c.req.valid('query')), 200));
