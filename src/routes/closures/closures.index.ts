import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { ClosureListQuery, ClosurePreviewSchema, ClosureSchema, ClosureSummarySchema, ConfirmClosureBody, ProceedClosureBody, StartClosureBody } from '../../schemas/closures.js';
import { ChildParam, ConsultationResponseBody, FamilyConsultationListSchema, FamilyConsultationSchema } from '../../schemas/consultations.js';
import {
  getClosure,
  getFamilyConsultation,
  listClosures,
  listFamilyConsultations,
  previewClosure,
  previewConsultedClosure,
  proceedClosure,
  respondToConsultation,
  retryClosure,
  startClosure,
  startSuspension,
} from '../../services/closures.js';
import { RecordUpgradeBody, UpgradeListSchema, UpgradeSchema } from '../../schemas/upgrades.js';
import { listUpgrades, recordUpgrade } from '../../services/upgrades.js';

const tags = ['Closures'];
export const startClosureRoute = createRoute({
  method: 'post', path: '/v1/providers/{id}/closure', tags, security: bearerSecurity,
  summary: 'Close a provider from a date; every affected booking is re-homed or accounted for (202: poll the closure). Needs "confirm": true after the preview; with consultUntil the families are consulted first',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(ConfirmClosureBody) },
  responses: { 202: jsonContent(ClosureSchema, 'Closing; re-homing plan queued'), ...errorResponses },
});
export const startSuspensionRoute = createRoute({
  method: 'post', path: '/v1/providers/{id}/suspension', tags, security: bearerSecurity,
  summary: "Suspend this authority's own placements at a provider from a date: only its children are re-homed, and the provider stays open to others (202: poll the closure)",
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(ConfirmClosureBody) },
  responses: { 202: jsonContent(ClosureSchema, 'Suspended; re-homing plan queued'), ...errorResponses },
});
export const previewClosureRoute = createRoute({
  method: 'post', path: '/v1/providers/{id}/closure/preview', tags, security: bearerSecurity,
  summary: 'What closing this provider from a date would do: affected children and families, places by month, expected outcomes (a dry run; nothing is written)',
  request: { params: IdParam, body: jsonBody(StartClosureBody) },
  responses: { 200: jsonContent(ClosurePreviewSchema, 'The preview'), ...errorResponses },
});
export const previewSuspensionRoute = createRoute({
  method: 'post', path: '/v1/providers/{id}/suspension/preview', tags, security: bearerSecurity,
  summary: "What suspending this authority's placements at a provider would do (a dry run; nothing is written)",
  request: { params: IdParam, body: jsonBody(StartClosureBody) },
  responses: { 200: jsonContent(ClosurePreviewSchema, 'The preview'), ...errorResponses },
});
export const getClosureRoute = createRoute({
  method: 'get', path: '/v1/closures/{id}', tags, security: bearerSecurity,
  summary: 'Progress, counts (they add up to the affected bookings) and the outcome of every affected booking',
  request: { params: IdParam },
  responses: { 200: jsonContent(ClosureSchema, 'The closure'), ...errorResponses },
});

export const listClosuresRoute = createRoute({
  method: 'get', path: '/v1/closures', tags, security: bearerSecurity,
  summary: 'Closures this authority started or whose re-homing affected its children, newest first, with counts',
  request: { query: ClosureListQuery },
  responses: { 200: jsonContent(page(ClosureSummarySchema), 'Closures'), ...errorResponses },
});
export const retryClosureRoute = createRoute({
  method: 'post', path: '/v1/closures/{id}/retry', tags, security: bearerSecurity,
  summary: 'Send a FAILED closure back to the worker; it carries on from where it stopped (202: poll the closure)',
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 202: jsonContent(ClosureSchema, 'Queued again'), ...errorResponses },
});

