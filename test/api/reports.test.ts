/**
 * Promised versus delivered, end to end through the API: a period's
 * awards, requests, a fair round published, breaks attended, missed (with
 * reasons), cancelled by the provider and by the family; then every ledger
 * figure of every child, the ordering of the report, the child's own ledger,
 * the CSV exports, the capacity report and the looked-after limits report.
 *
 * The award period is 365 days starting 100 days ago, so the pro-rata
 * expectation to date is exactly award × 100/365 (rounded to one decimal).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { runRound } from '../../src/services/allocation-rounds.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { book, insertStay, makeCarer } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { apiChild, apiFamily, csvRecords, moveBookingTo } from '../support/report-helpers.js';

afterAll(closeConnections);

const T = (days: number) => daysFromToday(days);
const PERIOD = { periodStart: T(-100), periodEnd: T(264) };
const WINDOW = `from=${PERIOD.periodStart}&to=${PERIOD.periodEnd}`;

const LEDGER_COLUMNS = [
  'childId', 'childName', 'periodStart', 'periodEnd', 'awardedNights', 'awardedSessions', 'requestedNights', 'allocatedNights', 'allocatedSessions',
  'deliveredNights', 'deliveredSessions', 'upcomingNights', 'upcomingSessions', 'awaitingAttendanceNights', 'awaitingAttendanceSessions',
  'cancelledByFamilyNights', 'cancelledByFamilySessions',
  'cancelledByProviderNights', 'cancelledByProviderSessions', 'missedNights', 'missedSessions', 'shortfallNights', 'shortfallSessions', 'expectedToDateNights', 'expectedToDateSessions',
  'behindNights', 'behindSessions', 'flagged', 'committedPence', 'deliveredPence', 'cancelledPence',
];

/** Every figure of a ledger row, in the order of LEDGER_COLUMNS from awardedNights to flagged. */
function figures(f: {
  awarded: [number, number];
  requested: number;
  allocated: [number, number];
  delivered: [number, number];
  upcoming: [number, number];
  awaiting?: [number, number];
  byFamily: [number, number];
  byProvider: [number, number];
  /** No-shows for the family's reason (a provider's cancellation on the day is byProvider). */
  missed?: [number, number];
  shortfall: [number, number];
  expected: [number, number];
  behind: [number, number];
  flagged: boolean;
}) {
  return {
    awardedNights: f.awarded[0], awardedSessions: f.awarded[1],
    requestedNights: f.requested,
    allocatedNights: f.allocated[0], allocatedSessions: f.allocated[1],
    deliveredNights: f.delivered[0], deliveredSessions: f.delivered[1],
    upcomingNights: f.upcoming[0], upcomingSessions: f.upcoming[1],
    awaitingAttendanceNights: f.awaiting?.[0] ?? 0, awaitingAttendanceSessions: f.awaiting?.[1] ?? 0,
    cancelledByFamilyNights: f.byFamily[0], cancelledByFamilySessions: f.byFamily[1],
    cancelledByProviderNights: f.byProvider[0], cancelledByProviderSessions: f.byProvider[1],
    missedNights: f.missed?.[0] ?? 0, missedSessions: f.missed?.[1] ?? 0,
    shortfallNights: f.shortfall[0], shortfallSessions: f.shortfall[1],
    expectedToDateNights: f.expected[0], expectedToDateSessions: f.expected[1],
    behindNights: f.behind[0], behindSessions: f.behind[1],
    flagged: f.flagged,
    // No prices are published in this county, so every break's cost is unknown: no money is counted (test/api/costs.test.ts prices them).
    committedPence: 0, deliveredPence: 0, cancelledPence: 0,
  };
}

interface Scenario {
  coordinatorToken: string;
  otherCoordinatorToken: string;
  providerToken: string;
  familyToken: string;
  unit: { id: string; name: string };
  club: { id: string; name: string };
  fostering: { id: string; name: string };
  children: Record<'alice' | 'ben' | 'cara' | 'dan' | 'eve' | 'fred', { id: string; name: string }>;
  gina: string;
  hank: string;
  ivy: string;
  ledger: Record<string, ReturnType<typeof figures>>;
}

