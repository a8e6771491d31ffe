import { createRoute, z } from '@hono/zod-openapi';
import { errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent, bearerSecurity } from '../../http/openapi.js';
import { page } from '../../schemas/paging.js';
import { CarerSchema, CreateCarerBody, CreateTrainingBody, TrainingRecordSchema } from '../../schemas/carers.js';
import {
  CapacityRuleSchema,
  CreateCapacityRuleBody,
  CreateProviderBody,
  ProviderListQuery,
  ProviderSchema,
  UpdateCapacityRuleBody,
  UpdateProviderBody,
} from '../../schemas/providers.js';

const tags = ['Providers'];
const security = bearerSecurity;

export const createProvider = createRoute({
  method: 'post', path: '/v1/providers', tags, security,
  summary: 'Register a provider (coordinator)',
  request: { headers: IdempotencyHeader, body: jsonBody(CreateProviderBody) },
  responses: { 201: jsonContent(ProviderSchema, 'Created'), ...errorResponses },
});

export const listProviders = createRoute({
  method: 'get', path: '/v1/providers', tags, security,
  summary: 'List providers (coordinator; a provider sees itself)',
  request: { query: ProviderListQuery },
  responses: { 200: jsonContent(page(ProviderSchema), 'Providers'), ...errorResponses },
});

export const getProvider = createRoute({
  method: 'get', path: '/v1/providers/{id}', tags, security,
  request: { params: IdParam },
  responses: { 200: jsonContent(ProviderSchema, 'The provider'), ...errorResponses },
});

export const updateProvider = createRoute({
  method: 'patch', path: '/v1/providers/{id}', tags, security,
  request: { params: IdParam, body: jsonBody(UpdateProviderBody) },
  responses: { 200: jsonContent(ProviderSchema, 'Updated'), ...errorResponses },
});

export const createCapacityRule = createRoute({
  method: 'post', path: '/v1/providers/{id}/capacity-rules', tags: ['Capacity'], security,
  summary: 'Publish recurring capacity; slots are generated in the background',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CreateCapacityRuleBody) },
  responses: { 201: jsonContent(CapacityRuleSchema, 'Created; slot generation queued'), ...errorResponses },
});

export const listCapacityRules = createRoute({
  method: 'get', path: '/v1/providers/{id}/capacity-rules', tags: ['Capacity'], security,
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ items: z.array(CapacityRuleSchema) }), 'Rules'), ...errorResponses },
});

export const getCapacityRule = createRoute({
  method: 'get', path: '/v1/capacity-rules/{id}', tags: ['Capacity'], security,
  request: { params: IdParam },
  responses: { 200: jsonContent(CapacityRuleSchema, 'The rule, with generation status and conflicts'), ...errorResponses },
});

export const updateCapacityRule = createRoute({
  method: 'patch', path: '/v1/capacity-rules/{id}', tags: ['Capacity'], security,
  summary: 'Edit a rule; its slots are regenerated without touching booked ones',
  request: { params: IdParam, body: jsonBody(UpdateCapacityRuleBody) },
  responses: { 200: jsonContent(CapacityRuleSchema, 'Updated; regeneration queued'), ...errorResponses },
});

export const createCarer = createRoute({
  method: 'post', path: '/v1/providers/{id}/carers', tags: ['Carers'], security,
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CreateCarerBody) },
  responses: { 201: jsonContent(CarerSchema, 'Created'), ...errorResponses },
});

export const listCarers = createRoute({
  method: 'get', path: '/v1/providers/{id}/carers', tags: ['Carers'], security,
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ items: z.array(CarerSchema) }), 'Carers with training'), ...errorResponses },
});

export const addTraining = createRoute({
  method: 'post', path: '/v1/carers/{id}/training', tags: ['Carers'], security,
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CreateTrainingBody) },
  responses: { 201: jsonContent(TrainingRecordSchema, 'Recorded'), ...errorResponses },
});