export const previewConsultedClosureRoute = createRoute({
  method: 'post', path: '/v1/closures/{id}/preview', tags, security: bearerSecurity,
  summary: "A consulting closure's dry run with the families' rankings, before proceeding (nothing is written)",
  request: { params: IdParam },
  responses: { 200: jsonContent(ClosurePreviewSchema, 'The preview'), ...errorResponses },
});
export const proceedClosureRoute = createRoute({
  method: 'post', path: '/v1/closures/{id}/proceed', tags, security: bearerSecurity,
  summary: 'Close the consultation and plan the re-homing with the families’ rankings (needs "confirm": true; before the deadline only once every family has answered; 202: poll the closure)',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(ProceedClosureBody) },
  responses: { 202: jsonContent(ClosureSchema, 'Queued'), ...errorResponses },
});
export const listFamilyConsultationsRoute = createRoute({
  method: 'get', path: '/v1/consultations', tags, security: bearerSecurity,
  summary: "A family's consultations: closures that asked it where its children could go instead",
  responses: { 200: jsonContent(FamilyConsultationListSchema, 'Consultations'), ...errorResponses },
});
export const getFamilyConsultationRoute = createRoute({
  method: 'get', path: '/v1/closures/{id}/consultation', tags, security: bearerSecurity,
  summary: "The family's side of a closure's consultation: each affected child's alternatives (travel, transport, dates), its answer and, once planned, what it got",
  request: { params: IdParam },
  responses: { 200: jsonContent(FamilyConsultationSchema, 'The consultation'), ...errorResponses },
});
export const answerConsultationRoute = createRoute({
  method: 'put', path: '/v1/closures/{id}/consultation/{childId}', tags, security: bearerSecurity,
  summary: 'Rank the alternatives for a child and say what matters most (until the deadline; answering again replaces the answer)',
  request: { params: ChildParam, body: jsonBody(ConsultationResponseBody) },
  responses: { 200: jsonContent(FamilyConsultationSchema, 'The consultation with the answer'), ...errorResponses },
});

export const recordUpgradeRoute = createRoute({
  method: 'post', path: '/v1/providers/{id}/upgrades', tags: ['Providers'], security: bearerSecurity,
  summary: "Record a home upgrade: from a date the home meets a need (e.g. GASTROSTOMY) in a number of places at any one time; bookings and closure plans may then place children with that need there. Only the home's operator",
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(RecordUpgradeBody) },
  responses: { 201: jsonContent(UpgradeSchema, 'The upgrade'), ...errorResponses },
});
export const listUpgradesRoute = createRoute({
  method: 'get', path: '/v1/providers/{id}/upgrades', tags: ['Providers'], security: bearerSecurity,
  summary: 'The home upgrades recorded for a provider',
  request: { params: IdParam },
  responses: { 200: jsonContent(UpgradeListSchema, 'Upgrades'), ...errorResponses },
});

export const closuresRouter = createRouter()
  .openapi(recordUpgradeRoute, async (c) => c.json(await recordUpgrade(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(listUpgradesRoute, async (c) => c.json(await listUpgrades(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(listClosuresRoute, async (c) => c.json(await listClosures(c.get('principal'), c.req.valid('query')), 200))
  .openapi(retryClosureRoute, async (c) => c.json(await retryClosure(c.get('principal'), c.req.valid('param').id), 202))
  .openapi(startClosureRoute, async (c) => c.json(await startClosure(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202))
  .openapi(previewClosureRoute, async (c) => c.json(await previewClosure(c.get('principal'), c.req.valid('param').id, c.req.valid('json'), 'CLOSURE'), 200))
  .openapi(previewSuspensionRoute, async (c) => c.json(await previewClosure(c.get('principal'), c.req.valid('param').id, c.req.valid('json'), 'SUSPENSION'), 200))
  .openapi(startSuspensionRoute, async (c) => c.json(await startSuspension(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202))
  .openapi(getClosureRoute, async (c) => c.json(await getClosure(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(previewConsultedClosureRoute, async (c) => c.json(await previewConsultedClosure(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(proceedClosureRoute, async (c) => c.json(await proceedClosure(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202))
  .openapi(listFamilyConsultationsRoute, async (c) => c.json(await listFamilyConsultations(c.get('principal')), 200))
  .openapi(getFamilyConsultationRoute, async (c) => c.json(await getFamilyConsultation(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(answerConsultationRoute, async (c) => {
    const { id, childId } = c.req.valid('param');
    return c.json(await respondToConsultation(c.get('principal'), id, childId, c.req.valid('json')), 200);
  });
