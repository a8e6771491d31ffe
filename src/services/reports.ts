/**
 * Promised versus delivered: the entitlement ledger, the capacity
 * report and the looked-after limits report. Aggregation happens in PostgreSQL
 * (one query per report) so a county's full year answers well inside a second.
 *
 * Units: a "night" is one night of an overnight booking; a "session" is one day
 * booking. Live statuses hold a place; ATTENDED is delivered; a provider
 * cancellation (before or on the day) is not delivered and is counted apart.
 */
import { db, pool } from '../db.js';
import { addDays, londonDateOf, londonWallTimeToInstant, daysBetween } from '../domain/london-time.js';
import { lookedAfterStanding } from '../domain/eligibility.js';
import { COMPLEX_HEALTH_NEEDS } from '../domain/care-needs.js';
import type { StayInfo } from '../domain/model.js';
import { Prisma } from '../generated/prisma/client.js';
import { notFound } from '../errors.js';
import { childScope, familyScope, requireRole, type Principal } from './access.js';
import { LIVE_BOOKING_STATUSES, NIGHTS_AWAY_STATUSES, UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';
import { roundDemand } from '../schemas/json-columns.js';

export interface LedgerRow {
  childId: string;
  childName: string;
  familyId: string;
  entitlementId: string;
  periodStart: string;
  periodEnd: string;
  awardedNights: number;
  awardedSessions: number;
  requestedNights: number;
  allocatedNights: number;
  allocatedSessions: number;
  deliveredNights: number;
  deliveredSessions: number;
  upcomingNights: number;
  upcomingSessions: number;
  /** Breaks that have started but whose provider has not yet recorded attendance. */
  awaitingAttendanceNights: number;
  awaitingAttendanceSessions: number;
  cancelledByFamilyNights: number;
  cancelledByFamilySessions: number;
  cancelledByProviderNights: number;
  cancelledByProviderSessions: number;
  /** Breaks the child did not come to (recorded as a no-show for the family's reason): booked and lost, not delivered. */
  missedNights: number;
  missedSessions: number;
  /** Awarded units neither delivered, nor still booked ahead, nor waiting for attendance to be recorded. */
  shortfallNights: number;
  shortfallSessions: number;
  /** Pro-rata share of the award that should have been delivered by today. */
  expectedToDateNights: number;
  expectedToDateSessions: number;
  /** expected to date minus delivered (positive = behind). */
  behindNights: number;
  behindSessions: number;
  flagged: boolean;
  /** Money, as fixed on each booking when it was booked (src/domain/costs.ts): live, attended and cancelled breaks. */
  committedPence: number;
  deliveredPence: number;
  cancelledPence: number;
}

/** The ledger query's row: the columns the ledger shows as they come, and those it renames or derives from. */
interface LedgerSqlRow
  extends Pick<
    LedgerRow,
    | 'childId' | 'familyId' | 'entitlementId' | 'periodStart' | 'periodEnd'
    | 'requestedNights' | 'allocatedNights' | 'allocatedSessions' | 'deliveredNights' | 'deliveredSessions' | 'upcomingNights' | 'upcomingSessions'
    | 'missedNights' | 'missedSessions' | 'committedPence' | 'deliveredPence' | 'cancelledPence'
  > {
  firstName: string;
  lastName: string;
  nights: number;
  daySessions: number;
  awaitingNights: number;
  awaitingSessions: number;
  familyCancelledNights: number;
  familyCancelledSessions: number;
  providerCancelledNights: number;
  providerCancelledSessions: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Elapsed fraction of a period on a given local date (0 before it starts, 1 after it ends). */
export function elapsedFraction(periodStart: string, periodEnd: string, today: string): number {
  const total = daysBetween(periodStart, periodEnd) + 1;
  const done = Math.min(total, Math.max(0, daysBetween(periodStart, today)));
  return total > 0 ? done / total : 1;
}

export function ledgerRow(r: LedgerSqlRow, today: string): LedgerRow {
  const f = elapsedFraction(r.periodStart, r.periodEnd, today);
  const expectedNights = round1(r.nights * f);
  const expectedSessions = round1(r.daySessions * f);
  const behindNights = round1(expectedNights - r.deliveredNights);
  const behindSessions = round1(expectedSessions - r.deliveredSessions);
  return {
    childId: r.childId,
    childName: `${r.firstName} ${r.lastName}`,
    familyId: r.familyId,
    entitlementId: r.entitlementId,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    awardedNights: r.nights,
    awardedSessions: r.daySessions,
    requestedNights: r.requestedNights,
    allocatedNights: r.allocatedNights,
    allocatedSessions: r.allocatedSessions,
    deliveredNights: r.deliveredNights,
    deliveredSessions: r.deliveredSessions,
    upcomingNights: r.upcomingNights,
    upcomingSessions: r.upcomingSessions,
    awaitingAttendanceNights: r.awaitingNights,
    awaitingAttendanceSessions: r.awaitingSessions,
    cancelledByFamilyNights: r.familyCancelledNights,
    cancelledByFamilySessions: r.familyCancelledSessions,
    cancelledByProviderNights: r.providerCancelledNights,
    cancelledByProviderSessions: r.providerCancelledSessions,
    missedNights: r.missedNights,
    missedSessions: r.missedSessions,
    shortfallNights: Math.max(0, r.nights - r.deliveredNights - r.upcomingNights - r.awaitingNights),
    shortfallSessions: Math.max(0, r.daySessions - r.deliveredSessions - r.upcomingSessions - r.awaitingSessions),
    expectedToDateNights: expectedNights,
    expectedToDateSessions: expectedSessions,
    behindNights,
    behindSessions,
    // Flag a family who should have had at least one break by now and has had under half of what was due.
    flagged: behindNights + behindSessions >= 1 && r.deliveredNights + r.deliveredSessions < 0.5 * (expectedNights + expectedSessions),
    committedPence: r.committedPence,
    deliveredPence: r.deliveredPence,
    cancelledPence: r.cancelledPence,
  };
}

/** How far behind a row is, for ordering: furthest behind first. */
const behindness = (r: LedgerRow) => r.behindNights + r.behindSessions;

const LIVE = Prisma.sql`(${Prisma.join(LIVE_BOOKING_STATUSES)})`;
const UPCOMING = Prisma.sql`(${Prisma.join(UPCOMING_BOOKING_STATUSES)})`;
/** The complex health needs (src/domain/care-needs.ts) as a text[] for report SQL. */
const COMPLEX = Prisma.sql`ARRAY[${Prisma.join(COMPLEX_HEALTH_NEEDS)}]::text[]`;

function ledgerSql(authorityId: string, from: string, to: string, now: Date, only: { childId?: string; familyId?: string } = {}) {
  return Prisma.sql`
    WITH ent AS (
      SELECT e.id, e."childId", e."periodStart", e."periodEnd", e.nights, e."daySessions"
      FROM entitlement e JOIN child c ON c.id = e."childId"
      WHERE c."authorityId" = ${authorityId} AND e."periodStart" <= ${to} AND e."periodEnd" >= ${from}
        ${only.childId ? Prisma.sql`AND c.id = ${only.childId}` : Prisma.empty}
        ${only.familyId ? Prisma.sql`AND c."familyId" = ${only.familyId}` : Prisma.empty}
    ),
    b AS (
      SELECT ent.id AS "entitlementId", bk.status, bk.nights, bk."startsAt", bk."cancelledByRole", bk."noShowReason", COALESCE(bk."costPence", 0) AS pence
      FROM ent JOIN booking bk ON bk."childId" = ent."childId"
      WHERE (bk."startsAt" AT TIME ZONE 'Europe/London')::date BETWEEN ent."periodStart"::date AND ent."periodEnd"::date
    ),
    agg AS (
      SELECT "entitlementId",
        COALESCE(SUM(nights) FILTER (WHERE status IN ${LIVE}), 0)::int AS "allocatedNights",
        COUNT(*) FILTER (WHERE status IN ${LIVE} AND nights = 0)::int AS "allocatedSessions",
        COALESCE(SUM(nights) FILTER (WHERE status = 'ATTENDED'), 0)::int AS "deliveredNights",
        COUNT(*) FILTER (WHERE status = 'ATTENDED' AND nights = 0)::int AS "deliveredSessions",
        COALESCE(SUM(nights) FILTER (WHERE status IN ${UPCOMING} AND "startsAt" > ${now}), 0)::int AS "upcomingNights",
        COUNT(*) FILTER (WHERE status IN ${UPCOMING} AND "startsAt" > ${now} AND nights = 0)::int AS "upcomingSessions",
        COALESCE(SUM(nights) FILTER (WHERE status IN ${UPCOMING} AND "startsAt" <= ${now}), 0)::int AS "awaitingNights",
        COUNT(*) FILTER (WHERE status IN ${UPCOMING} AND "startsAt" <= ${now} AND nights = 0)::int AS "awaitingSessions",
        COALESCE(SUM(nights) FILTER (WHERE status = 'CANCELLED' AND "cancelledByRole" = 'FAMILY'), 0)::int AS "familyCancelledNights",
        COUNT(*) FILTER (WHERE status = 'CANCELLED' AND "cancelledByRole" = 'FAMILY' AND nights = 0)::int AS "familyCancelledSessions",
        COALESCE(SUM(nights) FILTER (WHERE (status = 'CANCELLED' AND "cancelledByRole" = 'PROVIDER') OR (status = 'NO_SHOW' AND "noShowReason" = 'PROVIDER_CANCELLED_ON_THE_DAY')), 0)::int AS "providerCancelledNights",
        COUNT(*) FILTER (WHERE ((status = 'CANCELLED' AND "cancelledByRole" = 'PROVIDER') OR (status = 'NO_SHOW' AND "noShowReason" = 'PROVIDER_CANCELLED_ON_THE_DAY')) AND nights = 0)::int AS "providerCancelledSessions",
        COALESCE(SUM(nights) FILTER (WHERE status = 'NO_SHOW' AND "noShowReason" IS DISTINCT FROM 'PROVIDER_CANCELLED_ON_THE_DAY'), 0)::int AS "missedNights",
        COUNT(*) FILTER (WHERE status = 'NO_SHOW' AND "noShowReason" IS DISTINCT FROM 'PROVIDER_CANCELLED_ON_THE_DAY' AND nights = 0)::int AS "missedSessions",
        COALESCE(SUM(pence) FILTER (WHERE status IN ${LIVE}), 0)::float8 AS "committedPence",
        COALESCE(SUM(pence) FILTER (WHERE status = 'ATTENDED'), 0)::float8 AS "deliveredPence",
        COALESCE(SUM(pence) FILTER (WHERE status = 'CANCELLED'), 0)::float8 AS "cancelledPence"
      FROM b GROUP BY "entitlementId"
    ),
    req AS (
      SELECT ent.id AS "entitlementId", COALESCE(SUM(r."nightsWanted"), 0)::int AS "requestedNights"
      FROM ent JOIN break_request r ON r."childId" = ent."childId"
      WHERE r.status <> 'WITHDRAWN' AND r."periodStart" <= ent."periodEnd" AND r."periodEnd" >= ent."periodStart"
      GROUP BY ent.id
    )
    SELECT ent."childId", c."firstName", c."lastName", c."familyId", ent.id AS "entitlementId", ent."periodStart", ent."periodEnd",
           ent.nights, ent."daySessions", COALESCE(req."requestedNights", 0)::int AS "requestedNights",
           COALESCE(agg."allocatedNights", 0) AS "allocatedNights", COALESCE(agg."allocatedSessions", 0) AS "allocatedSessions",
           COALESCE(agg."deliveredNights", 0) AS "deliveredNights", COALESCE(agg."deliveredSessions", 0) AS "deliveredSessions",
           COALESCE(agg."upcomingNights", 0) AS "upcomingNights", COALESCE(agg."upcomingSessions", 0) AS "upcomingSessions",
           COALESCE(agg."awaitingNights", 0) AS "awaitingNights", COALESCE(agg."awaitingSessions", 0) AS "awaitingSessions",
           COALESCE(agg."familyCancelledNights", 0) AS "familyCancelledNights", COALESCE(agg."familyCancelledSessions", 0) AS "familyCancelledSessions",
           COALESCE(agg."providerCancelledNights", 0) AS "providerCancelledNights", COALESCE(agg."providerCancelledSessions", 0) AS "providerCancelledSessions",
           COALESCE(agg."missedNights", 0) AS "missedNights", COALESCE(agg."missedSessions", 0) AS "missedSessions",
           COALESCE(agg."committedPence", 0) AS "committedPence", COALESCE(agg."deliveredPence", 0) AS "deliveredPence", COALESCE(agg."cancelledPence", 0) AS "cancelledPence"
    FROM ent JOIN child c ON c.id = ent."childId"
    LEFT JOIN agg ON agg."entitlementId" = ent.id
    LEFT JOIN req ON req."entitlementId" = ent.id`;
}

export async function entitlementLedger(principal: Principal, q: { from: string; to: string }, now = new Date()): Promise<LedgerRow[]> {
  requireRole(principal, 'COORDINATOR');
  const rows = await db().$queryRaw<LedgerSqlRow[]>(ledgerSql(principal.authorityId, q.from, q.to, now));
  const today = londonDateOf(now);
  return rows.map((r) => ledgerRow(r, today)).sort((a, b) => behindness(b) - behindness(a) || a.childName.localeCompare(b.childName));
}

/**
 * What a coordinator can narrow the ledger by: each provider the authority's children had breaks with in the
 * period (and which children), and each child's needs.
 */
export async function ledgerFacets(principal: Principal, q: { from: string; to: string }) {
  requireRole(principal, 'COORDINATOR');
  const [providers, children] = await Promise.all([
    db().$queryRaw<{ id: string; name: string; childIds: string[] }[]>`
      SELECT p.id, p.name, array_agg(DISTINCT b."childId") AS "childIds"
      FROM booking b JOIN slot s ON s.id = b."slotId" JOIN provider p ON p.id = s."providerId"
      WHERE b."authorityId" = ${principal.authorityId} AND b.status IN ${LIVE}
        AND (b."startsAt" AT TIME ZONE 'Europe/London')::date BETWEEN ${q.from}::date AND ${q.to}::date
      GROUP BY p.id, p.name ORDER BY p.name, p.id`,
    db().child.findMany({ where: { authorityId: principal.authorityId }, select: { id: true, needs: true } }),
  ]);
  return { providers, needs: new Map(children.map((c) => [c.id, c.needs as string[]])) };
}

/** The ledger of one child (shown on GET /v1/children/:id). */
export async function childLedger(principal: Principal, childId: string, now = new Date()): Promise<LedgerRow[]> {
  const child = await db().child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] }, select: { authorityId: true } });
  if (!child) throw notFound('Child');
  const rows = await db().$queryRaw<LedgerSqlRow[]>(ledgerSql(child.authorityId, '2000-01-01', '2100-12-31', now, { childId }));
  return rows.map((r) => ledgerRow(r, londonDateOf(now)));
}

