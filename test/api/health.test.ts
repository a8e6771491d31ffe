/** Liveness with database and Redis reachability, and the OpenAPI 3.1 document (DESIGN.md, "API surface"). */
import { afterAll, describe, expect, it } from 'vitest';
import { get } from '../support/api.js';
import { closeConnections } from '../support/lifecycle.js';
import { waitFor } from '../support/workers.js';

afterAll(closeConnections);

describe('GET /health', () => {
  it('reports ok with PostgreSQL and Redis reachable, without a token', async () => {
    // Each probe has 1.5 s; the first also opens this process's connections, which on a busy machine can
    // take longer and is rightly reported as not ok. What must hold is that a reachable pair reports ok.
    const res = await waitFor('health to report ok', async () => {
      const answer = await get('/health');
      return answer.status === 200 ? answer : null;
    }, 60_000, 500);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      database: { ok: true, latencyMs: expect.any(Number) },
      redis: { ok: true, latencyMs: expect.any(Number) },
    });
    expect(Number.isNaN(Date.parse(res.body.time))).toBe(false);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document of the foundation paths, with the Problem schema', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any>; securitySchemes: Record<string, unknown> } };
    expect(doc.openapi).toMatch(/^3\.1\./);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /v1/providers',
        'GET /v1/providers',
        'GET /v1/providers/{id}',
        'PATCH /v1/providers/{id}',
        'POST /v1/providers/{id}/capacity-rules',
        'GET /v1/providers/{id}/capacity-rules',
        'GET /v1/capacity-rules/{id}',
        'PATCH /v1/capacity-rules/{id}',
        'POST /v1/providers/{id}/carers',
        'POST /v1/carers/{id}/training',
        'GET /v1/slots',
        'POST /v1/vehicles',
        'GET /v1/vehicles',
        'POST /v1/families',
        'POST /v1/families/{id}/children',
        'GET /v1/children/{id}',
        'POST /v1/children/{id}/entitlements',
      ]),
    );
    expect(doc.components.schemas.Problem).toMatchObject({ type: 'object', required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']) });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Errors are described with the shared Problem schema, and request bodies with the same zod schemas that validate them.
    const createRule = doc.paths['/v1/providers/{id}/capacity-rules']!.post;
    expect(createRule.responses['400'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(createRule.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateCapacityRule' });
    expect(doc.components.schemas.CreateCapacityRule.required).toEqual(expect.arrayContaining(['rrule', 'startDate', 'startTime', 'durationMinutes', 'places']));
    expect(doc.components.schemas.CreateCapacityRule.additionalProperties).toBe(false);
  });
});
