/**
 * The waitlist, with automatic promotion: a freed place is
 * offered to the first eligible waiting child in the allocator's rotation order
 * (re-homed children first, then highest credit), held while the family
 * decides, and passed on when they decline or the offer expires. The worker's
 * job functions are called directly here, as the worker would call them;
 * waitlist-worker.test.ts runs the same path through BullMQ.
 *
 * Another test file's worker may run a promotion job first, so these tests
 * assert the state promotion leaves, not which caller made the offer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { expireOffer, promoteWaitlist } from '../../src/services/waitlist.js';
import { expectProblem, get, post } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot, refusalReasons } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

type Family = Awaited<ReturnType<typeof makeFamilyWithChild>>;

/** A one-place slot taken by `holder`, and a family per entry in `credits` waiting for it. */
async function fullSlotWithWaitlist(credits: (number | null)[]) {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider } = await makeProvider('RESIDENTIAL');
  const slot = await makeSlot(provider.id, daysFromToday(40), { places: 1 });
  const holder = await makeFamilyWithChild(authority.id);
  const holding = await book(coordinatorToken, holder.child.id, slot.id);
  const waiting: (Family & { entryId: string })[] = [];
  for (const credit of credits) {
    const f = await makeFamilyWithChild(authority.id);
    if (credit !== null) await db().allocationCredit.create({ data: { childId: f.child.id, authorityId: authority.id, credit, history: {}, roundId: 'test' } });
    const res = await post('/v1/waitlist', f.familyToken, { childId: f.child.id, slotId: slot.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ status: 'WAITING', childId: f.child.id, slotId: slot.id, rehoming: false });
    waiting.push({ ...f, entryId: res.body.id });
  }
  return { authority, coordinatorToken, provider, slot, holder, holding, waiting };
}

const entry = (id: string) => db().waitlistEntry.findUniqueOrThrow({ where: { id } });
const slotRow = (id: string) => db().slot.findUniqueOrThrow({ where: { id } });

/** Run the promotion job and return the ids of the slot's open offers. */
async function promote(slotId: string): Promise<string[]> {
  await promoteWaitlist(slotId);
  return (await db().waitlistEntry.findMany({ where: { slotId, status: 'OFFERED' } })).map((e) => e.id);
}

async function positions(token: string, slotId: string): Promise<Record<string, number | null>> {
  const res = await get(`/v1/waitlist?slotId=${slotId}`, token);
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.items.map((e: { id: string; position: number | null }) => [e.id, e.position]));
}

describe('joining and positions', () => {
  it('orders the queue by credit (highest first) and shows each family only its own position', async () => {
    const { coordinatorToken, slot, waiting } = await fullSlotWithWaitlist([null, 5, 2]);
    const [none, high, mid] = waiting as [Family & { entryId: string }, Family & { entryId: string }, Family & { entryId: string }];
    expect(await positions(coordinatorToken, slot.id)).toEqual({ [high.entryId]: 1, [mid.entryId]: 2, [none.entryId]: 3 });
    expect(await positions(mid.familyToken, slot.id)).toEqual({ [mid.entryId]: 2 });
    expect(await positions(none.familyToken, slot.id)).toEqual({ [none.entryId]: 3 });
  });

  it('puts children being re-homed after a closure ahead of everyone', async () => {
    const { authority, coordinatorToken, slot, waiting } = await fullSlotWithWaitlist([9]);
    const rehomed = await makeFamilyWithChild(authority.id);
    const r = await db().waitlistEntry.create({ data: { childId: rehomed.child.id, slotId: slot.id, authorityId: authority.id, rehoming: true } });
    expect(await positions(coordinatorToken, slot.id)).toEqual({ [r.id]: 1, [waiting[0]!.entryId]: 2 });
  });

  it('refuses to queue a child twice, for another family, or for a slot that has started', async () => {
    const { authority, coordinatorToken, slot, waiting, holder } = await fullSlotWithWaitlist([null]);
    const f = waiting[0]!;
    expectProblem(await post('/v1/waitlist', f.familyToken, { childId: f.child.id, slotId: slot.id }), 409, 'CONFLICT');
    // The child holding the place cannot wait for it too; nothing is written.
    const before = await db().waitlistEntry.count({ where: { slotId: slot.id } });
    expect(expectProblem(await post('/v1/waitlist', holder.familyToken, { childId: holder.child.id, slotId: slot.id }), 409, 'CONFLICT').detail).toMatch(/already booked/);
    expect(await db().waitlistEntry.count({ where: { slotId: slot.id } })).toBe(before);
    const other = await makeFamilyWithChild(authority.id);
    expectProblem(await post('/v1/waitlist', f.familyToken, { childId: other.child.id, slotId: slot.id }), 404, 'NOT_FOUND');
    expect(await db().waitlistEntry.count({ where: { childId: other.child.id } })).toBe(0);
    // A coordinator may queue any child of its authority.
    expect((await post('/v1/waitlist', coordinatorToken, { childId: other.child.id, slotId: slot.id })).status).toBe(201);
    const { providerToken } = await makeProvider('RESIDENTIAL');
    expectProblem(await get(`/v1/waitlist?slotId=${slot.id}`, providerToken), 403, 'FORBIDDEN');
  });
});

