/**
 * A coordinator changes a child's award: the new figures apply to the next
 * booking at once, the old ones and the reason stay in the award's history
 * (also shown to the family), and a cut below what is already booked in the
 * period is refused in words.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { call, expectProblem, get, post } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

const put = (path: string, token: string, body: unknown) => call('PUT', path, { token, body });

describe('changing an award', () => {
  it('keeps the history, applies the new figures to the next booking, and refuses a cut below what is booked', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const period = { periodStart: daysFromToday(-10), periodEnd: daysFromToday(200) };
    const f = await makeFamilyWithChild(authority.id, { nights: 0, daySessions: 5, ...period });
    // A fresh award through the API is the first line of its history.
    const award = await post(`/v1/children/${f.child.id}/entitlements`, coordinatorToken, { ...period, nights: 1, daySessions: 0, notes: 'Panel 3 March' });
    expect(award.status).toBe(201);
    const first = await makeSlot(provider.id, daysFromToday(20), { places: 2 });
    const second = await makeSlot(provider.id, daysFromToday(27), { places: 2 });
    await book(coordinatorToken, f.child.id, first.id);
    // One night awarded, one used: the second night is refused until the award grows.
    const refused = await post('/v1/bookings', coordinatorToken, { childId: f.child.id, slotId: second.id });
    expectProblem(refused, 422, 'BOOKING_REFUSED');

    // Cutting to zero nights would leave the booked night over the award: refused, in words.
    const cut = await put(`/v1/entitlements/${award.body.id}`, coordinatorToken, { ...period, nights: 0, daySessions: 0, reason: 'Mistake' });
    expectProblem(cut, 409, 'CONFLICT');
    expect(cut.body.detail).toContain('already has 1 night(s)');

    const changed = await put(`/v1/entitlements/${award.body.id}`, coordinatorToken, { ...period, nights: 6, daySessions: 2, reason: 'Review after hospital stay' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ nights: 6, daySessions: 2 });
    expect((await post('/v1/bookings', coordinatorToken, { childId: f.child.id, slotId: second.id })).status).toBe(201);

    const history = await get(`/v1/children/${f.child.id}/entitlement-history`, coordinatorToken);
    expect(history.status).toBe(200);
    const ofAward = history.body.filter((h: { entitlementId: string }) => h.entitlementId === award.body.id);
    expect(ofAward).toEqual([
      expect.objectContaining({ nights: 6, daySessions: 2, reason: 'Review after hospital stay', previous: { ...period, nights: 1, daySessions: 0 }, changedBy: 'COORDINATOR' }),
      expect.objectContaining({ nights: 1, daySessions: 0, reason: 'Panel 3 March', previous: null }),
    ]);
    // The factory's award, made without the service, still shows as an award.
    expect(history.body).toHaveLength(3);
    // The family reads the same history; a family cannot change it.
    expect((await get(`/v1/children/${f.child.id}/entitlement-history`, f.familyToken)).body).toEqual(history.body);
    expectProblem(await put(`/v1/entitlements/${award.body.id}`, f.familyToken, { ...period, nights: 60, daySessions: 0, reason: 'More please' }), 403, 'FORBIDDEN');
    // A reason is required, and dates must run forwards.
    expectProblem(await put(`/v1/entitlements/${award.body.id}`, coordinatorToken, { ...period, nights: 6, daySessions: 2 }), 400, 'VALIDATION_FAILED');
    expectProblem(await put(`/v1/entitlements/${award.body.id}`, coordinatorToken, { periodStart: period.periodEnd, periodEnd: period.periodStart, nights: 6, daySessions: 2, reason: 'x' }), 400, 'VALIDATION_FAILED');
  });
});
