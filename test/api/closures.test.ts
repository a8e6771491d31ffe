/**
 * Provider closure and re-homing through the API and the worker:
 * validation and access, a closure with nothing to move, a carer's training gap
 * held and later confirmed (or run out), and a date-shifted alternative offered
 * to the family. The demo-county end to end is in closures-demo.test.ts.
 *
 * Isolation: every slot here is reserved for the test's own authority, and
 * the children need TWO_TO_ONE_STAFFING, which only these tests' places meet,
 * so no other test's places (the planner may use any open place) can be chosen.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { courseFor } from '../../src/domain/rehoming/training.js';
import type { CareNeed } from '../../src/domain/care-needs.js';
import { recheckTraining, runClosure } from '../../src/services/closures.js';
import { expireOffer } from '../../src/services/waitlist.js';
import { expectProblem, get, post } from '../support/api.js';
import { book, makeCarer, refusalReasons } from '../support/booking-helpers.js';
import { closeProvider, countsAddUp, providerTokenFor, waitForClosure, type ClosureView } from '../support/closure-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { closureViolations, strandedOffers } from '../support/invariants.js';

// This file runs each closure's job itself (runClosure, as the worker does) rather than waiting for a worker:
// any test process's outbox sweeper may take a job to its own queue, and a big closure there would delay it.
// The worker path is covered by closures-demo.test.ts and the kill test. Its own queue prefix keeps the
// jobs it records out of other files' queues.
process.env.QUEUE_PREFIX = `sbclosure${uid()}`;

afterAll(async () => {
  await closeConnections();
});

/** Authorities this file made: after every test, nothing may point at a home their closures closed (invariant 8). */
const tenants: string[] = [];
afterEach(async () => {
  const closed = (await db().closure.findMany({ where: { authorityId: { in: tenants } }, select: { providerId: true } })).map((k) => k.providerId);
  expect(await closureViolations(closed)).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
  expect(await strandedOffers(closed)).toEqual([]);
});

/** The closure job, run to completion here, then the closure as the coordinator sees it. */
async function settle(coordinatorToken: string, closureId: string): Promise<ClosureView> {
  await runClosure(closureId);
  return waitForClosure(coordinatorToken, closureId);
}

/** Northumberland: far from the other tests' providers, so travel never ties with theirs. */
const HERE = { lat: 55.2, lng: -1.7 };

async function tenant() {
  const { authority, coordinatorToken } = await makeAuthority();
  tenants.push(authority.id);
  const slot = (providerId: string, date: string, options: Omit<Parameters<typeof makeSlots>[1], 'startDate' | 'untilDate'> = {}) =>
    makeSlots(providerId, { ...options, startDate: date, untilDate: date, reservedForAuthorityId: authority.id }).then(({ slots }) => {
      if (slots.length !== 1) throw new Error(`expected one slot on ${date}`);
      return slots[0]!;
    });
  const child = async (needs: CareNeed[]) => {
    const { family, familyToken } = await makeFamily(authority.id, { lat: HERE.lat + 0.01, lng: HERE.lng });
    return { family, familyToken, child: await makeChild(family.id, authority.id, { needs }) };
  };
  return { authority, coordinatorToken, slot, child };
}

const outcomeOf = (closure: ClosureView, bookingId: string) => {
  const found = closure.outcomes.find((o) => o.bookingId === bookingId);
  if (!found) throw new Error(`no outcome for booking ${bookingId}: ${JSON.stringify(closure.outcomes)}`);
  return found;
};

