import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { AcceptedOfferSchema, JoinWaitlistBody, WaitlistEntrySchema, WaitlistQuery } from '../../schemas/waitlist.js';
import * as waitlist from '../../services/waitlist.js';

const tags = ['Waitlist'];
const security = bearerSecurity;

export const joinWaitlistRoute = createRoute({
  method: 'post', path: '/v1/waitlist', tags, security,
  summary: 'Wait for a place in a full slot; freed places are offered in rotation order',
  request: { headers: IdempotencyHeader, body: jsonBody(JoinWaitlistBody) },
  responses: { 201: jsonContent(WaitlistEntrySchema, 'Waiting'), ...errorResponses },
});
export const listWaitlistRoute = createRoute({
  method: 'get', path: '/v1/waitlist', tags, security,
  request: { query: WaitlistQuery },
  responses: { 200: jsonContent(z.object({ items: z.array(WaitlistEntrySchema) }), 'Open entries with positions'), ...errorResponses },
});
export const acceptOfferRoute = createRoute({
  method: 'post', path: '/v1/waitlist/{id}/accept', tags, security,
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 200: jsonContent(AcceptedOfferSchema, 'Booked from the held place'), ...errorResponses },
});
export const declineOfferRoute = createRoute({
  method: 'post', path: '/v1/waitlist/{id}/decline', tags, security,
  summary: 'Decline an offer (it passes on) or leave the waitlist',
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 200: jsonContent(WaitlistEntrySchema, 'Closed'), ...errorResponses },
});

export const waitlistRouter = createRouter()
  .openapi(joinWaitlistRoute, async (c) => c.json(await waitlist.joinWaitlist(c.get('principal'), c.req.valid('json')), 201))
  .openapi(listWaitlistRoute, async (c) => c.json({ items: await waitlist.listWaitlist(c.get('principal'), c.req.valid('query')) }, 200))
  .openapi(acceptOfferRoute, async (c) => c.json(await waitlist.acceptOffer(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(declineOfferRoute, async (c) => c.json(await waitlist.declineOffer(c.get('principal'), c.req.valid('param').id), 200));