/** Every child's ledger in a family, by child, in one query: the family's home page shows them all at once. */
export async function familyLedger(principal: Principal, familyId: string, now = new Date()): Promise<Map<string, LedgerRow[]>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const family = await db().family.findFirst({ where: { AND: [{ id: familyId }, familyScope(principal)] }, select: { authorityId: true } });
  if (!family) throw notFound('Family');
  const rows = await db().$queryRaw<LedgerSqlRow[]>(ledgerSql(family.authorityId, '2000-01-01', '2100-12-31', now, { familyId }));
  const today = londonDateOf(now);
  const byChild = new Map<string, LedgerRow[]>();
  for (const row of rows.map((r) => ledgerRow(r, today)).sort((a, b) => a.periodStart.localeCompare(b.periodStart))) {
    byChild.set(row.childId, [...(byChild.get(row.childId) ?? []), row]);
  }
  return byChild;
}

export interface CapacityRow {
  providerId: string;
  providerName: string;
  kind: string;
  capability: string;
  published: number;
  booked: number;
  attended: number;
  occupancy: number;
}

/**
 * Per provider and per capability (a slot's places count under each need they
 * meet, and under ANY); family-based places count under each complex need the
 * carer is trained for on the date. The providers are the authority's own: run
 * by it, holding places reserved for it, or used by its children in the period.
 */
