/**
 * The role × endpoint matrix (DESIGN.md invariant 5, src/services/access.ts):
 * a role that may never call an endpoint gets 403; a row that exists but is
 * someone else's gets 404, so another tenant's ids reveal nothing.
 *
 * Two authorities (A, B), two providers (P, whose rows these are, and Q), and
 * two families of authority A (F, whose rows these are, and G).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { listClosuresRoute, retryClosureRoute } from '../../src/routes/closures/closures.index.js';
import * as familyRoutes from '../../src/routes/families/families.routes.js';
import * as providerRoutes from '../../src/routes/providers/providers.routes.js';
import { listSlotsRoute, slotDaysRoute } from '../../src/routes/slots/slots.index.js';
import { createVehicleRoute, listVehiclesRoute } from '../../src/routes/vehicles/vehicles.index.js';
import { call, get } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

const ROLES = ['coordinatorA', 'coordinatorB', 'providerP', 'providerQ', 'familyF', 'familyG'] as const;
type RoleName = (typeof ROLES)[number];

interface World {
  tokens: Record<RoleName, string>;
  authorityA: string;
  authorityB: string;
  providerP: string;
  providerQ: string;
  carerP: string;
  ruleP: string;
  familyF: string;
  familyG: string;
  childF: string;
  childG: string;
  slotP: { id: string; startsAt: Date; endsAt: Date };
  /** A closure of authority A whose job failed: only A's coordinator may send it back to the worker. */
  failedClosureA: string;
}
let w: World;

beforeAll(async () => {
  const a = await makeAuthority();
  const b = await makeAuthority();
  const p = await makeProvider('FAMILY_BASED');
  const q = await makeProvider('RESIDENTIAL');
  const f = await makeFamily(a.authority.id);
  const g = await makeFamily(a.authority.id);
  const carer = await db().fosterCarer.create({ data: { providerId: p.provider.id, name: `Carer ${uid()}` } });
  const { rule, slots } = await makeSlots(p.provider.id, { startDate: daysFromToday(40), untilDate: daysFromToday(42), carerId: carer.id, places: 1 });
  await makeSlots(q.provider.id, { startDate: daysFromToday(40), untilDate: daysFromToday(42) });
  const childF = await makeChild(f.family.id, a.authority.id, { needs: ['EPILEPSY_RESCUE_MEDICATION'] });
  const childG = await makeChild(g.family.id, a.authority.id);
  const closed = await makeProvider('COMMUNITY');
  const failedClosure = await db().closure.create({
    data: { providerId: closed.provider.id, authorityId: a.authority.id, effectiveFrom: new Date(), reason: 'Lease ended', seed: uid(), preferences: { order: ['SAME_DATES'], maxDateShiftDays: 14 }, status: 'FAILED', error: 'connection reset' },
  });
  await db().vehicle.create({ data: { authorityId: a.authority.id, name: `Bus ${uid()}`, seats: 8, wheelchairSpaces: 2, baseLat: 50.8, baseLng: -0.3 } });
  w = {
    tokens: {
      coordinatorA: a.coordinatorToken,
      coordinatorB: b.coordinatorToken,
      providerP: p.providerToken,
      providerQ: q.providerToken,
      familyF: f.familyToken,
      familyG: g.familyToken,
    },
    authorityA: a.authority.id,
    authorityB: b.authority.id,
    providerP: p.provider.id,
    providerQ: q.provider.id,
    carerP: carer.id,
    ruleP: rule.id,
    familyF: f.family.id,
    familyG: g.family.id,
    childF: childF.id,
    childG: childG.id,
    slotP: slots[0]!,
    failedClosureA: failedClosure.id,
  };
});

interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH';
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** The status each role gets. */
  expect: Record<RoleName, number>;
}

/** Shorthands for the common rows of the matrix. */
const coordinatorsOnly = (ok: number) => ({ coordinatorA: ok, coordinatorB: ok, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 });
const providerManagers = (ok: number) => ({ coordinatorA: ok, coordinatorB: ok, providerP: ok, providerQ: 404, familyF: 403, familyG: 403 });

const ruleBody = (w: World) => ({
  rrule: 'FREQ=WEEKLY;BYDAY=SA',
  startDate: daysFromToday(50),
  untilDate: daysFromToday(70),
  startTime: '10:00',
  durationMinutes: 24 * 60,
  places: 1,
  carerId: w.carerP,
});
const providerBody = () => ({ name: `Unit ${uid()}`, kind: 'COMMUNITY', addressLine: '3 Park Lane', postcode: 'BN12 4AA', lat: 50.8, lng: -0.4 });

