/**
 * The funding review (seeds/000: "a review of short-breaks funding"): for a
 * period, spend against budget by funder, the cost of a delivered night by
 * provider and kind, nights promised against nights delivered and what the
 * shortfall would cost, unmet demand by need and month, and the children
 * furthest behind. Pure: the service loads the figures, this puts them together.
 */
import { addDays, daysBetween } from './london-time.js';
import type { Funder } from './costs.js';

export interface BudgetInfo {
  funder: Funder;
  periodStart: string;
  periodEnd: string;
  pence: number;
}

/** The part of a budget that falls in the period, pro rata by days (a year's budget for a quarter is a quarter of it). */
export function budgetInPeriod(b: BudgetInfo, from: string, to: string): number {
  const start = b.periodStart > from ? b.periodStart : from;
  const end = b.periodEnd < to ? b.periodEnd : to;
  if (end < start) return 0;
  return Math.round((b.pence * (daysBetween(start, end) + 1)) / (daysBetween(b.periodStart, b.periodEnd) + 1));
}

export const perUnit = (pence: number, units: number): number | null => (units > 0 ? Math.round(pence / units) : null);

export interface FunderSpend {
  funder: Funder;
  committedPence: number;
  deliveredPence: number;
  cancelledPence: number;
  blockPence: number;
}

export function spendAgainstBudget(spend: FunderSpend[], budgets: BudgetInfo[], from: string, to: string, funders: readonly Funder[]) {
  return funders.map((funder) => {
    const s = spend.find((x) => x.funder === funder);
    const budgetPence = budgets.filter((b) => b.funder === funder).reduce((n, b) => n + budgetInPeriod(b, from, to), 0);
    const committedPence = (s?.committedPence ?? 0) + (s?.blockPence ?? 0);
    return {
      funder,
      budgetPence,
      committedPence,
      deliveredPence: s?.deliveredPence ?? 0,
      cancelledPence: s?.cancelledPence ?? 0,
      remainingPence: budgetPence - committedPence,
      /** Committed spend as a share of the budget (null: no budget set). */
      committedShare: budgetPence > 0 ? Math.round((committedPence / budgetPence) * 1000) / 1000 : null,
    };
  });
}

export interface ProviderMoney {
  providerId: string;
  providerName: string;
  kind: string;
  deliveredNights: number;
  deliveredSessions: number;
  deliveredNightPence: number;
  deliveredSessionPence: number;
  blockPence: number;
}

/**
 * Cost of a delivered night: what was paid for the nights that happened, block
 * sums included (a block paid for and little used is an expensive night), over
 * the nights delivered. Day sessions likewise per session.
 */
export function unitCosts(providers: ProviderMoney[]) {
  const rows = providers.map((p) => ({
    providerId: p.providerId,
    providerName: p.providerName,
    kind: p.kind,
    deliveredNights: p.deliveredNights,
    deliveredSessions: p.deliveredSessions,
    costPerDeliveredNightPence: perUnit(p.deliveredNightPence + p.blockPence, p.deliveredNights),
    costPerDeliveredSessionPence: perUnit(p.deliveredSessionPence, p.deliveredSessions),
  }));
  const kinds = [...new Set(providers.map((p) => p.kind))].sort();
  const byKind = kinds.map((kind) => {
    const of = providers.filter((p) => p.kind === kind);
    const sum = (f: (p: ProviderMoney) => number) => of.reduce((n, p) => n + f(p), 0);
    return {
      kind,
      deliveredNights: sum((p) => p.deliveredNights),
      deliveredSessions: sum((p) => p.deliveredSessions),
      costPerDeliveredNightPence: perUnit(sum((p) => p.deliveredNightPence + p.blockPence), sum((p) => p.deliveredNights)),
      costPerDeliveredSessionPence: perUnit(sum((p) => p.deliveredSessionPence), sum((p) => p.deliveredSessions)),
    };
  });
  return { byProvider: rows, byKind };
}

export interface LedgerFigures {
  childId: string;
  childName: string;
  awardedNights: number;
  awardedSessions: number;
  deliveredNights: number;
  deliveredSessions: number;
  upcomingNights: number;
  shortfallNights: number;
  shortfallSessions: number;
  behindNights: number;
  behindSessions: number;
}

/**
 * Promised against delivered. The shortfall (awarded, neither delivered nor
 * still booked) is costed at what the authority pays on average for a night and
 * a session it has committed to in the period — what keeping the promise would
 * have cost at today's mix of places.
 */
