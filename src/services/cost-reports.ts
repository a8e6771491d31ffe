/**
 * Money in the ledger (seeds/000: the funding review): committed, delivered and
 * cancelled spend for a period, per funder, per provider and per need, from
 * each booking's cost and split as fixed when it was booked. Block contracts are
 * paid whole whatever is used, so their price (pro rata to the days of the
 * period it covers) is committed spend of its provider and of the authority's
 * social care, counted apart from per-break costs.
 *
 * Statuses: committed = holds a place (ALLOCATED, CONFIRMED, ATTENDED, NO_SHOW);
 * delivered = ATTENDED; cancelled = CANCELLED. A re-homed booking's cost moved to
 * the booking that replaced it, so it counts nowhere.
 */
import { db } from '../db.js';
import { daysBetween } from '../domain/london-time.js';
import { Prisma } from '../generated/prisma/client.js';
import { requireRole, type Principal } from './access.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';

const LIVE = Prisma.sql`(${Prisma.join(LIVE_BOOKING_STATUSES)})`;

export interface MoneyRow {
  committedPence: number;
  deliveredPence: number;
  cancelledPence: number;
  committedNights: number;
  deliveredNights: number;
  committedSessions: number;
  deliveredSessions: number;
  /** Live bookings no price was in force for: their cost is unknown, not zero. */
  unpricedBookings: number;
  /** The same money split by overnight breaks and day sessions, for costs per night and per session. */
  committedNightPence: number;
  deliveredNightPence: number;
  committedSessionPence: number;
  deliveredSessionPence: number;
}

const MONEY = Prisma.sql`
  COALESCE(SUM(b.pence) FILTER (WHERE b.status IN ${LIVE}), 0)::float8 AS "committedPence",
  COALESCE(SUM(b.pence) FILTER (WHERE b.status = 'ATTENDED'), 0)::float8 AS "deliveredPence",
  COALESCE(SUM(b.pence) FILTER (WHERE b.status = 'CANCELLED'), 0)::float8 AS "cancelledPence",
  COALESCE(SUM(b.nights) FILTER (WHERE b.status IN ${LIVE}), 0)::int AS "committedNights",
  COALESCE(SUM(b.nights) FILTER (WHERE b.status = 'ATTENDED'), 0)::int AS "deliveredNights",
  COUNT(*) FILTER (WHERE b.status IN ${LIVE} AND b.nights = 0)::int AS "committedSessions",
  COUNT(*) FILTER (WHERE b.status = 'ATTENDED' AND b.nights = 0)::int AS "deliveredSessions",
  COUNT(*) FILTER (WHERE b.status IN ${LIVE} AND b.unpriced)::int AS "unpricedBookings",
  COALESCE(SUM(b.pence) FILTER (WHERE b.status IN ${LIVE} AND b.nights > 0), 0)::float8 AS "committedNightPence",
  COALESCE(SUM(b.pence) FILTER (WHERE b.status = 'ATTENDED' AND b.nights > 0), 0)::float8 AS "deliveredNightPence",
  COALESCE(SUM(b.pence) FILTER (WHERE b.status IN ${LIVE} AND b.nights = 0), 0)::float8 AS "committedSessionPence",
  COALESCE(SUM(b.pence) FILTER (WHERE b.status = 'ATTENDED' AND b.nights = 0), 0)::float8 AS "deliveredSessionPence"`;

/** The period's bookings of one authority, by the London date they start on. */
const bookingsOf = (authorityId: string, from: string, to: string) => Prisma.sql`
  SELECT bk.id, bk.status::text AS status, bk.nights, COALESCE(bk."costPence", 0) AS pence, bk."costPence" IS NULL AS unpriced,
         bk."fundingSplit", bk."childId", s."providerId"
  FROM booking bk JOIN slot s ON s.id = bk."slotId"
  WHERE bk."authorityId" = ${authorityId} AND bk.status <> 'REHOMED'
    AND (bk."startsAt" AT TIME ZONE 'Europe/London')::date BETWEEN ${from}::date AND ${to}::date`;

export interface BlockCost {
  providerId: string;
  providerName: string;
  capacityRuleId: string;
  pence: number;
}

/** Block-contract prices of the authority's reserved rules, pro rata to the days of the period they cover. */
export async function blockCosts(authorityId: string, from: string, to: string): Promise<BlockCost[]> {
  const prices = await db().capacityPrice.findMany({
    where: { unit: 'BLOCK', effectiveFrom: { lte: to }, effectiveTo: { gte: from }, rule: { reservedForAuthorityId: authorityId } },
    include: { rule: { select: { providerId: true, provider: { select: { name: true } } } } },
  });
  return prices.map((p) => {
    const days = daysBetween(p.effectiveFrom, p.effectiveTo!) + 1;
    const start = p.effectiveFrom > from ? p.effectiveFrom : from;
    const end = p.effectiveTo! < to ? p.effectiveTo! : to;
    return { providerId: p.rule.providerId, providerName: p.rule.provider.name, capacityRuleId: p.capacityRuleId, pence: Math.round((p.pence * (daysBetween(start, end) + 1)) / days) };
  });
}

