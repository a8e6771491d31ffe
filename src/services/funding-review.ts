/**
 * Loading the funding review (src/domain/funding-review.ts) for a period:
 * money from the cost report, budgets, the entitlement ledger, and unmet demand
 * from the period's published rounds and waiting lists.
 */
import { db } from '../db.js';
import { FUNDERS, type Funder } from '../domain/costs.js';
import {
  furthestBehind,
  perUnit,
  promisedAgainstDelivered,
  spendAgainstBudget,
  unitCosts,
  unmetByNeedAndMonth,
  type UnmetItem,
} from '../domain/funding-review.js';
import { nightsOf } from '../domain/eligibility.js';
import { requireRole, type Principal } from './access.js';
import { costReport } from './cost-reports.js';
import { entitlementLedger } from './reports.js';
import { roundDemand } from '../schemas/json-columns.js';

const needsOf = (needs: string[]) => (needs.length ? needs : ['NONE']);

/** Units asked for and not got, per child, from published rounds (spread over the months of the round's period), and places still waited for. */
async function unmetItems(authorityId: string, from: string, to: string): Promise<UnmetItem[]> {
  const rounds = await db().allocationRound.findMany({
    where: { authorityId, status: 'PUBLISHED', periodStart: { lte: to }, periodEnd: { gte: from } },
    select: { periodStart: true, periodEnd: true, result: true },
  });
  // A miss is spread over the months of the round's period that fall in the review's.
  const explanations = rounds.flatMap((r) =>
    roundDemand(r.result).map((e) => ({ ...e, month: r.periodStart.slice(0, 7), over: { from: r.periodStart > from ? r.periodStart : from, to: r.periodEnd < to ? r.periodEnd : to } })),
  );
  // As in the capacity report: the demand is what the family asked for, even when no preferred place could meet the child's needs.
  const asked = new Map(
    (await db().breakRequest.findMany({ where: { id: { in: explanations.map((e) => e.requestId) } }, select: { id: true, nightsWanted: true } })).map((r) => [r.id, r.nightsWanted ?? 0]),
  );
  const waiting = await db().waitlistEntry.findMany({
    where: { authorityId, status: { in: ['WAITING', 'EXPIRED'] }, slot: { localDate: { gte: from, lte: to } } },
    select: { childId: true, slot: { select: { localDate: true, startsAt: true, endsAt: true } } },
  });
  const childIds = [...new Set([...explanations.map((e) => e.childId), ...waiting.map((w) => w.childId)])];
  const needs = new Map((await db().child.findMany({ where: { id: { in: childIds } }, select: { id: true, needs: true } })).map((c) => [c.id, needsOf(c.needs)]));
  const items: UnmetItem[] = [];
  for (const e of explanations) {
    const units = Math.max(e.unitsWanted, asked.get(e.requestId) ?? 0) - e.unitsGot;
    if (units > 0) for (const need of needs.get(e.childId) ?? ['NONE']) items.push({ need, month: e.month, source: 'ROUND', units, childId: e.childId, over: e.over });
  }
  for (const w of waiting) {
    const units = Math.max(1, nightsOf({ start: w.slot.startsAt, end: w.slot.endsAt }));
    for (const need of needs.get(w.childId) ?? ['NONE']) items.push({ need, month: w.slot.localDate.slice(0, 7), source: 'WAITING_LIST', units, childId: w.childId });
  }
  return items;
}

export async function fundingReview(principal: Principal, q: { from: string; to: string }, now = new Date()) {
  requireRole(principal, 'COORDINATOR');
  const [money, budgets, ledger, unmet] = await Promise.all([
    costReport(principal, q),
    db().funderBudget.findMany({ where: { authorityId: principal.authorityId, periodStart: { lte: q.to }, periodEnd: { gte: q.from } } }),
    entitlementLedger(principal, q, now),
    unmetItems(principal.authorityId, q.from, q.to),
  ]);
  const averages = { nightPence: perUnit(money.totals.committedNightPence, money.totals.committedNights), sessionPence: perUnit(money.totals.committedSessionPence, money.totals.committedSessions) };
  return {
    from: q.from,
    to: q.to,
    totals: money.totals,
    spendByFunder: spendAgainstBudget(
      money.byFunder.map((f) => ({ ...f, funder: f.funder as Funder })),
      budgets.map((b) => ({ funder: b.funder, periodStart: b.periodStart, periodEnd: b.periodEnd, pence: b.pence })),
      q.from,
      q.to,
      FUNDERS,
    ),
    unitCosts: unitCosts(money.byProvider),
    promisedVsDelivered: promisedAgainstDelivered(ledger, averages),
    unmetDemand: unmetByNeedAndMonth(unmet),
    furthestBehind: furthestBehind(ledger, averages),
  };
}

export type FundingReview = Awaited<ReturnType<typeof fundingReview>>;

/** The review's sections as CSV tables (the "pack": one download per section). */
export const REVIEW_SECTIONS = {
  'spend-by-funder': { rows: (r: FundingReview) => r.spendByFunder, columns: ['funder', 'budgetPence', 'committedPence', 'deliveredPence', 'cancelledPence', 'remainingPence', 'committedShare'] },
  'cost-per-night': {
    rows: (r: FundingReview) => [...r.unitCosts.byProvider.map((p) => ({ level: 'PROVIDER', ...p })), ...r.unitCosts.byKind.map((k) => ({ level: 'KIND', providerId: '', providerName: '', ...k }))],
    columns: ['level', 'providerId', 'providerName', 'kind', 'deliveredNights', 'deliveredSessions', 'costPerDeliveredNightPence', 'costPerDeliveredSessionPence'],
  },
  'promised-vs-delivered': {
    rows: (r: FundingReview) => [r.promisedVsDelivered],
    columns: ['children', 'awardedNights', 'deliveredNights', 'bookedAheadNights', 'shortfallNights', 'awardedSessions', 'deliveredSessions', 'shortfallSessions', 'averageNightPence', 'averageSessionPence', 'shortfallCostPence'],
  },
  'unmet-demand': { rows: (r: FundingReview) => r.unmetDemand, columns: ['month', 'need', 'roundUnits', 'waitingListUnits', 'children'] },
  'furthest-behind': { rows: (r: FundingReview) => r.furthestBehind, columns: ['childId', 'childName', 'awardedNights', 'deliveredNights', 'behindNights', 'behindSessions', 'shortfallNights', 'shortfallSessions', 'shortfallCostPence'] },
} as const;
export type ReviewSection = keyof typeof REVIEW_SECTIONS;
