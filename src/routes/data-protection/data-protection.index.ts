import { createRouter } from '../../http/app.js';
import { requestErasure } from '../../services/erasure.js';
import { getExport, requestExport } from '../../services/subject-access.js';
import * as routes from './data-protection.routes.js';

export const dataProtectionRouter = createRouter()
  .openapi(routes.requestExportRoute, async (c) => c.json(await requestExport(c.get('principal'), c.req.valid('param').id), 202))
  .openapi(routes.getExportRoute, async (c) => c.json(await getExport(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(routes.eraseFamilyRoute, async (c) => c.json(await requestErasure(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200));
