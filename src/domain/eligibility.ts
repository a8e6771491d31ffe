/**
 * Hard constraints shared by direct booking, the allocator, swaps and the
 * re-homing planner. One implementation so the rules cannot drift apart.
 *
 * Every refusal carries a `detail` written for the family reading it
 * (DESIGN.md: every decision is explainable to the family).
 */
import { isComplexHealthNeed, PLACE_REQUIRED_NEEDS, type CareNeed } from './care-needs.js';
import { addDays, londonDateOf, londonDaysBetween, londonWallTimeOf } from './london-time.js';
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo, UpgradeInfo } from './model.js';

export type RefusalReason =
  | 'SLOT_FULL'
  | 'NEEDS_NOT_MET'
  | 'RESERVED_FOR_OTHER_AUTHORITY'
  | 'OVERLAPPING_BOOKING'
  | 'ENTITLEMENT_EXCEEDED'
  | 'SINGLE_STAY_LIMIT'
  | 'ANNUAL_STAY_LIMIT';

export interface Refusal {
  reason: RefusalReason;
  detail: string;
}

export interface LimitWarning {
  code: 'SINGLE_STAY_NEAR_LIMIT' | 'ANNUAL_STAY_NEAR_LIMIT';
  detail: string;
  days: number;
  limit: number;
}

export interface EligibilityResult {
  refusals: Refusal[];
  warnings: LimitWarning[];
}

/** Looked-after thresholds (Care Planning, Placement and Case Review (England) Regulations 2010, reg. 48). */
export const SINGLE_STAY_LIMIT_DAYS = 17;
export const ANNUAL_STAY_LIMIT_DAYS = 75;
export const SINGLE_STAY_WARNING_DAYS = 14;
export const ANNUAL_STAY_WARNING_DAYS = 65;

/** Bookings at one provider this close together are one continuous stay for reg. 48 (back-to-back weekends, a gap for school). */
const CONTINUOUS_STAY_GAP_MS = 12 * 60 * 60 * 1000;
/** reg. 48 counts days "in any period of 12 months": a rolling window of 365 London dates. */
const ROLLING_YEAR_DAYS = 365;

interface Interval {
  start: Date;
  end: Date;
}

/**
 * How to tell the family that `slot` cannot meet `need`, or null when it can.
 * Invariant 3: for a family-based break a complex health need is met only by
 * carer training valid for the whole stay; everywhere else by the place's
 * capabilities.
 */
function shortfall(need: CareNeed, slot: SlotInfo): string | null {
  if (slot.providerKind !== 'FAMILY_BASED' || !isComplexHealthNeed(need)) {
    if (slot.capabilities.includes(need)) return null;
    const upgrade = upgradeFor(need, slot);
    if (!upgrade) return need;
    return upgrade.used < upgrade.places ? null : `${need} (the ${plural(upgrade.places, 'place')} upgraded for it from ${upgrade.from} ${upgrade.places === 1 ? 'is' : 'are'} all taken then)`;
  }
  const records = (slot.carerTraining ?? []).filter((record) => record.need === need);
  if (records.some((r) => r.completedOn <= slot.start && r.expiresOn >= slot.end)) return null;
  if (records.length === 0) return `${need} (the carer has no training for it)`;
  const latest = records.reduce((a, b) => (b.expiresOn > a.expiresOn ? b : a));
  return latest.completedOn > slot.start
    ? `${need} (carer's training is only completed on ${londonDateOf(latest.completedOn)}, after the stay starts)`
    : `${need} (carer's training expires ${londonDateOf(latest.expiresOn)}, before the stay ends)`;
}

function placeRequiredNeeds(child: ChildInfo): CareNeed[] {
  return [...new Set(child.needs)].filter((need) => PLACE_REQUIRED_NEEDS.includes(need));
}

function upgradeFor(need: CareNeed, slot: SlotInfo): UpgradeInfo | undefined {
  return slot.upgrades?.find((u) => u.need === need);
}

