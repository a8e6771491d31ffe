import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { CreateSwapBody, SwapActionBody, SwapQuery, SwapSchema } from '../../schemas/swaps.js';
import * as swaps from '../../services/swaps.js';

const tags = ['Swaps'];
const security = bearerSecurity;
const action = (path: string, summary: string) =>
  createRoute({
    method: 'post', path, tags, security, summary,
    request: { params: IdParam, headers: IdempotencyHeader, body: { required: false, content: { 'application/json': { schema: SwapActionBody } } } },
    responses: { 200: jsonContent(SwapSchema, 'The swap'), ...errorResponses },
  });

export const proposeSwapRoute = createRoute({
  method: 'post', path: '/v1/swaps', tags, security,
  summary: 'Propose exchanging your booking for another family’s',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateSwapBody) },
  responses: { 201: jsonContent(SwapSchema, 'Proposed'), ...errorResponses },
});
export const listSwapsRoute = createRoute({
  method: 'get', path: '/v1/swaps', tags, security,
  request: { query: SwapQuery },
  responses: { 200: jsonContent(page(SwapSchema), 'Swaps'), ...errorResponses },
});
export const getSwapRoute = createRoute({
  method: 'get', path: '/v1/swaps/{id}', tags, security,
  request: { params: IdParam },
  responses: { 200: jsonContent(SwapSchema, 'The swap'), ...errorResponses },
});
export const acceptSwapRoute = action('/v1/swaps/{id}/accept', 'The offered family accepts (completes at once unless approval is required)');
export const approveSwapRoute = action('/v1/swaps/{id}/approve', 'A coordinator approves an accepted swap; both bookings move together');
export const rejectSwapRoute = action('/v1/swaps/{id}/reject', 'Reject (offered family or coordinator) or withdraw (proposing family)');

export const swapsRouter = createRouter()
  .openapi(proposeSwapRoute, async (c) => c.json(await swaps.proposeSwap(c.get('principal'), c.req.valid('json')), 201))
  .openapi(listSwapsRoute, async (c) => c.json(await swaps.listSwaps(c.get('principal'), c.req.valid('query')), 200))
  .openapi(getSwapRoute, async (c) => c.json(await swaps.getSwap(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(acceptSwapRoute, async (c) => c.json(await swaps.acceptSwap(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(approveSwapRoute, async (c) => c.json(await swaps.approveSwap(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(rejectSwapRoute, async (c) => {
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : undefined;
    return c.json(await swaps.closeSwap(c.get('principal'), c.req.valid('param').id, body?.reason), 200);
  });
