import { createRouter } from '../../http/app.js';
import { paginate } from '../../schemas/paging.js';
import * as providers from '../../services/providers.js';
import * as rules from '../../services/capacity-rules.js';
import * as carers from '../../services/carers.js';
import * as routes from './providers.routes.js';

export const providersRouter = createRouter()
  .openapi(routes.createProvider, async (c) =>
    c.json(await providers.createProvider(c.get('principal'), c.req.valid('json')), 201))
  .openapi(routes.listProviders, async (c) => {
    const q = c.req.valid('query');
    return c.json(paginate(await providers.listProviders(c.get('principal'), q), q.limit), 200);
  })
  .openapi(routes.getProvider, async (c) => c.json(await providers.getProvider(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.updateProvider, async (c) =>
    c.json(await providers.updateProvider(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(routes.createCapacityRule, async (c) =>
    c.json(await rules.createCapacityRule(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(routes.listCapacityRules, async (c) =>
    c.json({ items: await rules.listCapacityRules(c.get('principal'), c.req.valid('param').id) }, 200))
  .openapi(routes.getCapacityRule, async (c) => c.json(await rules.getCapacityRule(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.updateCapacityRule, async (c) =>
    c.json(await rules.updateCapacityRule(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(routes.createCarer, async (c) =>
    c.json(await carers.createCarer(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(routes.listCarers, async (c) => c.json({ items: await carers.listCarers(c.get('principal'), c.req.valid('param').id) }, 200))
  .openapi(routes.addTraining, async (c) =>
    c.json(await carers.addTraining(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201));
