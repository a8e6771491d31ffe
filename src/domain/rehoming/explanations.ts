/**
 * The re-homing plan in words: why each child goes where the planner put them,
 * and why a child the planner could not place waits, counted by reason. Pure, like
 * the planner (planner.ts), which decides; this file only says what it decided.
 */
import { compareIds } from '../allocation/round-state.js';
import { formatLocalDate } from '../allocation/explanations.js';
import type { CareNeed } from '../care-needs.js';
import { ANNUAL_STAY_LIMIT_DAYS, SINGLE_STAY_LIMIT_DAYS, unmetNeeds, upgradesRelied, type Refusal, type RefusalReason } from '../eligibility.js';
import { travelMinutes } from '../geo.js';
import { londonWallTimeOf } from '../london-time.js';
import type { ProviderKind } from '../model.js';
import type { Assessment, ChosenPlace, Order, Placement, PlanState, Prechecked, PreparedSlot, RefusalCount, RehomingInput, RehomingPreference, UpgradeUse } from './planner.js';

/**
 * Journeys are compared in 5-minute bands: a minute or two of estimated travel
 * (geo.ts) is noise, and must not override the preferences ranked below it.
 */
export const TRAVEL_BAND_MINUTES = 5;

/** 1-based position of a home in the family's ranking, or null. */
export function rankOf(providerId: string, ranking: string[]): number | null {
  const i = ranking.indexOf(providerId);
  return i < 0 ? null : i + 1;
}


export function describe(
  entry: Prechecked,
  a: Assessment,
  alternativesThatFit: number,
  order: Order,
  input: RehomingInput,
): ChosenPlace {
  const { preferences } = order;
  const { booking } = entry;
  const { info } = a.slot;
  const closing = input.closingProviderLocation;
  const home = booking.child.home;
  const extraTravel = a.travel !== null && home && closing ? a.travel - travelMinutes(home, closing) : null;
  const unit = breakUnit(entry.original.nights);

  const words: Record<RehomingPreference, string[]> = {
    SAME_DATES: [
      a.dayShift === 0
        ? a.wallShiftMinutes === 0
          ? `same ${unit}`
          : `same ${unit}, starting ${londonWallTimeOf(info.start)} instead of ${londonWallTimeOf(booking.slot.start)}`
        : `moved ${Math.abs(a.dayShift)} day${Math.abs(a.dayShift) === 1 ? '' : 's'} ${a.dayShift > 0 ? 'later' : 'earlier'}, to ${formatLocalDate(a.slot.localDate)}`,
    ],
    CONTINUITY: [
      ...(a.together.length > 0
        ? [`with ${namesOf(a.together)} who ${a.together.length === 1 ? 'was' : 'were'} booked with them`]
        : []),
      ...(a.atChildsProvider > 0 ? ['the same provider as their other re-homed breaks'] : []),
    ],
    TRAVEL_TIME: [
      a.travel === null
        ? 'journey not compared (home location not recorded)'
        : extraTravel === null
          ? `about ${a.travel} min from home`
          : Math.abs(extraTravel) < TRAVEL_BAND_MINUTES
            ? `about the same journey from home (${a.travel} min)`
            : extraTravel > 0
              ? `${extraTravel} min further from home`
              : `${-extraTravel} min nearer home`,
    ],
    SAME_KIND: [
      a.sameKind
        ? `same kind of ${kindWord(info.provider.kind)}`
        : `a ${kindWord(info.provider.kind)} instead of a ${kindWord(booking.slot.providerKind)}`,
    ],
  };
  const { nights } = a.slot;
  const originalNights = entry.original.nights;
  if (nights !== originalNights && originalNights > 0) {
    words.SAME_DATES.push(`${nights} night${nights === 1 ? '' : 's'} instead of ${originalNights}`);
  }
  const familyRank = rankOf(info.providerId, order.ranking);
  const ranked = order.ranking.length === 0 ? [] : [familyRank === null ? 'none of the homes the family ranked had a place that fits' : `the family's ${ordinal(familyRank)} choice`];
  const homeName = info.provider.name ?? 'another provider';
  const upgrades: UpgradeUse[] = upgradesRelied(booking.child, info).map((u) => ({ upgradeId: u.id, providerId: info.providerId, need: u.need, places: u.places, from: u.from }));
  const unblocked = upgrades.map((u) => `possible because ${homeName} meets ${u.need} from ${formatLocalDate(u.from)} through a home upgrade (${u.places} place${u.places === 1 ? '' : 's'})`);
  const standing = info.standing ? ['a standing place reserved all year for the children of the closing home'] : [];
  const reasons = [...ranked, ...standing, ...unblocked, ...preferences.flatMap((p) => words[p])];
  const where = `${homeName} on ${formatLocalDate(a.slot.localDate)} at ${londonWallTimeOf(info.start)}`;
  const explanation =
    a.actions.length > 0
      ? `No place fits as things stand; a place is held at ${where} once the carer completes ${a.actions
          .map((x) => `${x.course} (${x.detail})`)
          .join(' and ')}: ${reasons.join(', ')}`
      : `Moved to ${where}, the best of ${alternativesThatFit} place${alternativesThatFit === 1 ? '' : 's'} that fit: ${reasons.join(', ')}`;
  return {
    toSlotId: info.id,
    toProviderId: info.providerId,
    dayShift: a.dayShift,
    travelMinutes: a.travel,
    extraTravelMinutes: extraTravel,
    sameKind: a.sameKind,
    withChildIds: a.together.map((p) => p.childId),
    sameProviderAsOtherMoves: a.atChildsProvider > 0,
    alternativesThatFit,
    familyRank,
    reasons,
    explanation,
    warnings: a.warnings,
    transport: null,
    upgrades,
    standingPlace: info.standing === true,
  };
}