describe('closing a provider: validation and access', () => {
  it('refuses bad input, the wrong roles and a second closure, and hides the closure from other authorities', async () => {
    const t = await tenant();
    const other = await makeAuthority();
    const { provider, providerToken } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing ${uid()}` });
    const { providerToken: anotherProvider } = await makeProvider('RESIDENTIAL');
    const { familyToken } = await makeFamily(t.authority.id);
    const path = `/v1/providers/${provider.id}/closure`;

    const past = expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(-1), reason: 'Closing down' }), 400, 'VALIDATION_FAILED');
    expect(past.errors?.map((e) => e.path)).toContain('body.effectiveFrom');
    expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: '2027-02-30', reason: 'Closing down' }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5) }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5), reason: 'Closing down', extra: 1 }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5), reason: 'Closing down', preferences: ['SAME_DATES', 'SAME_DATES'] }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, familyToken, { effectiveFrom: daysFromToday(5), reason: 'Closing down' }), 403);
    expectProblem(await post(path, anotherProvider, { effectiveFrom: daysFromToday(5), reason: 'Closing down' }), 404);
    // Another authority books there but does not run the home: 403 (it may suspend its own placements instead).
    expect(expectProblem(await post(path, other.coordinatorToken, { effectiveFrom: daysFromToday(5), reason: 'Closing down' }), 403).detail).toMatch(/suspend your own placements/);
    expectProblem(await post(`/v1/providers/${crypto.randomUUID()}/closure`, t.coordinatorToken, { effectiveFrom: daysFromToday(5), confirm: true, reason: 'Closing down' }), 404);
    // Safe to press: without an explicit confirmation nothing is closed, and the problem says how to confirm.
    for (const confirm of [undefined, false]) {
      const unconfirmed = expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5), reason: 'Closing down', confirm }), 422, 'UNPROCESSABLE');
      expect(unconfirmed.errors?.map((e) => e.path)).toEqual(['body.confirm']);
      expect(unconfirmed.detail).toMatch(/preview/);
    }
    expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5), reason: 'Closing down', confirm: 'yes' }), 400, 'VALIDATION_FAILED');
    // Nothing above changed the provider or recorded a closure.
    expect((await db().provider.findUniqueOrThrow({ where: { id: provider.id } })).status).toBe('ACTIVE');
    expect(await db().closure.count({ where: { providerId: provider.id } })).toBe(0);

    // Invariant 6: a retried POST with the same Idempotency-Key replays the first answer.
    const key = `close-${uid()}`;
    const first = await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5), confirm: true, reason: 'Closing down' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ providerId: provider.id, authorityId: t.authority.id, reason: 'Closing down' });
    const replay = await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(5), confirm: true, reason: 'Closing down' }, { 'Idempotency-Key': key });
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(first.body.id);
    expect(await db().closure.count({ where: { providerId: provider.id } })).toBe(1);

    expectProblem(await post(path, t.coordinatorToken, { effectiveFrom: daysFromToday(6), confirm: true, reason: 'Closing again' }), 409, 'CONFLICT');

    const closurePath = `/v1/closures/${first.body.id}`;
    expect((await get(closurePath, t.coordinatorToken)).status).toBe(200);
    expectProblem(await get(closurePath, other.coordinatorToken), 404);
    expectProblem(await get(closurePath, familyToken), 403);
    expectProblem(await get(closurePath, anotherProvider), 404);
    // The home itself follows its closure's progress, without where each child goes (that is each authority's).
    expect((await get(closurePath, providerToken)).body).toMatchObject({ id: first.body.id, outcomes: [] });
    expectProblem(await get(`/v1/closures/${crypto.randomUUID()}`, t.coordinatorToken), 404);
    await settle(t.coordinatorToken, first.body.id);
  });
});

describe('closing a provider that serves two authorities', () => {
  it('re-homes both authorities\' children with their own council\'s places and transport, and each coordinator sees only its own', async () => {
    const a = await tenant();
    const b = await tenant();
    const bystander = await makeAuthority();
    const date = daysFromToday(85);
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id, ...HERE, name: `Shared home ${uid()}` });
    // An open place (no block contract): both councils book it.
    const { slots } = await makeSlots(provider.id, { startDate: date, untilDate: date, places: 2, capabilities: ['TWO_TO_ONE_STAFFING'] });
    const ca = await a.child(['TWO_TO_ONE_STAFFING']);
    const cb = await b.child(['TWO_TO_ONE_STAFFING']);
    await db().child.updateMany({ where: { id: { in: [ca.child.id, cb.child.id] } }, data: { needsTransport: true } });
    const ba = await book(a.coordinatorToken, ca.child.id, slots[0]!.id);
    const bb = await book(b.coordinatorToken, cb.child.id, slots[0]!.id);
    const { provider: elsewhere } = await makeProvider('RESIDENTIAL', { ...HERE, name: `Elsewhere ${uid()}` });
    const aPlace = await a.slot(elsewhere.id, date, { places: 1, capabilities: ['TWO_TO_ONE_STAFFING'] });
    const bPlace = await b.slot(elsewhere.id, date, { places: 1, capabilities: ['TWO_TO_ONE_STAFFING'] });
    // Only the first council has a vehicle; its minibus is not the other council's to use.
    const minibus = await db().vehicle.create({ data: { authorityId: a.authority.id, name: 'Minibus', seats: 8, wheelchairSpaces: 2, hasEscort: true, baseLat: HERE.lat, baseLng: HERE.lng } });

    const started = await closeProvider(a.coordinatorToken, provider.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 0 });
    const seenByA = await settle(a.coordinatorToken, started.id);
    expect(seenByA.outcomes.map((o) => o.childId)).toEqual([ca.child.id]);
    expect(outcomeOf(seenByA, ba.id)).toMatchObject({ outcome: 'MOVED', toSlotId: aPlace.id, transport: { outbound: expect.any(String), return: expect.any(String) } });
    expect(seenByA.counts).toMatchObject({ affected: 1, MOVED: 1 });
    expect(countsAddUp(seenByA)).toBe(true);

    // The other council's child was not dropped: its coordinator can follow the outcome.
    const seenByB = (await get(`/v1/closures/${started.id}`, b.coordinatorToken)).body as ClosureView;
    expect(seenByB.outcomes.map((o) => o.childId)).toEqual([cb.child.id]);
    expect(outcomeOf(seenByB, bb.id)).toMatchObject({ outcome: 'MOVED', toSlotId: bPlace.id, transport: { unmet: expect.stringMatching(/no vehicle/) } });
    expect(countsAddUp(seenByB)).toBe(true);
    expectProblem(await get(`/v1/closures/${started.id}`, bystander.coordinatorToken), 404);
    const seats = await db().transportSeat.findMany({ where: { run: { vehicleId: minibus.id } } });
    expect(new Set(seats.map((s) => s.childId))).toEqual(new Set([ca.child.id]));
  });
});

describe('closing a provider with no bookings', () => {
  it('completes with every count 0, and refuses new bookings from the closing date only', async () => {
    const t = await tenant();
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Empty ${uid()}` });
    const before = await t.slot(provider.id, daysFromToday(80), { capabilities: ['TWO_TO_ONE_STAFFING'] });
    const after = await t.slot(provider.id, daysFromToday(82), { capabilities: ['TWO_TO_ONE_STAFFING'] });

    const started = await closeProvider(t.coordinatorToken, provider.id, { effectiveFrom: daysFromToday(81) });
    expect(started).toMatchObject({ providerId: provider.id, authorityId: t.authority.id, error: null });
    const done = await settle(t.coordinatorToken, started.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toEqual({ affected: 0, MOVED: 0, OFFERED: 0, WAITLISTED: 0, PENDING_TRAINING: 0, CANCELLED_BY_FAMILY: 0, notYetPlanned: 0 });
    expect(done.outcomes).toEqual([]);
    expect(done.trainingActions).toEqual([]);

    const { child } = await t.child(['TWO_TO_ONE_STAFFING']);
    const refused = await post('/v1/bookings', t.coordinatorToken, { childId: child.id, slotId: after.id });
    expect(refusalReasons(refused)).toContain('PROVIDER_CLOSING');
    expect((await post('/v1/bookings', t.coordinatorToken, { childId: child.id, slotId: before.id })).status).toBe(201);
    expect((await db().provider.findUniqueOrThrow({ where: { id: provider.id } })).status).toBe('CLOSING');
    // The closing provider hears the plan is done, even when it is empty.
    expect(await db().notification.count({ where: { recipientRole: 'PROVIDER', recipientId: provider.id } })).toBeGreaterThan(0);
  });

  it('takes its nights from the date off sale everywhere a family or coordinator looks for a place', async () => {
    const t = await tenant();
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing ${uid()}` });
    const before = await t.slot(provider.id, daysFromToday(140), { capabilities: ['TWO_TO_ONE_STAFFING'] });
    const after = await t.slot(provider.id, daysFromToday(142), { capabilities: ['TWO_TO_ONE_STAFFING'] });
    await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, provider.id, { effectiveFrom: daysFromToday(141) })).id);
    const c = await t.child(['TWO_TO_ONE_STAFFING']);
    const window = `from=${daysFromToday(139)}&to=${daysFromToday(143)}&providerId=${provider.id}`;
    for (const token of [t.coordinatorToken, c.familyToken]) {
      for (const filter of ['', '&available=true']) {
        expect((await get(`/v1/slots?${window}${filter}`, token)).body.items.map((s: { id: string }) => s.id)).toEqual([before.id]);
      }
      expect((await get(`/v1/slots/days?${window}`, token)).body.days.map((d: { localDate: string }) => d.localDate)).toEqual([before.localDate]);
    }
    // The provider's own list stops at the date too (nothing after it can be sold).
    expect((await get(`/v1/slots?${window}`, await providerTokenFor(provider.id))).body.items.map((s: { id: string }) => s.id)).toEqual([before.id]);
    // A request naming the night, or waiting for it, is refused; the night before is still fine.
    const request = (slotId: string) => post('/v1/requests', c.familyToken, { childId: c.child.id, periodStart: daysFromToday(139), periodEnd: daysFromToday(143), preferences: [{ kind: 'SLOT', slotId }] });
    expectProblem(await request(after.id), 422);
    expect((await request(before.id)).status).toBe(201);
    expectProblem(await post('/v1/waitlist', c.familyToken, { childId: c.child.id, slotId: after.id }), 409);
    expect(await db().waitlistEntry.count({ where: { slotId: after.id } })).toBe(0);
  });
});

describe('a foster carer training gap', () => {
  const NEEDS: CareNeed[] = ['EPILEPSY_RESCUE_MEDICATION', 'TWO_TO_ONE_STAFFING'];

  /** An epilepsy child in a closing home whose only alternative is a carer whose buccal midazolam training has expired. */
  async function trainingGap(day: number) {
    const t = await tenant();
    const date = daysFromToday(day);
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing home ${uid()}` });
    const homeSlot = await t.slot(home.id, date, { places: 2, capabilities: NEEDS });
    const { provider: scheme } = await makeProvider('FAMILY_BASED', { operatorAuthorityId: t.authority.id, lat: HERE.lat + 0.05, lng: HERE.lng, name: `Link families ${uid()}` });
    const carer = await makeCarer(scheme.id, [{ need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: daysFromToday(-400), expiresOn: daysFromToday(-20) }]);
    const carerSlot = await t.slot(scheme.id, date, { places: 1, startTime: '17:00', durationMinutes: 41 * 60, capabilities: ['TWO_TO_ONE_STAFFING'], carerId: carer.id });
    const c = await t.child(NEEDS);
    const booking = await book(t.coordinatorToken, c.child.id, homeSlot.id);
    const started = await closeProvider(t.coordinatorToken, home.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 2, seed: 'training' });
    const closure = await settle(t.coordinatorToken, started.id);
    return { ...t, newChild: t.child, child: c.child, family: c.family, familyToken: c.familyToken, home, scheme, carer, carerSlot, booking, closure };
  }

  it('holds the place with a training action, and moves the child once valid training is recorded through the API', async () => {
    const w = await trainingGap(70);
    expect(w.closure.status).toBe('COMPLETED');
    expect(countsAddUp(w.closure)).toBe(true);
    expect(w.closure.counts).toMatchObject({ affected: 1, PENDING_TRAINING: 1 });
    const held = outcomeOf(w.closure, w.booking.id);
    expect(held).toMatchObject({ outcome: 'PENDING_TRAINING', childId: w.child.id, toSlotId: w.carerSlot.id, newBookingId: null, applied: true });
    expect(held.trainingAction).toEqual([
      expect.objectContaining({ carerId: w.carer.id, need: 'EPILEPSY_RESCUE_MEDICATION', course: courseFor('EPILEPSY_RESCUE_MEDICATION'), gap: 'EXPIRED', neededBy: w.carerSlot.startsAt.toISOString() }),
    ]);
    expect(w.closure.trainingActions).toEqual([expect.objectContaining({ carerId: w.carer.id, need: 'EPILEPSY_RESCUE_MEDICATION' })]);
    // The place is held for the child (nobody else can take it); the old booking is released, since from the
    // closing date nothing may stay at the home, and says where the child's place is held.
    expect(await db().slot.findUniqueOrThrow({ where: { id: w.carerSlot.id } })).toMatchObject({ held: 1, booked: 0 });
    const released = await db().booking.findUniqueOrThrow({ where: { id: w.booking.id } });
    expect(released.status).toBe('CANCELLED');
    expect(released.cancelReason).toMatch(/held at .* until carer training/);
    const rival = await w.newChild(['TWO_TO_ONE_STAFFING']);
    expect(refusalReasons(await post('/v1/bookings', w.coordinatorToken, { childId: rival.child.id, slotId: w.carerSlot.id }))).toContain('SLOT_FULL');

    const training = await post(`/v1/carers/${w.carer.id}/training`, w.coordinatorToken, {
      need: 'EPILEPSY_RESCUE_MEDICATION',
      course: 'Buccal midazolam administration',
      completedOn: daysFromToday(0),
      expiresOn: daysFromToday(400),
    });
    expect(training.status).toBe(201);
    // Recording the training queues the re-check job (in the same transaction); the re-check confirms the hold.
    expect(await db().jobOutbox.count({ where: { name: 'recheckTraining', jobId: `training-${w.closure.id}-training-${training.body.id}` } })).toBe(1);
    // (The job itself may already have run it in another test process's worker: either way the hold is confirmed.)
    expect((await recheckTraining(w.closure.id)).waitlisted).toBe(0);
    const confirmed = (await get(`/v1/closures/${w.closure.id}`, w.coordinatorToken)).body as ClosureView;
    const moved = outcomeOf(confirmed, w.booking.id);
    expect(confirmed.counts).toMatchObject({ affected: 1, MOVED: 1, PENDING_TRAINING: 0 });
    const newBooking = await db().booking.findUniqueOrThrow({ where: { id: moved.newBookingId! } });
    expect(newBooking).toMatchObject({ childId: w.child.id, slotId: w.carerSlot.id, source: 'REHOMING', replacesBookingId: w.booking.id, status: 'CONFIRMED' });
    expect((await db().booking.findUniqueOrThrow({ where: { id: w.booking.id } })).status).toBe('REHOMED');
    expect(await db().slot.findUniqueOrThrow({ where: { id: w.carerSlot.id } })).toMatchObject({ held: 0, booked: 1 });
    // Running the re-check again (the job, a retry) changes nothing.
    expect(await recheckTraining(w.closure.id)).toEqual({ confirmed: 0, waitlisted: 0 });
    expect(await db().booking.count({ where: { replacesBookingId: w.booking.id } })).toBe(1);

    // The passport travels with the booking (invariant 5).
    const receiving = await get(`/v1/children/${w.child.id}`, await providerTokenFor(w.scheme.id));
    expect(receiving.status).toBe(200);
    expect(receiving.body.passport).toMatchObject({ communication: expect.any(String) });
    expectProblem(await get(`/v1/children/${w.child.id}`, await providerTokenFor(w.home.id)), 404);
    // Invariant 3: the carer's training is valid for the whole stay.
    const valid = await db().trainingRecord.count({
      where: { carerId: w.carer.id, need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: { lte: newBooking.startsAt }, expiresOn: { gte: newBooking.endsAt } },
    });
    expect(valid).toBe(1);
  });

  it('waitlists the child and releases the hold when the break comes without training', async () => {
    const w = await trainingGap(72);
    const held = outcomeOf(w.closure, w.booking.id);
    expect(held.outcome).toBe('PENDING_TRAINING');

    // Not yet due: nothing changes.
    expect(await recheckTraining(w.closure.id)).toEqual({ confirmed: 0, waitlisted: 0 });
    const afterStart = new Date(w.carerSlot.startsAt.getTime() + 3600_000);
    expect(await recheckTraining(w.closure.id, afterStart)).toEqual({ confirmed: 0, waitlisted: 1 });

    const after = (await get(`/v1/closures/${w.closure.id}`, w.coordinatorToken)).body as ClosureView;
    expect(countsAddUp(after)).toBe(true);
    expect(after.counts).toMatchObject({ affected: 1, WAITLISTED: 1, PENDING_TRAINING: 0 });
    const waitlisted = outcomeOf(after, w.booking.id);
    expect(waitlisted.reason).toMatch(/training/i);
    expect(await db().slot.findUniqueOrThrow({ where: { id: w.carerSlot.id } })).toMatchObject({ held: 0, booked: 0 });
    // Never lost: the old booking is kept, cancelled with the reason.
    const old = await db().booking.findUniqueOrThrow({ where: { id: w.booking.id } });
    expect(old.status).toBe('CANCELLED');
    expect(old.cancelReason).toMatch(/closing/i);
    expect(await db().booking.count({ where: { replacesBookingId: w.booking.id } })).toBe(0);
    expect(await recheckTraining(w.closure.id, afterStart)).toEqual({ confirmed: 0, waitlisted: 0 });
  });
});

