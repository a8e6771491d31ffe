import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page, PageQuery } from '../../schemas/paging.js';
import {
  ConsentSchema,
  EmergencyAccessBody,
  EmergencyAccessSchema,
  PassportReadSchema,
  PassportViewSchema,
  PutConsentBody,
  PutPassportBody,
} from '../../schemas/passport.js';

const tags = ['Medical passport'];
const security = bearerSecurity;
const ConsentParams = z.object({
  id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }),
  providerId: z.string().uuid().openapi({ param: { name: 'providerId', in: 'path' } }),
});

export const getPassportRoute = createRoute({
  method: 'get', path: '/v1/children/{id}/passport', tags, security,
  summary: 'The passport as far as the family shares it with you (transport staff: the journey sections); every read but the family’s is logged',
  request: { params: IdParam },
  responses: { 200: jsonContent(PassportViewSchema, 'The passport'), ...errorResponses },
});

export const putPassportRoute = createRoute({
  method: 'put', path: '/v1/children/{id}/passport', tags, security,
  summary: 'The family replaces the passport and support flag (audited; providers of booked breaks still to come are told)',
  request: { params: IdParam, body: jsonBody(PutPassportBody) },
  responses: { 200: jsonContent(PassportViewSchema, 'Saved'), ...errorResponses },
});

export const getConsentRoute = createRoute({
  method: 'get', path: '/v1/children/{id}/passport/consent', tags, security,
  summary: 'Who the family shares the passport with: the default, each provider it chose about or that holds a live booking, and emergency overrides',
  request: { params: IdParam },
  responses: { 200: jsonContent(ConsentSchema, 'Consent'), ...errorResponses },
});

export const putConsentRoute = createRoute({
  method: 'put', path: '/v1/children/{id}/passport/consent/{providerId}', tags, security,
  summary: 'The family allows (even without a booking) or denies (even with one) one provider',
  request: { params: ConsentParams, body: jsonBody(PutConsentBody) },
  responses: { 200: jsonContent(ConsentSchema, 'Consent'), ...errorResponses },
});

export const deleteConsentRoute = createRoute({
  method: 'delete', path: '/v1/children/{id}/passport/consent/{providerId}', tags, security,
  summary: 'Back to the default for this provider (it sees the passport while it holds a live booking)',
  request: { params: ConsentParams },
  responses: { 200: jsonContent(ConsentSchema, 'Consent'), ...errorResponses },
});

export const emergencyAccessRoute = createRoute({
  method: 'post', path: '/v1/children/{id}/passport/emergency-access', tags, security,
  summary: 'A coordinator opens the passport in an emergency, for a few hours, with a reason: audited, and the family is told',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(EmergencyAccessBody) },
  responses: { 201: jsonContent(EmergencyAccessSchema, 'Opened'), ...errorResponses },
});

export const accessLogRoute = createRoute({
  method: 'get', path: '/v1/children/{id}/passport/access-log', tags, security,
  summary: 'Who has seen the passport (anyone but the family), newest first: for the family and the council’s coordinators',
  request: { params: IdParam, query: PageQuery },
  responses: { 200: jsonContent(page(PassportReadSchema.extend({ id: z.string().uuid() })), 'Reads'), ...errorResponses },
});
