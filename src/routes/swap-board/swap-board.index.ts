import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { ListOnSwapBoardBody, OfferFromSwapBoardBody, SwapBoardSchema, SwapListingSchema } from '../../schemas/swap-board.js';
import { SwapSchema } from '../../schemas/swaps.js';
import * as board from '../../services/swap-board.js';

const tags = ['Swaps'];
const security = bearerSecurity;

export const swapBoardRoute = createRoute({
  method: 'get', path: '/v1/swap-board', tags, security,
  summary: 'Your breaks on the swap board, and other families’ listed breaks one of your children could take in exchange for one of yours (never whose they are)',
  responses: { 200: jsonContent(SwapBoardSchema, 'The swap board'), ...errorResponses },
});
export const listOnSwapBoardRoute = createRoute({
  method: 'post', path: '/v1/swap-board', tags, security,
  summary: 'Put one of your future breaks on the swap board',
  request: { headers: IdempotencyHeader, body: jsonBody(ListOnSwapBoardBody) },
  responses: { 201: jsonContent(SwapListingSchema, 'Listed'), ...errorResponses },
});
export const withdrawFromSwapBoardRoute = createRoute({
  method: 'delete', path: '/v1/swap-board/{id}', tags, security,
  summary: 'Take your break off the swap board (open swap proposals stay as they are)',
  request: { params: IdParam },
  responses: { 204: { description: 'Withdrawn' }, ...errorResponses },
});
export const offerFromSwapBoardRoute = createRoute({
  method: 'post', path: '/v1/swap-board/{id}/offers', tags, security,
  summary: 'Offer one of your breaks for a listed break: a swap proposal the listing family accepts or rejects',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(OfferFromSwapBoardBody) },
  responses: { 201: jsonContent(SwapSchema, 'Proposed'), ...errorResponses },
});

export const swapBoardRouter = createRouter()
  .openapi(swapBoardRoute, async (c) => c.json(await board.swapBoard(c.get('principal')), 200))
  .openapi(listOnSwapBoardRoute, async (c) => c.json(await board.listOnSwapBoard(c.get('principal'), c.req.valid('json').bookingId), 201))
  .openapi(withdrawFromSwapBoardRoute, async (c) => {
    await board.withdrawFromSwapBoard(c.get('principal'), c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(offerFromSwapBoardRoute, async (c) => c.json(await board.offerFromSwapBoard(c.get('principal'), c.req.valid('param').id, c.req.valid('json').bookingId), 201));