describe('a child with several bookings at the closing home', () => {
  it('moves them together, even when one new date overlaps another of the old bookings', async () => {
    const t = await tenant();
    const NEEDS: CareNeed[] = ['HOIST', 'TWO_TO_ONE_STAFFING'];
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing home ${uid()}` });
    const first = await t.slot(home.id, daysFromToday(90), { places: 1, capabilities: NEEDS });
    const second = await t.slot(home.id, daysFromToday(91), { places: 1, capabilities: NEEDS });
    // The first night can only go a day later, onto the second night's date; the second night then a day later again.
    const { provider: other } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Other ${uid()}` });
    const onSecond = await t.slot(other.id, daysFromToday(91), { places: 1, capabilities: NEEDS });
    const { provider: third } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Third ${uid()}` });
    const dayAfter = await t.slot(third.id, daysFromToday(92), { places: 1, capabilities: NEEDS });
    const c = await t.child(NEEDS);
    const b1 = await book(t.coordinatorToken, c.child.id, first.id);
    const b2 = await book(t.coordinatorToken, c.child.id, second.id);

    const started = await closeProvider(t.coordinatorToken, home.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 1, seed: 'chain' });
    const done = await settle(t.coordinatorToken, started.id);
    expect(countsAddUp(done)).toBe(true);
    expect(outcomeOf(done, b1.id)).toMatchObject({ outcome: 'OFFERED', toSlotId: onSecond.id });
    expect(outcomeOf(done, b2.id)).toMatchObject({ outcome: 'OFFERED', toSlotId: dayAfter.id });
    // Both offers can be taken up: the family accepts both.
    for (const b of [b1, b2]) expect((await post(`/v1/waitlist/${outcomeOf(done, b.id).waitlistEntryId}/accept`, c.familyToken)).status).toBe(200);
    const after = (await get(`/v1/closures/${started.id}`, t.coordinatorToken)).body as ClosureView;
    expect(after.counts).toMatchObject({ affected: 2, MOVED: 2 });
    const live = await db().booking.findMany({ where: { childId: c.child.id, status: 'CONFIRMED' } });
    expect(live.map((b) => b.slotId).sort()).toEqual([onSecond.id, dayAfter.id].sort());
  });
});

describe('a child affected by two closures', () => {
  it('keeps the offer the first closure made when the second waitlists the child on that day', async () => {
    const t = await tenant();
    const NEEDS: CareNeed[] = ['HOIST', 'TWO_TO_ONE_STAFFING'];
    const { provider: first } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `First closing ${uid()}` });
    const { provider: second } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Second closing ${uid()}` });
    const { provider: other } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Other ${uid()}` });
    const firstSlot = await t.slot(first.id, daysFromToday(95), { places: 1, capabilities: NEEDS });
    const offered = await t.slot(other.id, daysFromToday(96), { places: 1, capabilities: NEEDS });
    const c = await t.child(NEEDS);
    const b1 = await book(t.coordinatorToken, c.child.id, firstSlot.id);
    const one = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, first.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 1 })).id);
    const offer = outcomeOf(one, b1.id);
    expect(offer).toMatchObject({ outcome: 'OFFERED', toSlotId: offered.id });

    // Meanwhile the child is booked on the offered day at a second home, which then closes with nowhere else that day.
    const secondSlot = await t.slot(second.id, daysFromToday(96), { places: 1, capabilities: NEEDS });
    const b2 = await book(t.coordinatorToken, c.child.id, secondSlot.id);
    const two = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, second.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 0 })).id);
    expect(outcomeOf(two, b2.id).outcome).toBe('WAITLISTED');

    // The first offer still stands, its place still held for the child, and it can be taken up.
    expect(await db().waitlistEntry.findUniqueOrThrow({ where: { id: offer.waitlistEntryId! } })).toMatchObject({ status: 'OFFERED', rehoming: true });
    expect(await db().slot.findUniqueOrThrow({ where: { id: offered.id } })).toMatchObject({ held: 1, booked: 0 });
    expect((await post(`/v1/waitlist/${offer.waitlistEntryId}/accept`, c.familyToken)).status).toBe(200);
    expect(outcomeOf((await get(`/v1/closures/${one.id}`, t.coordinatorToken)).body, b1.id).outcome).toBe('MOVED');
  });
});

describe('a date-shifted alternative', () => {
  const NEEDS: CareNeed[] = ['HOIST', 'TWO_TO_ONE_STAFFING'];

  it('is offered to the family with the place held; accepting moves the child, declining cancels', async () => {
    const t = await tenant();
    const date = daysFromToday(75);
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing home ${uid()}` });
    const homeSlot = await t.slot(home.id, date, { places: 3, capabilities: NEEDS });
    const { provider: other } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, lat: HERE.lat - 0.05, lng: HERE.lng, name: `Other home ${uid()}` });
    // The only place that fits is two days later.
    const later = await t.slot(other.id, daysFromToday(77), { places: 3, capabilities: NEEDS });
    const accepting = await t.child(NEEDS);
    const declining = await t.child(NEEDS);
    const acceptingBooking = await book(t.coordinatorToken, accepting.child.id, homeSlot.id);
    const decliningBooking = await book(t.coordinatorToken, declining.child.id, homeSlot.id);
    const silent = await t.child(NEEDS);
    const silentBooking = await book(t.coordinatorToken, silent.child.id, homeSlot.id);
    // The accepting child travels by the authority's minibus: the plan keeps it a seat on the other date.
    await db().child.update({ where: { id: accepting.child.id }, data: { needsTransport: true } });
    await db().vehicle.create({ data: { authorityId: t.authority.id, name: `Minibus ${uid()}`, seats: 4, wheelchairSpaces: 1, baseLat: HERE.lat, baseLng: HERE.lng } });

    const started = await closeProvider(t.coordinatorToken, home.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 3, seed: 'offer' });
    const closure = await settle(t.coordinatorToken, started.id);
    expect(closure.status).toBe('COMPLETED');
    expect(countsAddUp(closure)).toBe(true);
    expect(closure.counts).toMatchObject({ affected: 3, OFFERED: 3 });
    for (const [c, b] of [[accepting, acceptingBooking], [declining, decliningBooking], [silent, silentBooking]] as const) {
      const offered = outcomeOf(closure, b.id);
      expect(offered).toMatchObject({ outcome: 'OFFERED', toSlotId: later.id, newBookingId: null, applied: true });
      expect(offered.detail).toMatchObject({ dayShift: 2 });
      const entry = await db().waitlistEntry.findUniqueOrThrow({ where: { id: offered.waitlistEntryId! } });
      expect(entry).toMatchObject({ childId: c.child.id, slotId: later.id, rehoming: true, status: 'OFFERED' });
      // The family sees its offer.
      // The family sees its offer, saying what it is: the place and dates, why, the journey and the transport.
      const mine = await get(`/v1/waitlist?childId=${c.child.id}`, c.familyToken);
      expect(mine.body.items).toEqual([
        expect.objectContaining({
          id: entry.id,
          status: 'OFFERED',
          rehoming: true,
          place: expect.objectContaining({ providerName: other.name, localDate: later.localDate, startsAt: later.startsAt.toISOString() }),
          rehomingOffer: {
            closureId: closure.id,
            reason: offered.reason,
            dayShift: 2,
            travelMinutes: expect.any(Number),
            transport: c === accepting ? 'Specialist transport arranged both ways' : 'Not needed: the family brings the child',
          },
        }),
      ]);
    }
    expect(await db().slot.findUniqueOrThrow({ where: { id: later.id } })).toMatchObject({ held: 3, booked: 0 });

    const acceptedEntry = outcomeOf(closure, acceptingBooking.id).waitlistEntryId!;
    const accepted = await post(`/v1/waitlist/${acceptedEntry}/accept`, accepting.familyToken);
    expect(accepted.status).toBe(200);
    const decline = await post(`/v1/waitlist/${outcomeOf(closure, decliningBooking.id).waitlistEntryId}/decline`, declining.familyToken);
    expect(decline.status).toBe(200);
    // The third family never answers: the offer runs out.
    expect(await expireOffer(outcomeOf(closure, silentBooking.id).waitlistEntryId!, new Date(Date.now() + 365 * 864e5))).toBe('EXPIRED');

    const after = (await get(`/v1/closures/${closure.id}`, t.coordinatorToken)).body as ClosureView;
    expect(countsAddUp(after)).toBe(true);
    expect(after.counts).toMatchObject({ affected: 3, MOVED: 1, CANCELLED_BY_FAMILY: 1, WAITLISTED: 1, OFFERED: 0 });
    const moved = outcomeOf(after, acceptingBooking.id);
    expect(moved.outcome).toBe('MOVED');
    expect(moved.newBookingId).toBe(accepted.body.bookingId);
    expect(await db().booking.findUniqueOrThrow({ where: { id: moved.newBookingId! } })).toMatchObject({ childId: accepting.child.id, slotId: later.id, source: 'REHOMING', status: 'CONFIRMED', replacesBookingId: acceptingBooking.id });
    // Seated both ways on the runs the plan made; the children who did not take the place have no seats.
    expect(moved.transport).toMatchObject({ outbound: expect.any(String), return: expect.any(String) });
    const seats = await db().transportSeat.findMany({ where: { bookingId: moved.newBookingId! }, include: { run: true } });
    expect(seats.map((x) => x.run.direction).sort()).toEqual(['FROM_BREAK', 'TO_BREAK']);
    expect(seats.every((x) => x.run.closureId === closure.id && x.childId === accepting.child.id)).toBe(true);
    expect(await db().transportSeat.count({ where: { childId: { in: [declining.child.id, silent.child.id] } } })).toBe(0);
    expect(outcomeOf(after, decliningBooking.id)).toMatchObject({ outcome: 'CANCELLED_BY_FAMILY', newBookingId: null });
    expect(outcomeOf(after, decliningBooking.id).reason).toMatch(/declined/);
    expect(outcomeOf(after, silentBooking.id)).toMatchObject({ outcome: 'WAITLISTED', newBookingId: null });
    expect(outcomeOf(after, silentBooking.id).reason).toMatch(/not answered in time/);
    expect(await db().slot.findUniqueOrThrow({ where: { id: later.id } })).toMatchObject({ held: 0, booked: 1 });
    // Both old bookings are kept in history, no longer live.
    for (const b of [acceptingBooking, decliningBooking, silentBooking]) {
      expect((await db().booking.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('CANCELLED');
    }
    // Passports: the receiving home sees the child it now has; the closing home sees neither.
    expect((await get(`/v1/children/${accepting.child.id}`, await providerTokenFor(other.id))).status).toBe(200);
    expectProblem(await get(`/v1/children/${declining.child.id}`, await providerTokenFor(other.id)), 404);
    expectProblem(await get(`/v1/children/${accepting.child.id}`, await providerTokenFor(home.id)), 404);
    // Each family was told.
    for (const c of [accepting, declining]) {
      expect(await db().notification.count({ where: { recipientRole: 'FAMILY', recipientId: c.family.id } })).toBeGreaterThan(0);
    }
  });
});

