/**
 * Operator and commissioners (DESIGN.md, Tenancy; invariant 5): a home one
 * authority runs is shared with another that books there. Only the operator
 * (or the home itself) changes or closes it; the commissioner gets 403 but can
 * read, book, and suspend its own placements — which re-homes only its
 * children, with its own places, and leaves the home open to the operator.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { runClosure } from '../../src/services/closures.js';
import { expectProblem, get, patch, post } from '../support/api.js';
import { book, refusalReasons } from '../support/booking-helpers.js';
import { waitForClosure, type ClosureView } from '../support/closure-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closureViolations } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';

// Closure jobs are run here directly (as the worker does); a private prefix keeps them out of other files' queues.
process.env.QUEUE_PREFIX = `sboperator${uid()}`;
const onExit: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of onExit) await f();
  await closeConnections();
});

/** Cornwall: far from other tests' places, and the children need TWO_TO_ONE_STAFFING, which only these places meet. */
const HERE = { lat: 50.3, lng: -5.0 };
const NEEDS = ['TWO_TO_ONE_STAFFING'] as const;

async function council() {
  const { authority, coordinatorToken } = await makeAuthority();
  const child = async () => {
    const { family, familyToken } = await makeFamily(authority.id, { lat: HERE.lat + 0.01, lng: HERE.lng });
    return { familyToken, child: await makeChild(family.id, authority.id, { needs: [...NEEDS] }) };
  };
  return { authority, coordinatorToken, child };
}

