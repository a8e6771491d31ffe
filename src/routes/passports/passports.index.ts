import { createRouter } from '../../http/app.js';
import { paginate } from '../../schemas/paging.js';
import * as passports from '../../services/passports.js';
import * as routes from './passports.routes.js';

export const passportsRouter = createRouter()
  .openapi(routes.getPassportRoute, async (c) => c.json(await passports.getPassport(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.putPassportRoute, async (c) => c.json(await passports.putPassport(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(routes.getConsentRoute, async (c) => c.json(await passports.getConsent(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.putConsentRoute, async (c) => {
    const { id, providerId } = c.req.valid('param');
    return c.json(await passports.setConsent(c.get('principal'), id, providerId, c.req.valid('json').decision), 200);
  })
  .openapi(routes.deleteConsentRoute, async (c) => {
    const { id, providerId } = c.req.valid('param');
    return c.json(await passports.setConsent(c.get('principal'), id, providerId, null), 200);
  })
  .openapi(routes.emergencyAccessRoute, async (c) =>
    c.json(await passports.grantEmergencyAccess(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(routes.accessLogRoute, async (c) => {
    const q = c.req.valid('query');
    return c.json(paginate(await passports.listPassportReads(c.get('principal'), c.req.valid('param').id, q), q.limit), 200);
  });
