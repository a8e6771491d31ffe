/** What-if scenarios: describe a change, run it on a copy of a period (202, poll), compare side by side, export. */
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { csvResponse, wantsCsv } from '../../http/csv.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page, PageQuery } from '../../schemas/paging.js';
import { CompareQuery, CreateScenarioBody, ScenarioSchema } from '../../schemas/scenarios.js';
import * as scenarios from '../../services/scenarios.js';
import { csvContent } from '../reports/reports.index.js';

const tags = ['Scenarios'];
const security = bearerSecurity;

export const createScenarioRoute = createRoute({
  method: 'post', path: '/v1/scenarios', tags, security,
  summary: 'Save a what-if (add a capability for k places, add or remove a rule, close a provider, change a price) and run it on a copy of the period',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateScenarioBody) },
  responses: { 202: jsonContent(ScenarioSchema, 'Saved and queued; poll GET /v1/scenarios/{id}'), ...errorResponses },
});
export const listScenariosRoute = createRoute({
  method: 'get', path: '/v1/scenarios', tags, security,
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(ScenarioSchema), 'Saved scenarios, newest first'), ...errorResponses },
});
export const compareScenariosRoute = createRoute({
  method: 'get', path: '/v1/scenarios/compare', tags, security,
  summary: 'Scenarios side by side (baseline, scenario and difference for each); CSV with format=csv',
  request: { query: CompareQuery },
  responses: { 200: { description: 'JSON, or CSV when asked', content: { 'application/json': { schema: z.object({ items: z.array(ScenarioSchema) }) }, ...csvContent } }, ...errorResponses },
});
export const getScenarioRoute = createRoute({
  method: 'get', path: '/v1/scenarios/{id}', tags, security,
  request: { params: IdParam, query: z.object({ format: z.enum(['json', 'csv']).optional() }) },
  responses: { 200: { description: 'The scenario and its comparison; CSV when asked', content: { 'application/json': { schema: ScenarioSchema }, ...csvContent } }, ...errorResponses },
});

const csvOf = (c: Parameters<typeof csvResponse>[0], name: string, items: scenarios.ScenarioView[]) =>
  csvResponse(c, name, scenarios.comparisonRows(items) as Record<string, unknown>[], [...scenarios.COMPARISON_COLUMNS]);

export const scenariosRouter = createRouter()
  .openapi(createScenarioRoute, async (c) => c.json(await scenarios.createScenario(c.get('principal'), c.req.valid('json')), 202))
  .openapi(listScenariosRoute, async (c) => c.json(await scenarios.listScenarios(c.get('principal'), c.req.valid('query')), 200))
  .openapi(compareScenariosRoute, async (c) => {
    const items = await scenarios.compareScenarios(c.get('principal'), c.req.valid('query').ids);
    if (wantsCsv(c)) return csvOf(c, 'scenarios-compared.csv', items) as never;
    return c.json({ items }, 200);
  })
  .openapi(getScenarioRoute, async (c) => {
    const s = await scenarios.getScenario(c.get('principal'), c.req.valid('param').id);
    if (wantsCsv(c)) return csvOf(c, `scenario-${s.id}.csv`, [s]) as never;
    return c.json(s, 200);
  });
