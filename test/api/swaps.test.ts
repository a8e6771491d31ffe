/**
 * Swaps: family A offers its booking for family B's; B
 * accepts; a coordinator approves when the authority requires it. On
 * completion both old bookings are CANCELLED ("Swapped …") and two SWAP
 * bookings replace them — or, if either placement fails, nothing changes.
 * Infeasible swaps are refused up front; expired and superseded proposals close
 * themselves.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import type { CareNeed } from '../../src/domain/care-needs.js';
import { expectProblem, get, post } from '../support/api.js';
import { book, insertStay, makeFamilyWithChild, makeSlot, overnightMinutes, refusalReasons } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

interface SwapSetup {
  swapRequiresApproval?: boolean;
  needsA?: CareNeed[];
  needsB?: CareNeed[];
  nightsA?: number;
  capabilitiesA?: CareNeed[];
  capabilitiesB?: CareNeed[];
  nightsOfSlotB?: number;
}

/** Two families of one authority, each with a child booked into its own slot. */
async function setup(options: SwapSetup = {}) {
  const { authority, coordinatorToken } = await makeAuthority({ swapRequiresApproval: options.swapRequiresApproval ?? false });
  const { provider } = await makeProvider('RESIDENTIAL');
  const slotA = await makeSlot(provider.id, daysFromToday(35), { places: 2, capabilities: options.capabilitiesA ?? [] });
  const slotB = await makeSlot(provider.id, daysFromToday(42), {
    places: 2,
    capabilities: options.capabilitiesB ?? [],
    durationMinutes: overnightMinutes(options.nightsOfSlotB ?? 1),
  });
  const a = await makeFamilyWithChild(authority.id, { needs: options.needsA ?? [], nights: options.nightsA ?? 60 });
  const b = await makeFamilyWithChild(authority.id, { needs: options.needsB ?? [] });
  const bookingA = await book(coordinatorToken, a.child.id, slotA.id);
  const bookingB = await book(coordinatorToken, b.child.id, slotB.id);
  return { authority, coordinatorToken, provider, slotA, slotB, a, b, bookingA, bookingB };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function propose(s: Setup) {
  const res = await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: s.bookingB.id });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string; requiresApproval: boolean; expiresAt: string };
}

const bookingRow = (id: string) => db().booking.findUniqueOrThrow({ where: { id } });
const swapBookingsOf = (s: Setup) => db().booking.findMany({ where: { childId: { in: [s.a.child.id, s.b.child.id] }, source: 'SWAP' } });

/** Nothing moved: both originals live, no SWAP bookings, each slot still holds one child. */
async function expectUnchanged(s: Setup) {
  expect((await bookingRow(s.bookingA.id)).status).toBe('CONFIRMED');
  expect((await bookingRow(s.bookingB.id)).status).toBe('CONFIRMED');
  expect(await swapBookingsOf(s)).toEqual([]);
  expect((await db().slot.findUniqueOrThrow({ where: { id: s.slotA.id } })).booked).toBe(1);
  expect((await db().slot.findUniqueOrThrow({ where: { id: s.slotB.id } })).booked).toBe(1);
}

/** Both children moved: old bookings cancelled with history, new SWAP bookings replacing them. */
async function expectSwapped(s: Setup, swapId: string, newBookingIds: string[]) {
  for (const old of [s.bookingA, s.bookingB]) {
    const row = await bookingRow(old.id);
    expect(row.status).toBe('CANCELLED');
    expect(row.cancelReason).toMatch(/^Swapped/);
    expect(row.cancelReason).toContain(swapId);
  }
  const created = await swapBookingsOf(s);
  expect(created.map((b) => b.id).sort()).toEqual([...newBookingIds].sort());
  expect(created.find((b) => b.childId === s.a.child.id)).toMatchObject({ slotId: s.slotB.id, status: 'CONFIRMED', replacesBookingId: s.bookingA.id });
  expect(created.find((b) => b.childId === s.b.child.id)).toMatchObject({ slotId: s.slotA.id, status: 'CONFIRMED', replacesBookingId: s.bookingB.id });
  expect((await db().slot.findUniqueOrThrow({ where: { id: s.slotA.id } })).booked).toBe(1);
  expect((await db().slot.findUniqueOrThrow({ where: { id: s.slotB.id } })).booked).toBe(1);
}

