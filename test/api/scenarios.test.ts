/**
 * What-if scenarios, as a commissioner asks them: "if we upgraded this home to
 * take gastrostomy for 2 places, how many more nights would children get, and
 * at what cost per extra night?" The run goes through the job outbox and a
 * real BullMQ worker, allocates a copy of the period and writes nothing to the
 * live tables; scenarios are saved, compared side by side and exported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { startWorkers, type WorkerHandle } from '../../workers/index.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { makeFamilyWithChild } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { waitFor } from '../support/workers.js';

let workers: WorkerHandle | undefined;
afterAll(async () => {
  await workers?.stop();
  await closeConnections();
});

const START = daysFromToday(200);
const END = daysFromToday(206);
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];
let T: string;
let authorityId: string;
let nursing: { id: string };
let plain: { id: string };
let plainSlotIds: string[];
let nursingRuleId: string;

beforeAll(async () => {
  workers = await startWorkers({ sweepMs: 200 });
  const a = await makeAuthority();
  T = a.coordinatorToken;
  authorityId = a.authority.id;
  nursing = (await makeProvider('RESIDENTIAL')).provider;
  plain = (await makeProvider('RESIDENTIAL')).provider;
  // Kept for this authority, so other test files' children never take them.
  const n = await makeSlots(nursing.id, { startDate: START, untilDate: END, places: 1, capabilities: ['GASTROSTOMY'], reservedForAuthorityId: authorityId });
  const p = await makeSlots(plain.id, { startDate: START, untilDate: END, places: 3, capabilities: ['AUTISM'], reservedForAuthorityId: authorityId });
  plainSlotIds = p.slots.map((s) => s.id);
  nursingRuleId = n.rule.id;
  await post(`/v1/capacity-rules/${n.rule.id}/prices`, T, { unit: 'NIGHT', pence: 78_000, effectiveFrom: daysFromToday(0) });
  await post(`/v1/capacity-rules/${p.rule.id}/prices`, T, { unit: 'NIGHT', pence: 42_000, effectiveFrom: daysFromToday(0) });
  // Three children fed by gastrostomy each ask for 4 of the week's 7 nights, at either home.
  for (let i = 0; i < 3; i++) {
    const { child } = await makeFamilyWithChild(authorityId, { needs: ['GASTROSTOMY'] });
    await db().breakRequest.create({
      data: {
        childId: child.id, authorityId, periodStart: START, periodEnd: END, nightsWanted: 4, createdByRole: 'COORDINATOR',
        preferences: [{ kind: 'DAYS', daysOfWeek: EVERY_DAY, providerId: nursing.id }, { kind: 'DAYS', daysOfWeek: EVERY_DAY, providerId: plain.id }],
      },
    });
  }
});

/** What a scenario must never change: every live table it reads (this test's rows: other files run alongside). */
async function liveState() {
  const mine = [nursing.id, plain.id];
  const [bookings, slots, rules, prices, requests, waitlist, rounds] = await Promise.all([
    db().booking.count({ where: { OR: [{ authorityId }, { slot: { providerId: { in: mine } } }] } }),
    db().slot.findMany({ where: { providerId: { in: mine } }, select: { id: true, capacity: true, booked: true, held: true, capabilities: true, status: true }, orderBy: { id: 'asc' } }),
    db().capacityRule.findMany({ where: { providerId: { in: mine } }, select: { id: true, version: true, capabilities: true, places: true, active: true } }),
    db().capacityPrice.findMany({ where: { rule: { providerId: { in: mine } } }, orderBy: { id: 'asc' } }),
    db().breakRequest.findMany({ where: { authorityId }, select: { id: true, status: true } }),
    db().waitlistEntry.count({ where: { OR: [{ authorityId }, { slot: { providerId: { in: mine } } }] } }),
    db().allocationRound.count({ where: { authorityId } }),
  ]);
  return { bookings, slots, rules, prices, requests, waitlist, rounds };
}

const finished = (id: string) =>
  waitFor('scenario to finish', async () => {
    const res = await get(`/v1/scenarios/${id}`, T);
    return res.body.status === 'COMPLETED' || res.body.status === 'FAILED' ? res.body : null;
  });