const ENDPOINTS: Record<string, Endpoint> = {
  'POST /v1/providers': { method: 'POST', path: () => '/v1/providers', body: providerBody, expect: coordinatorsOnly(201) },
  'GET /v1/providers': {
    method: 'GET', path: () => '/v1/providers',
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 200, familyF: 403, familyG: 403 },
  },
  'GET /v1/providers/:id': {
    method: 'GET', path: (w) => `/v1/providers/${w.providerP}`,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'PATCH /v1/providers/:id': { method: 'PATCH', path: (w) => `/v1/providers/${w.providerP}`, body: () => ({ phone: '01903 000000' }), expect: coordinatorsOnly(200) },
  'POST /v1/providers/:id/capacity-rules': { method: 'POST', path: (w) => `/v1/providers/${w.providerP}/capacity-rules`, body: ruleBody, expect: providerManagers(201) },
  'GET /v1/providers/:id/capacity-rules': { method: 'GET', path: (w) => `/v1/providers/${w.providerP}/capacity-rules`, expect: providerManagers(200) },
  'GET /v1/capacity-rules/:id': { method: 'GET', path: (w) => `/v1/capacity-rules/${w.ruleP}`, expect: providerManagers(200) },
  'PATCH /v1/capacity-rules/:id': { method: 'PATCH', path: (w) => `/v1/capacity-rules/${w.ruleP}`, body: () => ({ name: `Weekend ${uid()}` }), expect: providerManagers(200) },
  'POST /v1/providers/:id/carers': { method: 'POST', path: (w) => `/v1/providers/${w.providerP}/carers`, body: () => ({ name: `Carer ${uid()}` }), expect: providerManagers(201) },
  'GET /v1/providers/:id/carers': { method: 'GET', path: (w) => `/v1/providers/${w.providerP}/carers`, expect: providerManagers(200) },
  'POST /v1/carers/:id/training': {
    method: 'POST', path: (w) => `/v1/carers/${w.carerP}/training`,
    body: () => ({ need: 'GASTROSTOMY', course: 'Gastrostomy feeding', completedOn: daysFromToday(-30), expiresOn: daysFromToday(335) }),
    expect: providerManagers(201),
  },
  'GET /v1/slots': {
    method: 'GET', path: () => `/v1/slots?from=${daysFromToday(40)}&to=${daysFromToday(42)}`,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 200, familyF: 200, familyG: 200 },
  },
  'GET /v1/slots/days': {
    method: 'GET', path: () => `/v1/slots/days?from=${daysFromToday(40)}&to=${daysFromToday(42)}`,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 200, familyF: 200, familyG: 200 },
  },
  'POST /v1/vehicles': {
    method: 'POST', path: () => '/v1/vehicles',
    body: () => ({ name: `Van ${uid()}`, seats: 6, wheelchairSpaces: 1, baseLat: 50.8, baseLng: -0.3 }),
    expect: coordinatorsOnly(201),
  },
  'GET /v1/vehicles': { method: 'GET', path: () => '/v1/vehicles', expect: coordinatorsOnly(200) },
  'GET /v1/closures': { method: 'GET', path: () => '/v1/closures', expect: coordinatorsOnly(200) },
  'POST /v1/closures/:id/retry': {
    method: 'POST', path: (w) => `/v1/closures/${w.failedClosureA}/retry`,
    // A's coordinator is first, so the closure is FAILED when it asks (a second retry would be a 409).
    expect: { coordinatorA: 202, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'POST /v1/families': { method: 'POST', path: () => '/v1/families', body: () => ({ name: `Family ${uid()}` }), expect: coordinatorsOnly(201) },
  'GET /v1/families': { method: 'GET', path: () => '/v1/families', expect: coordinatorsOnly(200) },
  'GET /v1/families/:id': {
    method: 'GET', path: (w) => `/v1/families/${w.familyF}`,
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'POST /v1/families/:id/children': {
    method: 'POST', path: (w) => `/v1/families/${w.familyF}/children`,
    body: () => ({ firstName: 'Sam', lastName: 'Test', dateOfBirth: '2017-02-03', needs: ['WHEELCHAIR'] }),
    expect: { coordinatorA: 201, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'GET /v1/children/:id': {
    method: 'GET', path: (w) => `/v1/children/${w.childF}`,
    // A provider may ask, but sees a child only while it holds a live booking (none here).
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 200, familyG: 404 },
  },
  'PATCH /v1/children/:id': {
    method: 'PATCH', path: (w) => `/v1/children/${w.childF}`,
    body: () => ({ passport: { calming: 'Weighted blanket', communication: 'Makaton' } }),
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'POST /v1/children/:id/entitlements': {
    method: 'POST', path: (w) => `/v1/children/${w.childF}/entitlements`,
    body: () => ({ periodStart: '2027-04-01', periodEnd: '2028-03-31', nights: 24, daySessions: 10 }),
    expect: { coordinatorA: 201, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
};

describe('role × endpoint matrix', () => {
  it.each(Object.keys(ENDPOINTS))('%s', async (name) => {
    const endpoint = ENDPOINTS[name]!;
    const got = {} as Record<RoleName, number>;
    for (const role of ROLES) {
      const res = await call(endpoint.method, endpoint.path(w), { token: w.tokens[role], body: endpoint.body?.(w) });
      got[role] = res.status;
      if (res.status >= 400) expect(res.headers.get('content-type'), `${role}: ${JSON.stringify(res.body)}`).toContain('application/problem+json');
      if (res.status >= 500) throw new Error(`${name} as ${role}: ${JSON.stringify(res.body)}`);
    }
    expect(got).toEqual(endpoint.expect);
  });

  it('has a row for every foundation route', () => {
    const routes = [...Object.values(providerRoutes), ...Object.values(familyRoutes), listSlotsRoute, slotDaysRoute, createVehicleRoute, listVehiclesRoute, listClosuresRoute, retryClosureRoute];
    const declared = routes.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{id\}/g, ':id')}`);
    expect(declared.sort()).toEqual(Object.keys(ENDPOINTS).sort());
  });
});

describe('what each role sees in lists', () => {
  const ids = (items: { id: string }[]) => items.map((i) => i.id);

  it('lists only the coordinator’s own authority’s families', async () => {
    const fromA = await get('/v1/families?limit=200', w.tokens.coordinatorA);
    expect(ids(fromA.body.items)).toEqual(expect.arrayContaining([w.familyF, w.familyG]));
    expect(fromA.body.items.every((f: { authorityId: string }) => f.authorityId === w.authorityA)).toBe(true);
    const fromB = await get('/v1/families?limit=200', w.tokens.coordinatorB);
    expect(fromB.body.items.every((f: { authorityId: string }) => f.authorityId === w.authorityB)).toBe(true);
  });

  it('lists only the coordinator’s own authority’s vehicles', async () => {
    const fromA = (await get('/v1/vehicles', w.tokens.coordinatorA)).body.items;
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromA.every((v: { authorityId: string }) => v.authorityId === w.authorityA)).toBe(true);
    expect((await get('/v1/vehicles', w.tokens.coordinatorB)).body.items.every((v: { authorityId: string }) => v.authorityId === w.authorityB)).toBe(true);
  });

  it('shows a provider only itself in the provider list and only its slots', async () => {
    expect(ids((await get('/v1/providers', w.tokens.providerP)).body.items)).toEqual([w.providerP]);
    const slots = (await get(`/v1/slots?from=${daysFromToday(40)}&to=${daysFromToday(42)}&limit=500`, w.tokens.providerQ)).body.items;
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s: { providerId: string }) => s.providerId === w.providerQ)).toBe(true);
  });

  it('shows a family its own children with passports, and nothing of another family', async () => {
    const own = await get(`/v1/families/${w.familyF}`, w.tokens.familyF);
    expect(ids(own.body.children)).toContain(w.childF);
    expect(own.body.children.find((c: { id: string }) => c.id === w.childF).passport).not.toBeNull();
    expect((await get(`/v1/children/${w.childG}`, w.tokens.familyF)).status).toBe(404);
    expect((await get(`/v1/families/${w.familyG}`, w.tokens.familyF)).status).toBe(404);
  });

  it('hides authority A’s families and children from coordinator B', async () => {
    expect((await get(`/v1/families/${w.familyG}`, w.tokens.coordinatorB)).status).toBe(404);
    expect((await get(`/v1/children/${w.childG}`, w.tokens.coordinatorB)).status).toBe(404);
    expect((await call('PATCH', `/v1/children/${w.childG}`, { token: w.tokens.coordinatorB, body: { needsTransport: true } })).status).toBe(404);
    expect((await db().child.findUniqueOrThrow({ where: { id: w.childG } })).needsTransport).toBe(false);
  });
});

describe('a provider and a child’s medical passport', () => {
  it('shows the passport only while the provider holds a live booking for the child', async () => {
    const a = await makeAuthority();
    const family = await makeFamily(a.authority.id);
    const child = await makeChild(family.family.id, a.authority.id, { needs: ['GASTROSTOMY'] });
    const { provider, providerToken } = await makeProvider('RESIDENTIAL');
    const other = await makeProvider('RESIDENTIAL');
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(60), untilDate: daysFromToday(60), capabilities: ['GASTROSTOMY'] });

    expect((await get(`/v1/children/${child.id}`, providerToken)).status).toBe(404);
    const booking = await insertBooking(slots[0]!, child);

    const seen = await get(`/v1/children/${child.id}`, providerToken);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: child.id, needs: ['GASTROSTOMY'], passport: { communication: 'Talks', calming: 'Music' } });
    expect((await get(`/v1/children/${child.id}`, other.providerToken)).status).toBe(404);
    // Seeing the child does not let the provider change it or see the family.
    expect((await call('PATCH', `/v1/children/${child.id}`, { token: providerToken, body: { needsTransport: true } })).status).toBe(403);
    expect((await get(`/v1/families/${family.family.id}`, providerToken)).status).toBe(403);

    await db().booking.update({ where: { id: booking.id }, data: { status: 'CANCELLED', cancelledAt: new Date() } });
    expect((await get(`/v1/children/${child.id}`, providerToken)).status).toBe(404);
  });
});