describe('completing a swap', () => {
  it('completes when the other family accepts, if the authority needs no approval', async () => {
    const s = await setup({ swapRequiresApproval: false });
    const proposed = await propose(s);
    expect(proposed).toMatchObject({ status: 'PROPOSED', requiresApproval: false, bookingAId: s.bookingA.id, bookingBId: s.bookingB.id });
    expect(Date.parse(proposed.expiresAt)).toBeGreaterThan(Date.now());
    await expectUnchanged(s);

    const accepted = await post(`/v1/swaps/${proposed.id}/accept`, s.b.familyToken);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'COMPLETED', acceptedAt: expect.any(String), completedAt: expect.any(String) });
    expect(accepted.body.newBookingIds).toHaveLength(2);
    await expectSwapped(s, proposed.id, accepted.body.newBookingIds);

    const read = await get(`/v1/swaps/${proposed.id}`, s.a.familyToken);
    expect(read.body.status).toBe('COMPLETED');
    expect([...read.body.newBookingIds].sort()).toEqual([...accepted.body.newBookingIds].sort());
    // Both families still see the swap in their lists once their old bookings are gone.
    for (const token of [s.a.familyToken, s.b.familyToken]) {
      expect((await get('/v1/swaps', token)).body.items.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([[proposed.id, 'COMPLETED']]);
    }

    // History is kept on both sides of the move.
    const oldHistory = (await get(`/v1/bookings/${s.bookingA.id}`, s.a.familyToken)).body.history.map((h: { action: string }) => h.action);
    expect(oldHistory).toEqual(['booking.created', 'booking.swapped_out']);
    const newA = (await swapBookingsOf(s)).find((b) => b.childId === s.a.child.id)!;
    const newHistory = (await get(`/v1/bookings/${newA.id}`, s.a.familyToken)).body;
    expect(newHistory).toMatchObject({ source: 'SWAP', replacesBookingId: s.bookingA.id });
    expect(newHistory.history.map((h: { action: string }) => h.action)).toEqual(['booking.swapped_in']);

    // A swap is not a freed place: nothing is offered to the waitlist.
    expect(await db().jobOutbox.count({ where: { jobId: { in: [`promote-${s.slotA.id}-freed-${s.bookingA.id}`, `promote-${s.slotB.id}-freed-${s.bookingB.id}`] } } })).toBe(0);
  });

  it('waits for a coordinator when the authority requires approval, then completes', async () => {
    const s = await setup({ swapRequiresApproval: true });
    const proposed = await propose(s);
    expect(proposed.requiresApproval).toBe(true);
    expectProblem(await post(`/v1/swaps/${proposed.id}/approve`, s.coordinatorToken), 409, 'CONFLICT');

    const accepted = await post(`/v1/swaps/${proposed.id}/accept`, s.b.familyToken);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'ACCEPTED', newBookingIds: [] });
    await expectUnchanged(s);

    expectProblem(await post(`/v1/swaps/${proposed.id}/approve`, s.b.familyToken), 403, 'FORBIDDEN');
    const other = await makeAuthority();
    expectProblem(await post(`/v1/swaps/${proposed.id}/approve`, other.coordinatorToken), 404, 'NOT_FOUND');

    const approved = await post(`/v1/swaps/${proposed.id}/approve`, s.coordinatorToken);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'COMPLETED', approvedAt: expect.any(String) });
    await expectSwapped(s, proposed.id, approved.body.newBookingIds);
    expectProblem(await post(`/v1/swaps/${proposed.id}/approve`, s.coordinatorToken), 409, 'CONFLICT');
  });

  it('moves both children or neither: a clash that appears before approval leaves everything as it was', async () => {
    const s = await setup({ swapRequiresApproval: true });
    const proposed = await propose(s);
    expect((await post(`/v1/swaps/${proposed.id}/accept`, s.b.familyToken)).status).toBe(200);
    // Child B is booked elsewhere on the night of slot A after the proposal: child A's move
    // into slot B would still succeed, but child B's into slot A cannot.
    const elsewhere = (await makeProvider('RESIDENTIAL')).provider;
    await insertStay(s.b.child, elsewhere.id, daysFromToday(35), 1, { startTime: '19:00' });

    const approved = await post(`/v1/swaps/${proposed.id}/approve`, s.coordinatorToken);
    expect(refusalReasons(approved)).toEqual(['OVERLAPPING_BOOKING']);
    await expectUnchanged(s);
    expect(await db().auditEvent.count({ where: { bookingId: { in: [s.bookingA.id, s.bookingB.id] }, action: 'booking.swapped_out' } })).toBe(0);
    expect((await get(`/v1/swaps/${proposed.id}`, s.coordinatorToken)).body).toMatchObject({ status: 'ACCEPTED', completedAt: null });
  });
});