describe('promotion', () => {
  it('offers a freed place to the re-homed child first, then by credit, passing on as offers are declined or expire', async () => {
    const { authority, coordinatorToken, slot, holding, waiting } = await fullSlotWithWaitlist([null, 5, 2]);
    const [none, high, mid] = waiting as [Family & { entryId: string }, Family & { entryId: string }, Family & { entryId: string }];
    const rehomed = await makeFamilyWithChild(authority.id);
    const r = await db().waitlistEntry.create({ data: { childId: rehomed.child.id, slotId: slot.id, authorityId: authority.id, rehoming: true } });

    // Nothing to offer while the slot is full.
    expect(await promote(slot.id)).toEqual([]);

    expect((await post(`/v1/bookings/${holding.id}/cancel`, coordinatorToken, { reason: 'Family moved away' })).status).toBe(200);
    expect(await promote(slot.id)).toEqual([r.id]);
    const offered = await entry(r.id);
    expect(offered.offeredAt).not.toBeNull();
    expect(offered.offerExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await slotRow(slot.id)).toMatchObject({ booked: 0, held: 1 });
    // Running the job again offers nothing more: the only place is held.
    expect(await promote(slot.id)).toEqual([r.id]);
    expect(await db().notification.count({ where: { recipientId: rehomed.family.id } })).toBe(1);

    // Declined: the place passes to the highest credit.
    const declined = await post(`/v1/waitlist/${r.id}/decline`, rehomed.familyToken);
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('DECLINED');
    expect(await promote(slot.id)).toEqual([high.entryId]);

    // Expired: not before its time, then it passes to the next.
    const highOffer = await entry(high.entryId);
    expect(await expireOffer(high.entryId, new Date(highOffer.offerExpiresAt!.getTime() - 1000))).toBe('NOT_DUE');
    expect(await expireOffer(high.entryId, new Date(highOffer.offerExpiresAt!.getTime() + 1000))).toBe('EXPIRED');
    expect((await entry(high.entryId)).status).toBe('EXPIRED');
    expect(await expireOffer(high.entryId, new Date(highOffer.offerExpiresAt!.getTime() + 2000))).toBe('ALREADY_CLOSED');
    expect(await promote(slot.id)).toEqual([mid.entryId]);
    expect(await slotRow(slot.id)).toMatchObject({ booked: 0, held: 1 });

    // The last in line is now first.
    expect(await positions(none.familyToken, slot.id)).toEqual({ [none.entryId]: 1 });
  });

  it('holds the offered place: a direct booking is refused SLOT_FULL until the offer closes', async () => {
    const { authority, coordinatorToken, slot, holding, waiting } = await fullSlotWithWaitlist([null]);
    await post(`/v1/bookings/${holding.id}/cancel`, coordinatorToken);
    expect(await promote(slot.id)).toEqual([waiting[0]!.entryId]);

    const walkIn = await makeFamilyWithChild(authority.id);
    expect(refusalReasons(await post('/v1/bookings', coordinatorToken, { childId: walkIn.child.id, slotId: slot.id }))).toEqual(['SLOT_FULL']);
    const listed = await get(`/v1/slots?from=${daysFromToday(40)}&to=${daysFromToday(40)}&providerId=${slot.providerId}`, coordinatorToken);
    expect(listed.body.items[0]).toMatchObject({ booked: 0, held: 1, free: 0 });

    await post(`/v1/waitlist/${waiting[0]!.entryId}/decline`, waiting[0]!.familyToken);
    // No one else waits: the place is free again.
    expect(await promote(slot.id)).toEqual([]);
    expect(await slotRow(slot.id)).toMatchObject({ booked: 0, held: 0 });
    await book(coordinatorToken, walkIn.child.id, slot.id);
  });

  it('books the child when the family accepts, from the held place', async () => {
    const { coordinatorToken, slot, holding, waiting } = await fullSlotWithWaitlist([null, 1]);
    const [second, first] = waiting as [Family & { entryId: string }, Family & { entryId: string }];
    await post(`/v1/bookings/${holding.id}/cancel`, coordinatorToken);
    expect(await promote(slot.id)).toEqual([first.entryId]);

    // Only the offered family (or a coordinator) may answer.
    expectProblem(await post(`/v1/waitlist/${first.entryId}/accept`, second.familyToken), 404, 'NOT_FOUND');
    // A waiting entry has no offer to accept.
    expectProblem(await post(`/v1/waitlist/${second.entryId}/accept`, second.familyToken), 409, 'CONFLICT');

    const res = await post(`/v1/waitlist/${first.entryId}/accept`, first.familyToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.entry).toMatchObject({ id: first.entryId, status: 'ACCEPTED', bookingId: res.body.bookingId });
    const booking = await db().booking.findUniqueOrThrow({ where: { id: res.body.bookingId } });
    expect(booking).toMatchObject({ childId: first.child.id, slotId: slot.id, status: 'CONFIRMED', source: 'MANUAL' });
    expect(await slotRow(slot.id)).toMatchObject({ booked: 1, held: 0 });
    const history = (await get(`/v1/bookings/${booking.id}`, first.familyToken)).body.history;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['booking.created_from_waitlist']);

    expectProblem(await post(`/v1/waitlist/${first.entryId}/accept`, first.familyToken), 409, 'CONFLICT');
    expect(await db().booking.count({ where: { childId: first.child.id, slotId: slot.id } })).toBe(1);
    expect(await positions(second.familyToken, slot.id)).toEqual({ [second.entryId]: 1 });
  });

  it('refuses to accept an offer after it has expired, even before the expiry job has run', async () => {
    const { coordinatorToken, slot, holding, waiting } = await fullSlotWithWaitlist([null]);
    const f = waiting[0]!;
    await post(`/v1/bookings/${holding.id}/cancel`, coordinatorToken);
    await promote(slot.id);
    await db().waitlistEntry.update({ where: { id: f.entryId }, data: { offerExpiresAt: new Date(Date.now() - 1000) } });
    expectProblem(await post(`/v1/waitlist/${f.entryId}/accept`, f.familyToken), 409, 'CONFLICT');
    expect(await db().booking.count({ where: { childId: f.child.id } })).toBe(0);
    expect(await expireOffer(f.entryId)).toBe('EXPIRED');
    expect(await slotRow(slot.id)).toMatchObject({ booked: 0, held: 0 });
  });

  it('skips waiting children the place does not suit, keeping them in the queue', async () => {
    const { authority, coordinatorToken, slot, holding, waiting } = await fullSlotWithWaitlist([null]);
    const needsOxygen = await makeFamilyWithChild(authority.id, { needs: ['OXYGEN'] });
    await db().allocationCredit.create({ data: { childId: needsOxygen.child.id, authorityId: authority.id, credit: 50, history: {}, roundId: 'test' } });
    const joined = await post('/v1/waitlist', coordinatorToken, { childId: needsOxygen.child.id, slotId: slot.id });
    expect(await positions(coordinatorToken, slot.id)).toMatchObject({ [joined.body.id]: 1, [waiting[0]!.entryId]: 2 });

    await post(`/v1/bookings/${holding.id}/cancel`, coordinatorToken);
    expect(await promote(slot.id)).toEqual([waiting[0]!.entryId]);
    expect((await entry(joined.body.id)).status).toBe('WAITING');
  });

  it('offers a place at once to a child who joins while one is free', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const slot = await makeSlot(provider.id, daysFromToday(40), { places: 1 });
    const f = await makeFamilyWithChild(authority.id);
    const joined = await post('/v1/waitlist', f.familyToken, { childId: f.child.id, slotId: slot.id });
    expect(joined.status).toBe(201);
    expect(await promote(slot.id)).toEqual([joined.body.id]);
    expect((await get(`/v1/waitlist?childId=${f.child.id}`, f.familyToken)).body.items).toEqual([
      expect.objectContaining({ id: joined.body.id, status: 'OFFERED', position: null, offerExpiresAt: expect.any(String) }),
    ]);
    expect((await post(`/v1/waitlist/${joined.body.id}/accept`, coordinatorToken)).status).toBe(200);
  });

  it('lets a waiting family leave the queue', async () => {
    const { slot, waiting } = await fullSlotWithWaitlist([null, null]);
    const [leaving, staying] = waiting as [Family & { entryId: string }, Family & { entryId: string }];
    const res = await post(`/v1/waitlist/${leaving.entryId}/decline`, leaving.familyToken);
    expect(res.body.status).toBe('WITHDRAWN');
    expect(await positions(staying.familyToken, slot.id)).toEqual({ [staying.entryId]: 1 });
    expectProblem(await post(`/v1/waitlist/${leaving.entryId}/decline`, leaving.familyToken), 409, 'CONFLICT');
  });
});
