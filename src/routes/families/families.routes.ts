import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { page, PageQuery } from '../../schemas/paging.js';
import { LedgerRowSchema } from '../../schemas/reports.js';
import {
  ChildSchema,
  CreateChildBody,
  CreateEntitlementBody,
  CreateFamilyBody,
  EntitlementChangeSchema,
  EntitlementSchema,
  FamilySchema,
  UpdateChildBody,
  UpdateEntitlementBody,
} from '../../schemas/families.js';

const tags = ['Families'];
const security = bearerSecurity;

export const createFamily = createRoute({
  method: 'post', path: '/v1/families', tags, security,
  request: { headers: IdempotencyHeader, body: jsonBody(CreateFamilyBody) },
  responses: { 201: jsonContent(FamilySchema, 'Created'), ...errorResponses },
});

export const listFamilies = createRoute({
  method: 'get', path: '/v1/families', tags, security,
  request: { query: PageQuery },
  responses: { 200: jsonContent(page(FamilySchema), 'The authority’s families'), ...errorResponses },
});

export const getFamily = createRoute({
  method: 'get', path: '/v1/families/{id}', tags, security,
  request: { params: IdParam },
  responses: { 200: jsonContent(FamilySchema.extend({ children: z.array(ChildSchema) }), 'The family and its children'), ...errorResponses },
});

export const createChild = createRoute({
  method: 'post', path: '/v1/families/{id}/children', tags, security,
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CreateChildBody) },
  responses: { 201: jsonContent(ChildSchema, 'Created'), ...errorResponses },
});

export const getChild = createRoute({
  method: 'get', path: '/v1/children/{id}', tags, security,
  summary: 'A child with needs, entitlements and (where allowed) the medical passport',
  request: { params: IdParam },
  responses: { 200: jsonContent(ChildSchema.extend({ ledger: z.array(LedgerRowSchema).nullable() }), 'The child, with the entitlement ledger per award'), ...errorResponses },
});

export const updateChild = createRoute({
  method: 'patch', path: '/v1/children/{id}', tags, security,
  request: { params: IdParam, body: jsonBody(UpdateChildBody) },
  responses: { 200: jsonContent(ChildSchema, 'Updated'), ...errorResponses },
});

export const createEntitlement = createRoute({
  method: 'post', path: '/v1/children/{id}/entitlements', tags, security,
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CreateEntitlementBody) },
  responses: { 201: jsonContent(EntitlementSchema, 'Awarded'), ...errorResponses },
});

export const updateEntitlement = createRoute({
  method: 'put', path: '/v1/entitlements/{id}', tags, security,
  summary: 'Change an award (period, nights, day sessions) with the reason; the old figures stay in its history',
  request: { params: IdParam, body: jsonBody(UpdateEntitlementBody) },
  responses: { 200: jsonContent(EntitlementSchema, 'Changed'), ...errorResponses },
});

export const entitlementHistory = createRoute({
  method: 'get', path: '/v1/children/{id}/entitlement-history', tags, security,
  summary: 'Every award and change to the child’s awards, newest first',
  request: { params: IdParam },
  responses: { 200: jsonContent(z.array(EntitlementChangeSchema), 'History'), ...errorResponses },
});
