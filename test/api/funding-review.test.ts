/**
 * The funding review, as a commissioner asks for it: for a period, spend
 * against budget by funder, what a delivered night costs, promised against
 * delivered and what the shortfall would cost, unmet demand by need and month
 * (from a published round and a waiting list), the children furthest behind —
 * through the API (JSON and CSV) and the page with its downloads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { call, get, post } from '../support/api.js';
import { makeFamilyWithChild } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { pageBrowser } from '../support/web-browser.js';

afterAll(closeConnections);

const FROM = daysFromToday(0);
const TO = daysFromToday(59);
const Q = `from=${FROM}&to=${TO}`;
let T: string;
let gastro: { id: string; firstName: string };
let waiting: { id: string; firstName: string };
let homeId: string;

beforeAll(async () => {
  const a = await makeAuthority();
  T = a.coordinatorToken;
  const authorityId = a.authority.id;
  const home = (await makeProvider('RESIDENTIAL')).provider;
  homeId = home.id;
  const beds = await makeSlots(home.id, { startDate: daysFromToday(10), untilDate: daysFromToday(20), places: 1, capabilities: ['GASTROSTOMY'] });
  await post(`/v1/capacity-rules/${beds.rule.id}/prices`, T, { unit: 'NIGHT', pence: 40_000, effectiveFrom: FROM });
  // The year's budgets; a 60-day period gets 60/366 of a 366-day one.
  await call('PUT', '/v1/budgets', { token: T, body: { funder: 'CONTINUING_CARE', periodStart: FROM, periodEnd: daysFromToday(365), pence: 3_660_000 } });

  gastro = (await makeFamilyWithChild(authorityId, { needs: ['GASTROSTOMY'], nights: 10, daySessions: 0, periodStart: FROM, periodEnd: TO })).child;
  waiting = (await makeFamilyWithChild(authorityId, { needs: ['WHEELCHAIR'], nights: 20, daySessions: 0, periodStart: FROM, periodEnd: TO })).child;
  await call('PUT', `/v1/children/${gastro.id}/funding`, { token: T, body: { shares: [{ funder: 'CONTINUING_CARE', percent: 100, need: 'GASTROSTOMY' }] } });
  const b1 = await post('/v1/bookings', T, { childId: gastro.id, slotId: beds.slots[0]!.id });
  const b2 = await post('/v1/bookings', T, { childId: gastro.id, slotId: beds.slots[2]!.id });
  expect([b1.status, b2.status]).toEqual([201, 201]);
  await db().booking.update({ where: { id: b1.body.id }, data: { status: 'ATTENDED' } });

  // A published round in which the wheelchair user asked for 6 nights and got none, and a place they still wait for.
  const request = await db().breakRequest.create({ data: { childId: waiting.id, authorityId, periodStart: FROM, periodEnd: TO, preferences: [], nightsWanted: 6, createdByRole: 'COORDINATOR', status: 'ALLOCATED' } });
  await db().allocationRound.create({
    data: {
      authorityId, periodStart: daysFromToday(5), periodEnd: TO, seed: 'review', calendar: {}, status: 'PUBLISHED', publishedAt: new Date(),
      result: { explanations: [{ childId: waiting.id, requestId: request.id, unitsWanted: 0, unitsGot: 0, preferences: [] }] },
    },
  });
  await db().waitlistEntry.create({ data: { childId: waiting.id, slotId: beds.slots[4]!.id, authorityId, status: 'WAITING' } });
});

describe('GET /v1/reports/funding-review', () => {
  it('answers what the period cost, against budget, what a night costs, what the shortfall would cost and who waits', async () => {
    const res = await get(`/v1/reports/funding-review?${Q}`, T);
    expect(res.status).toBe(200);
    const r = res.body;
    const icb = r.spendByFunder.find((f: { funder: string }) => f.funder === 'CONTINUING_CARE');
    expect(icb).toMatchObject({ budgetPence: 600_000, committedPence: 80_000, deliveredPence: 40_000, remainingPence: 520_000, committedShare: 0.133 });
    expect(r.spendByFunder.map((f: { funder: string }) => f.funder)).toEqual(['SOCIAL_CARE', 'CONTINUING_CARE', 'EDUCATION']);
    expect(r.unitCosts.byProvider).toEqual([expect.objectContaining({ providerId: homeId, deliveredNights: 1, costPerDeliveredNightPence: 40_000 })]);
    expect(r.unitCosts.byKind).toEqual([expect.objectContaining({ kind: 'RESIDENTIAL', costPerDeliveredNightPence: 40_000 })]);
    // 30 nights awarded, 1 delivered, 1 booked ahead: 28 short, at £400 a committed night.
    expect(r.promisedVsDelivered).toMatchObject({ children: 2, awardedNights: 30, deliveredNights: 1, bookedAheadNights: 1, shortfallNights: 28, averageNightPence: 40_000, shortfallCostPence: 28 * 40_000 });
    // The round missed 6 nights over days 5 to 59, which span two or three months: each month of the period has its part.
    const wheelchair = r.unmetDemand.filter((u: { need: string }) => u.need === 'WHEELCHAIR');
    expect(wheelchair.reduce((n: number, u: { roundUnits: number }) => n + u.roundUnits, 0)).toBe(6);
    const months = [...new Set([daysFromToday(5), daysFromToday(35), TO].map((d) => d.slice(0, 7)))];
    // (A month with only a day or two of the period may round to none; two months always hold at least a fortnight.)
    const withUnits = wheelchair.filter((u: { roundUnits: number }) => u.roundUnits > 0).map((u: { month: string }) => u.month);
    expect(withUnits.length).toBeGreaterThanOrEqual(2);
    expect(months).toEqual(expect.arrayContaining(withUnits));
    expect(wheelchair.every((u: { children: number }) => u.children === 1)).toBe(true);
    expect(r.unmetDemand.reduce((n: number, u: { waitingListUnits: number }) => n + u.waitingListUnits, 0)).toBe(1);
    expect(r.furthestBehind[0]).toMatchObject({ childId: waiting.id, awardedNights: 20, deliveredNights: 0, shortfallNights: 20, shortfallCostPence: 800_000 });
  });

  it('exports each section of the pack as CSV', async () => {
    const csv = await call('GET', `/v1/reports/funding-review?${Q}&format=csv&section=furthest-behind`, { token: T });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('childId,childName,awardedNights,deliveredNights,behindNights,behindSessions,shortfallNights,shortfallSessions,shortfallCostPence');
    expect(lines[1]).toContain(waiting.id);
    const spend = await call('GET', `/v1/reports/funding-review?${Q}&format=csv`, { token: T });
    expect((spend.body as string).split('\r\n')[0]).toBe('funder,budgetPence,committedPence,deliveredPence,cancelledPence,remainingPence,committedShare');
    expect((await get(`/v1/reports/funding-review?${Q}&section=nope`, T)).status).toBe(400);
    expect((await get(`/v1/reports/funding-review?from=${TO}&to=${FROM}`, T)).status).toBe(400);
  });
});

describe('the funding review page', () => {
  it('shows the review with charts for a signed-in coordinator, and downloads the pack with the same session', async () => {
    const b = pageBrowser();
    expect((await b.signIn(T)).status).toBe(303);
    const page = await b.request(`/coordinator/funding-review?${Q}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Funding review');
    expect(page.html).toMatch(/<svg [^>]*role="img"/);
    expect(page.html).toContain(waiting.firstName);
    expect(page.html).toContain('£11,200');
    const csv = await b.request(`/coordinator/funding-review/unmet-demand.csv?${Q}`);
    expect(csv.contentType).toContain('text/csv');
    expect(csv.html.split('\r\n')[0]).toBe('month,need,roundUnits,waitingListUnits,children');
    const json = await b.request(`/coordinator/funding-review/pack.json?${Q}`);
    expect(JSON.parse(json.html).promisedVsDelivered.shortfallNights).toBe(28);
    expect((await b.request(`/coordinator/funding-review/nope.csv?${Q}`)).status).toBe(404);
  });
});