describe('a coordinator asks what an upgrade would buy', () => {
  let upgradeId: string;
  let closeId: string;

  it('runs "upgrade one home for gastrostomy, 2 places" through the worker and compares it with the baseline, touching no live data', async () => {
    const before = await liveState();
    const res = await post('/v1/scenarios', T, {
      name: 'Upgrade one home for gastrostomy, 2 places', periodStart: START, periodEnd: END, seed: 'upgrade',
      changes: [{ kind: 'ADD_CAPABILITY', providerId: plain.id, capability: 'GASTROSTOMY', places: 2, from: START }],
    });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('QUEUED');
    upgradeId = res.body.id;
    const done = await finished(upgradeId);
    expect(done.status).toBe('COMPLETED');
    const { baseline, scenario, difference } = done.result;
    // One nursing bed for 7 nights: 7 of the 12 nights wanted; the upgrade meets all 12.
    expect(baseline).toMatchObject({ childrenWithRequests: 3, nightsDelivered: 7, unmetComplexHealthNights: 5, unitsWanted: 12 });
    expect(scenario).toMatchObject({ childrenPlaced: 3, nightsDelivered: 12, unmetComplexHealthNights: 0, worstServedShare: 1, unpricedBookings: 0 });
    expect(baseline.worstServedShare).toBeLessThan(1);
    expect(baseline.costPence).toBe(7 * 78_000);
    // All 12 nights are met; a child whose nights run on is kept in one home (the upgraded one, at £420) rather
    // than moved between houses mid-stay, which leaves one night of the nursing bed (£780) free.
    expect(scenario.costPence).toBe(6 * 78_000 + 6 * 42_000);
    expect(difference).toMatchObject({ nightsDelivered: 5, unmetComplexHealthNights: -5, costPence: 174_000, costPerExtraNightPence: 34_800 });
    expect(done.result.childrenBetterOff).toBeGreaterThan(0);
    expect(done.result.childrenWorseOff).toBe(0);
    expect(done.runMs).toEqual(expect.any(Number));

    expect(await liveState()).toEqual(before);
    expect((await db().slot.findMany({ where: { id: { in: plainSlotIds } } })).every((s) => !s.capabilities.includes('GASTROSTOMY'))).toBe(true);
  });

  it('saves scenarios to compare side by side and export as CSV', async () => {
    const res = await post('/v1/scenarios', T, {
      name: 'Close the nursing home', periodStart: START, periodEnd: END, seed: 'upgrade',
      changes: [{ kind: 'CLOSE_PROVIDER', providerId: nursing.id, from: START }],
    });
    closeId = res.body.id;
    expect((await finished(closeId)).result.scenario).toMatchObject({ nightsDelivered: 0, unmetComplexHealthNights: 12, costPence: 0 });
    const list = await get('/v1/scenarios?limit=10', T);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([closeId, upgradeId]);
    const second = await get(`/v1/scenarios?limit=1&cursor=${closeId}`, T);
    expect(second.body.items.map((s: { id: string }) => s.id)).toEqual([upgradeId]);
    const side = await get(`/v1/scenarios/compare?ids=${upgradeId},${closeId}`, T);
    expect(side.body.items.map((s: { name: string; result: { difference: { nightsDelivered: number } } }) => [s.name, s.result.difference.nightsDelivered])).toEqual([
      ['Upgrade one home for gastrostomy, 2 places', 5],
      ['Close the nursing home', -7],
    ]);
    const csv = await call('GET', `/v1/scenarios/compare?ids=${upgradeId},${closeId}&format=csv`, { token: T });
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('scenarioId,name,periodStart,periodEnd,side,childrenWithRequests,childrenPlaced,nightsDelivered,sessionsDelivered,unitsWanted,worstServedShare,childrenWithNothing,unmetComplexHealthNights,costPence,costPerExtraNightPence,unpricedBookings');
    expect(lines).toHaveLength(7);
    expect(lines[3]).toBe(`${upgradeId},"Upgrade one home for gastrostomy, 2 places",${START},${END},difference,,0,5,,,0.5,,-5,174000,34800,`);
    expect(lines.filter((l) => l.includes(',difference,'))).toHaveLength(2);
  });

  it('tries each other kind of change — new places, places withdrawn, a new price — on the same copy, and still writes nothing live', async () => {
    const before = await liveState();
    const run = async (name: string, change: Record<string, unknown>) => {
      const res = await post('/v1/scenarios', T, { name, periodStart: START, periodEnd: END, seed: 'upgrade', changes: [change] });
      expect(res.status).toBe(202);
      const done = await finished(res.body.id);
      expect(done.status).toBe('COMPLETED');
      return done.result;
    };
    // A new gastrostomy bed every night at the plain home, at £500: 7 more gastrostomy bed-nights meet all 12 wanted.
    const added = await run('A new nursing bed', {
      kind: 'ADD_RULE', providerId: plain.id, rrule: 'FREQ=DAILY', startTime: '17:00', durationMinutes: 17 * 60, places: 1, capabilities: ['GASTROSTOMY'], from: START, pencePerUnit: 50_000,
    });
    expect(added.scenario).toMatchObject({ nightsDelivered: 12, unmetComplexHealthNights: 0, unpricedBookings: 0 });
    // Whatever the mix, each night is at one of the two prices, and no more than the 7 nursing nights at £780.
    const atNursing = (added.scenario.costPence - 12 * 50_000) / (78_000 - 50_000);
    expect(Number.isInteger(atNursing) && atNursing >= 5 && atNursing <= 7).toBe(true);
    expect(added.difference).toMatchObject({ nightsDelivered: 5, unmetComplexHealthNights: -5 });
    expect(added.difference.costPerExtraNightPence).toBe(Math.round(added.difference.costPence / 5));

    // The nursing bed withdrawn after its third night: 3 nights delivered, 9 of the 12 unmet.
    const removed = await run('Withdraw the nursing bed', { kind: 'REMOVE_RULE', capacityRuleId: nursingRuleId, from: addDays(START, 3) });
    expect(removed.scenario).toMatchObject({ nightsDelivered: 3, unmetComplexHealthNights: 9, costPence: 3 * 78_000 });
    expect(removed.difference).toMatchObject({ nightsDelivered: -4, costPerExtraNightPence: null });

    // The same nights at a higher price: nothing more delivered, the cost up by £220 a night.
    const dearer = await run('Nursing bed at £1,000', { kind: 'CHANGE_PRICE', capacityRuleId: nursingRuleId, pence: 100_000, from: START });
    expect(dearer.scenario).toMatchObject({ nightsDelivered: 7, costPence: 7 * 100_000 });
    expect(dearer.difference).toMatchObject({ nightsDelivered: 0, costPence: 7 * 22_000, costPerExtraNightPence: null });

    // The upgrade again, with nursing cover costing what the nursing bed costs: every night given is at £780.
    const priced = await run('Upgrade at the nursing price', { kind: 'ADD_CAPABILITY', providerId: plain.id, capability: 'GASTROSTOMY', places: 2, from: START, pencePerUnit: 78_000 });
    expect(priced.scenario).toMatchObject({ nightsDelivered: 12, costPence: 12 * 78_000 });
    expect(priced.difference).toMatchObject({ nightsDelivered: 5, costPence: 5 * 78_000, costPerExtraNightPence: 78_000 });

    expect(await liveState()).toEqual(before);
    expect(await db().capacityRule.count({ where: { providerId: plain.id } })).toBe(1);
    expect((await get(`/v1/capacity-rules/${nursingRuleId}/prices`, T)).body.items.map((x: { pence: number }) => x.pence)).toEqual([78_000]);
  });

  it('refuses changes it cannot apply, and keeps one authority’s scenarios from another', async () => {
    const base = { name: 'Bad', periodStart: START, periodEnd: END };
    expectProblem(await post('/v1/scenarios', T, { ...base, changes: [{ kind: 'CLOSE_PROVIDER', providerId: authorityId, from: START }] }), 422);
    expectProblem(await post('/v1/scenarios', T, { ...base, changes: [{ kind: 'TEAR_DOWN', providerId: plain.id }] }), 400);
    expectProblem(await post('/v1/scenarios', T, { ...base, changes: [] }), 400);
    expectProblem(await post('/v1/scenarios', T, { ...base, periodEnd: daysFromToday(199), changes: [{ kind: 'CLOSE_PROVIDER', providerId: plain.id, from: START }] }), 400);
    const other = await makeAuthority();
    expectProblem(await get(`/v1/scenarios/${upgradeId}`, other.coordinatorToken), 404);
    expectProblem(await get(`/v1/scenarios/compare?ids=${upgradeId}`, other.coordinatorToken), 404);
  });
});