export async function costReport(principal: Principal, q: { from: string; to: string }) {
  requireRole(principal, 'COORDINATOR');
  const a = principal.authorityId;
  const b = bookingsOf(a, q.from, q.to);
  const [totals, byFunder, byProvider, byNeed, blocks] = await Promise.all([
    db().$queryRaw<MoneyRow[]>`WITH b AS (${b}) SELECT ${MONEY} FROM b`,
    db().$queryRaw<{ funder: string; committedPence: number; deliveredPence: number; cancelledPence: number }[]>`
      WITH b AS (${b})
      SELECT f.funder,
        COALESCE(SUM(f.pence) FILTER (WHERE b.status IN ${LIVE}), 0)::float8 AS "committedPence",
        COALESCE(SUM(f.pence) FILTER (WHERE b.status = 'ATTENDED'), 0)::float8 AS "deliveredPence",
        COALESCE(SUM(f.pence) FILTER (WHERE b.status = 'CANCELLED'), 0)::float8 AS "cancelledPence"
      FROM b CROSS JOIN LATERAL jsonb_to_recordset(b."fundingSplit") AS f(funder text, pence int)
      WHERE b."fundingSplit" IS NOT NULL
      GROUP BY f.funder ORDER BY f.funder`,
    db().$queryRaw<(MoneyRow & { providerId: string; providerName: string; kind: string })[]>`
      WITH b AS (${b})
      SELECT p.id AS "providerId", p.name AS "providerName", p.kind::text AS kind, ${MONEY}
      FROM b JOIN provider p ON p.id = b."providerId" GROUP BY p.id, p.name, p.kind ORDER BY p.name`,
    db().$queryRaw<(MoneyRow & { need: string })[]>`
      WITH b AS (${b})
      SELECT need, ${MONEY}
      FROM b JOIN child c ON c.id = b."childId"
      CROSS JOIN LATERAL unnest(CASE WHEN cardinality(c.needs) = 0 THEN ARRAY['NONE'] ELSE c.needs::text[] END) AS need
      GROUP BY need ORDER BY need`,
    blockCosts(a, q.from, q.to),
  ]);
  const blockPence = blocks.reduce((n, x) => n + x.pence, 0);
  const blockByProvider = new Map<string, number>();
  for (const x of blocks) blockByProvider.set(x.providerId, (blockByProvider.get(x.providerId) ?? 0) + x.pence);
  const providers = byProvider.map((p) => ({ ...p, blockPence: blockByProvider.get(p.providerId) ?? 0 }));
  for (const x of blocks) {
    if (!providers.some((p) => p.providerId === x.providerId)) {
      providers.push({ providerId: x.providerId, providerName: x.providerName, kind: 'RESIDENTIAL', ...emptyMoney(), blockPence: blockByProvider.get(x.providerId)! });
    }
  }
  const funders = byFunder.map((f) => ({ ...f, blockPence: f.funder === 'SOCIAL_CARE' ? blockPence : 0 }));
  if (blockPence && !funders.some((f) => f.funder === 'SOCIAL_CARE')) funders.push({ funder: 'SOCIAL_CARE', committedPence: 0, deliveredPence: 0, cancelledPence: 0, blockPence });
  return { from: q.from, to: q.to, totals: { ...totals[0]!, blockPence }, byFunder: funders, byProvider: providers, byNeed, blocks };
}

const emptyMoney = (): MoneyRow => ({
  committedPence: 0, deliveredPence: 0, cancelledPence: 0, committedNights: 0, deliveredNights: 0, committedSessions: 0, deliveredSessions: 0, unpricedBookings: 0,
  committedNightPence: 0, deliveredNightPence: 0, committedSessionPence: 0, deliveredSessionPence: 0,
});

/** The report as one table for CSV: a row per funder, provider and need, with a `dimension` column. */
export function costReportRows(r: Awaited<ReturnType<typeof costReport>>) {
  const blank = { providerKind: '', committedNights: '', deliveredNights: '', committedSessions: '', deliveredSessions: '', unpricedBookings: '' };
  return [
    { dimension: 'TOTAL', key: 'ALL', label: 'All bookings', ...blank, ...r.totals, providerKind: '' },
    ...r.byFunder.map((f) => ({ dimension: 'FUNDER', key: f.funder, label: f.funder, ...blank, ...f })),
    ...r.byProvider.map((p) => ({ dimension: 'PROVIDER', key: p.providerId, label: p.providerName, ...p, providerKind: p.kind })),
    ...r.byNeed.map((n) => ({ dimension: 'NEED', key: n.need, label: n.need, ...n, providerKind: '', blockPence: '' })),
  ];
}

export const COST_CSV_COLUMNS = [
  'dimension', 'key', 'label', 'providerKind', 'committedPence', 'deliveredPence', 'cancelledPence', 'blockPence',
  'committedNights', 'deliveredNights', 'committedSessions', 'deliveredSessions', 'unpricedBookings',
] as const;