/**
 * The home upgrades a placement of `child` in `slot` relies on: needs the
 * places' own capabilities do not meet but an upgrade in force does. Each takes
 * one of that upgrade's places while the stay lasts.
 */
export function upgradesRelied(child: ChildInfo, slot: SlotInfo): UpgradeInfo[] {
  if (!slot.upgrades?.length) return [];
  return placeRequiredNeeds(child).flatMap((need) => {
    if (slot.capabilities.includes(need) || (slot.providerKind === 'FAMILY_BASED' && isComplexHealthNeed(need))) return [];
    const upgrade = upgradeFor(need, slot);
    return upgrade ? [upgrade] : [];
  });
}

/** Needs of the child the slot cannot meet on its dates (empty = suitable). */
export function unmetNeeds(child: ChildInfo, slot: SlotInfo): CareNeed[] {
  return placeRequiredNeeds(child).filter((need) => shortfall(need, slot) !== null);
}

/** True when [aStart,aEnd) and [bStart,bEnd) share any instant. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** Nights a stay spans, counted on Europe/London calendar dates (0 for a day session). */
export function nightsOf(stay: Interval): number {
  return londonDaysBetween(stay.start, stay.end);
}

/** True when nothing refuses the placement; warnings inform but do not block. */
export function isEligible(result: EligibilityResult): boolean {
  return result.refusals.length === 0;
}

interface PlacementInput {
  child: ChildInfo;
  slot: SlotInfo;
  stays: StayInfo[];
  entitlements: EntitlementInfo[];
}

/** Check every hard constraint for placing `child` in `slot`, given its live stays and entitlements. */
export function checkPlacement(input: PlacementInput): EligibilityResult {
  return evaluate(input, true);
}

/**
 * The reasons checkPlacement gives for refusing, in the same order, without
 * putting them into words and without the warnings (empty: it accepts). For a
 * search that asks hundreds of thousands of times and shows none of the words
 * (the allocator); what a family reads always comes from checkPlacement.
 */
export function refusalReasons(input: PlacementInput): RefusalReason[] {
  return evaluate(input, false).refusals.map((refusal) => refusal.reason);
}

/** The one implementation of the rules; `inWords` false leaves every detail empty and collects no warnings. */
function evaluate(input: PlacementInput, inWords: boolean): EligibilityResult {
  const { child, slot, stays, entitlements } = input;
  const refusals: Refusal[] = [];
  const warnings: LimitWarning[] = [];

  if (slot.booked >= slot.capacity) {
    refusals.push({
      reason: 'SLOT_FULL',
      detail: !inWords
        ? ''
        : slot.capacity === 1
          ? 'The only place in this slot is taken'
          : `The ${slot.capacity} places in this slot are all taken`,
    });
  }

  if (slot.reservedForAuthorityId !== null && slot.reservedForAuthorityId !== child.authorityId) {
    refusals.push({
      reason: 'RESERVED_FOR_OTHER_AUTHORITY',
      detail: inWords ? "The places in this slot are kept for children from another council's area" : '',
    });
  }

  const unmet = placeRequiredNeeds(child).flatMap((need) => shortfall(need, slot) ?? []);
  if (unmet.length > 0) {
    refusals.push({ reason: 'NEEDS_NOT_MET', detail: inWords ? `This place cannot meet: ${unmet.join('; ')}` : '' });
  }

  const clashes = stays.filter((stay) => overlaps(stay, slot));
  if (clashes.length > 0) {
    const when = inWords ? clashes.map((stay) => `${formatInstant(stay.start)} to ${formatInstant(stay.end)}`).join(' and ') : '';
    refusals.push({
      reason: 'OVERLAPPING_BOOKING',
      detail: inWords ? `Your child is already booked for a break from ${when}, which overlaps this one` : '',
    });
  }

  const entitlementRefusal = checkEntitlement(child, slot, stays, entitlements, inWords);
  if (entitlementRefusal) refusals.push(entitlementRefusal);

  // reg. 48 counts nights away from home; day sessions never make a child looked after.
  if (nightsOf(slot) > 0) {
    const overnight = stays.filter((stay) => nightsOf(stay) > 0);
    checkSingleStay(slot, overnight, refusals, inWords ? warnings : null);
    checkRollingYear(slot, overnight, refusals, inWords ? warnings : null);
  }

  return { refusals, warnings };
}