export async function capacityReport(principal: Principal, q: { from: string; to: string }) {
  requireRole(principal, 'COORDINATOR');
  const from = q.from;
  const to = q.to;
  const periodStart = londonWallTimeToInstant(from, '00:00');
  const periodEnd = londonWallTimeToInstant(addDays(to, 1), '00:00');
  const rows = await db().$queryRaw<Omit<CapacityRow, 'occupancy'>[]>`
    WITH mine AS (
      -- The authority's providers, not every provider in the country: those it runs, those holding places
      -- reserved for it in the period, and those its children were booked at in the period. Each is an
      -- index probe on the authority, so the report's cost follows the authority's size, not the nation's.
      SELECT id AS "providerId" FROM provider WHERE "operatorAuthorityId" = ${principal.authorityId}
      UNION
      SELECT r."providerId" FROM slot r
      WHERE r."reservedForAuthorityId" = ${principal.authorityId} AND r."localDate" BETWEEN ${from} AND ${to}
      UNION
      SELECT bs."providerId" FROM booking b JOIN slot bs ON bs.id = b."slotId"
      WHERE b."authorityId" = ${principal.authorityId} AND b."startsAt" >= ${periodStart} AND b."startsAt" < ${periodEnd}
    ),
    s AS MATERIALIZED (
      -- As in eligibility (invariant 3): at a family-based place a complex health need is met by the
      -- carer's training alone, never by the rule's capabilities, so those are dropped here.
      -- The providers as an array (= ANY of an InitPlan): joined to the CTE, the planner misjudged its size
      -- and scanned every slot in the country. The start-instant bounds (a day wider than the local dates)
      -- let the (providerId, startsAt) index find them; the local dates still decide.
      -- Live bookings are the slot's own count (slot.booked, kept by the booking_slot_count trigger); attended
      -- ones, always live, by a correlated lookup on booking's slotId index, only where something is booked.
      -- Materialised, so each slot's lookup runs once and not again for every capability row unnested below.
      SELECT s.id, s."providerId", s.capacity, s."carerId", s."startsAt", s."endsAt",
             CASE WHEN p.kind = 'FAMILY_BASED' THEN ARRAY(SELECT cap FROM unnest(s.capabilities::text[]) AS cap WHERE cap <> ALL (${COMPLEX}))
               ELSE s.capabilities::text[] END AS caps,
             s.booked,
             CASE WHEN s.booked > 0 THEN (SELECT COUNT(*) FROM booking b WHERE b."slotId" = s.id AND b.status = 'ATTENDED')::int ELSE 0 END AS attended
      FROM slot s JOIN provider p ON p.id = s."providerId"
      WHERE s."providerId" = ANY (ARRAY(SELECT "providerId" FROM mine))
        AND s."startsAt" >= ${new Date(periodStart.getTime() - 864e5)} AND s."startsAt" < ${new Date(periodEnd.getTime() + 864e5)}
        AND s."localDate" BETWEEN ${from} AND ${to} AND s.status = 'ACTIVE'
        AND (s."reservedForAuthorityId" IS NULL OR s."reservedForAuthorityId" = ${principal.authorityId})
    ),
    counted AS (
      -- Complex health needs the carer is trained for over the whole stay (training dates are UTC
      -- midnights, as in eligibility). A correlated lookup per slot: an index probe on carerId, and a
      -- plan that does not depend on the planner's estimate of the CTE's size.
      SELECT s.id, s."providerId", s.capacity, s.booked, s.attended,
             unnest(array_cat(array_cat(ARRAY['ANY'], s.caps), COALESCE((
               SELECT array_agg(DISTINCT t.need::text) FROM training_record t
               WHERE s."carerId" IS NOT NULL AND t."carerId" = s."carerId"
                 AND t.need::text = ANY (${COMPLEX})
                 AND (t."completedOn"::timestamp AT TIME ZONE 'UTC') <= s."startsAt" AND (t."expiresOn"::timestamp AT TIME ZONE 'UTC') >= s."endsAt"
             ), ARRAY[]::text[]))) AS capability
      FROM s
    )
    SELECT p.id AS "providerId", p.name AS "providerName", p.kind::text AS kind, counted.capability,
           SUM(counted.capacity)::int AS published, SUM(counted.booked)::int AS booked, SUM(counted.attended)::int AS attended
    FROM counted JOIN provider p ON p.id = counted."providerId"
    GROUP BY p.id, p.name, p.kind, counted.capability
    ORDER BY p.name, counted.capability = 'ANY' DESC, counted.capability`;
  const capacity = rows.map((r) => ({ ...r, occupancy: r.published ? Math.round((r.booked / r.published) * 1000) / 1000 : 0 }));
  return { from, to, capacity, unmetDemand: await unmetDemand(principal.authorityId, from, to) };
}

