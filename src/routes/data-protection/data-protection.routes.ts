import { createRoute } from '@hono/zod-openapi';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { ErasureBody, ErasureSchema, ExportSchema } from '../../schemas/data-protection.js';

const tags = ['Data protection'];
const security = bearerSecurity;

export const requestExportRoute = createRoute({
  method: 'post', path: '/v1/families/{id}/exports', tags, security,
  summary: 'A subject-access copy of everything held about the family (202: COMPLETED at once when small, otherwise poll GET /v1/exports/{id})',
  request: { params: IdParam, headers: IdempotencyHeader },
  responses: { 202: jsonContent(ExportSchema, 'Accepted'), ...errorResponses },
});

export const getExportRoute = createRoute({
  method: 'get', path: '/v1/exports/{id}', tags, security,
  summary: 'A subject-access export and, once COMPLETED, its data',
  request: { params: IdParam },
  responses: { 200: jsonContent(ExportSchema, 'The export'), ...errorResponses },
});

export const eraseFamilyRoute = createRoute({
  method: 'post', path: '/v1/families/{id}/erasure', tags, security,
  summary: 'Erase the family’s personal data on a valid request; bookings’ counts and pseudonymised audit events stay, so reports add up (409 while breaks are still to come)',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(ErasureBody) },
  responses: { 200: jsonContent(ErasureSchema, 'Erased'), ...errorResponses },
});