/** The award periods as a family reads them: '2025-04-01 to 2026-03-31 and …'. */
function awardPeriods(covering: EntitlementInfo[]): string {
  return covering.map((e) => `${londonDateOf(e.periodStart)} to ${londonDateOf(new Date(e.periodEnd.getTime() - 1))}`).join(' and ');
}

function checkEntitlement(
  child: ChildInfo,
  slot: SlotInfo,
  stays: StayInfo[],
  entitlements: EntitlementInfo[],
  inWords: boolean,
): Refusal | null {
  // Compared as numbers: Date objects compared with < go through valueOf each time, and this runs for every
  // stay of every place the allocator considers.
  const start = slot.start.getTime();
  const covering = entitlements.filter((e) => e.childId === child.id && e.periodStart.getTime() <= start && start < e.periodEnd.getTime());
  if (covering.length === 0) {
    return {
      reason: 'ENTITLEMENT_EXCEEDED',
      detail: inWords ? `Your child has no short-breaks award covering ${londonDateOf(slot.start)}` : '',
    };
  }
  // Awards that overlap (e.g. a top-up on a yearly award) add up; a stay counts once against them together.
  const counted = stays.filter((stay) => {
    const at = stay.start.getTime();
    return covering.some((e) => e.periodStart.getTime() <= at && at < e.periodEnd.getTime());
  });
  const nights = nightsOf(slot);

  if (nights > 0) {
    const awarded = covering.reduce((sum, e) => sum + e.nights, 0);
    const used = counted.reduce((sum, stay) => sum + nightsOf(stay), 0);
    if (used + nights <= awarded) return null;
    const left = Math.max(0, awarded - used);
    return {
      reason: 'ENTITLEMENT_EXCEEDED',
      detail: inWords
        ? `This break needs ${plural(nights, 'night')}, but ${left} of the ${plural(awarded, 'night')} awarded for ${awardPeriods(covering)} ${left === 1 ? 'is' : 'are'} left`
        : '',
    };
  }

  const awarded = covering.reduce((sum, e) => sum + e.daySessions, 0);
  const used = counted.filter((stay) => nightsOf(stay) === 0).length;
  if (used + 1 <= awarded) return null;
  return {
    reason: 'ENTITLEMENT_EXCEEDED',
    detail: inWords
      ? `This day session would go over the award: ${used} of the ${plural(awarded, 'day session')} awarded for ${awardPeriods(covering)} ${used === 1 ? 'is' : 'are'} already booked`
      : '',
  };
}

/** reg. 48: no single continuous stay longer than 17 days. `warnings` null: refusals only, without words. */
function checkSingleStay(slot: SlotInfo, overnight: StayInfo[], refusals: Refusal[], warnings: LimitWarning[] | null): void {
  const sameProvider = overnight.filter((stay) => stay.providerId === slot.providerId);
  // A continuous stay spans its stays' nights plus at most one date per gap between them (a gap is at most
  // 12 hours): below what could refuse or warn, nothing to merge (most children are, and the allocator asks
  // this for every place it considers).
  const most = sameProvider.reduce((sum, stay) => sum + nightsOf(stay) + 1, nightsOf(slot));
  if (most < (warnings ? SINGLE_STAY_WARNING_DAYS : SINGLE_STAY_LIMIT_DAYS + 1)) return;
  const days = nightsOf(continuousStayAround({ start: slot.start, end: slot.end }, sameProvider));
  if (days > SINGLE_STAY_LIMIT_DAYS) {
    refusals.push({
      reason: 'SINGLE_STAY_LIMIT',
      detail: warnings
        ? `This would be one continuous stay of ${days} nights with this provider (counting bookings that run on from each other); a single stay must not be longer than ${SINGLE_STAY_LIMIT_DAYS} days, or your child would become "looked after" by the council`
        : '',
    });
  } else if (days >= SINGLE_STAY_WARNING_DAYS && warnings) {
    warnings.push({
      code: 'SINGLE_STAY_NEAR_LIMIT',
      detail: `This would be one continuous stay of ${days} nights with this provider, close to the limit of ${SINGLE_STAY_LIMIT_DAYS} days`,
      days,
      limit: SINGLE_STAY_LIMIT_DAYS,
    });
  }
}