let s: Scenario;

beforeAll(async () => {
  const { authority, coordinatorToken } = await makeAuthority();
  const { coordinatorToken: otherCoordinatorToken } = await makeAuthority();
  const { provider: unit, providerToken } = await makeProvider('RESIDENTIAL', { name: `Harbour House ${uid()}` });
  const { provider: club, providerToken: clubToken } = await makeProvider('COMMUNITY', { name: `Harbour Club ${uid()}` });
  // The authority's own fostering service: in its capacity report although none of its children stay there yet.
  const { provider: fostering } = await makeProvider('FAMILY_BASED', { name: `Harbour Fostering ${uid()}`, operatorAuthorityId: authority.id });

  // 20 one-night places at the unit, T+7 … T+26 (d[0] … d[19]); 6 day sessions ×2 at the club, T+7 … T+12.
  const { slots: d } = await makeSlots(unit.id, { startDate: T(7), untilDate: T(26), places: 1, capabilities: ['WHEELCHAIR'] });
  const { slots: sessions } = await makeSlots(club.id, { startDate: T(7), untilDate: T(12), startTime: '10:00', durationMinutes: 360, places: 2 });
  expect(d).toHaveLength(20);
  expect(sessions).toHaveLength(6);
  // Family-based capacity: one carer trained for gastrostomy (valid all period), one not trained for the oxygen the rule claims.
  const trained = await makeCarer(fostering.id, [{ need: 'GASTROSTOMY', completedOn: T(-400), expiresOn: T(400) }]);
  const untrained = await makeCarer(fostering.id, []);
  await makeSlots(fostering.id, { startDate: T(7), untilDate: T(9), places: 1, capabilities: ['GASTROSTOMY', 'WHEELCHAIR'], carerId: trained.id });
  await makeSlots(fostering.id, { startDate: T(7), untilDate: T(8), places: 1, capabilities: ['OXYGEN'], carerId: untrained.id });

  const fam = async () => apiFamily(coordinatorToken);
  const award = (nights: number, daySessions: number) => ({ ...PERIOD, nights, daySessions });
  const [fa, fb, fc, fd, fe, ff] = await Promise.all([fam(), fam(), fam(), fam(), fam(), fam()]);
  const [alice, ben, cara, dan, eve, fred] = await Promise.all([
    apiChild(coordinatorToken, fa.family.id, { firstName: 'Alice', award: award(10, 4) }),
    apiChild(coordinatorToken, fb.family.id, { firstName: 'Ben', award: award(12, 0) }),
    apiChild(coordinatorToken, fc.family.id, { firstName: 'Cara', award: award(6, 0) }),
    apiChild(coordinatorToken, fd.family.id, { firstName: '=SUM(1)', award: award(2, 0) }),
    apiChild(coordinatorToken, fe.family.id, { firstName: 'Eve', needs: ['GASTROSTOMY'], award: award(8, 0) }),
    apiChild(coordinatorToken, ff.family.id, { firstName: 'Fred', award: award(5, 0) }),
  ]);

  // Dan is booked directly into d[9] (later attended) and d[10]; d[10] is then full when Fred asks for it.
  const dan1 = await book(coordinatorToken, dan.id, d[9]!.id);
  const dan2 = await book(coordinatorToken, dan.id, d[10]!.id);

  const request = async (token: string, childId: string, slotIds: string[]) => {
    const res = await post('/v1/requests', token, {
      childId,
      periodStart: T(7),
      periodEnd: T(26),
      preferences: slotIds.map((slotId) => ({ kind: 'SLOT', slotId })),
      nightsWanted: slotIds.length,
    });
    expect(res.status).toBe(201);
  };
  await request(fa.familyToken, alice.id, [d[0]!.id, d[1]!.id, d[2]!.id, d[3]!.id]);
  await request(fb.familyToken, ben.id, [d[4]!.id, d[5]!.id, d[6]!.id, d[7]!.id]);
  await request(fe.familyToken, eve.id, [d[11]!.id]); // cannot meet gastrostomy
  await request(coordinatorToken, fred.id, [d[10]!.id]); // full (Dan)

  const started = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: T(7), periodEnd: T(26), seed: 'ledger' });
  expect(started.status).toBe(202);
  await runRound(started.body.id); // synchronously; a worker elsewhere doing it first is as good
  const completed = await get(`/v1/allocation-rounds/${started.body.id}`, coordinatorToken);
  expect(completed.body.status).toBe('COMPLETED');
  expect(completed.body.bookings).toBe(8);
  expect((await post(`/v1/allocation-rounds/${started.body.id}/publish`, coordinatorToken)).status).toBe(200);

  const bookingIn = async (childId: string, slotId: string) => {
    const b = await db().booking.findFirstOrThrow({ where: { childId, slotId, roundId: started.body.id } });
    expect(b.status).toBe('CONFIRMED');
    return b.id;
  };
  const attend = async (bookingId: string, body: object, token = providerToken) => {
    const res = await post(`/v1/bookings/${bookingId}/attendance`, token, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const cancel = async (bookingId: string, token: string) => {
    const res = await post(`/v1/bookings/${bookingId}/cancel`, token, { reason: 'Cannot make it' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  // Alice: two nights attended, one missed (unwell), one past with no attendance recorded yet; one day session attended, one ahead.
  const [a0, a1, a2, a3] = [await bookingIn(alice.id, d[0]!.id), await bookingIn(alice.id, d[1]!.id), await bookingIn(alice.id, d[2]!.id), await bookingIn(alice.id, d[3]!.id)];
  const as0 = await book(coordinatorToken, alice.id, sessions[0]!.id);
  await book(coordinatorToken, alice.id, sessions[1]!.id);
  await moveBookingTo(a0, T(-30));
  await moveBookingTo(a1, T(-20));
  await moveBookingTo(a2, T(-10));
  await moveBookingTo(as0.id, T(-25));
  await moveBookingTo(a3, T(-2));
  await attend(a0, { status: 'ATTENDED' });
  await attend(a1, { status: 'ATTENDED' });
  await attend(a2, { status: 'NO_SHOW', reason: 'CHILD_UNWELL' });
  await attend(as0.id, { status: 'ATTENDED' }, clubToken);

  // Ben: the provider cancels one ahead, the family another; the provider cancels one on the day; one attended.
  const [b4, b5, b6, b7] = [await bookingIn(ben.id, d[4]!.id), await bookingIn(ben.id, d[5]!.id), await bookingIn(ben.id, d[6]!.id), await bookingIn(ben.id, d[7]!.id)];
  await cancel(b4, providerToken);
  await cancel(b5, fb.familyToken);
  await moveBookingTo(b6, T(-15));
  await moveBookingTo(b7, T(-5));
  await attend(b6, { status: 'NO_SHOW', reason: 'PROVIDER_CANCELLED_ON_THE_DAY' });
  await attend(b7, { status: 'ATTENDED' });

  // Dan: the first night attended, the second ahead.
  await moveBookingTo(dan1.id, T(-3));
  await attend(dan1.id, { status: 'ATTENDED' });
  void dan2;

  // Looked-after limits: children with no award (so not in the ledger), stays written directly at another unit.
  const { provider: respite } = await makeProvider('RESIDENTIAL');
  const fl = await fam();
  const [gina, hank, ivy] = await Promise.all(['Gina', 'Hank', 'Ivy'].map((firstName) => apiChild(coordinatorToken, fl.family.id, { firstName })));
  await insertStay(gina!, respite.id, T(-40), 15);
  for (let i = 0; i < 8; i++) await insertStay(hank!, respite.id, T(-300 + 35 * i), 10);
  await insertStay(ivy!, respite.id, T(-40), 3);

  const name = (c: { id: string; firstName: string }) => ({ id: c.id, name: `${c.firstName} Test` });
  s = {
    coordinatorToken,
    otherCoordinatorToken,
    providerToken,
    familyToken: fa.familyToken,
    unit,
    club,
    fostering,
    children: { alice: name(alice), ben: name(ben), cara: name(cara), dan: name(dan), eve: name(eve), fred: name(fred) },
    gina: gina!.id,
    hank: hank!.id,
    ivy: ivy!.id,
    ledger: {
      // expected 10×100/365 = 2.7 nights, 4×100/365 = 1.1 sessions; 0.8 behind in all: not flagged.
      // The night awaiting attendance is neither delivered nor upcoming, and not a shortfall either.
      [alice.id]: figures({ awarded: [10, 4], requested: 4, allocated: [4, 2], delivered: [2, 1], upcoming: [0, 1], awaiting: [1, 0], byFamily: [0, 0], byProvider: [0, 0], missed: [1, 0], shortfall: [7, 2], expected: [2.7, 1.1], behind: [0.7, 0.1], flagged: false }),
      // provider cancelled one ahead and one on the day (a NO_SHOW still holds the place it had).
      [ben.id]: figures({ awarded: [12, 0], requested: 4, allocated: [2, 0], delivered: [1, 0], upcoming: [0, 0], byFamily: [1, 0], byProvider: [2, 0], shortfall: [11, 0], expected: [3.3, 0], behind: [2.3, 0], flagged: true }),
      [cara.id]: figures({ awarded: [6, 0], requested: 0, allocated: [0, 0], delivered: [0, 0], upcoming: [0, 0], byFamily: [0, 0], byProvider: [0, 0], shortfall: [6, 0], expected: [1.6, 0], behind: [1.6, 0], flagged: true }),
      [dan.id]: figures({ awarded: [2, 0], requested: 0, allocated: [2, 0], delivered: [1, 0], upcoming: [1, 0], byFamily: [0, 0], byProvider: [0, 0], shortfall: [0, 0], expected: [0.5, 0], behind: [-0.5, 0], flagged: false }),
      [eve.id]: figures({ awarded: [8, 0], requested: 1, allocated: [0, 0], delivered: [0, 0], upcoming: [0, 0], byFamily: [0, 0], byProvider: [0, 0], shortfall: [8, 0], expected: [2.2, 0], behind: [2.2, 0], flagged: true }),
      [fred.id]: figures({ awarded: [5, 0], requested: 1, allocated: [0, 0], delivered: [0, 0], upcoming: [0, 0], byFamily: [0, 0], byProvider: [0, 0], shortfall: [5, 0], expected: [1.4, 0], behind: [1.4, 0], flagged: true }),
    },
  };
});

describe('GET /v1/reports/entitlements', () => {
  it('has every figure of every child exactly, furthest behind first', async () => {
    const res = await get(`/v1/reports/entitlements?${WINDOW}`, s.coordinatorToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: PERIOD.periodStart, to: PERIOD.periodEnd });
    const { alice, ben, cara, dan, eve, fred } = s.children;
    // behind (nights + sessions): Ben 2.3, Eve 2.2, Cara 1.6, Fred 1.4, Alice 0.8, Dan −0.5
    expect(res.body.children.map((r: { childId: string }) => r.childId)).toEqual([ben.id, eve.id, cara.id, fred.id, alice.id, dan.id]);
    for (const row of res.body.children) {
      const child = Object.values(s.children).find((c) => c.id === row.childId)!;
      expect(row).toEqual({
        childId: child.id,
        childName: child.name,
        familyId: expect.any(String),
        entitlementId: expect.any(String),
        ...PERIOD,
        ...s.ledger[child.id],
      });
    }
  });

  it('lists only awards overlapping the report period', async () => {
    const before = await get(`/v1/reports/entitlements?from=${T(-400)}&to=${T(-101)}`, s.coordinatorToken);
    expect(before.status).toBe(200);
    expect(before.body.children).toEqual([]);
    const lastDay = await get(`/v1/reports/entitlements?from=${T(264)}&to=${T(300)}`, s.coordinatorToken);
    expect(lastDay.body.children).toHaveLength(6);
  });

  it('shows the same ledger on the child (coordinator and family)', async () => {
    const report = await get(`/v1/reports/entitlements?${WINDOW}`, s.coordinatorToken);
    for (const c of Object.values(s.children)) {
      const res = await get(`/v1/children/${c.id}`, s.coordinatorToken);
      expect(res.status).toBe(200);
      expect(res.body.ledger).toEqual([report.body.children.find((r: { childId: string }) => r.childId === c.id)]);
    }
    const own = await get(`/v1/children/${s.children.alice.id}`, s.familyToken);
    expect(own.body.ledger).toEqual([expect.objectContaining(s.ledger[s.children.alice.id])]);
  });

  it('exports CSV by ?format=csv and by Accept: text/csv, one row per child, formulas neutralised', async () => {
    const json = await get(`/v1/reports/entitlements?${WINDOW}`, s.coordinatorToken);
    const byQuery = await get(`/v1/reports/entitlements?${WINDOW}&format=csv`, s.coordinatorToken);
    const byAccept = await call('GET', `/v1/reports/entitlements?${WINDOW}`, { token: s.coordinatorToken, headers: { Accept: 'text/csv' } });
    for (const res of [byQuery, byAccept]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.headers.get('content-disposition')).toContain(`entitlements-${PERIOD.periodStart}-${PERIOD.periodEnd}.csv`);
      expect(res.body).toBe(byQuery.body);
    }
    const text = byQuery.body as string;
    expect(text.startsWith(`${LEDGER_COLUMNS.join(',')}\r\n`)).toBe(true);
    const { header, records } = csvRecords(text);
    expect(header).toEqual(LEDGER_COLUMNS);
    expect(records).toHaveLength(6);
    expect(records.map((r) => r.childId)).toEqual(json.body.children.map((r: { childId: string }) => r.childId));
    for (const [i, r] of records.entries()) {
      const row = json.body.children[i];
      for (const col of LEDGER_COLUMNS.filter((c) => c !== 'childName')) expect(r[col], `${col} of ${r.childId}`).toBe(String(row[col]));
    }
    const dan = records.find((r) => r.childId === s.children.dan.id)!;
    expect(dan.childName).toBe("'=SUM(1) Test");
    expect(text).not.toMatch(/(^|,)=SUM/m);
  });
});

describe('GET /v1/reports/capacity', () => {
  it('counts published, booked and attended places per provider and capability, and unmet demand by reason', async () => {
    const res = await get(`/v1/reports/capacity?${WINDOW}`, s.coordinatorToken);
    expect(res.status).toBe(200);
    const rowsOf = (providerId: string) =>
      res.body.capacity.filter((r: { providerId: string }) => r.providerId === providerId).map(({ providerId: _, ...r }: Record<string, unknown>) => r);
    // Unit: 20 places; booked = Alice 4 + Ben 2 (his two cancelled do not hold places) + Dan 2; attended = 2 + 1 + 1.
    const unit = { providerName: s.unit.name, kind: 'RESIDENTIAL', published: 20, booked: 8, attended: 4, occupancy: 0.4 };
    expect(rowsOf(s.unit.id)).toEqual([{ ...unit, capability: 'ANY' }, { ...unit, capability: 'WHEELCHAIR' }]);
    expect(rowsOf(s.club.id)).toEqual([{ providerName: s.club.name, kind: 'COMMUNITY', capability: 'ANY', published: 12, booked: 2, attended: 1, occupancy: 0.167 }]);
    // Family-based: complex health needs count only where the carer is trained; each place once per capability.
    const fostering = { providerName: s.fostering.name, kind: 'FAMILY_BASED', booked: 0, attended: 0, occupancy: 0 };
    expect(rowsOf(s.fostering.id)).toEqual([
      { ...fostering, capability: 'ANY', published: 5 },
      { ...fostering, capability: 'GASTROSTOMY', published: 3 },
      { ...fostering, capability: 'WHEELCHAIR', published: 3 },
    ]);

    // From the published round: Alice 4 + Ben 4 + Eve 1 + Fred 1 wanted, 8 given.
    expect(res.body.unmetDemand.rounds).toBe(1);
    expect(res.body.unmetDemand.unitsWanted).toBe(10);
    expect(res.body.unmetDemand.unitsUnmet).toBe(2);
    expect([...res.body.unmetDemand.byReason].sort((a: { reason: string }, b: { reason: string }) => a.reason.localeCompare(b.reason))).toEqual([
      { reason: 'FULL', preferences: 1, children: 1 },
      { reason: 'NEEDS_NOT_MET', preferences: 1, children: 1 },
    ]);
  });

  it('exports the capacity rows as CSV', async () => {
    const res = await get(`/v1/reports/capacity?${WINDOW}&format=csv`, s.coordinatorToken);
    expect(res.status).toBe(200);
    const { header, records } = csvRecords(res.body);
    expect(header).toEqual(['providerId', 'providerName', 'kind', 'capability', 'published', 'booked', 'attended', 'occupancy']);
    expect(records.filter((r) => r.providerId === s.club.id)).toEqual([
      { providerId: s.club.id, providerName: s.club.name, kind: 'COMMUNITY', capability: 'ANY', published: '12', booked: '2', attended: '1', occupancy: '0.167' },
    ]);
  });
});

describe('GET /v1/reports/looked-after', () => {
  it('lists a 15-night stay as near the limit and 80 nights in 12 months as over it, and no one else', async () => {
    const res = await get(`/v1/reports/looked-after?${WINDOW}`, s.coordinatorToken);
    expect(res.status).toBe(200);
    expect(res.body.limits).toEqual({ singleStayNights: 17, nightsIn12Months: 75 });
    expect(res.body.children).toEqual([
      expect.objectContaining({ childId: s.hank, childName: 'Hank Test', status: 'OVER_LIMIT', longestStayNights: 10, busiestYearNights: 80, busiestYearFrom: T(-300) }),
      expect.objectContaining({ childId: s.gina, childName: 'Gina Test', status: 'NEAR_LIMIT', longestStayNights: 15, busiestYearNights: 15, busiestYearFrom: T(-40) }),
    ]);
    const csv = await call('GET', `/v1/reports/looked-after?${WINDOW}`, { token: s.coordinatorToken, headers: { Accept: 'text/csv' } });
    expect(csvRecords(csv.body).records.map((r) => [r.childId, r.status])).toEqual([
      [s.hank, 'OVER_LIMIT'],
      [s.gina, 'NEAR_LIMIT'],
    ]);
  });
});

describe('who may read reports', () => {
  it('shows another authority’s coordinator none of these children or rounds', async () => {
    const ids = [...Object.values(s.children).map((c) => c.id), s.gina, s.hank, s.ivy];
    const ledger = await get(`/v1/reports/entitlements?${WINDOW}`, s.otherCoordinatorToken);
    expect(ledger.status).toBe(200);
    expect(ledger.body.children).toEqual([]);
    const limits = await get(`/v1/reports/looked-after?${WINDOW}`, s.otherCoordinatorToken);
    expect(limits.body.children.filter((r: { childId: string }) => ids.includes(r.childId))).toEqual([]);
    const capacity = await get(`/v1/reports/capacity?${WINDOW}`, s.otherCoordinatorToken);
    expect(capacity.body.unmetDemand).toEqual({ rounds: 0, unitsWanted: 0, unitsUnmet: 0, byReason: [] });
    // Its capacity report covers its own providers: not the unit and club only the first authority's children used, nor its fostering service.
    const providers = new Set(capacity.body.capacity.map((r: { providerId: string }) => r.providerId));
    expect([s.unit.id, s.club.id, s.fostering.id].filter((id) => providers.has(id))).toEqual([]);
    expectProblem(await get(`/v1/children/${s.children.alice.id}`, s.otherCoordinatorToken), 404);
  });

  it('refuses family and provider tokens', async () => {
    for (const report of ['entitlements', 'capacity', 'looked-after']) {
      expectProblem(await get(`/v1/reports/${report}?${WINDOW}`, s.familyToken), 403);
      expectProblem(await get(`/v1/reports/${report}?${WINDOW}&format=csv`, s.providerToken), 403);
    }
    expectProblem(await get(`/v1/reports/entitlements?${WINDOW}`), 401);
  });

  it('rejects a bad period with 400', async () => {
    for (const query of ['from=2026-02-30&to=2026-03-01', 'from=2026-03-01&to=2026-02-01', 'from=2026-03-01', 'to=2026-03-01', 'from=2020-01-01&to=2026-01-01', 'from=yesterday&to=today']) {
      for (const report of ['entitlements', 'capacity', 'looked-after']) {
        expectProblem(await get(`/v1/reports/${report}?${query}`, s.coordinatorToken), 400);
      }
    }
  });
});