/**
 * Requested nights nobody could meet, by reason, from the published rounds of
 * the period: the evidence a council needs for funding reviews (seeds/000_*).
 */
async function unmetDemand(authorityId: string, from: string, to: string) {
  const rounds = await db().allocationRound.findMany({
    where: { authorityId, status: 'PUBLISHED', periodStart: { lte: to }, periodEnd: { gte: from } },
    select: { id: true, result: true },
  });
  const byReason = new Map<string, { reason: string; preferences: number; children: Set<string> }>();
  let unitsWanted = 0;
  let unitsGot = 0;
  const explanationsOf = (round: (typeof rounds)[number]) => roundDemand(round.result);
  // An explanation's unitsWanted is what could be offered together (0 when no preferred place can meet
  // the child's needs); the demand is what the family asked for, so take the request's nightsWanted.
  const asked = new Map(
    (await db().breakRequest.findMany({ where: { id: { in: rounds.flatMap((r) => explanationsOf(r).map((e) => e.requestId)) } }, select: { id: true, nightsWanted: true } }))
      .map((r) => [r.id, r.nightsWanted]),
  );
  for (const round of rounds) {
    for (const e of explanationsOf(round)) {
      unitsWanted += Math.max(e.unitsWanted, asked.get(e.requestId) ?? 0);
      unitsGot += e.unitsGot;
      for (const p of e.preferences) {
        if (p.gotSlotIds.length) continue;
        for (const u of p.unmet) {
          const entry = byReason.get(u.reason) ?? { reason: u.reason, preferences: 0, children: new Set<string>() };
          entry.preferences++;
          entry.children.add(e.childId);
          byReason.set(u.reason, entry);
        }
      }
    }
  }
  return {
    rounds: rounds.length,
    unitsWanted,
    unitsUnmet: unitsWanted - unitsGot,
    byReason: [...byReason.values()].map((r) => ({ reason: r.reason, preferences: r.preferences, children: r.children.size })).sort((a, b) => b.preferences - a.preferences),
  };
}

