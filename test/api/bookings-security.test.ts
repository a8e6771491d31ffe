/**
 * Who may book, read and cancel (invariant 5): only coordinators book, and only
 * their own authority's children; a family reads and cancels only its own
 * children's bookings; a provider only bookings in its own slots. Someone
 * else's booking is a 404, so its id reveals nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { expectProblem, get, post } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

async function setup() {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL');
  const slot = await makeSlot(provider.id, daysFromToday(35), { places: 3 });
  const a = await makeFamilyWithChild(authority.id);
  const b = await makeFamilyWithChild(authority.id);
  return { authority, coordinatorToken, provider, providerToken, slot, a, b };
}

describe('booking', () => {
  it('refuses families and providers (403), even for their own child', async () => {
    const { providerToken, slot, a } = await setup();
    expectProblem(await post('/v1/bookings', a.familyToken, { childId: a.child.id, slotId: slot.id }), 403, 'FORBIDDEN');
    expectProblem(await post('/v1/bookings', providerToken, { childId: a.child.id, slotId: slot.id }), 403, 'FORBIDDEN');
    expect(await db().booking.count({ where: { childId: a.child.id } })).toBe(0);
  });

  it("does not let a family book another family's child", async () => {
    const { slot, a, b } = await setup();
    expectProblem(await post('/v1/bookings', a.familyToken, { childId: b.child.id, slotId: slot.id }), 403, 'FORBIDDEN');
    expect(await db().booking.count({ where: { childId: b.child.id } })).toBe(0);
  });

  it("hides another authority's children from a coordinator (404)", async () => {
    const { slot, a } = await setup();
    const other = await makeAuthority();
    expectProblem(await post('/v1/bookings', other.coordinatorToken, { childId: a.child.id, slotId: slot.id }), 404, 'NOT_FOUND');
    expect(await db().booking.count({ where: { childId: a.child.id } })).toBe(0);
  });

  it('requires a token', async () => {
    const { slot, a } = await setup();
    expectProblem(await post('/v1/bookings', undefined, { childId: a.child.id, slotId: slot.id }), 401, 'UNAUTHENTICATED');
  });
});

describe('reading and cancelling', () => {
  it("does not let a family read or cancel another family's booking (404), and leaves it untouched", async () => {
    const { coordinatorToken, slot, a, b } = await setup();
    const theirs = await book(coordinatorToken, b.child.id, slot.id);
    expectProblem(await get(`/v1/bookings/${theirs.id}`, a.familyToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/v1/bookings/${theirs.id}/cancel`, a.familyToken, { reason: 'mischief' }), 404, 'NOT_FOUND');
    const row = await db().booking.findUniqueOrThrow({ where: { id: theirs.id } });
    expect(row.status).toBe('CONFIRMED');
    expect(await db().auditEvent.count({ where: { bookingId: theirs.id, action: 'booking.cancelled' } })).toBe(0);
  });

  it('lists only what each principal may see', async () => {
    const { coordinatorToken, providerToken, slot, a, b } = await setup();
    const mine = await book(coordinatorToken, a.child.id, slot.id);
    const theirs = await book(coordinatorToken, b.child.id, slot.id);
    const elsewhere = await makeProvider('RESIDENTIAL');
    const otherSlot = await makeSlot(elsewhere.provider.id, daysFromToday(50));
    const notTheProvidersOwn = await book(coordinatorToken, a.child.id, otherSlot.id);

    const ids = async (token: string, query = '') => (await get(`/v1/bookings${query}`, token)).body.items.map((x: { id: string }) => x.id).sort();
    expect(await ids(a.familyToken)).toEqual([mine.id, notTheProvidersOwn.id].sort());
    expect(await ids(b.familyToken)).toEqual([theirs.id]);
    // Asking for another family's child by id gives an empty page, not their bookings.
    expect(await ids(a.familyToken, `?childId=${b.child.id}`)).toEqual([]);
    expect(await ids(providerToken)).toEqual([mine.id, theirs.id].sort());
    expect(await ids(coordinatorToken, `?slotId=${slot.id}`)).toEqual([mine.id, theirs.id].sort());
    const other = await makeAuthority();
    expect(await ids(other.coordinatorToken, `?slotId=${slot.id}`)).toEqual([]);
    expectProblem(await get(`/v1/bookings/${mine.id}`, other.coordinatorToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/v1/bookings/${mine.id}/cancel`, other.coordinatorToken), 404, 'NOT_FOUND');
  });
});