/** The candidate merged with every stay chained to it by gaps of at most 12 hours. */
function continuousStayAround(candidate: Interval, stays: Interval[]): Interval {
  const sorted = [...stays, candidate].sort((a, b) => a.start.getTime() - b.start.getTime());
  const runs: (Interval & { hasCandidate: boolean })[] = [];
  for (const stay of sorted) {
    const last = runs.at(-1);
    if (last && stay.start.getTime() <= last.end.getTime() + CONTINUOUS_STAY_GAP_MS) {
      if (stay.end > last.end) last.end = stay.end;
      last.hasCandidate ||= stay === candidate;
    } else {
      runs.push({ start: stay.start, end: stay.end, hasCandidate: stay === candidate });
    }
  }
  return runs.find((run) => run.hasCandidate) ?? candidate;
}

/**
 * The reg. 48 rolling year, the one count behind both the booking check and the
 * looked-after report: of the 365-date windows starting from day `firstStart` to
 * day `lastStart` (London dates counted from `origin`'s), the one holding the
 * most nights of `stays`, the earliest on a tie, with the first night away in it.
 * A night belongs to the London date it starts on; a stay's nights are the dates
 * from its start date up to (not including) its end date. Each date of the span
 * is marked "away" or not and every window summed with a sliding total — linear
 * in stays plus the span, and exact without reasoning about which windows suffice.
 */
function busiestRollingYear(stays: Interval[], origin: Date, firstStart: number, lastStart: number): { nights: number; start: number; firstNight: number } {
  const away = new Uint8Array(lastStart - firstStart + ROLLING_YEAR_DAYS);
  for (const stay of stays) {
    const from = londonDaysBetween(origin, stay.start) - firstStart;
    const to = Math.min(from + nightsOf(stay), away.length);
    for (let i = Math.max(from, 0); i < to; i++) away[i] = 1;
  }
  let inWindow = 0;
  for (let i = 0; i < ROLLING_YEAR_DAYS; i++) inWindow += away[i] ?? 0;
  let worst = { nights: inWindow, start: firstStart };
  for (let start = firstStart + 1; start <= lastStart; start++) {
    inWindow += (away[start + ROLLING_YEAR_DAYS - 1 - firstStart] ?? 0) - (away[start - 1 - firstStart] ?? 0);
    if (inWindow > worst.nights) worst = { nights: inWindow, start };
  }
  const firstNight = away.indexOf(1, worst.start - firstStart);
  return { ...worst, firstNight: firstNight < 0 ? worst.start : firstNight + firstStart };
}

/**
 * reg. 48: no more than 75 days in any 12 months. Only 365-day windows holding
 * at least one night of the candidate can newly break the limit: those starting
 * from 364 days before its first night up to its last night. A night belongs to
 * the London date it starts on.
 */