/** Children near or over the reg. 48 limits (17-night single stay; 75 nights in 12 months). */
export async function lookedAfterReport(principal: Principal, q: { from: string; to: string }) {
  requireRole(principal, 'COORDINATOR');
  // A 12-month window reaching into the period can start a year before it.
  const since = new Date(`${addDays(q.from, -365)}T00:00:00Z`);
  const until = new Date(`${addDays(q.to, 366)}T00:00:00Z`);
  // Every night away of a year or more of the authority's bookings (13,000 rows for an authority at
  // national scale): read flat from the pool, since Prisma's mapping of them with their slot and child
  // took about a second; the names are read afterwards for the few children the report lists.
  const { rows: stays } = await pool().query<{ childId: string; startsAt: Date; endsAt: Date; providerId: string }>({
    name: 'looked-after-stays',
    text: `SELECT b."childId", b."startsAt", b."endsAt", s."providerId" FROM booking b JOIN slot s ON s.id = b."slotId"
      WHERE b."authorityId" = $1 AND b.status = ANY($2::"BookingStatus"[]) AND b.nights > 0 AND b."startsAt" >= $3 AND b."startsAt" < $4`,
    values: [principal.authorityId, [...NIGHTS_AWAY_STATUSES], since, until],
  });
  const byChild = new Map<string, StayInfo[]>();
  for (const b of stays) {
    const own = byChild.get(b.childId);
    const stay = { providerId: b.providerId, start: b.startsAt, end: b.endsAt };
    if (own) own.push(stay);
    else byChild.set(b.childId, [stay]);
  }
  const standings = [...byChild.entries()].map(([childId, own]) => ({ childId, s: lookedAfterStanding(own) })).filter((c) => c.s.status !== 'OK');
  const names = new Map(
    (await db().child.findMany({ where: { id: { in: standings.map((c) => c.childId) } }, select: { id: true, firstName: true, lastName: true } })).map((c) => [c.id, `${c.firstName} ${c.lastName}`]),
  );
  const rows = standings
    .map(({ childId, s }) => ({
      childId,
      childName: names.get(childId) ?? '',
      status: s.status,
      longestStayNights: s.longestStay.nights,
      longestStayStart: s.longestStay.start?.toISOString() ?? null,
      longestStayProviderId: s.longestStay.providerId,
      busiestYearNights: s.busiestYear.nights,
      busiestYearFrom: s.busiestYear.windowStart,
    }))
    .sort((a, b) => (a.status === b.status ? b.busiestYearNights - a.busiestYearNights : a.status === 'OVER_LIMIT' ? -1 : 1));
  return { from: q.from, to: q.to, limits: { singleStayNights: 17, nightsIn12Months: 75 }, children: rows };
}
