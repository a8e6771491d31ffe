/**
 * GET /v1/slots/days: free places per day for the month calendar. It must
 * agree with /v1/slots under the same filters and visibility rules, since a
 * coordinator reads one and books from the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/domain/london-time.js';
import { db } from '../../src/db.js';
import { expectProblem, get } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

const from = daysFromToday(300);
const to = addDays(from, 3);
let w: { providerId: string; providerToken: string; otherProviderToken: string; coordinatorA: string; coordinatorB: string; familyA: string };

beforeAll(async () => {
  const a = await makeAuthority();
  const b = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL');
  const other = await makeProvider('RESIDENTIAL');
  const { family, familyToken } = await makeFamily(a.authority.id);
  // Three open places a night for four nights; one hoist place on two of them, block-contracted to authority B.
  const { slots } = await makeSlots(provider.id, { startDate: from, untilDate: to, places: 3 });
  const { slots: hoist } = await makeSlots(provider.id, { startDate: addDays(from, 1), untilDate: addDays(from, 2), places: 1, capabilities: ['HOIST'], startTime: '10:00', durationMinutes: 6 * 60, reservedForAuthorityId: b.authority.id });
  await makeSlots(other.provider.id, { startDate: from, untilDate: to, places: 5 });
  const childA = await makeChild(family.id, a.authority.id);
  const childA2 = await makeChild(family.id, a.authority.id);
  const childB = await makeChild((await makeFamily(b.authority.id)).family.id, b.authority.id);
  await insertBooking(slots[1]!, childA);
  await insertBooking(slots[1]!, childA2);
  await insertBooking(hoist[1]!, childB);
  // A place held for a waiting-list offer is not free either.
  await db().slot.update({ where: { id: slots[2]!.id }, data: { held: 1 } });
  w = { providerId: provider.id, providerToken, otherProviderToken: other.providerToken, coordinatorA: a.coordinatorToken, coordinatorB: b.coordinatorToken, familyA: familyToken };
});

const days = async (token: string, query = '') => {
  const res = await get(`/v1/slots/days?from=${from}&to=${to}&providerId=${w.providerId}${query}`, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.days as { localDate: string; breaks: number; breaksWithFree: number; places: number; free: number; providers: number }[];
};

/** The same figures added up from /v1/slots, page by page. */
async function fromList(token: string, query = '') {
  const byDay = new Map<string, { localDate: string; breaks: number; breaksWithFree: number; places: number; free: number; providers: number }>();
  let cursor = '';
  do {
    const res = await get(`/v1/slots?from=${from}&to=${to}&providerId=${w.providerId}&limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`, token);
    for (const s of res.body.items as { localDate: string; capacity: number; free: number }[]) {
      const d = byDay.get(s.localDate) ?? { localDate: s.localDate, breaks: 0, breaksWithFree: 0, places: 0, free: 0, providers: 0 };
      d.breaks++;
      d.places += s.capacity;
      d.free += s.free;
      if (s.free > 0) d.breaksWithFree++;
      d.providers = d.breaksWithFree > 0 ? 1 : 0;
      byDay.set(s.localDate, d);
    }
    cursor = res.body.nextCursor ?? '';
  } while (cursor);
  return [...byDay.values()].sort((x, y) => x.localDate.localeCompare(y.localDate));
}

describe('GET /v1/slots/days', () => {
  it('counts breaks, places and free places per day, leaving out booked and held places', async () => {
    expect(await days(w.coordinatorB)).toEqual([
      { localDate: from, breaks: 1, breaksWithFree: 1, places: 3, free: 3, providers: 1 },
      { localDate: addDays(from, 1), breaks: 2, breaksWithFree: 2, places: 4, free: 2, providers: 1 },
      { localDate: addDays(from, 2), breaks: 2, breaksWithFree: 1, places: 4, free: 2, providers: 1 },
      { localDate: to, breaks: 1, breaksWithFree: 1, places: 3, free: 3, providers: 1 },
    ]);
  });

  it('agrees with /v1/slots for every role and filter, block contracts included', async () => {
    for (const token of [w.coordinatorA, w.coordinatorB, w.familyA, w.providerToken]) {
      expect(await days(token)).toEqual(await fromList(token));
      expect(await days(token, '&capability=HOIST')).toEqual(await fromList(token, '&capability=HOIST'));
    }
    // Authority A cannot see B's block contract: only the open places.
    expect((await days(w.coordinatorA)).map((d) => d.breaks)).toEqual([1, 1, 1, 1]);
    expect(await days(w.coordinatorA, '&capability=HOIST')).toEqual([]);
    // Another provider sees none of this provider's breaks.
    expect(await days(w.otherProviderToken)).toEqual([]);
  });

  it('counts providers with a free place across providers when not filtered to one, and totals each provider', async () => {
    const res = await get(`/v1/slots/days?from=${from}&to=${from}&kind=RESIDENTIAL`, w.coordinatorB);
    expect(res.status).toBe(200);
    expect(res.body.days[0].providers).toBeGreaterThanOrEqual(2);
    const whole = await get(`/v1/slots/days?from=${from}&to=${to}&providerId=${w.providerId}`, w.coordinatorB);
    expect(whole.body.providers).toEqual([{ providerId: w.providerId, providerName: expect.any(String), breaks: 6, breaksWithFree: 5, places: 14, free: 10 }]);
    // Authority A sees only the open places: 12 places, 2 booked, 1 held.
    const forA = await get(`/v1/slots/days?from=${from}&to=${to}&providerId=${w.providerId}`, w.coordinatorA);
    expect(forA.body.providers).toEqual([expect.objectContaining({ breaks: 4, places: 12, free: 9 })]);
  });

  it('refuses a bad window with problem+json', async () => {
    expectProblem(await get(`/v1/slots/days?from=${to}&to=${from}`, w.coordinatorA), 400);
    expectProblem(await get(`/v1/slots/days?from=${from}&to=${addDays(from, 401)}`, w.coordinatorA), 400);
    expectProblem(await get(`/v1/slots/days?from=${from}`, w.coordinatorA), 400);
    expectProblem(await get(`/v1/slots/days?from=${from}&to=${to}&capability=JUGGLING`, w.coordinatorA), 400);
  });
});
