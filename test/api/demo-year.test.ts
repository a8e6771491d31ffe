/**
 * The demo `npm start` loads shows a year of the product (the twelve months
 * before today, family-based breaks with their carers included), and that year keeps
 * the rules: the whole demo (fixtures/demo.ts, as start.ts calls it) is seeded
 * into the test database and then read as the coordinator and the provider
 * would. The ledger shows delivered and missed nights for the year so far and
 * its figures add up; the reports page and its CSV agree with the booking
 * rows; the home that closed has a record listing every child's outcome; the
 * first home's day has children arriving today, whatever the hour the demo was
 * loaded, and breaks that ended today (or yesterday) waiting for attendance,
 * which the provider records at once. Underneath: every break lies
 * in a place its rule published, no place is over-filled, no child is in two
 * places at once or anywhere that cannot meet its needs, no award is exceeded,
 * no child passes the 75-nights rule, no carer takes a child their training does
 * not cover on the date, and nothing points at the closed home
 * after its date.
 *
 * Isolation: the clock (Date only) runs DAY0 days ahead for this file, beyond
 * every other file's dates, so the demo's whole year, its coming week and its
 * slot horizon lie where no other file has places; its authority code is this
 * run's own and its places are kept for its own children (earlier runs of this
 * file left theirs on the same dates).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDemo } from '../../fixtures/demo.js';
import { DEMO_CLOSED_HOME } from '../../fixtures/demo-history.js';
import { db } from '../../src/db.js';
import { LIVE_BOOKING_STATUSES } from '../../src/domain/booking-status.js';
import { COMPLEX_HEALTH_NEEDS, PLACE_REQUIRED_NEEDS } from '../../src/domain/care-needs.js';
import { lookedAfterStanding, ANNUAL_STAY_LIMIT_DAYS } from '../../src/domain/eligibility.js';
import { addDays, londonDateOf, londonWallTimeOf } from '../../src/domain/london-time.js';
import { expandRule } from '../../src/domain/capacity/recurrence.js';
import { mintToken } from '../../src/services/tokens.js';
import { get } from '../support/api.js';
import { uid } from '../support/factories.js';
import { closureViolations, invariantViolations } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';
import { pageBrowser } from '../support/web-browser.js';

const DAY0 = 1500;
const LIVE = ['ALLOCATED', 'CONFIRMED', 'ATTENDED', 'NO_SHOW'];

let demo: Awaited<ReturnType<typeof loadDemo>>;
let providerIds: string[];
let coordinatorToken: string;
let today: string;
let fy: { start: string; end: string };
let seedMs: number;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + DAY0 * 864e5, shouldAdvanceTime: true });
  const started = performance.now();
  // Its places kept for its own children (this file's earlier runs left their counties in the test database).
  demo = await loadDemo(() => {}, { code: `DEMO${uid()}`, reserved: true });
  seedMs = Math.round(performance.now() - started);
  today = londonDateOf(new Date());
  const closed = await db().provider.findFirstOrThrow({ where: { name: DEMO_CLOSED_HOME, operatorAuthorityId: demo.authorityId } });
  providerIds = [...demo.providerIds, closed.id];
  coordinatorToken = await mintToken({ role: 'COORDINATOR', authorityId: demo.authorityId });
  const e = await db().entitlement.findFirstOrThrow({ where: { child: { authorityId: demo.authorityId }, periodStart: { lte: today }, periodEnd: { gte: today } } });
  fy = { start: e.periodStart, end: e.periodEnd };
  console.log('demo year seeded', JSON.stringify({ seedMs, history: demo.history, requests: demo.filed }));
}, 600_000);

afterAll(async () => {
  // The county's rules are open-ended: retire them, so no worker extends their horizon for ever.
  await db().capacityRule.updateMany({ where: { providerId: { in: providerIds ?? [] } }, data: { active: false } });
  vi.useRealTimers();
  await closeConnections();
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const rowOf = (html: string, childId: string) => html.split('<tr').find((r) => r.includes(`/coordinator/children/${childId}"`)) ?? '';
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;|&#x27;/g, "'").replace(/\s+/g, ' ');

describe('the demo’s year', { timeout: 300_000 }, () => {
  it('has published rounds, attended, missed and cancelled breaks, a closure, and breaks waiting for attendance', async () => {
    const h = demo.history;
    expect(h.rounds).toBeGreaterThan(5);
    expect(h.attended).toBeGreaterThan(h.noShows);
    expect(h.noShows).toBeGreaterThan(0);
    expect(h.cancelled).toBeGreaterThan(0);
    expect(h.awaitingAttendance).toBeGreaterThan(0);
    expect(h.closureOutcomes).toBeGreaterThan(0);
    const rounds = await db().allocationRound.findMany({ where: { authorityId: demo.authorityId }, orderBy: { periodStart: 'asc' } });
    const past = rounds.filter((r) => r.periodEnd < today);
    expect(past.length).toBe(h.rounds);
    expect(past.every((r) => r.status === 'PUBLISHED' && r.metrics !== null)).toBe(true);
    // The rounds' own bookings are what the history holds: every past round gave breaks.
    for (const r of past) expect(await db().booking.count({ where: { roundId: r.id } })).toBeGreaterThan(0);
    // The next round has children to allocate: those who asked with the year's activity, and the rest through the form.
    expect(demo.nextRoundRequests).toBeGreaterThan(20);
    expect(demo.filed).toBeGreaterThan(0);
    expect(await db().breakRequest.count({ where: { authorityId: demo.authorityId, status: 'OPEN', periodStart: { gt: today } } })).toBeGreaterThanOrEqual(demo.nextRoundRequests);
    // A year of history: the first round began twelve months ago (in whole fortnights), and past rounds follow a fortnight apart.
    expect(past[0]!.periodStart).toBe(addDays(today, -364));
    expect(past.length).toBe(26);
    for (const [i, r] of past.slice(1).entries()) expect(r.periodStart).toBe(addDays(past[i]!.periodStart, 14));
    // Breaks spread over the twelve months, not only at their start: every month has some.
    const months = await db().$queryRaw<{ m: string }[]>`
      SELECT DISTINCT to_char("startsAt" AT TIME ZONE 'Europe/London', 'YYYY-MM') AS m FROM booking WHERE "authorityId" = ${demo.authorityId} AND status = 'ATTENDED'`;
    const expected = new Set<string>();
    for (let d = addDays(today, -364); d < addDays(today, -3); d = addDays(d, 1)) expected.add(d.slice(0, 7));
    expect(months.map((m) => m.m).sort()).toEqual(expect.arrayContaining([...expected]));
    // The breaks before this award year count against last year's award, which each child has too.
    const lastYear = await db().entitlement.count({ where: { child: { authorityId: demo.authorityId }, periodEnd: addDays(fy.start, -1) } });
    expect(lastYear).toBe(addDays(today, -364) < fy.start ? demo.children : 0);
    // Foster carers' weekends are part of the history too, attended and missed as the others.
    const familyBased = await db().booking.groupBy({ by: ['status'], where: { authorityId: demo.authorityId, endsAt: { lt: new Date() }, slot: { carerId: { not: null } } }, _count: { _all: true } });
    expect(familyBased.find((g) => g.status === 'ATTENDED')?._count._all ?? 0).toBeGreaterThan(10);
  });

  it('keeps every rule: places that existed, capacity, no overlap, needs, awards and the 75-nights year', async () => {
    const bookings = await db().booking.findMany({ where: { authorityId: demo.authorityId }, include: { slot: { include: { capacityRule: true } } } });
    // Each break is in a slot its rule published on that date, at the slot's own times.
    const published = new Map<string, Set<string>>();
    for (const b of bookings) {
      const r = b.slot.capacityRule;
      if (!published.has(r.id)) {
        const occ = expandRule(r, new Date(`${addDays(today, -364)}T00:00:00Z`), new Date(`${addDays(today, 400)}T00:00:00Z`), { maxOccurrences: 2000 });
        published.set(r.id, new Set(occ.map((o) => o.localDate)));
      }
      expect(published.get(r.id)!.has(b.slot.localDate), `${r.name} on ${b.slot.localDate}`).toBe(true);
      expect([b.startsAt.getTime(), b.endsAt.getTime()]).toEqual([b.slot.startsAt.getTime(), b.slot.endsAt.getTime()]);
      expect(providerIds).toContain(b.slot.providerId);
    }
    const bookingIds = new Set(bookings.map((b) => b.id));
    const slotIds = new Set(bookings.map((b) => b.slotId));
    const v = await invariantViolations();
    expect(v.overfilled.filter((s) => slotIds.has(s.id))).toEqual([]);
    expect(v.overlapping.filter((o) => bookingIds.has(o.a) || bookingIds.has(o.b))).toEqual([]);
    // Needs met, past breaks included (the shared check looks only ahead).
    const unsuitable = await db().$queryRaw<{ id: string }[]>`
      SELECT b.id FROM booking b JOIN child c ON c.id = b."childId" JOIN slot s ON s.id = b."slotId"
      CROSS JOIN LATERAL unnest(c.needs) AS need
      WHERE b."authorityId" = ${demo.authorityId} AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW')
        AND need::text = ANY(${[...PLACE_REQUIRED_NEEDS]}::text[])
        AND NOT (need = ANY(s.capabilities)) AND s."carerId" IS NULL`;
    expect(unsuitable).toEqual([]);
    // With a carer, a complex health need is met only by training valid for the whole stay; any other need by the places'.
    const untrained = await db().$queryRaw<{ id: string }[]>`
      SELECT b.id FROM booking b JOIN child c ON c.id = b."childId" JOIN slot s ON s.id = b."slotId"
      CROSS JOIN LATERAL unnest(c.needs) AS need
      WHERE b."authorityId" = ${demo.authorityId} AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW') AND s."carerId" IS NOT NULL
        AND need::text = ANY(${[...PLACE_REQUIRED_NEEDS]}::text[])
        AND CASE WHEN need::text = ANY(${[...COMPLEX_HEALTH_NEEDS]}::text[])
          THEN NOT EXISTS (SELECT 1 FROM training_record t WHERE t."carerId" = s."carerId" AND t.need::text = need::text AND t."completedOn" <= b."startsAt" AND t."expiresOn" >= b."endsAt")
          ELSE NOT (need = ANY(s.capabilities)) END`;
    expect(untrained).toEqual([]);
    // No award exceeded, nights or sessions; no child past 75 nights in any rolling year.
    const entitlements = await db().entitlement.findMany({ where: { child: { authorityId: demo.authorityId } } });
    for (const e of entitlements) {
      const live = bookings.filter((b) => b.childId === e.childId && LIVE.includes(b.status) && londonDateOf(b.startsAt) >= e.periodStart && londonDateOf(b.startsAt) <= e.periodEnd);
      expect(live.reduce((n, b) => n + b.nights, 0)).toBeLessThanOrEqual(e.nights);
      expect(live.filter((b) => b.nights === 0).length).toBeLessThanOrEqual(e.daySessions);
      const standing = lookedAfterStanding(live.map((b) => ({ providerId: b.slot.providerId, start: b.startsAt, end: b.endsAt })));
      expect(standing.busiestYear.nights).toBeLessThanOrEqual(ANNUAL_STAY_LIMIT_DAYS);
    }
    // Invariant 8 for the home that closed: nothing points at it from its date.
    const lists = await closureViolations(providerIds);
    for (const [name, rows] of Object.entries(lists)) expect(rows, name).toEqual([]);
  });

  it('shows the coordinator a ledger of delivered and missed nights that adds up, and a reports page and CSV that agree with the rows', async () => {
    const res = await get(`/v1/reports/entitlements?from=${fy.start}&to=${fy.end}`, coordinatorToken);
    expect(res.status).toBe(200);
    type Row = { childId: string; childName: string; [k: string]: number | string | boolean };
    const rows: Row[] = res.body.children;
    const n = (r: Row, k: string) => r[k] as number;
    // Straight from the booking rows: what was attended and what was missed this award year.
    const truth = await db().$queryRaw<{ childId: string; attended: number; missed: number }[]>`
      SELECT "childId", COALESCE(SUM(nights) FILTER (WHERE status = 'ATTENDED'), 0)::int AS attended, COALESCE(SUM(nights) FILTER (WHERE status = 'NO_SHOW'), 0)::int AS missed
      FROM booking WHERE "authorityId" = ${demo.authorityId} AND ("startsAt" AT TIME ZONE 'Europe/London')::date BETWEEN ${fy.start}::date AND ${fy.end}::date GROUP BY "childId"`;
    const byChild = new Map(truth.map((t) => [t.childId, t]));
    for (const r of rows) {
      expect(n(r, 'deliveredNights')).toBe(byChild.get(r.childId)?.attended ?? 0);
      expect(n(r, 'missedNights')).toBe(byChild.get(r.childId)?.missed ?? 0);
      // Every live night is delivered, missed, waiting for its attendance, or still ahead.
      expect(n(r, 'allocatedNights')).toBe(n(r, 'deliveredNights') + n(r, 'missedNights') + n(r, 'awaitingAttendanceNights') + n(r, 'upcomingNights'));
      expect(n(r, 'allocatedNights')).toBeLessThanOrEqual(n(r, 'awardedNights'));
    }
    const total = (k: string) => rows.reduce((s, r) => s + n(r, k), 0);
    expect(total('deliveredNights')).toBeGreaterThan(100);
    expect(total('missedNights')).toBeGreaterThan(0);
    expect(total('awaitingAttendanceNights')).toBeGreaterThan(0);

    const web = pageBrowser();
    await web.signIn(coordinatorToken);
    // The ledger page: the awards in force today, a page of them at a time, furthest behind first, saying how many.
    const first = await web.request('/coordinator/ledger');
    expect(first.status).toBe(200);
    const bodyRows = (html: string) => html.split('<tbody')[1]?.split('</tbody>')[0]?.split('<tr').length ?? 1;
    expect(bodyRows(first.html) - 1).toBe(25);
    expect(text(first.html)).toContain(`${rows.length} awards;`);
    expect(first.html).toContain('aria-label="Pages of the ledger"');
    expect(first.html).toContain(`/coordinator/reports/entitlements.csv?from=${today}&amp;to=${today}`);
    // Only those behind: every row shown is behind by a night or more.
    const behindOnly = await web.request(`/coordinator/ledger?behind=yes`);
    const behindCells = behindOnly.html.split('<tbody')[1]!.split('<tr').slice(1).map((r) => Number(/<td>(\d+)<\/td>\s*<td>\d+ \/ \d+/.exec(r.replace(/<!-- -->/g, ''))?.[1]));
    expect(behindCells.length).toBeGreaterThan(0);
    expect(behindCells.every((b) => b > 0), behindCells.join()).toBe(true);
    // A child found by reference: one who missed a break shows it beside what was delivered.
    const misser = rows.find((r) => n(r, 'missedNights') > 0)!;
    const ledger = await web.request(`/coordinator/ledger?from=${fy.start}&to=${fy.end}&name=${misser.childId.slice(0, 8)}`);
    expect(ledger.status).toBe(200);
    expect(ledger.html).toContain('Missed (no-show)');
    const line = text(rowOf(ledger.html, misser.childId));
    const missed = n(misser, 'missedNights');
    expect(line).toContain(`${missed} night${missed === 1 ? '' : 's'}`);
    expect(line).toMatch(new RegExp(`\\b${n(misser, 'deliveredNights')}\\b`));

    // The reports page's bars: each child's delivered, booked-ahead and awarded nights are the ledger's.
    const reports = await web.request(`/coordinator/reports?from=${fy.start}&to=${fy.end}`);
    expect(reports.status).toBe(200);
    const bars = /<title id="ledger-bars-title">([^<]*)<\/title>/.exec(reports.html)?.[1] ?? '';
    const shown = rows.filter((r) => bars.includes(`${r.childName} `) && new RegExp(`${escape(r.childName)} [A-Z0-9]{8} ${n(r, 'deliveredNights')} delivered, ${n(r, 'upcomingNights')} booked ahead, of ${n(r, 'awardedNights')} nights`).test(bars));
    expect(bars.split('; ').length).toBe(25);
    expect(shown.length).toBeGreaterThanOrEqual(25);
    // Its CSV download has every child, with the same delivered nights as the rows.
    const csv = await web.request(`/coordinator/reports/entitlements.csv?from=${fy.start}&to=${fy.end}`);
    const [header, ...lines] = csv.html.trim().split('\n');
    const cols = header!.split(',');
    const delivered = lines.reduce((s, l) => s + Number(l.split(',')[cols.indexOf('deliveredNights')]), 0);
    expect(lines.length).toBe(rows.length);
    expect(delivered).toBe(truth.reduce((s, t) => s + t.attended, 0));
    expect(reports.html).toContain(`${DEMO_CLOSED_HOME}, from`);
  });

  it('keeps the record of the home that closed: every affected break and what became of it', async () => {
    const closureId = demo.history.closureId!;
    const res = await get(`/v1/closures/${closureId}`, coordinatorToken);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('COMPLETED');
    expect(londonDateOf(new Date(res.body.effectiveFrom)) < today).toBe(true);
    const rows = await db().rehomingOutcome.findMany({ where: { closureId }, include: { booking: true, newBooking: { include: { slot: { include: { provider: true } } } } } });
    expect(res.body.counts.affected).toBe(rows.length);
    for (const kind of ['MOVED', 'WAITLISTED', 'CANCELLED_BY_FAMILY'] as const) {
      expect(res.body.counts[kind], kind).toBe(rows.filter((o) => o.outcome === kind).length);
    }
    expect(res.body.counts.MOVED).toBeGreaterThan(0);
    // A moved break is the same night elsewhere, replacing the original, which is kept as history.
    for (const o of rows.filter((x) => x.outcome === 'MOVED')) {
      expect(o.booking.status).toBe('REHOMED');
      expect(o.newBooking!.replacesBookingId).toBe(o.bookingId);
      expect(o.newBooking!.startsAt.getTime()).toBe(o.booking.startsAt.getTime());
      expect(o.newBooking!.slot.provider.name).not.toBe(DEMO_CLOSED_HOME);
    }
    const web = pageBrowser();
    await web.signIn(coordinatorToken);
    const page = await web.request(`/coordinator/closures/${closureId}`);
    expect(page.status).toBe(200);
    const body = text(page.html);
    expect(body).toContain(DEMO_CLOSED_HOME);
    const children = await db().child.findMany({ where: { id: { in: rows.map((o) => o.childId) } } });
    for (const c of children) expect(body).toContain(`${c.firstName} ${c.lastName}`);
    for (const o of rows.filter((x) => x.outcome === 'MOVED')) expect(body).toContain(o.newBooking!.slot.provider.name);
  });

  it('gives the first home’s provider children arriving today, and breaks that ended today or yesterday to record, and takes the answer at once', async () => {
    const home = await db().provider.findFirstOrThrow({ where: { id: { in: demo.providerIds }, kind: 'RESIDENTIAL' }, orderBy: { name: 'asc' } });
    const now = new Date();
    const waiting = await db().booking.findMany({
      where: { slot: { providerId: home.id }, status: 'CONFIRMED', endsAt: { lte: now, gte: new Date(now.getTime() - 2 * 864e5) } },
      include: { child: true },
    });
    expect(waiting.length).toBeGreaterThan(0);
    const leavingToday = await db().booking.count({ where: { slot: { providerId: home.id, localDate: addDays(today, -1) }, status: 'CONFIRMED' } });
    expect(leavingToday).toBeGreaterThan(0);
    const web = pageBrowser();
    await web.signIn(await mintToken({ role: 'PROVIDER', providerId: home.id }));
    const day = await web.request('/provider');
    expect(day.status).toBe(200);
    const body = text(day.html);
    expect(body).toContain(`Leaving (${leavingToday})`);
    // Children arrive today whatever the hour the demo was loaded: booked ahead of tonight's start, or already arrived.
    const arriving = await db().booking.findMany({ where: { slot: { providerId: home.id, localDate: today }, status: { in: [...LIVE_BOOKING_STATUSES] } } });
    expect(arriving.length).toBeGreaterThan(0);
    expect(demo.arrivals).toBe(arriving.length);
    expect(body).toContain(`Arriving (${arriving.length})`);
    for (const b of arriving) expect(day.html).toContain(`/provider/children/${b.childId}`);
    const m = /Attendance to record \((\d+)\)/.exec(body);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(waiting.length);
    for (const b of waiting) expect(day.html).toContain(`name="status-${b.id}"`);
    // Record one as attended, straight away.
    const first = waiting[0]!;
    const done = await web.request('/provider/attendance', { method: 'POST', form: { _csrf: web.csrfOf(day.html), [`status-${first.id}`]: 'ATTENDED', [`reason-${first.id}`]: '', [`note-${first.id}`]: '' } });
    expect(done.status).toBe(303);
    expect((await db().booking.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('ATTENDED');
    console.log('demo arrivals', JSON.stringify({ home: home.name, leavingToday, waiting: waiting.length, londonTime: londonWallTimeOf(now) }));
  });
});
