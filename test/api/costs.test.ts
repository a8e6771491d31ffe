/**
 * What breaks cost and who pays, as a commissioner sets it up and reads it
 * back: prices on rules with effective dates, a child's package split between
 * social care, the ICB and education (generally, or for the nights that meet a
 * need), each booking's cost and split fixed when it is booked, and the money
 * report per funder, provider and need as JSON and CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { csvRecords } from '../support/report-helpers.js';

afterAll(closeConnections);

const put = (path: string, token: string, body: unknown) => call('PUT', path, { token, body });

let T: string;
let authorityId: string;
let home: { id: string; name: string };
let nursingRuleId: string;
let nursingSlots: { id: string; localDate: string }[];
let gastro: { id: string };
let plain: { id: string };

beforeAll(async () => {
  const a = await makeAuthority();
  T = a.coordinatorToken;
  authorityId = a.authority.id;
  home = (await makeProvider('RESIDENTIAL')).provider;
  const nursing = await makeSlots(home.id, { startDate: daysFromToday(30), untilDate: daysFromToday(40), places: 4, capabilities: ['GASTROSTOMY', 'WHEELCHAIR'] });
  nursingRuleId = nursing.rule.id;
  nursingSlots = nursing.slots;
  gastro = (await makeFamilyWithChild(authorityId, { needs: ['GASTROSTOMY'] })).child;
  plain = (await makeFamilyWithChild(authorityId)).child;
});

describe('a commissioner prices places and sets who pays', () => {
  it('fixes each booking’s cost and funder split when it is booked, and keeps it when prices and packages change', async () => {
    expect((await post(`/v1/capacity-rules/${nursingRuleId}/prices`, T, { unit: 'NIGHT', pence: 52_000, effectiveFrom: daysFromToday(0) })).status).toBe(201);
    // The ICB pays for the nights that meet gastrostomy; otherwise social care 2/3, education 1/3.
    const pkg = { shares: [
      { funder: 'SOCIAL_CARE', percent: 66.67 }, { funder: 'EDUCATION', percent: 33.33 },
      { funder: 'CONTINUING_CARE', percent: 100, need: 'GASTROSTOMY' },
    ] };
    for (const child of [gastro, plain]) expect((await put(`/v1/children/${child.id}/funding`, T, pkg)).status).toBe(200);
    expect((await get(`/v1/children/${gastro.id}/funding`, T)).body.shares).toHaveLength(3);

    const g = await post('/v1/bookings', T, { childId: gastro.id, slotId: nursingSlots[0]!.id });
    expect(g.status).toBe(201);
    expect(g.body).toMatchObject({ costPence: 52_000, priceUnit: 'NIGHT', fundingSplit: [{ funder: 'CONTINUING_CARE', basisPoints: 10_000, pence: 52_000 }] });
    const p = await post('/v1/bookings', T, { childId: plain.id, slotId: nursingSlots[0]!.id });
    // 66.67% of £520 is 34,668.4p and 33.33% is 17,331.6p: the penny goes to the larger remainder, and the parts sum to the whole.
    expect(p.body.fundingSplit).toEqual([{ funder: 'SOCIAL_CARE', basisPoints: 6667, pence: 34_668 }, { funder: 'EDUCATION', basisPoints: 3333, pence: 17_332 }]);

    // A new price from day 35 closes the open-ended one the day before; the two bookings keep theirs.
    expect((await post(`/v1/capacity-rules/${nursingRuleId}/prices`, T, { unit: 'NIGHT', pence: 60_000, effectiveFrom: daysFromToday(35) })).status).toBe(201);
    const prices = (await get(`/v1/capacity-rules/${nursingRuleId}/prices`, T)).body.items;
    expect(prices.map((x: { pence: number; effectiveTo: string | null }) => [x.pence, x.effectiveTo])).toEqual([[52_000, daysFromToday(34)], [60_000, null]]);
    await put(`/v1/children/${gastro.id}/funding`, T, { shares: [{ funder: 'SOCIAL_CARE', percent: 100 }] });
    const later = await post('/v1/bookings', T, { childId: gastro.id, slotId: nursingSlots.find((s) => s.localDate === daysFromToday(36))!.id });
    expect(later.body).toMatchObject({ costPence: 60_000, fundingSplit: [{ funder: 'SOCIAL_CARE', pence: 60_000 }] });
    expect((await get(`/v1/bookings/${g.body.id}`, T)).body).toMatchObject({ costPence: 52_000, fundingSplit: [{ funder: 'CONTINUING_CARE' }] });

    // Delivered, cancelled and still committed spend, per funder, provider and need.
    await db().booking.update({ where: { id: g.body.id }, data: { status: 'ATTENDED' } });
    expect((await post(`/v1/bookings/${p.body.id}/cancel`, T, { reason: 'Family holiday' })).status).toBe(200);
    const report = await get(`/v1/reports/costs?from=${daysFromToday(0)}&to=${daysFromToday(60)}`, T);
    expect(report.status).toBe(200);
    expect(report.body.totals).toMatchObject({ committedPence: 112_000, deliveredPence: 52_000, cancelledPence: 52_000, committedNights: 2, deliveredNights: 1, unpricedBookings: 0 });
    const byFunder = Object.fromEntries(report.body.byFunder.map((f: { funder: string }) => [f.funder, f]));
    expect(byFunder.CONTINUING_CARE).toMatchObject({ committedPence: 52_000, deliveredPence: 52_000, cancelledPence: 0 });
    expect(byFunder.SOCIAL_CARE).toMatchObject({ committedPence: 60_000, cancelledPence: 34_668 });
    expect(byFunder.EDUCATION).toMatchObject({ committedPence: 0, cancelledPence: 17_332 });
    expect(report.body.byProvider).toEqual([expect.objectContaining({ providerId: home.id, committedPence: 112_000, blockPence: 0 })]);
    expect(report.body.byNeed).toEqual(expect.arrayContaining([expect.objectContaining({ need: 'GASTROSTOMY', committedPence: 112_000 }), expect.objectContaining({ need: 'NONE', cancelledPence: 52_000 })]));

    const csv = await call('GET', `/v1/reports/costs?from=${daysFromToday(0)}&to=${daysFromToday(60)}&format=csv`, { token: T });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('dimension,key,label,providerKind,committedPence,deliveredPence,cancelledPence,blockPence,committedNights,deliveredNights,committedSessions,deliveredSessions,unpricedBookings');
    expect(lines).toContain(`PROVIDER,${home.id},${home.name},RESIDENTIAL,112000,52000,52000,0,2,1,0,0,0`);
    expect(lines.some((l) => l.startsWith('FUNDER,CONTINUING_CARE,CONTINUING_CARE,,52000,52000,0,0'))).toBe(true);

    // The entitlement ledger carries the money too.
    const ledger = await get(`/v1/reports/entitlements?from=${daysFromToday(0)}&to=${daysFromToday(60)}`, T);
    expect(ledger.body.children.find((c: { childId: string }) => c.childId === gastro.id)).toMatchObject({ committedPence: 112_000, deliveredPence: 52_000 });
    const ledgerCsv = csvRecords((await call('GET', `/v1/reports/entitlements?from=${daysFromToday(0)}&to=${daysFromToday(60)}&format=csv`, { token: T })).body as string);
    expect(ledgerCsv.records.find((r) => r.childId === gastro.id)).toMatchObject({ committedPence: '112000', deliveredPence: '52000', cancelledPence: '0' });
    expect(ledgerCsv.records.find((r) => r.childId === plain.id)).toMatchObject({ committedPence: '0', cancelledPence: '52000' });
  });

  it('prices a block contract as a block: its places cost nothing extra and the sum is counted pro rata', async () => {
    const { provider } = await makeProvider('RESIDENTIAL');
    const block = await makeSlots(provider.id, { startDate: daysFromToday(30), untilDate: daysFromToday(31), places: 1, reservedForAuthorityId: authorityId });
    expect((await post(`/v1/capacity-rules/${block.rule.id}/prices`, T, { unit: 'BLOCK', pence: 3_650_000, effectiveFrom: daysFromToday(0), effectiveTo: daysFromToday(364) })).status).toBe(201);
    const child = (await makeFamilyWithChild(authorityId)).child;
    const b = await post('/v1/bookings', T, { childId: child.id, slotId: block.slots[0]!.id });
    expect(b.body).toMatchObject({ costPence: 0, priceUnit: 'BLOCK' });
    const report = await get(`/v1/reports/costs?from=${daysFromToday(0)}&to=${daysFromToday(99)}`, T);
    // 100 of the block's 365 days.
    expect(report.body.byProvider.find((p: { providerId: string }) => p.providerId === provider.id)).toMatchObject({ blockPence: 1_000_000, committedPence: 0 });
    expect(report.body.totals.blockPence).toBe(1_000_000);
  });

  it('counts a booking with no price in force as unpriced, not free', async () => {
    const { provider } = await makeProvider('RESIDENTIAL');
    const slot = await makeSlot(provider.id, daysFromToday(45));
    const a2 = await makeAuthority();
    const child = (await makeFamilyWithChild(a2.authority.id)).child;
    const b = await post('/v1/bookings', a2.coordinatorToken, { childId: child.id, slotId: slot.id });
    expect(b.body).toMatchObject({ costPence: null, priceUnit: null, fundingSplit: null });
    expect((await get(`/v1/reports/costs?from=${daysFromToday(0)}&to=${daysFromToday(60)}`, a2.coordinatorToken)).body.totals).toMatchObject({ committedPence: 0, unpricedBookings: 1 });
  });
});

describe('refusals change nothing', () => {
  it('refuses a package that does not add up, a price of the wrong kind, and an overlapping price', async () => {
    const bad = await put(`/v1/children/${plain.id}/funding`, T, { shares: [{ funder: 'SOCIAL_CARE', percent: 60 }, { funder: 'EDUCATION', percent: 30 }] });
    expect(expectProblem(bad, 400, 'VALIDATION_FAILED').errors?.[0]?.message).toContain('90%');
    const twice = await put(`/v1/children/${plain.id}/funding`, T, { shares: [{ funder: 'SOCIAL_CARE', percent: 50 }, { funder: 'SOCIAL_CARE', percent: 50 }] });
    expectProblem(twice, 400);
    expect((await get(`/v1/children/${plain.id}/funding`, T)).body.shares.map((s: { percent: number }) => s.percent).sort()).toEqual([100, 33.33, 66.67]);
    expectProblem(await post(`/v1/capacity-rules/${nursingRuleId}/prices`, T, { unit: 'SESSION', pence: 100, effectiveFrom: daysFromToday(0) }), 422);
    expectProblem(await post(`/v1/capacity-rules/${nursingRuleId}/prices`, T, { unit: 'BLOCK', pence: 100, effectiveFrom: daysFromToday(0), effectiveTo: daysFromToday(9) }), 422);
    expectProblem(await post(`/v1/capacity-rules/${nursingRuleId}/prices`, T, { unit: 'NIGHT', pence: 100, effectiveFrom: daysFromToday(35) }), 409);
    expectProblem(await post(`/v1/capacity-rules/${nursingRuleId}/prices`, T, { unit: 'NIGHT', pence: -1, effectiveFrom: daysFromToday(35) }), 400);
    // Another authority's coordinator cannot set this child's package.
    const other = await makeAuthority();
    expectProblem(await put(`/v1/children/${plain.id}/funding`, other.coordinatorToken, { shares: [] }), 404);
  });

  it('keeps one budget per funder and period, replacing the sum when set again', async () => {
    const body = { funder: 'CONTINUING_CARE', periodStart: '2027-04-01', periodEnd: '2028-03-31', pence: 10_000_000 };
    expect((await put('/v1/budgets', T, body)).status).toBe(200);
    expect((await put('/v1/budgets', T, { ...body, pence: 12_000_000 })).body.pence).toBe(12_000_000);
    const list = await get('/v1/budgets?from=2027-04-01&to=2028-03-31', T);
    expect(list.body.items).toEqual([expect.objectContaining({ funder: 'CONTINUING_CARE', pence: 12_000_000 })]);
  });
});
