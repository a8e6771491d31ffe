import { createRoute } from '@hono/zod-openapi';
import { etag } from 'hono/etag';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, jsonContent } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { SlotDaysSchema, SlotQuery, SlotSchema, SlotSummaryQuery } from '../../schemas/slots.js';
import { listSlots, slotDays } from '../../services/slots.js';

export const listSlotsRoute = createRoute({
  method: 'get', path: '/v1/slots', tags: ['Capacity'], security: bearerSecurity,
  summary: 'Materialised slots with free places per capability',
  request: { query: SlotQuery },
  responses: { 200: jsonContent(page(SlotSchema), 'Slots in start order'), ...errorResponses },
});

export const slotDaysRoute = createRoute({
  method: 'get', path: '/v1/slots/days', tags: ['Capacity'], security: bearerSecurity,
  summary: 'Breaks and free places per day and per provider (same filters as /v1/slots), for a month at a glance',
  request: { query: SlotSummaryQuery },
  responses: { 200: jsonContent(SlotDaysSchema, 'Per day with breaks (date order) and per provider with breaks (name order)'), ...errorResponses },
});

export const slotsRouter = createRouter();
// Calendars poll these: an ETag of the answer itself lets an unchanged window answer 304 with no body,
// and any change to what the principal would see (a booking, a closure, a new rule) changes the tag.
slotsRouter.use('/v1/slots', etag());
slotsRouter.use('/v1/slots/days', etag());
slotsRouter
  .openapi(listSlotsRoute, async (c) => c.json(await listSlots(c.get('principal'), c.req.valid('query')), 200))
  .openapi(slotDaysRoute, async (c) => c.json(await slotDays(c.get('principal'), c.req.valid('query')), 200));