function checkRollingYear(slot: SlotInfo, overnight: StayInfo[], refusals: Refusal[], warnings: LimitWarning[] | null): void {
  // No window can hold more nights than all the stays together: below what could warn (or, without warnings,
  // refuse), nothing to count (most children are, and the allocator asks this for every place it considers).
  const total = overnight.reduce((sum, stay) => sum + nightsOf(stay), nightsOf(slot));
  if (total < (warnings ? ANNUAL_STAY_WARNING_DAYS : ANNUAL_STAY_LIMIT_DAYS + 1)) return;
  const worst = busiestRollingYear([...overnight, slot], slot.start, -(ROLLING_YEAR_DAYS - 1), nightsOf(slot) - 1);

  if (worst.nights < ANNUAL_STAY_WARNING_DAYS) return;
  if (!warnings) {
    if (worst.nights > ANNUAL_STAY_LIMIT_DAYS) refusals.push({ reason: 'ANNUAL_STAY_LIMIT', detail: '' });
    return;
  }
  const firstNight = londonDateOf(slot.start);
  const window = `${addDays(firstNight, worst.start)} to ${addDays(firstNight, worst.start + ROLLING_YEAR_DAYS - 1)}`;
  if (worst.nights > ANNUAL_STAY_LIMIT_DAYS) {
    refusals.push({
      reason: 'ANNUAL_STAY_LIMIT',
      detail: `This would make ${worst.nights} nights away in the 12 months ${window}; more than ${ANNUAL_STAY_LIMIT_DAYS} in any 12 months would make your child "looked after" by the council`,
    });
  } else {
    warnings.push({
      code: 'ANNUAL_STAY_NEAR_LIMIT',
      detail: `This would make ${worst.nights} nights away in the 12 months ${window}, close to the limit of ${ANNUAL_STAY_LIMIT_DAYS}`,
      days: worst.nights,
      limit: ANNUAL_STAY_LIMIT_DAYS,
    });
  }
}

function formatInstant(instant: Date): string {
  return `${londonDateOf(instant)} ${londonWallTimeOf(instant)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export interface LookedAfterStanding {
  /** Longest continuous overnight stay with one provider (bookings chained by gaps of at most 12 hours). */
  longestStay: { nights: number; start: Date | null; providerId: string | null };
  /** Most nights away in any rolling 12 months (365 London dates). */
  busiestYear: { nights: number; windowStart: string | null };
  status: 'OK' | 'NEAR_LIMIT' | 'OVER_LIMIT';
}

/** Where a child stands against the reg. 48 limits, for the looked-after report. */
export function lookedAfterStanding(stays: StayInfo[]): LookedAfterStanding {
  const overnight = stays.filter((stay) => nightsOf(stay) > 0).sort((a, b) => a.start.getTime() - b.start.getTime());
  let longest: LookedAfterStanding['longestStay'] = { nights: 0, start: null, providerId: null };
  for (const providerId of new Set(overnight.map((s) => s.providerId))) {
    const own = overnight.filter((s) => s.providerId === providerId);
    for (const stay of own) {
      const run = continuousStayAround(stay, own.filter((s) => s !== stay));
      const nights = nightsOf(run);
      if (nights > longest.nights) longest = { nights, start: run.start, providerId };
    }
  }
  // The busiest rolling year anywhere in the history, named by its first night away.
  let busiest: LookedAfterStanding['busiestYear'] = { nights: 0, windowStart: null };
  const first = overnight[0];
  if (first) {
    const lastNight = Math.max(...overnight.map((stay) => londonDaysBetween(first.start, stay.start) + nightsOf(stay) - 1));
    const worst = busiestRollingYear(overnight, first.start, 0, lastNight);
    busiest = { nights: worst.nights, windowStart: addDays(londonDateOf(first.start), worst.firstNight) };
  }
  const over = longest.nights > SINGLE_STAY_LIMIT_DAYS || busiest.nights > ANNUAL_STAY_LIMIT_DAYS;
  const near = longest.nights >= SINGLE_STAY_WARNING_DAYS || busiest.nights >= ANNUAL_STAY_WARNING_DAYS;
  return { longestStay: longest, busiestYear: busiest, status: over ? 'OVER_LIMIT' : near ? 'NEAR_LIMIT' : 'OK' };
}
