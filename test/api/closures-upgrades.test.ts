/**
 * The West Sussex actions as outcomes of a closure (../shared/seeds/002_*: the
 * council "upgraded other homes so they could take children with complex health
 * needs" and gave families "a space available all year at an alternative home"):
 *  - a home upgrade a coordinator records lets the plan place children with the
 *    need there from its date, in at most that many places at a time, and the
 *    outcome names the upgrade as what unblocked the child;
 *  - a standing place reserved when closing is a year's block of places at
 *    another home that the plan gives the affected children first, that other
 *    councils cannot book, and that leaves the home's other bookings alone.
 *
 * Isolation: every place here is on nights about two years ahead (beyond the
 * default slot horizon other files generate), is kept for this test's own
 * authority, and needs a pair of capabilities only these places have; plans
 * may not move a break to another date (maxDateShiftDays 0).
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import type { CareNeed } from '../../src/domain/care-needs.js';
import { runClosure } from '../../src/services/closures.js';
import { expectProblem, get, post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { countsAddUp, type ClosureView } from '../support/closure-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closureViolations, invariantViolations, strandedOffers } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';

process.env.QUEUE_PREFIX = `sbupgrade${uid()}`;

afterAll(closeConnections);
const closed: string[] = [];
afterEach(async () => {
  expect(await closureViolations(closed)).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
  expect(await strandedOffers(closed)).toEqual([]);
});

type Closure = ClosureView & {
  standingPlaces: { capacityRuleId: string; providerId: string; providerName: string; places: number; from: string; until: string | null; childrenPlaced: number }[];
  upgradesUsed: { upgradeId: string; providerId: string; need: string; places: number; from: string; childIds: string[] }[];
};

async function childAt(authorityId: string, needs: CareNeed[]) {
  const { family, familyToken } = await makeFamily(authorityId);
  const child = await makeChild(family.id, authorityId, { needs, periodEnd: '2029-12-31' });
  return { family, familyToken, child };
}

async function familyNote(familyId: string, closureId: string) {
  const notes = await db().notification.findMany({ where: { kind: 'REHOMING_OUTCOME', recipientId: familyId } });
  return notes.find((n) => (n.payload as { closureId?: string }).closureId === closureId)!;
}

describe('a home upgrade recorded before a closure', () => {
  it('moves two gastrostomy children to the upgraded home from its date, says the upgrade unblocked them, and tells a third why it waits', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const other = await makeAuthority();
    const { provider: closing } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, name: `Closing home ${uid()}` });
    const { provider: upgraded } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, name: `Upgraded house ${uid()}` });
    const { provider: foster } = await makeProvider('FAMILY_BASED', { operatorAuthorityId: authority.id });
    closed.push(closing.id);
    const before = daysFromToday(760);
    const upgradeDay = daysFromToday(761);
    const night = daysFromToday(762);
    const places = (providerId: string, capabilities: CareNeed[]) =>
      makeSlots(providerId, { startDate: before, untilDate: night, rrule: 'FREQ=DAILY;INTERVAL=2', places: 4, capabilities, reservedForAuthorityId: authority.id }).then((r) => r.slots);
    const [closingBefore, closingNight] = await places(closing.id, ['HOIST', 'GASTROSTOMY']);
    const [, upgradedNight] = await places(upgraded.id, ['HOIST']);
    const tube: CareNeed[] = ['HOIST', 'GASTROSTOMY'];
    const [amy, ben, cal, eve] = await Promise.all([childAt(authority.id, tube), childAt(authority.id, tube), childAt(authority.id, tube), childAt(authority.id, tube)]);
    const dan = await childAt(authority.id, ['HOIST']);
    for (const k of [amy, ben, cal, dan]) await insertBooking(closingNight!, k!.child);
    await insertBooking(closingBefore!, eve!.child);
    const body = { effectiveFrom: daysFromToday(755), reason: 'The lease ends', seed: 'upgrade', maxDateShiftDays: 0 };

    // Without an upgrade no other home can meet gastrostomy: only Dan would have a place.
    const without = await post(`/v1/providers/${closing.id}/closure/preview`, coordinatorToken, body);
    expect(without.body.expected).toEqual({ MOVED: 1, OFFERED: 0, PENDING_TRAINING: 0, WAITLISTED: 4 });

    // Refused: another council, a need a place does not have to meet, nothing, a past date, a foster scheme.
    const upgrade = { need: 'GASTROSTOMY', places: 2, from: upgradeDay, note: 'Night nurse trained in gastrostomy feeding' };
    expectProblem(await post(`/v1/providers/${upgraded.id}/upgrades`, other.coordinatorToken, upgrade), 403, 'FORBIDDEN');
    expectProblem(await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, { ...upgrade, need: 'AUTISM' }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, { ...upgrade, places: 0 }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, { ...upgrade, from: daysFromToday(-1) }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(`/v1/providers/${foster.id}/upgrades`, coordinatorToken, upgrade), 422, 'UNPROCESSABLE');
    expect(await db().providerUpgrade.count({ where: { providerId: { in: [upgraded.id, foster.id] } } })).toBe(0);

    const recorded = await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, upgrade);
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ providerId: upgraded.id, need: 'GASTROSTOMY', places: 2, from: upgradeDay, authorityId: authority.id });
    expectProblem(await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, upgrade), 409, 'CONFLICT');
    expect((await get(`/v1/providers/${upgraded.id}/upgrades`, other.coordinatorToken)).body.items).toEqual([expect.objectContaining({ id: recorded.body.id })]);
    expect(await db().auditEvent.count({ where: { action: 'provider.upgrade_recorded', entityId: upgraded.id } })).toBe(1);
    // Looking for a place that meets gastrostomy now finds the upgraded house from the upgrade's date, not before.
    const found = await get<{ items: { id: string }[] }>(`/v1/slots?from=${before}&to=${night}&providerId=${upgraded.id}&capability=GASTROSTOMY`, coordinatorToken);
    expect(found.body.items.map((x) => x.id)).toEqual([upgradedNight!.id]);

    const started = await post<Closure>(`/v1/providers/${closing.id}/closure`, coordinatorToken, { ...body, confirm: true });
    expect(started.status).toBe(202);
    await runClosure(started.body.id);
    const done = (await get<Closure>(`/v1/closures/${started.body.id}`, coordinatorToken)).body;
    expect(done.status).toBe('COMPLETED');
    expect(countsAddUp(done)).toBe(true);
    const of = (k: { child: { id: string } }) => done.outcomes.find((o) => o.childId === k.child.id)!;

    // Two of the three tube-fed children on the upgrade's night go to the upgraded house, and the record says why.
    const tubeNight = [amy, ben, cal].map(of);
    const moved = tubeNight.filter((o) => o.outcome === 'MOVED');
    expect(moved).toHaveLength(2);
    for (const o of moved) {
      expect(o.toSlotId).toBe(upgradedNight!.id);
      expect(o.detail.upgrades).toEqual([{ upgradeId: recorded.body.id, providerId: upgraded.id, need: 'GASTROSTOMY', places: 2, from: upgradeDay }]);
      expect(o.reason).toContain(`possible because ${upgraded.name} meets GASTROSTOMY`);
      const k = [amy, ben, cal].find((x) => x.child.id === o.childId)!;
      expect((await familyNote(k.family.id, done.id)).body).toContain('home upgrade');
    }
    expect(done.upgradesUsed).toEqual([expect.objectContaining({ upgradeId: recorded.body.id, childIds: expect.arrayContaining(moved.map((o) => o.childId)) })]);
    expect(done.upgradesUsed[0]!.childIds).toHaveLength(2);

    // The third waits, and is told the upgraded places were taken; so is Eve, whose night is before the upgrade.
    const third = tubeNight.find((o) => o.outcome !== 'MOVED')!;
    expect(third.outcome).toBe('WAITLISTED');
    expect(third.reason).toMatch(/only through a home upgrade whose upgraded places are all taken then \(all by children re-homed earlier in this plan\)/);
    const waiting = [amy, ben, cal].find((x) => x.child.id === third.childId)!;
    expect((await familyNote(waiting.family.id, done.id)).body).toContain('home upgrade');
    expect(of(eve!)).toMatchObject({ outcome: 'WAITLISTED' });
    expect(of(eve!).reason).toContain('none can meet GASTROSTOMY');
    expect(of(eve!).reason).not.toContain('upgrade');
    // Dan needs no upgrade: he moves too, and the record does not credit the upgrade.
    expect(of(dan)).toMatchObject({ outcome: 'MOVED', toSlotId: upgradedNight!.id });
    expect(of(dan).detail.upgrades).toEqual([]);
    expect((await db().slot.findUniqueOrThrow({ where: { id: upgradedNight!.id } })).booked).toBe(3);

    // Direct booking follows the same rule: the upgraded house's two gastrostomy places are taken that night.
    const late = await childAt(authority.id, tube);
    const refused = expectProblem(await post('/v1/bookings', coordinatorToken, { childId: late.child.id, slotId: upgradedNight!.id }), 422, 'BOOKING_REFUSED');
    expect(refused.detail).toMatch(/GASTROSTOMY \(the 2 places upgraded for it from .* are all taken then\)/);
    // A child who needs only a hoist still gets the fourth place.
    const hoist = await childAt(authority.id, ['HOIST']);
    expect((await post('/v1/bookings', coordinatorToken, { childId: hoist.child.id, slotId: upgradedNight!.id })).status).toBe(201);
    // Invariant 3 as the database sees it: every booking at the upgraded house meets its child's needs, the upgrade's two places included.
    const there = await db().booking.findMany({ where: { slotId: upgradedNight!.id }, select: { id: true } });
    expect(there).toHaveLength(4);
    const { unsuitable } = await invariantViolations();
    expect(unsuitable.filter((b) => there.some((t) => t.id === b.id))).toEqual([]);
  });
});

describe('a child an upgrade could take, at a home full that night', () => {
  it('waits first in line for the upgraded home, as for any place that fits but is full', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider: closing } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id });
    const { provider: upgraded } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, name: `Full upgraded house ${uid()}` });
    closed.push(closing.id);
    const night = daysFromToday(766);
    const one = (providerId: string, capabilities: CareNeed[]) =>
      makeSlots(providerId, { startDate: night, untilDate: night, places: 1, capabilities, reservedForAuthorityId: authority.id }).then((r) => r.slots[0]!);
    const closingSlot = await one(closing.id, ['OXYGEN', 'TWO_TO_ONE_STAFFING']);
    const full = await one(upgraded.id, ['TWO_TO_ONE_STAFFING']);
    await insertBooking(full, (await childAt(authority.id, ['TWO_TO_ONE_STAFFING'])).child);
    const zoe = await childAt(authority.id, ['OXYGEN', 'TWO_TO_ONE_STAFFING']);
    await insertBooking(closingSlot, zoe.child);
    expect((await post(`/v1/providers/${upgraded.id}/upgrades`, coordinatorToken, { need: 'OXYGEN', places: 1, from: night })).status).toBe(201);

    const started = await post<Closure>(`/v1/providers/${closing.id}/closure`, coordinatorToken, { effectiveFrom: daysFromToday(765), reason: 'Closing', seed: 'full', maxDateShiftDays: 0, confirm: true });
    await runClosure(started.body.id);
    const [outcome] = (await get<Closure>(`/v1/closures/${started.body.id}`, coordinatorToken)).body.outcomes;
    expect(outcome).toMatchObject({ outcome: 'WAITLISTED', childId: zoe.child.id });
    expect(outcome!.reason).toContain('Waiting first in line for 1 full place(s) that day');
    expect(await db().waitlistEntry.findMany({ where: { childId: zoe.child.id } })).toEqual([expect.objectContaining({ slotId: full.id, status: 'WAITING', rehoming: true })]);
  });
});

describe('a standing place reserved when closing', () => {
  it("gives the closing home's children the reserved places first, keeps them from other councils and leaves the home's own bookings alone", async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const other = await makeAuthority();
    const { provider: closing } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, name: `Closing lodge ${uid()}`, lat: 51.2, lng: -1.2 });
    // The standing home is further away than another home with free places: the plan uses the standing place anyway.
    const { provider: standingHome } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, name: `Standing house ${uid()}`, lat: 51.4, lng: -1.2 });
    const { provider: nearer } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, name: `Nearer house ${uid()}`, lat: 51.21, lng: -1.2 });
    const { provider: elsewhere } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: other.authority.id });
    closed.push(closing.id);
    const night = daysFromToday(775);
    const needs: CareNeed[] = ['HOIST', 'TWO_TO_ONE_STAFFING'];
    const [closingSlot] = (await makeSlots(closing.id, { startDate: night, untilDate: night, places: 3, capabilities: needs, reservedForAuthorityId: authority.id })).slots;
    // The nearer home could take all three: only the standing place's priority sends two of them to the block.
    await makeSlots(nearer.id, { startDate: night, untilDate: night, places: 3, capabilities: needs, reservedForAuthorityId: authority.id });
    // The standing home's own pattern: one place a night, open to every council, already booked by another council's child.
    const { rule: openRule, slots: openSlots } = await makeSlots(standingHome.id, { startDate: daysFromToday(770), untilDate: daysFromToday(780), places: 1, capabilities: needs });
    const openNight = openSlots.find((s) => s.localDate === night)!;
    const outsider = await childAt(other.authority.id, needs);
    const outsiderBooking = await insertBooking(openNight, outsider.child);
    const children = await Promise.all([0, 1, 2].map(() => childAt(authority.id, needs)));
    for (const k of children) await insertBooking(closingSlot!, k.child);
    const body = { effectiveFrom: daysFromToday(770), reason: 'The building is unsafe', seed: 'standing', maxDateShiftDays: 0, confirm: true };

    // Refused: a home another council runs, the closing home itself, no places; nothing is recorded.
    expectProblem(await post(`/v1/providers/${closing.id}/closure`, coordinatorToken, { ...body, standingPlace: { providerId: elsewhere.id, places: 2 } }), 403, 'FORBIDDEN');
    expectProblem(await post(`/v1/providers/${closing.id}/closure`, coordinatorToken, { ...body, standingPlace: { providerId: closing.id, places: 2 } }), 422, 'UNPROCESSABLE');
    expectProblem(await post(`/v1/providers/${closing.id}/closure`, coordinatorToken, { ...body, standingPlace: { providerId: standingHome.id, places: 0 } }), 400, 'VALIDATION_FAILED');
    expect((await db().provider.findUniqueOrThrow({ where: { id: closing.id } })).status).toBe('ACTIVE');
    expect(await db().capacityRule.count({ where: { providerId: { in: [elsewhere.id, closing.id, standingHome.id] }, standingForClosureId: { not: null } } })).toBe(0);

    const started = await post<Closure>(`/v1/providers/${closing.id}/closure`, coordinatorToken, { ...body, standingPlace: { providerId: standingHome.id, places: 2 } });
    expect(started.status).toBe(202);
    const id = started.body.id;

    // The block is on the standing home's capacity, as a standing place kept for this council, for a year.
    const rules = (await get<{ items: { id: string; places: number; reservedForAuthorityId: string | null; standingForClosureId: string | null; startDate: string; untilDate: string | null }[] }>(`/v1/providers/${standingHome.id}/capacity-rules`, coordinatorToken)).body.items;
    const block = rules.find((r) => r.standingForClosureId === id)!;
    expect(block).toMatchObject({ places: 2, reservedForAuthorityId: authority.id, startDate: daysFromToday(770), untilDate: daysFromToday(770 + 364) });
    expect(rules.find((r) => r.id === openRule.id)).toMatchObject({ places: 1, reservedForAuthorityId: null, standingForClosureId: null });
    const blockNight = await db().slot.findFirstOrThrow({ where: { capacityRuleId: block.id, localDate: night } });

    await runClosure(id);
    const done = (await get<Closure>(`/v1/closures/${id}`, coordinatorToken)).body;
    expect(done.status).toBe('COMPLETED');
    expect(countsAddUp(done)).toBe(true);
    // Two children take the standing place, the third the nearer home's place; every family's record says which.
    const inBlock = done.outcomes.filter((o) => o.toSlotId === blockNight.id);
    expect(inBlock.map((o) => o.outcome)).toEqual(['MOVED', 'MOVED']);
    for (const o of inBlock) {
      expect(o.detail.standingPlace).toBe(true);
      expect(o.reason).toContain('a standing place reserved all year');
    }
    expect(done.outcomes.filter((o) => o.toSlotId !== blockNight.id)).toEqual([expect.objectContaining({ outcome: 'MOVED' })]);
    expect(done.standingPlaces).toEqual([
      { capacityRuleId: block.id, providerId: standingHome.id, providerName: standingHome.name, places: 2, from: daysFromToday(770), until: daysFromToday(770 + 364), childrenPlaced: 2 },
    ]);
    // The booking outside the block is as it was; another council's child cannot take a reserved place.
    expect((await db().booking.findUniqueOrThrow({ where: { id: outsiderBooking.id } })).status).toBe('CONFIRMED');
    expect((await db().slot.findUniqueOrThrow({ where: { id: openNight.id } })).capacity).toBe(1);
    const later = await db().slot.findFirstOrThrow({ where: { capacityRuleId: block.id, localDate: daysFromToday(777) } });
    const stranger = await childAt(other.authority.id, needs);
    const refused = expectProblem(await post('/v1/bookings', other.coordinatorToken, { childId: stranger.child.id, slotId: later.id }), 422, 'BOOKING_REFUSED');
    expect(refused.detail).toMatch(/another council/);
    // The other council sees nothing of this closure's block.
    expectProblem(await get(`/v1/closures/${id}`, other.coordinatorToken), 404);
  });
});
