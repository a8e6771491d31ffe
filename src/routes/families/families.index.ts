import { createRouter } from '../../http/app.js';
import { paginate } from '../../schemas/paging.js';
import * as families from '../../services/families.js';
import * as routes from './families.routes.js';

export const familiesRouter = createRouter()
  .openapi(routes.createFamily, async (c) => c.json(await families.createFamily(c.get('principal'), c.req.valid('json')), 201))
  .openapi(routes.listFamilies, async (c) => {
    const q = c.req.valid('query');
    return c.json(paginate(await families.listFamilies(c.get('principal'), q), q.limit), 200);
  })
  .openapi(routes.getFamily, async (c) => c.json(await families.getFamily(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.createChild, async (c) =>
    c.json(await families.createChild(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(routes.getChild, async (c) => c.json(await families.getChild(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.updateChild, async (c) =>
    c.json(await families.updateChild(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(routes.createEntitlement, async (c) =>
    c.json(await families.createEntitlement(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(routes.updateEntitlement, async (c) => c.json(await families.updateEntitlement(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(routes.entitlementHistory, async (c) => c.json(await families.entitlementHistory(c.get('principal'), c.req.valid('param').id), 200));
