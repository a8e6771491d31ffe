import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, jsonBody, jsonContent } from '../../http/openapi.js';
import { CreateVehicleBody, VehicleSchema } from '../../schemas/carers.js';
import { createVehicle, listVehicles } from '../../services/vehicles.js';

const tags = ['Transport'];
export const createVehicleRoute = createRoute({
  method: 'post', path: '/v1/vehicles', tags, security: bearerSecurity,
  request: { headers: IdempotencyHeader, body: jsonBody(CreateVehicleBody) },
  responses: { 201: jsonContent(VehicleSchema, 'Created'), ...errorResponses },
});
export const listVehiclesRoute = createRoute({
  method: 'get', path: '/v1/vehicles', tags, security: bearerSecurity,
  responses: { 200: jsonContent(z.object({ items: z.array(VehicleSchema) }), 'The authority’s vehicles'), ...errorResponses },
});

export const vehiclesRouter = createRouter()
  .openapi(createVehicleRoute, async (c) => c.json(await createVehicle(c.get('principal'), c.req.valid('json')), 201))
  .openapi(listVehiclesRoute, async (c) => c.json({ items: await listVehicles(c.get('principal')) }, 200));
