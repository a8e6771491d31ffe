import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, jsonContent, page } from '../../http/openapi.js';
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

export const slotsRouter = createRouter()
  .openapi(listSlotsRoute, async (c) => c.json(await listSlots(c.get('principal'), c.req.valid('query')), 200))
  .openapi(slotDaysRoute, async (c) => c.json(await slotDays(c.get('principal'), c.req.valid('query')), 200));