describe('refusing a swap up front', () => {
  it("refuses when a child's needs are not met by the other slot", async () => {
    const s = await setup({ needsB: ['GASTROSTOMY'], capabilitiesB: ['GASTROSTOMY'] });
    const res = await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: s.bookingB.id });
    expect(refusalReasons(res)).toEqual(['NEEDS_NOT_MET']);
    expect(res.body.reasons[0].detail).toMatch(/^The other child in your slot: .*GASTROSTOMY/);
    expect(await db().swap.count({ where: { bookingAId: s.bookingA.id } })).toBe(0);
    await expectUnchanged(s);
  });

  it("refuses when the other slot would go over a child's entitlement", async () => {
    // Child A has one night awarded; slot B is a two-night break.
    const s = await setup({ nightsA: 1, nightsOfSlotB: 2 });
    const res = await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: s.bookingB.id });
    expect(refusalReasons(res)).toEqual(['ENTITLEMENT_EXCEEDED']);
    expect(res.body.reasons[0].detail).toMatch(/^Your child in the other slot/);
  });

  it('refuses when a child already has a booking overlapping the other slot', async () => {
    const s = await setup();
    const elsewhere = (await makeProvider('RESIDENTIAL')).provider;
    await book(s.coordinatorToken, s.a.child.id, (await makeSlot(elsewhere.id, daysFromToday(42), { startTime: '20:00' })).id);
    expect(refusalReasons(await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: s.bookingB.id }))).toEqual(['OVERLAPPING_BOOKING']);
  });

  it('refuses two bookings of the same family, and a swap with itself', async () => {
    const s = await setup();
    const sibling = await db().child.create({ data: { familyId: s.a.family.id, authorityId: s.authority.id, firstName: 'Sib', lastName: 'Test', dateOfBirth: new Date('2016-01-01') } });
    await db().entitlement.create({ data: { childId: sibling.id, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 10, daySessions: 0 } });
    const siblings = await book(s.coordinatorToken, sibling.id, s.slotB.id);
    expectProblem(await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: siblings.id }), 422, 'UNPROCESSABLE');
    expectProblem(await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: s.bookingA.id }), 400, 'VALIDATION_FAILED');
  });
});

