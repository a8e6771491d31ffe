/**
 * A family changes its mind: it reads, edits and withdraws its own
 * open request; nobody else's; never once a round for the period is under way
 * or has placed it; a withdrawn request is left out of the next round.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

async function setup() {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL');
  const slot = await makeSlot(provider.id, daysFromToday(40));
  const later = await makeSlot(provider.id, daysFromToday(50));
  const a = await makeFamilyWithChild(authority.id);
  const b = await makeFamilyWithChild(authority.id);
  const filed = await post('/v1/requests', a.familyToken, { childId: a.child.id, periodStart: daysFromToday(30), periodEnd: daysFromToday(60), preferences: [{ kind: 'SLOT', slotId: slot.id }] });
  expect(filed.status).toBe(201);
  return { authority, coordinatorToken, providerToken, slot, later, a, b, request: filed.body as { id: string } };
}

const patch = (path: string, token: string, body: unknown) => call('PATCH', path, { token, body });

describe('changing a request', () => {
  it('the family reads and edits its open request: new period, new choices, transport', async () => {
    const { a, later, request } = await setup();
    expect((await get(`/v1/requests/${request.id}`, a.familyToken)).body).toMatchObject({ id: request.id, status: 'OPEN' });
    const edited = await patch(`/v1/requests/${request.id}`, a.familyToken, {
      periodStart: daysFromToday(45),
      periodEnd: daysFromToday(55),
      preferences: [{ kind: 'SLOT', slotId: later.id }, { kind: 'DAYS', daysOfWeek: [5] }],
      transportNeeded: true,
      notes: 'Fridays are better now',
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ periodStart: daysFromToday(45), periodEnd: daysFromToday(55), transportNeeded: true, notes: 'Fridays are better now', status: 'OPEN' });
    expect((await db().breakRequest.findUniqueOrThrow({ where: { id: request.id } })).preferences).toEqual([{ kind: 'SLOT', slotId: later.id }, { kind: 'DAYS', daysOfWeek: [5] }]);
    expect(await db().auditEvent.count({ where: { entityId: request.id, action: 'request.updated' } })).toBe(1);
  });

  it('an edit that puts a choice outside the new period changes nothing', async () => {
    const { a, slot, request } = await setup();
    const res = await patch(`/v1/requests/${request.id}`, a.familyToken, { periodStart: daysFromToday(45), periodEnd: daysFromToday(55), preferences: [{ kind: 'SLOT', slotId: slot.id }] });
    expectProblem(res, 422);
    expect((await db().breakRequest.findUniqueOrThrow({ where: { id: request.id } })).periodStart).toBe(daysFromToday(30));
  });

  it('withdrawn, it is kept with its history and cannot be withdrawn or edited again', async () => {
    const { a, request } = await setup();
    const res = await post(`/v1/requests/${request.id}/withdraw`, a.familyToken);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('WITHDRAWN');
    expectProblem(await post(`/v1/requests/${request.id}/withdraw`, a.familyToken), 409);
    expectProblem(await patch(`/v1/requests/${request.id}`, a.familyToken, { periodStart: daysFromToday(30), periodEnd: daysFromToday(60), preferences: [{ kind: 'DAYS', daysOfWeek: [1] }] }), 409);
    expect(await db().auditEvent.count({ where: { entityId: request.id, action: 'request.withdrawn' } })).toBe(1);
  });

  it('another family gets 404 and a provider 403; the coordinator of the authority may withdraw it', async () => {
    const { b, providerToken, coordinatorToken, request } = await setup();
    expectProblem(await get(`/v1/requests/${request.id}`, b.familyToken), 404);
    expectProblem(await post(`/v1/requests/${request.id}/withdraw`, b.familyToken), 404);
    expectProblem(await get(`/v1/requests/${request.id}`, providerToken), 403);
    expect((await post(`/v1/requests/${request.id}/withdraw`, coordinatorToken)).body.status).toBe('WITHDRAWN');
    const other = await makeAuthority();
    expectProblem(await get(`/v1/requests/${request.id}`, other.coordinatorToken), 404);
  });

  it('refuses while a round for the period is queued, running or waiting to be published', async () => {
    const { a, authority, request } = await setup();
    const round = await db().allocationRound.create({ data: { authorityId: authority.id, periodStart: daysFromToday(35), periodEnd: daysFromToday(45), seed: 'busy', calendar: {}, status: 'COMPLETED' } });
    const res = await post(`/v1/requests/${request.id}/withdraw`, a.familyToken);
    expectProblem(res, 409);
    expect(res.body.detail).toContain('waiting to be published');
    await db().allocationRound.update({ where: { id: round.id }, data: { status: 'PUBLISHED' } });
    expect((await post(`/v1/requests/${request.id}/withdraw`, a.familyToken)).status).toBe(200);
  });
});
