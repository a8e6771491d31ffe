/**
 * The swap board through the API: a family lists a break it would give up;
 * another family sees it only when its child could take it and the first
 * child could take one of its breaks in return, never who listed it; the offer
 * is a swap proposal the listing family accepts, and both children move.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

async function setup() {
  const { authority, coordinatorToken } = await makeAuthority({ swapRequiresApproval: false });
  const { provider } = await makeProvider('RESIDENTIAL');
  const { provider: nursing } = await makeProvider('RESIDENTIAL');
  const plainNight = await makeSlot(provider.id, daysFromToday(35), { places: 2 });
  const nursingNight = await makeSlot(nursing.id, daysFromToday(42), { places: 2, capabilities: ['GASTROSTOMY'] });
  const oxygenNight = await makeSlot(provider.id, daysFromToday(49), { places: 2, capabilities: ['OXYGEN'] });
  // A lists its nursing-cover night; B (no special needs) and C (gastrostomy) look at the board.
  const a = await makeFamilyWithChild(authority.id, { needs: ['GASTROSTOMY'] });
  const b = await makeFamilyWithChild(authority.id);
  const c = await makeFamilyWithChild(authority.id, { needs: ['OXYGEN'] });
  const bookingA = await book(coordinatorToken, a.child.id, nursingNight.id);
  const bookingB = await book(coordinatorToken, b.child.id, plainNight.id);
  const bookingC = await book(coordinatorToken, c.child.id, oxygenNight.id);
  return { authority, coordinatorToken, provider, nursing, plainNight, nursingNight, oxygenNight, a, b, c, bookingA, bookingB, bookingC };
}

describe('swap board', () => {
  it('shows a listed break only to a family whose child could take it and who holds a break the other child could take in return', async () => {
    const s = await setup();
    // A (gastrostomy) lists its night at the home with nursing cover.
    const listed = await post('/v1/swap-board', s.a.familyToken, { bookingId: s.bookingA.id });
    expect(listed.status, JSON.stringify(listed.body)).toBe(201);
    expect(listed.body).toMatchObject({ bookingId: s.bookingA.id, childId: s.a.child.id, place: { providerName: s.nursing.name, nights: 1 } });

    // B's child could take it, but A's child could not take B's night in return (no gastrostomy cover there): not offered to B.
    const boardForB = await get('/v1/swap-board', s.b.familyToken);
    expect(boardForB.status).toBe(200);
    expect(boardForB.body).toMatchObject({ available: [], notSuitable: 1 });
    // C's child needs oxygen, which the listed home cannot meet: not offered to C.
    expect((await get('/v1/swap-board', s.c.familyToken)).body).toMatchObject({ available: [], notSuitable: 1 });

    // D's child also needs gastrostomy care and holds another nursing-cover night: both fit, so D sees it, with that night to give.
    const dNight = await makeSlot(s.nursing.id, daysFromToday(63), { places: 2, capabilities: ['GASTROSTOMY'] });
    const d = await makeFamilyWithChild(s.authority.id, { needs: ['GASTROSTOMY'] });
    const bookingD = await book(s.coordinatorToken, d.child.id, dNight.id);
    const boardForD = (await get('/v1/swap-board', d.familyToken)).body;
    expect(boardForD.notSuitable).toBe(0);
    expect(boardForD.available).toEqual([
      expect.objectContaining({ listingId: listed.body.id, forChildren: [{ childId: d.child.id, exchangeFor: [expect.objectContaining({ bookingId: bookingD.id })] }] }),
    ]);
  });

  it('offers exactly the exchanges both children fit, and the accepted offer gives each child what the board showed', async () => {
    const { authority, coordinatorToken } = await makeAuthority({ swapRequiresApproval: false });
    const { provider } = await makeProvider('RESIDENTIAL');
    const listedNight = await makeSlot(provider.id, daysFromToday(30), { places: 1 });
    const offeredNight = await makeSlot(provider.id, daysFromToday(37), { places: 1 });
    const a = await makeFamilyWithChild(authority.id);
    const b = await makeFamilyWithChild(authority.id);
    const bookingA = await book(coordinatorToken, a.child.id, listedNight.id);
    const bookingB = await book(coordinatorToken, b.child.id, offeredNight.id);
    const listing = (await post('/v1/swap-board', a.familyToken, { bookingId: bookingA.id })).body as { id: string };

    const board = (await get('/v1/swap-board', b.familyToken)).body;
    expect(board.available).toHaveLength(1);
    const entry = board.available[0];
    expect(entry).toMatchObject({ listingId: listing.id, place: { providerName: provider.name, localDate: listedNight.localDate } });
    // Nothing names the other family or child.
    expect(JSON.stringify(board)).not.toContain(a.child.id);
    expect(JSON.stringify(board)).not.toContain(a.family.id);
    expect(JSON.stringify(board)).not.toContain(a.child.firstName);
    expect(JSON.stringify(board)).not.toContain(bookingA.id);
    expect(entry.forChildren).toEqual([{ childId: b.child.id, exchangeFor: [expect.objectContaining({ bookingId: bookingB.id, alreadyOffered: false })] }]);
    // A's own board lists it, and not among what A could take.
    const own = (await get('/v1/swap-board', a.familyToken)).body;
    expect(own.listed.map((l: { id: string }) => l.id)).toEqual([listing.id]);
    expect(own.available).toEqual([]);

    // B offers its night; the board then says it is offered.
    const offer = await post(`/v1/swap-board/${listing.id}/offers`, b.familyToken, { bookingId: bookingB.id });
    expect(offer.status, JSON.stringify(offer.body)).toBe(201);
    expect(offer.body).toMatchObject({ bookingAId: bookingB.id, bookingBId: bookingA.id, status: 'PROPOSED' });
    expect((await get('/v1/swap-board', b.familyToken)).body.available[0].forChildren[0].exchangeFor[0].alreadyOffered).toBe(true);

    // A accepts on its side; each child now holds the other's night, and the listing is gone from the board.
    const accepted = await post(`/v1/swaps/${offer.body.id}/accept`, a.familyToken);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.status).toBe('COMPLETED');
    const live = await db().booking.findMany({ where: { childId: { in: [a.child.id, b.child.id] }, status: 'CONFIRMED' } });
    expect(live.map((x) => [x.childId, x.slotId]).sort()).toEqual([[a.child.id, offeredNight.id], [b.child.id, listedNight.id]].sort());
    expect((await get('/v1/swap-board', b.familyToken)).body.available).toEqual([]);
    expect((await get('/v1/swap-board', a.familyToken)).body.listed).toEqual([]);
  });

  it('refuses what is not the family’s to list or offer, and takes a listing off the board', async () => {
    const { authority, coordinatorToken } = await makeAuthority({ swapRequiresApproval: false });
    const { provider } = await makeProvider('RESIDENTIAL');
    const night = await makeSlot(provider.id, daysFromToday(30), { places: 2 });
    const other = await makeSlot(provider.id, daysFromToday(31), { places: 2 });
    const a = await makeFamilyWithChild(authority.id);
    const b = await makeFamilyWithChild(authority.id);
    const bookingA = await book(coordinatorToken, a.child.id, night.id);
    const bookingB = await book(coordinatorToken, b.child.id, other.id);
    expectProblem(await post('/v1/swap-board', b.familyToken, { bookingId: bookingA.id }), 404, 'NOT_FOUND');
    expectProblem(await post('/v1/swap-board', a.familyToken, { bookingId: 'not-a-uuid' }), 400, 'VALIDATION_FAILED');
    expectProblem(await post('/v1/swap-board', coordinatorToken, { bookingId: bookingA.id }), 403, 'FORBIDDEN');
    const listing = (await post('/v1/swap-board', a.familyToken, { bookingId: bookingA.id })).body as { id: string };
    // Offering another family's break, or offering to oneself, is refused.
    expectProblem(await post(`/v1/swap-board/${listing.id}/offers`, b.familyToken, { bookingId: bookingA.id }), 404, 'NOT_FOUND');
    expectProblem(await post(`/v1/swap-board/${listing.id}/offers`, a.familyToken, { bookingId: bookingA.id }), 422, 'UNPROCESSABLE');
    // Only the listing family withdraws it.
    expectProblem(await call('DELETE', `/v1/swap-board/${listing.id}`, { token: b.familyToken }), 404, 'NOT_FOUND');
    expect((await call('DELETE', `/v1/swap-board/${listing.id}`, { token: a.familyToken })).status).toBe(204);
    expect((await get('/v1/swap-board', b.familyToken)).body.available).toEqual([]);
    expectProblem(await post(`/v1/swap-board/${listing.id}/offers`, b.familyToken, { bookingId: bookingB.id }), 404, 'NOT_FOUND');
  });
});