describe('proposals that close', () => {
  it('expires: accepting after expiresAt is a 409 and the swap shows EXPIRED', async () => {
    const s = await setup();
    const proposed = await propose(s);
    await db().swap.update({ where: { id: proposed.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expectProblem(await post(`/v1/swaps/${proposed.id}/accept`, s.b.familyToken), 409, 'CONFLICT');
    expect((await db().swap.findUniqueOrThrow({ where: { id: proposed.id } })).status).toBe('EXPIRED');
    expect((await get(`/v1/swaps/${proposed.id}`, s.b.familyToken)).body).toMatchObject({ status: 'EXPIRED', closedReason: expect.any(String) });
    await expectUnchanged(s);
  });

  it('shows an expired proposal as EXPIRED before anyone acts on it', async () => {
    const s = await setup();
    const proposed = await propose(s);
    await db().swap.update({ where: { id: proposed.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await get(`/v1/swaps/${proposed.id}`, s.a.familyToken)).body.status).toBe('EXPIRED');
    const listed = await get('/v1/swaps', s.b.familyToken);
    expect(listed.body.items.find((x: { id: string }) => x.id === proposed.id)).toMatchObject({ status: 'EXPIRED' });
  });

  it('is superseded when one of its bookings is cancelled', async () => {
    const s = await setup();
    const proposed = await propose(s);
    expect((await post(`/v1/bookings/${s.bookingA.id}/cancel`, s.a.familyToken, { reason: 'Changed plans' })).status).toBe(200);
    expect((await get(`/v1/swaps/${proposed.id}`, s.b.familyToken)).body).toMatchObject({ status: 'SUPERSEDED', closedReason: expect.stringContaining(s.bookingA.id) });
    expectProblem(await post(`/v1/swaps/${proposed.id}/accept`, s.b.familyToken), 409, 'CONFLICT');
    expect((await bookingRow(s.bookingB.id)).status).toBe('CONFIRMED');
    expect(await swapBookingsOf(s)).toEqual([]);
  });

  it('supersedes other open proposals on a booking once it has been swapped', async () => {
    const s = await setup();
    const c = await makeFamilyWithChild(s.authority.id);
    const bookingC = await book(s.coordinatorToken, c.child.id, (await makeSlot(s.provider.id, daysFromToday(49))).id);
    const rival = await post('/v1/swaps', c.familyToken, { bookingId: bookingC.id, withBookingId: s.bookingB.id });
    expect(rival.status).toBe(201);
    const proposed = await propose(s);
    expect((await post(`/v1/swaps/${proposed.id}/accept`, s.b.familyToken)).body.status).toBe('COMPLETED');
    expect((await get(`/v1/swaps/${rival.body.id}`, c.familyToken)).body.status).toBe('SUPERSEDED');
  });

  it('closes as REJECTED by the other family or WITHDRAWN by the proposer', async () => {
    const s = await setup();
    const first = await propose(s);
    const rejected = await post(`/v1/swaps/${first.id}/reject`, s.b.familyToken, { reason: 'We like our date' });
    expect(rejected.body).toMatchObject({ status: 'REJECTED', closedReason: 'We like our date' });
    expectProblem(await post(`/v1/swaps/${first.id}/accept`, s.b.familyToken), 409, 'CONFLICT');

    const second = await propose(s);
    expect((await post(`/v1/swaps/${second.id}/reject`, s.a.familyToken)).body.status).toBe('WITHDRAWN');
    await expectUnchanged(s);
  });
});

describe('who may swap', () => {
  it("does not let a family offer another family's booking as its own", async () => {
    const s = await setup();
    const c = await makeFamilyWithChild(s.authority.id);
    expectProblem(await post('/v1/swaps', c.familyToken, { bookingId: s.bookingA.id, withBookingId: s.bookingB.id }), 404, 'NOT_FOUND');
    expectProblem(await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingB.id, withBookingId: s.bookingA.id }), 404, 'NOT_FOUND');
    expect(await db().swap.count({ where: { OR: [{ bookingAId: s.bookingA.id }, { bookingAId: s.bookingB.id }] } })).toBe(0);
  });

  it('lets only the offered family accept, and hides the swap from everyone else', async () => {
    const s = await setup();
    const proposed = await propose(s);
    const c = await makeFamilyWithChild(s.authority.id);
    const { providerToken } = await makeProvider('RESIDENTIAL');
    expectProblem(await post(`/v1/swaps/${proposed.id}/accept`, s.a.familyToken), 403, 'FORBIDDEN');
    expectProblem(await post(`/v1/swaps/${proposed.id}/accept`, c.familyToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/v1/swaps/${proposed.id}/reject`, c.familyToken), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/swaps/${proposed.id}`, c.familyToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/v1/swaps/${proposed.id}/accept`, s.coordinatorToken), 403, 'FORBIDDEN');
    expectProblem(await post(`/v1/swaps/${proposed.id}/accept`, providerToken), 403, 'FORBIDDEN');
    expect((await get('/v1/swaps', c.familyToken)).body.items).toEqual([]);
    expect((await get(`/v1/swaps/${proposed.id}`, s.b.familyToken)).body.status).toBe('PROPOSED');
    await expectUnchanged(s);
  });

  it("does not swap with a booking in another authority", async () => {
    const s = await setup();
    const other = await makeAuthority();
    const theirs = await makeFamilyWithChild(other.authority.id);
    const theirBooking = await book(other.coordinatorToken, theirs.child.id, (await makeSlot(s.provider.id, daysFromToday(56))).id);
    expectProblem(await post('/v1/swaps', s.a.familyToken, { bookingId: s.bookingA.id, withBookingId: theirBooking.id }), 404, 'NOT_FOUND');
  });
});