describe('a home run by one council and commissioned by another', () => {
  it('lets only the operator change or close it; the commissioner suspends its own placements and only its children move', async () => {
    const runs = await council();
    const commissions = await council();
    const { provider: home, providerToken: homeToken } = await makeProvider('RESIDENTIAL', { ...HERE, name: `Council home ${uid()}`, operatorAuthorityId: runs.authority.id });
    // The home's places are open to both councils, so the test database's earlier runs' homes must not offer the same night:
    // a night of this run's own, and the home's places retired at the end.
    // Inside the slot horizon (365 days), or the rule generates no places at all.
    const day = 150 + Math.floor(Math.random() * 200);
    const date = daysFromToday(day);
    const { slots } = await makeSlots(home.id, { startDate: date, untilDate: daysFromToday(day + 2), places: 3, capabilities: [...NEEDS] });
    onExit.push(() => db().slot.updateMany({ where: { providerId: home.id }, data: { status: 'WITHDRAWN' } }));
    const night = slots[0]!;
    const ours = await runs.child();
    const theirs = await commissions.child();
    const ourBooking = await book(runs.coordinatorToken, ours.child.id, night.id);
    // The commissioner reads and books like any coordinator.
    expect((await get(`/v1/providers/${home.id}`, commissions.coordinatorToken)).body).toMatchObject({ id: home.id, operatorAuthorityId: runs.authority.id });
    const theirBooking = await book(commissions.coordinatorToken, theirs.child.id, night.id);
    // Each council can list the homes it runs (the closures page's choices): the operator finds this one, the commissioner does not.
    const runBy = async (token: string, authorityId: string) =>
      (await get<{ items: { id: string }[] }>(`/v1/providers?operatorAuthorityId=${authorityId}&limit=100`, token)).body.items.map((p) => p.id);
    expect(await runBy(runs.coordinatorToken, runs.authority.id)).toEqual([home.id]);
    expect(await runBy(commissions.coordinatorToken, commissions.authority.id)).toEqual([]);
    expectProblem(await get('/v1/providers?operatorAuthorityId=not-a-uuid', runs.coordinatorToken), 400, 'VALIDATION_FAILED');

    // ...but may not change or close the home: 403 problem+json, and nothing changes.
    const edits = [
      await patch(`/v1/providers/${home.id}`, commissions.coordinatorToken, { phone: '01872 000000' }),
      await post(`/v1/providers/${home.id}/capacity-rules`, commissions.coordinatorToken, { rrule: 'FREQ=DAILY', startDate: date, startTime: '17:00', durationMinutes: 1020, places: 1 }),
      await patch(`/v1/capacity-rules/${night.capacityRuleId}`, commissions.coordinatorToken, { places: 1 }),
      await post(`/v1/providers/${home.id}/closure`, commissions.coordinatorToken, { effectiveFrom: daysFromToday(1), confirm: true, reason: 'We would rather it closed' }),
    ];
    for (const res of edits) expect(expectProblem(res, 403, 'FORBIDDEN').detail).toMatch(/run by another authority/);
    expect(await db().provider.findUniqueOrThrow({ where: { id: home.id } })).toMatchObject({ status: 'ACTIVE', phone: null });
    expect(await db().capacityRule.count({ where: { providerId: home.id } })).toBe(1);
    expect(await db().closure.count({ where: { providerId: home.id } })).toBe(0);
    // The operator and the home itself may.
    expect((await patch(`/v1/providers/${home.id}`, runs.coordinatorToken, { phone: '01872 111111' })).status).toBe(200);
    expect((await patch(`/v1/providers/${home.id}`, homeToken, { email: 'manager@example.org' })).status).toBe(200);

    // After an inadequate inspection the commissioner suspends its placements there; its own place elsewhere takes its child.
    const { provider: elsewhere } = await makeProvider('RESIDENTIAL', { ...HERE, name: `Elsewhere ${uid()}` });
    const { slots: [theirPlace] } = await makeSlots(elsewhere.id, { startDate: date, untilDate: date, places: 1, capabilities: [...NEEDS], reservedForAuthorityId: commissions.authority.id });
    const started = await post<ClosureView>(`/v1/providers/${home.id}/suspension`, commissions.coordinatorToken, { effectiveFrom: daysFromToday(1), confirm: true, reason: 'Inspection rated the home inadequate', maxDateShiftDays: 0 });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ suspendedAuthorityId: commissions.authority.id, authorityId: commissions.authority.id });
    expectProblem(await post(`/v1/providers/${home.id}/suspension`, commissions.coordinatorToken, { effectiveFrom: daysFromToday(2), confirm: true, reason: 'Again' }), 409, 'CONFLICT');
    await runClosure(started.body.id);
    const done = await waitForClosure(commissions.coordinatorToken, started.body.id);
    expect(done.counts).toMatchObject({ affected: 1, MOVED: 1 });
    expect(done.outcomes, JSON.stringify(done.outcomes)).toEqual([expect.objectContaining({ bookingId: theirBooking.id, outcome: 'MOVED', toSlotId: theirPlace!.id })]);

    // The operator's child stays, and the home stays open to the operator.
    expect((await db().booking.findUniqueOrThrow({ where: { id: ourBooking.id } })).status).toBe('CONFIRMED');
    expect((await db().provider.findUniqueOrThrow({ where: { id: home.id } })).status).toBe('ACTIVE');
    expectProblem(await get(`/v1/closures/${started.body.id}`, runs.coordinatorToken), 404);
    const another = await runs.child();
    expect((await post('/v1/bookings', runs.coordinatorToken, { childId: another.child.id, slotId: slots[1]!.id })).status).toBe(201);
    const window = `from=${daysFromToday(day - 1)}&to=${daysFromToday(day + 3)}&providerId=${home.id}`;
    expect((await get(`/v1/slots?${window}`, runs.coordinatorToken)).body.items).toHaveLength(3);
    // The commissioner's coordinator and families no longer see or book its places.
    const stillTheirs = await commissions.child();
    for (const token of [commissions.coordinatorToken, stillTheirs.familyToken]) expect((await get(`/v1/slots?${window}`, token)).body.items).toEqual([]);
    expect(refusalReasons(await post('/v1/bookings', commissions.coordinatorToken, { childId: stillTheirs.child.id, slotId: slots[2]!.id }))).toEqual(['PLACEMENTS_SUSPENDED']);
    expectProblem(await post('/v1/waitlist', stillTheirs.familyToken, { childId: stillTheirs.child.id, slotId: slots[2]!.id }), 409);
    expect(await closureViolations([home.id])).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
  });

  it('is closed by a provider that runs itself, not by the councils that commission it', async () => {
    const a = await council();
    const { provider, providerToken } = await makeProvider('COMMUNITY', { ...HERE, name: `Independent club ${uid()}` });
    expect(expectProblem(await post(`/v1/providers/${provider.id}/closure`, a.coordinatorToken, { effectiveFrom: daysFromToday(3), confirm: true, reason: 'Closing' }), 403).detail).toMatch(/provider organisation itself/);
    const closed = await post<ClosureView>(`/v1/providers/${provider.id}/closure`, providerToken, { effectiveFrom: daysFromToday(3), confirm: true, reason: 'The charity is winding up' });
    expect(closed.status).toBe(202);
    expect(closed.body).toMatchObject({ providerId: provider.id, authorityId: null });
    await runClosure(closed.body.id);
    expect((await get(`/v1/closures/${closed.body.id}`, providerToken)).body).toMatchObject({ status: 'COMPLETED', outcomes: [] });
  });
});