export function promisedAgainstDelivered(ledger: LedgerFigures[], averages: { nightPence: number | null; sessionPence: number | null }) {
  const sum = (f: (r: LedgerFigures) => number) => ledger.reduce((n, r) => n + f(r), 0);
  const shortfallNights = sum((r) => r.shortfallNights);
  const shortfallSessions = sum((r) => r.shortfallSessions);
  return {
    children: ledger.length,
    awardedNights: sum((r) => r.awardedNights),
    deliveredNights: sum((r) => r.deliveredNights),
    bookedAheadNights: sum((r) => r.upcomingNights),
    shortfallNights,
    awardedSessions: sum((r) => r.awardedSessions),
    deliveredSessions: sum((r) => r.deliveredSessions),
    shortfallSessions,
    averageNightPence: averages.nightPence,
    averageSessionPence: averages.sessionPence,
    shortfallCostPence: (averages.nightPence ?? 0) * shortfallNights + (averages.sessionPence ?? 0) * shortfallSessions,
  };
}

/** Furthest behind the share of their award due by today first; then by what the period will leave undelivered. */
export function furthestBehind(ledger: LedgerFigures[], averages: { nightPence: number | null; sessionPence: number | null }, limit = 15) {
  return [...ledger]
    .filter((r) => r.behindNights + r.behindSessions > 0 || r.shortfallNights + r.shortfallSessions > 0)
    .sort(
      (a, b) =>
        b.behindNights + b.behindSessions - (a.behindNights + a.behindSessions) ||
        b.shortfallNights + b.shortfallSessions - (a.shortfallNights + a.shortfallSessions) ||
        a.childName.localeCompare(b.childName),
    )
    .slice(0, limit)
    .map((r) => ({
      childId: r.childId,
      childName: r.childName,
      awardedNights: r.awardedNights,
      deliveredNights: r.deliveredNights,
      behindNights: r.behindNights,
      behindSessions: r.behindSessions,
      shortfallNights: r.shortfallNights,
      shortfallSessions: r.shortfallSessions,
      shortfallCostPence: (averages.nightPence ?? 0) * r.shortfallNights + (averages.sessionPence ?? 0) * r.shortfallSessions,
    }));
}

export interface UnmetItem {
  need: string;
  /** YYYY-MM; for a round's miss, the month its period starts unless `over` spreads it. */
  month: string;
  source: 'ROUND' | 'WAITING_LIST';
  units: number;
  childId: string;
  /**
   * A round's explanation says how many units a child missed, not on which dates; over a period spanning
   * months the miss is spread by the days of each month in `over` (local dates, inclusive).
   */
  over?: { from: string; to: string };
}

/** Units spread over the months of a period by their days; the largest remainders take the units rounding leaves, so the parts sum to the whole. */
export function spreadOverMonths(units: number, from: string, to: string): { month: string; units: number }[] {
  const days = new Map<string, number>();
  for (let d = from; d <= to; d = addDays(d, 1)) days.set(d.slice(0, 7), (days.get(d.slice(0, 7)) ?? 0) + 1);
  const total = daysBetween(from, to) + 1;
  const parts = [...days].map(([month, n]) => ({ month, exact: (units * n) / total }));
  const out = parts.map((p) => ({ month: p.month, units: Math.floor(p.exact) }));
  let left = units - out.reduce((n, p) => n + p.units, 0);
  for (const i of parts.map((p, i) => [p.exact - Math.floor(p.exact), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i)) {
    if (left-- <= 0) break;
    out[i]!.units++;
  }
  return out.filter((p) => p.units > 0);
}

/** Unmet units by need and month; a child counts under each of its needs. Rounds and waiting lists are kept apart (the same night can be in both). */
export function unmetByNeedAndMonth(items: UnmetItem[]) {
  const key = (i: UnmetItem) => `${i.need}|${i.month}`;
  const rows = new Map<string, { need: string; month: string; roundUnits: number; waitingListUnits: number; children: Set<string> }>();
  const monthly = items.flatMap((i) => (i.over && i.over.from.slice(0, 7) !== i.over.to.slice(0, 7) ? spreadOverMonths(i.units, i.over.from, i.over.to).map((p) => ({ ...i, ...p })) : [i]));
  for (const i of monthly) {
    const row = rows.get(key(i)) ?? { need: i.need, month: i.month, roundUnits: 0, waitingListUnits: 0, children: new Set<string>() };
    if (i.source === 'ROUND') row.roundUnits += i.units;
    else row.waitingListUnits += i.units;
    row.children.add(i.childId);
    rows.set(key(i), row);
  }
  return [...rows.values()]
    .map((r) => ({ need: r.need, month: r.month, roundUnits: r.roundUnits, waitingListUnits: r.waitingListUnits, children: r.children.size }))
    .sort((a, b) => a.month.localeCompare(b.month) || a.need.localeCompare(b.need));
}
