/**
 * Break requests: a family for its own child, or a
 * coordinator, files ranked preferences for a period — specific slots or days
 * of the week, with flexibility and transport. Bad preferences are refused
 * with field paths and nothing is written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { expectProblem, get, post } from '../support/api.js';
import { makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

async function setup() {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL');
  const slot = await makeSlot(provider.id, daysFromToday(40));
  const a = await makeFamilyWithChild(authority.id);
  const b = await makeFamilyWithChild(authority.id);
  const body = (childId: string, overrides: Record<string, unknown> = {}) => ({
    childId,
    periodStart: daysFromToday(30),
    periodEnd: daysFromToday(90),
    preferences: [{ kind: 'SLOT', slotId: slot.id }, { kind: 'DAYS', daysOfWeek: [5, 6], providerId: provider.id }, { kind: 'DAYS', daysOfWeek: [0] }],
    ...overrides,
  });
  return { authority, coordinatorToken, provider, providerToken, slot, a, b, body };
}

describe('POST /v1/requests', () => {
  it('lets a family file ranked preferences for its own child', async () => {
    const { authority, a, slot, provider, body } = await setup();
    const res = await post('/v1/requests', a.familyToken, body(a.child.id, { flexible: true, transportNeeded: true, nightsWanted: 6, notes: 'Weekends suit us' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      childId: a.child.id,
      authorityId: authority.id,
      periodStart: daysFromToday(30),
      periodEnd: daysFromToday(90),
      preferences: [{ kind: 'SLOT', slotId: slot.id }, { kind: 'DAYS', daysOfWeek: [5, 6], providerId: provider.id }, { kind: 'DAYS', daysOfWeek: [0] }],
      flexible: true,
      transportNeeded: true,
      nightsWanted: 6,
      notes: 'Weekends suit us',
      status: 'OPEN',
      createdByRole: 'FAMILY',
    });
    expect(await db().auditEvent.count({ where: { entityId: res.body.id, action: 'request.created' } })).toBe(1);
  });

  it('lets a coordinator file for any child of its authority, with defaults', async () => {
    const { coordinatorToken, a, body } = await setup();
    const res = await post('/v1/requests', coordinatorToken, body(a.child.id));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ createdByRole: 'COORDINATOR', flexible: false, transportNeeded: false, nightsWanted: null, notes: null });
  });

  it("does not let a family file for another family's child (404), nor a provider at all (403)", async () => {
    const { providerToken, a, b, body } = await setup();
    expectProblem(await post('/v1/requests', a.familyToken, body(b.child.id)), 404, 'NOT_FOUND');
    expectProblem(await post('/v1/requests', providerToken, body(a.child.id)), 403, 'FORBIDDEN');
    const other = await makeAuthority();
    expectProblem(await post('/v1/requests', other.coordinatorToken, body(a.child.id)), 404, 'NOT_FOUND');
    expect(await db().breakRequest.count({ where: { childId: { in: [a.child.id, b.child.id] } } })).toBe(0);
  });

  it('refuses malformed bodies with field paths (400)', async () => {
    const { a, body } = await setup();
    const bad = async (overrides: Record<string, unknown>) =>
      expectProblem(await post('/v1/requests', a.familyToken, body(a.child.id, overrides)), 400, 'VALIDATION_FAILED').errors?.map((e) => e.path);
    expect(await bad({ periodEnd: daysFromToday(10) })).toContain('body.periodEnd');
    expect(await bad({ preferences: [] })).toContain('body.preferences');
    expect(await bad({ preferences: [{ kind: 'DAYS', daysOfWeek: [1, 1] }] })).toContain('body.preferences.0.daysOfWeek');
    expect(await bad({ preferences: [{ kind: 'DAYS', daysOfWeek: [7] }] })).toContain('body.preferences.0.daysOfWeek.0');
    expect(await bad({ preferences: [{ kind: 'NIGHTS' }] })).toEqual(expect.arrayContaining([expect.stringMatching(/^body\.preferences\.0/)]));
    expect(await bad({ periodStart: daysFromToday(0), periodEnd: daysFromToday(500) })).toContain('body.periodEnd');
    expect(await bad({ surprise: true })).toContain('body.surprise');
    expect(await db().breakRequest.count({ where: { childId: a.child.id } })).toBe(0);
  });

  it('refuses preferences it cannot use (422): unknown, withdrawn, reserved or out-of-period slots, unknown providers', async () => {
    const { a, slot, provider, body } = await setup();
    const other = await makeAuthority();
    const reserved = await makeSlot(provider.id, daysFromToday(41), { reservedForAuthorityId: other.authority.id });
    const withdrawn = await makeSlot(provider.id, daysFromToday(42));
    await db().slot.update({ where: { id: withdrawn.id }, data: { status: 'WITHDRAWN' } });
    const res = await post('/v1/requests', a.familyToken, body(a.child.id, {
      periodStart: daysFromToday(41),
      preferences: [
        { kind: 'SLOT', slotId: slot.id },
        { kind: 'SLOT', slotId: reserved.id },
        { kind: 'SLOT', slotId: withdrawn.id },
        { kind: 'SLOT', slotId: crypto.randomUUID() },
        { kind: 'DAYS', daysOfWeek: [5], providerId: crypto.randomUUID() },
      ],
    }));
    const problem = expectProblem(res, 422, 'UNPROCESSABLE');
    expect(problem.errors).toEqual([
      { path: 'body.preferences.0.slotId', message: 'slot is outside the requested period' },
      { path: 'body.preferences.1.slotId', message: 'no such slot open to this child' },
      { path: 'body.preferences.2.slotId', message: 'no such slot open to this child' },
      { path: 'body.preferences.3.slotId', message: 'no such slot open to this child' },
      { path: 'body.preferences', message: expect.stringMatching(/^unknown provider/) },
    ]);
    expect(await db().breakRequest.count({ where: { childId: a.child.id } })).toBe(0);
  });

  it('replays a retried request with the same Idempotency-Key', async () => {
    const { a, body } = await setup();
    const key = `req-${uid()}`;
    const first = await post('/v1/requests', a.familyToken, body(a.child.id), { 'Idempotency-Key': key });
    const retry = await post('/v1/requests', a.familyToken, body(a.child.id), { 'Idempotency-Key': key });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect(await db().breakRequest.count({ where: { childId: a.child.id } })).toBe(1);
  });
});

describe('GET /v1/requests', () => {
  it('shows a family only its own requests and a coordinator its authority’s, with filters and pages', async () => {
    const { coordinatorToken, a, b, body } = await setup();
    const mine = await post('/v1/requests', a.familyToken, body(a.child.id));
    const mine2 = await post('/v1/requests', a.familyToken, body(a.child.id, { periodStart: daysFromToday(31) }));
    const theirs = await post('/v1/requests', b.familyToken, body(b.child.id));
    const ids = async (token: string, query = '') => (await get(`/v1/requests${query}`, token)).body.items.map((r: { id: string }) => r.id).sort();

    expect(await ids(a.familyToken)).toEqual([mine.body.id, mine2.body.id].sort());
    expect(await ids(b.familyToken)).toEqual([theirs.body.id]);
    expect(await ids(a.familyToken, `?childId=${b.child.id}`)).toEqual([]);
    expect(await ids(coordinatorToken)).toEqual([mine.body.id, mine2.body.id, theirs.body.id].sort());
    expect(await ids(coordinatorToken, `?periodStart=${daysFromToday(31)}`)).toEqual([mine2.body.id]);
    expect(await ids((await makeAuthority()).coordinatorToken)).toEqual([]);

    const firstPage = await get('/v1/requests?limit=2', coordinatorToken);
    expect(firstPage.body.items).toHaveLength(2);
    const secondPage = await get(`/v1/requests?limit=2&cursor=${firstPage.body.nextCursor}`, coordinatorToken);
    expect(secondPage.body).toMatchObject({ nextCursor: null });
    expect([...firstPage.body.items, ...secondPage.body.items].map((r: { id: string }) => r.id).sort()).toEqual(await ids(coordinatorToken));
  });
});