/** "no place within 14 days can meet OXYGEN; 3 places were full (2 by children re-homed earlier in this plan)". */
export function explainWaitlist(
  entry: Prechecked,
  refused: Map<PreparedSlot, Refusal[]>,
  maxDateShiftDays: number,
  state: PlanState,
): { reason: string; refusals: RefusalCount[] } {
  const { booking } = entry;
  const date = formatLocalDate(entry.original.localDate);
  const kind = entry.original.nights > 0 ? 'an overnight' : 'a day';
  const within = `within ${maxDateShiftDays} day${maxDateShiftDays === 1 ? '' : 's'} of ${date}`;
  if (entry.window.length === 0) {
    return { reason: `No other provider has ${kind} place ${within}`, refusals: [] };
  }

  const counts = new Map<RefusalReason, { places: number; detail: string }>();
  const unmetCount = new Map<CareNeed, number>();
  /** Places that meet a need only through a home upgrade whose places are all taken (and how many of those by this plan). */
  const upgradeTaken = new Map<CareNeed, { places: number; byPlan: number }>();
  let filledByPlan = 0;
  for (const [slot, refusals] of refused) {
    for (const refusal of refusals) {
      const count = counts.get(refusal.reason) ?? { places: 0, detail: refusal.detail };
      count.places++;
      counts.set(refusal.reason, count);
    }
    if (refusals.some((r) => r.reason === 'NEEDS_NOT_MET')) {
      const atStart = unmetNeeds(booking.child, slot.info);
      for (const need of unmetNeeds(booking.child, state.current(slot))) {
        unmetCount.set(need, (unmetCount.get(need) ?? 0) + 1);
        if (!slot.info.upgrades?.some((u) => u.need === need)) continue;
        const taken = upgradeTaken.get(need) ?? { places: 0, byPlan: 0 };
        taken.places++;
        if (!atStart.includes(need)) taken.byPlan++;
        upgradeTaken.set(need, taken);
      }
    }
    if (refusals.some((r) => r.reason === 'SLOT_FULL') && slot.bookedBefore < slot.info.capacity) filledByPlan++;
  }

  const total = entry.window.length;
  const parts: string[] = [];
  const neverMet = [...unmetCount].filter(([, n]) => n === total).map(([need]) => need);
  if (neverMet.length > 0) parts.push(`none can meet ${neverMet.join(' or ')}`);
  for (const [need, n] of unmetCount) if (n < total) parts.push(`${n} cannot meet ${need}`);
  for (const [need, t] of upgradeTaken) {
    const byPlan = t.byPlan > 0 ? ` (${t.byPlan === t.places ? 'all' : t.byPlan} by children re-homed earlier in this plan)` : '';
    parts.push(`${t.places} could meet ${need} only through a home upgrade whose upgraded places are all taken then${byPlan}`);
  }
  const full = counts.get('SLOT_FULL');
  if (full) {
    const byPlan = filledByPlan > 0 ? ` (${filledByPlan} by children re-homed earlier in this plan, who had fewer alternatives)` : '';
    parts.push(`${full.places} ${full.places === 1 ? 'was' : 'were'} full${byPlan}`);
  }
  const phrases: Partial<Record<RefusalReason, string>> = {
    RESERVED_FOR_OTHER_AUTHORITY: "are kept for another council's children",
    OVERLAPPING_BOOKING: 'overlap another of their breaks',
    ENTITLEMENT_EXCEEDED: 'would go over their award',
    SINGLE_STAY_LIMIT: `would make one stay longer than ${SINGLE_STAY_LIMIT_DAYS} days`,
    ANNUAL_STAY_LIMIT: `would make more than ${ANNUAL_STAY_LIMIT_DAYS} days away in 12 months`,
  };
  for (const [reason, phrase] of Object.entries(phrases) as [RefusalReason, string][]) {
    const count = counts.get(reason);
    if (count) parts.push(`${count.places} ${phrase}`);
  }

  const refusals: RefusalCount[] = [...counts].map(([reason, c]) => ({ reason, places: c.places, detail: c.detail }));
  refusals.sort((a, b) => b.places - a.places || compareIds(a.reason, b.reason));
  const considered = `${total} place${total === 1 ? '' : 's'} ${within}`;
  return { reason: `No place fits among ${considered}: ${parts.join('; ')}`, refusals };
}

function ordinal(n: number): string {
  return n === 1 ? 'first' : n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}

function breakUnit(nights: number): string {
  return nights === 0 ? 'day' : nights === 1 ? 'night' : 'dates';
}

function kindWord(kind: ProviderKind): string {
  return { RESIDENTIAL: 'residential home', COMMUNITY: 'community scheme', FAMILY_BASED: 'family-based break' }[kind];
}

function namesOf(placements: Placement[]): string {
  const named = placements.flatMap((p) => p.childName ?? []);
  const unnamed = placements.length - named.length;
  const parts = [...named, ...(unnamed > 0 ? [`${unnamed} other child${unnamed === 1 ? '' : 'ren'}`] : [])];
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