describe('three homes closing in a chain', () => {
  const NEEDS: CareNeed[] = ['HOIST', 'TWO_TO_ONE_STAFFING'];

  it('re-plans the offers each closure made at the next home, moves its waiting list, and strands nobody', async () => {
    const t = await tenant();
    const day = (n: number) => daysFromToday(110 + n);
    const home = async (label: string) => (await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `${label} ${uid()}` })).provider;
    const [a, b, c, d] = [await home('Ash House'), await home('Beech House'), await home('Cedar House'), await home('Dene House')];
    const first = await t.child(NEEDS);
    const second = await t.child(NEEDS);
    const third = await t.child(NEEDS);
    const firstBooking = await book(t.coordinatorToken, first.child.id, (await t.slot(a.id, day(0), { places: 1, capabilities: NEEDS })).id);

    // Ash closes: the only place is at Beech a day later, offered to the first family.
    const beechNight = await t.slot(b.id, day(1), { places: 2, capabilities: NEEDS });
    const ash = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, a.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 1, seed: 'ash' })).id);
    expect(outcomeOf(ash, firstBooking.id)).toMatchObject({ outcome: 'OFFERED', toSlotId: beechNight.id });
    const secondBooking = await book(t.coordinatorToken, second.child.id, beechNight.id);

    // Beech closes before the first family answers: its own booking and Ash's offer there are both re-planned, to Cedar.
    const cedarNight = await t.slot(c.id, day(1), { places: 2, capabilities: NEEDS });
    const beech = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, b.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 1, seed: 'beech' })).id);
    expect(countsAddUp(beech)).toBe(true);
    expect(beech.counts).toMatchObject({ affected: 2, MOVED: 1, OFFERED: 1 });
    expect(outcomeOf(beech, secondBooking.id)).toMatchObject({ outcome: 'MOVED', toSlotId: cedarNight.id });
    const handedOn = outcomeOf(beech, firstBooking.id);
    // Same night as the offer, but still an offer: the family never agreed to the first one either.
    expect(handedOn).toMatchObject({ outcome: 'OFFERED', toSlotId: cedarNight.id, fromOutcomeId: outcomeOf(ash, firstBooking.id).id });
    // Ash's plan no longer says Beech: it follows the child's place to Cedar.
    const ashNow = (await get(`/v1/closures/${ash.id}`, t.coordinatorToken)).body as ClosureView;
    expect(outcomeOf(ashNow, firstBooking.id)).toMatchObject({ outcome: 'OFFERED', toSlotId: cedarNight.id, waitlistEntryId: handedOn.waitlistEntryId, supersededByOutcomeId: handedOn.id });
    expect(outcomeOf(ashNow, firstBooking.id).reason).toMatch(/closed too/);
    // The Beech offer cannot be accepted any more, and it is not on the family's list.
    expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: outcomeOf(ash, firstBooking.id).waitlistEntryId! } })).status).toBe('WITHDRAWN');
    expect((await get(`/v1/waitlist?childId=${first.child.id}`, first.familyToken)).body.items).toEqual([expect.objectContaining({ id: handedOn.waitlistEntryId, status: 'OFFERED' })]);

    // Cedar is now full; a third family waits there.
    expect((await post('/v1/waitlist', third.familyToken, { childId: third.child.id, slotId: cedarNight.id })).status).toBe(201);

    // Cedar closes too. Dene has one place that night and one the night after.
    const deneNight = await t.slot(d.id, day(1), { places: 1, capabilities: NEEDS });
    const deneNext = await t.slot(d.id, day(2), { places: 1, capabilities: NEEDS });
    const cedar = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, c.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 1, seed: 'cedar' })).id);
    expect(countsAddUp(cedar)).toBe(true);
    expect(cedar.counts.affected).toBe(2);
    expect(cedar.waitlistEntriesMoved).toBe(1);
    // Cedar's own booking and Beech's offer there each got one of Dene's places.
    const toDene = cedar.outcomes.map((o) => o.toSlotId).sort();
    expect(toDene).toEqual([deneNight.id, deneNext.id].sort());
    // The third family waits for Dene that night instead (it is full now), first in line, and was told.
    const thirdEntries = (await get(`/v1/waitlist?childId=${third.child.id}`, third.familyToken)).body.items;
    expect(thirdEntries).toEqual([expect.objectContaining({ slotId: deneNight.id, status: 'WAITING', rehoming: true })]);
    expect(await db().notification.count({ where: { recipientRole: 'FAMILY', recipientId: third.family.id, dedupeKey: { startsWith: `closure-${cedar.id}-entry-` } } })).toBe(1);

    // Every family ends with a live place or an open offer at an open home; none is left pointing at a closed one.
    // (The second child was moved to Cedar, a real booking there, which Cedar's own closure then moved on.)
    const families = [
      { who: first, booking: firstBooking, closure: ash },
      { who: second, booking: { id: outcomeOf(beech, secondBooking.id).newBookingId! }, closure: cedar },
    ];
    for (const f of families) {
      const view = outcomeOf((await get(`/v1/closures/${f.closure.id}`, t.coordinatorToken)).body, f.booking.id);
      expect(['MOVED', 'OFFERED']).toContain(view.outcome);
      const slot = await db().slot.findUniqueOrThrow({ where: { id: view.toSlotId! }, include: { provider: true } });
      expect(slot.providerId).toBe(d.id);
      if (view.outcome === 'OFFERED') {
        expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: view.waitlistEntryId! } })).status).toBe('OFFERED');
        expect((await post(`/v1/waitlist/${view.waitlistEntryId}/accept`, f.who.familyToken)).status).toBe(200);
      } else {
        expect((await db().booking.findUniqueOrThrow({ where: { id: view.newBookingId! } })).status).toBe('CONFIRMED');
      }
      // Once accepted, the first closure's plan says MOVED.
      expect(outcomeOf((await get(`/v1/closures/${f.closure.id}`, t.coordinatorToken)).body, f.booking.id).outcome).toBe('MOVED');
    }
    const live = await db().booking.findMany({ where: { childId: { in: [first.child.id, second.child.id] }, status: 'CONFIRMED' } });
    expect(live.map((x) => x.slotId).sort()).toEqual([deneNight.id, deneNext.id].sort());
    expect(await strandedOffers([a.id, b.id, c.id])).toEqual([]);
    expect(await closureViolations([a.id, b.id, c.id])).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
    // None of the closed homes' nights is on sale.
    for (const home of [a, b, c]) {
      expect((await get(`/v1/slots?from=${day(-1)}&to=${day(3)}&providerId=${home.id}`, t.coordinatorToken)).body.items).toEqual([]);
    }
  });

  it('hands a training hold at a home that then closes to the next closure, which frees the held place', async () => {
    const t = await tenant();
    const date = daysFromToday(130);
    const TRAINED: CareNeed[] = ['EPILEPSY_RESCUE_MEDICATION', 'TWO_TO_ONE_STAFFING'];
    const { provider: homeA } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing home ${uid()}` });
    const { provider: scheme } = await makeProvider('FAMILY_BASED', { operatorAuthorityId: t.authority.id, lat: HERE.lat + 0.05, lng: HERE.lng, name: `Link families ${uid()}` });
    const carer = await makeCarer(scheme.id, [{ need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: daysFromToday(-400), expiresOn: daysFromToday(-20) }]);
    const carerSlot = await t.slot(scheme.id, date, { places: 1, durationMinutes: 41 * 60, capabilities: ['TWO_TO_ONE_STAFFING'], carerId: carer.id });
    const c = await t.child(TRAINED);
    const booking = await book(t.coordinatorToken, c.child.id, (await t.slot(homeA.id, date, { places: 1, capabilities: TRAINED })).id);
    const one = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, homeA.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 0 })).id);
    expect(outcomeOf(one, booking.id).outcome).toBe('PENDING_TRAINING');
    expect((await db().slot.findUniqueOrThrow({ where: { id: carerSlot.id } })).held).toBe(1);

    // The scheme itself closes: the hold is re-planned (nowhere else meets the need that night) and the place freed.
    const two = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, scheme.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 0 })).id);
    expect(two.counts).toMatchObject({ affected: 1, WAITLISTED: 1 });
    expect(outcomeOf(two, booking.id).fromOutcomeId).toBe(outcomeOf(one, booking.id).id);
    expect((await db().slot.findUniqueOrThrow({ where: { id: carerSlot.id } })).held).toBe(0);
    const firstNow = outcomeOf((await get(`/v1/closures/${one.id}`, t.coordinatorToken)).body, booking.id);
    expect(firstNow).toMatchObject({ outcome: 'WAITLISTED', supersededByOutcomeId: outcomeOf(two, booking.id).id });
    // Training recorded later confirms nothing at the closed scheme.
    expect(await recheckTraining(one.id)).toEqual({ confirmed: 0, waitlisted: 0 });
  });
});

describe('previewing a closure', () => {
  const NEEDS: CareNeed[] = ['HOIST', 'TWO_TO_ONE_STAFFING'];

  it('says who is affected and what the plan would do, writes nothing, and matches what the closure then does', async () => {
    const t = await tenant();
    const other = await makeAuthority();
    const date = daysFromToday(160);
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, ...HERE, name: `Closing home ${uid()}` });
    const homeSlot = await t.slot(home.id, date, { places: 2, capabilities: NEEDS });
    const { provider: other2 } = await makeProvider('RESIDENTIAL', { ...HERE, name: `Other ${uid()}` });
    const onePlace = await t.slot(other2.id, date, { places: 1, capabilities: NEEDS });
    const [c1, c2] = [await t.child(NEEDS), await t.child(NEEDS)];
    await book(t.coordinatorToken, c1.child.id, homeSlot.id);
    await book(t.coordinatorToken, c2.child.id, homeSlot.id);
    const body = { effectiveFrom: daysFromToday(1), reason: 'Closing', maxDateShiftDays: 0, seed: 'preview' };

    const preview = await post(`/v1/providers/${home.id}/closure/preview`, t.coordinatorToken, body);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      kind: 'CLOSURE',
      providerName: home.name,
      affected: { places: 2, children: 2, families: 2, otherAuthorities: 0 },
      byMonth: [{ month: date.slice(0, 7), places: 2 }],
      expected: { MOVED: 1, OFFERED: 0, PENDING_TRAINING: 0, WAITLISTED: 1 },
    });
    expect(preview.body.children.map((ch: { name: string }) => ch.name).sort()).toEqual([c1.child, c2.child].map((ch) => `${ch.firstName} Test`).sort());
    // A dry run: nothing changed.
    expect((await db().provider.findUniqueOrThrow({ where: { id: home.id } })).status).toBe('ACTIVE');
    expect(await db().closure.count({ where: { providerId: home.id } })).toBe(0);
    expect(await db().slot.findUniqueOrThrow({ where: { id: onePlace.id } })).toMatchObject({ booked: 0, held: 0 });
    // Only the operator previews a closure; a bad date changes nothing either.
    expectProblem(await post(`/v1/providers/${home.id}/closure/preview`, other.coordinatorToken, body), 403);
    expectProblem(await post(`/v1/providers/${home.id}/closure/preview`, t.coordinatorToken, { ...body, effectiveFrom: daysFromToday(-2) }), 400);

    const done = await settle(t.coordinatorToken, (await closeProvider(t.coordinatorToken, home.id, body)).id);
    expect(done.counts).toMatchObject({ affected: 2, MOVED: 1, WAITLISTED: 1 });
  });
});
