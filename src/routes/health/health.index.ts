import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { jsonContent } from '../../http/openapi.js';
import { checkHealth } from '../../services/health.js';

const Probe = z.object({ ok: z.boolean(), latencyMs: z.number().optional(), error: z.string().optional() });
const Health = z
  .object({ status: z.enum(['ok', 'degraded', 'down']), database: Probe, redis: Probe, time: z.string() })
  .openapi('Health');

export const healthRoute = createRoute({
  method: 'get', path: '/health', tags: ['Health'],
  summary: 'Liveness; 200 while the database answers (Redis down = degraded), 503 otherwise',
  responses: { 200: jsonContent(Health, 'Up (maybe degraded)'), 503: jsonContent(Health, 'Database unreachable') },
});

export const healthRouter = createRouter().openapi(healthRoute, async (c) => {
  const health = await checkHealth();
  return health.status === 'down' ? c.json(health, 503) : c.json(health, 200);
});
