import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, jsonContent, page } from '../../http/openapi.js';
import { SlotQuery, SlotSchema } from '../../schemas/slots.js';
import { listSlots } from '../../services/slots.js';

export const listSlotsRoute = createRoute({
  method: 'get', path: '/v1/slots', tags: ['Capacity'], security: bearerSecurity,
  summary: 'Materialised slots with free places per capability',
  request: { query: SlotQuery },
  responses: { 200: jsonContent(page(SlotSchema), 'Slots in start order'), ...errorResponses },
});

export const slotsRouter = createRouter().openapi(listSlotsRoute, async (c) =>
  c.json(await listSlots(c.get('principal'), c.req.valid('query')), 200));
