/**
 * What a break costs and who pays (seeds/000: the funding review; seeds/001:
 * "who should have to pay" between health and social care). Pure. A booking's
 * cost and funder split are worked out once, when it is booked, from the price
 * in force on its date and the child's funding package as it stood — so a later
 * price change or a new package never rewrites what was committed.
 */
import { PLACE_REQUIRED_NEEDS, CARE_NEEDS, type CareNeed } from './care-needs.js';

export const FUNDERS = ['SOCIAL_CARE', 'CONTINUING_CARE', 'EDUCATION'] as const;
export type Funder = (typeof FUNDERS)[number];
export const FUNDER_LABELS: Record<Funder, string> = {
  SOCIAL_CARE: 'Children’s social care (the authority)',
  CONTINUING_CARE: 'NHS continuing care (the ICB)',
  EDUCATION: 'Education (EHC plan)',
};

export type PriceUnit = 'NIGHT' | 'SESSION' | 'BLOCK';
export interface PriceInfo {
  unit: PriceUnit;
  pence: number;
  /** Local dates, inclusive; null = open-ended. */
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface FundingShareInfo {
  funder: Funder;
  /** Of 10,000. */
  basisPoints: number;
  /** Null: every break; a need: the breaks whose place meets this need of the child. */
  need: CareNeed | null;
}

export interface FunderPart {
  funder: Funder;
  basisPoints: number;
  pence: number;
}

export interface Charge {
  /** Null when no price was in force: the booking stands, and reports count it as unpriced. */
  costPence: number | null;
  priceUnit: PriceUnit | null;
  fundingSplit: FunderPart[] | null;
}

export const WHOLE = 10_000;

const covers = (p: PriceInfo, date: string) => p.effectiveFrom <= date && (p.effectiveTo === null || p.effectiveTo >= date);

/**
 * The price of a break on a date. A block contract in force covers its places
 * outright (the block is paid whole, whatever is used), so it wins over a unit price.
 */
export function priceOn(prices: readonly PriceInfo[], localDate: string, overnight: boolean): PriceInfo | null {
  const inForce = prices.filter((p) => covers(p, localDate)).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
  return inForce.find((p) => p.unit === 'BLOCK') ?? inForce.find((p) => p.unit === (overnight ? 'NIGHT' : 'SESSION')) ?? null;
}

/** Whether a place met this need of the child: eligibility guarantees the needs a place must meet, the rest are tags. */
const metBy = (need: CareNeed, childNeeds: readonly CareNeed[], slotCapabilities: readonly CareNeed[]) =>
  childNeeds.includes(need) && (PLACE_REQUIRED_NEEDS.includes(need) || slotCapabilities.includes(need));

/**
 * The lines of a package that pay for one break: those for the first need (in
 * vocabulary order) the child has and the place meets, otherwise the general
 * lines, otherwise the authority's social care alone.
 */
export function fundingGroupFor(shares: readonly FundingShareInfo[], childNeeds: readonly CareNeed[], slotCapabilities: readonly CareNeed[]): FundingShareInfo[] {
  for (const need of CARE_NEEDS) {
    const group = shares.filter((s) => s.need === need);
    if (group.length && metBy(need, childNeeds, slotCapabilities)) return group;
  }
  const general = shares.filter((s) => s.need === null);
  return general.length ? general : [{ funder: 'SOCIAL_CARE', basisPoints: WHOLE, need: null }];
}

/** Split pence by basis points; the pennies rounding leaves go to the largest remainders, so parts always sum to the whole. */
export function splitPence(total: number, group: readonly FundingShareInfo[]): FunderPart[] {
  const exact = group.map((s) => (total * s.basisPoints) / WHOLE);
  const parts = group.map((s, i) => ({ funder: s.funder, basisPoints: s.basisPoints, pence: Math.floor(exact[i]!) }));
  let left = total - parts.reduce((n, p) => n + p.pence, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]!.pence++;
    left--;
  }
  return parts;
}

export function chargeFor(input: {
  /** London nights the break spans; 0 = a day session. */
  nights: number;
  localDate: string;
  prices: readonly PriceInfo[];
  shares: readonly FundingShareInfo[];
  childNeeds: readonly CareNeed[];
  slotCapabilities: readonly CareNeed[];
}): Charge {
  const price = priceOn(input.prices, input.localDate, input.nights > 0);
  if (!price) return { costPence: null, priceUnit: null, fundingSplit: null };
  const costPence = price.unit === 'BLOCK' ? 0 : price.pence * Math.max(1, input.nights);
  return { costPence, priceUnit: price.unit, fundingSplit: splitPence(costPence, fundingGroupFor(input.shares, input.childNeeds, input.slotCapabilities)) };
}

/** Problems with a package: each group (general, or one need) must name each funder once and add up to the whole. */
export function packageProblems(shares: readonly FundingShareInfo[]): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const groups = new Map<string, FundingShareInfo[]>();
  for (const s of shares) groups.set(s.need ?? '', [...(groups.get(s.need ?? '') ?? []), s]);
  for (const [need, group] of groups) {
    const label = need ? `the ${need} lines` : 'the general lines';
    const funders = group.map((s) => s.funder);
    if (new Set(funders).size !== funders.length) problems.push({ path: 'body.shares', message: `${label} name a funder twice` });
    const sum = group.reduce((n, s) => n + s.basisPoints, 0);
    if (sum !== WHOLE) problems.push({ path: 'body.shares', message: `${label} add up to ${sum / 100}%, not 100%` });
  }
  return problems;
}

/** Nights from a start time and duration, as the slot generator would make them: does the break cross a London midnight? */
export function isOvernight(startTime: string, durationMinutes: number): boolean {
  const [h, m] = startTime.split(':').map(Number) as [number, number];
  return h * 60 + m + durationMinutes >= 24 * 60;
}
