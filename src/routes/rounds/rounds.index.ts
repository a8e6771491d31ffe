import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page, PageQuery } from '../../schemas/paging.js';
import { RoundSchema, StartRoundBody } from '../../schemas/rounds.js';
import * as rounds from '../../services/allocation-rounds.js';

const tags = ['Allocation'];
const security = bearerSecurity;

export const startRoundRoute = createRoute({
  method: 'post', path: '/v1/allocation-rounds', tags, security,
  summary: 'Run a fair allocation round for a period (202: poll the round)',
  request: { headers: IdempotencyHeader, body: jsonBody(StartRoundBody) },
  responses: { 202: jsonContent(RoundSchema, 'Queued'), ...errorResponses },
});
export const listRoundsRoute = createRoute({
  method: 'get', path: '/v1/allocation-rounds', tags, security,
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(RoundSchema), 'Rounds, newest first'), ...errorResponses },
});
export const getRoundRoute = createRoute({
  method: 'get', path: '/v1/allocation-rounds/{id}', tags, security,
  summary: 'Status, results, per-child explanations and fairness metrics (families: own children, once published)',
  request: { params: IdParam },
  responses: { 200: jsonContent(RoundSchema, 'The round'), ...errorResponses },
});
const roundAction = (path: string, summary: string) =>
  createRoute({
    method: 'post', path, tags, security, summary,
    request: { params: IdParam, headers: IdempotencyHeader },
    responses: { 200: jsonContent(RoundSchema, 'The round'), ...errorResponses },
  });
export const publishRoundRoute = roundAction('/v1/allocation-rounds/{id}/publish', 'Confirm the round’s bookings and tell the families');
export const discardRoundRoute = roundAction('/v1/allocation-rounds/{id}/discard', 'Cancel the round’s bookings; credits unchanged');

export const roundsRouter = createRouter()
  .openapi(startRoundRoute, async (c) => c.json(await rounds.startRound(c.get('principal'), c.req.valid('json')), 202))
  .openapi(listRoundsRoute, async (c) => c.json(await rounds.listRounds(c.get('principal'), c.req.valid('query')), 200))
  .openapi(getRoundRoute, async (c) => c.json(await rounds.getRound(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(publishRoundRoute, async (c) => c.json(await rounds.publishRound(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(discardRoundRoute, async (c) => c.json(await rounds.discardRound(c.get('principal'), c.req.valid('param').id), 200));
