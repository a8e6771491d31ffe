/**
 * Per-child explanations (DESIGN.md: "every decision is explainable to
 * the family"). Each preference not met is explained from the round's final
 * state with the same checkPlacement used to decide, so the reason given is the
 * rule that actually stands in the way, not a guess.
 */
import { unmetNeeds } from '../eligibility.js';
import { dayOfWeek } from '../london-time.js';
import { splitStays } from './stays.js';
import { FLEXIBLE_RANK, effectiveRank, type ChildEntry, type ExpandedPreference, type RoundState, type SlotEntry } from './round-state.js';
import type { ChildExplanation, PreferenceOutcome, UnmetGroup, UnmetReason } from './types.js';

export type OrderName = 'rotation' | 'filing order';

interface Context {
  state: RoundState;
  child: ChildEntry;
  orderName: OrderName;
  of: number;
  unit: string;
  /** The worst rank among the child's placements (0 if none). */
  worstRankGot: number;
  final: FinalSlots;
}

/**
 * What explaining a full slot needs of the round's final state, by slot index: every child's explanation
 * looks at hundreds of slots, and arrays are far cheaper to read than slot after slot.
 */
interface FinalSlots {
  takers: Int32Array;
  protects: Int32Array;
  /** 1 when a child placed there needs one of the needs the slot protects. */
  takenByNeeder: Uint8Array;
  /** have[slot] === the explained child's index + 1 when it was placed there. */
  have: Int32Array;
}

const finalSlotsOf = new WeakMap<RoundState, FinalSlots>();

function finalSlots(state: RoundState): FinalSlots {
  let final = finalSlotsOf.get(state);
  if (!final) {
    const n = state.slots.length;
    final = { takers: new Int32Array(n), protects: new Int32Array(n), takenByNeeder: new Uint8Array(n), have: new Int32Array(n) };
    for (const entry of state.slots) {
      final.takers[entry.index] = entry.takers.length;
      final.protects[entry.index] = entry.protectsBits;
      if (entry.protectsBits !== 0 && entry.takers.some((taker) => needsProtected(state.childAt(taker), entry))) final.takenByNeeder[entry.index] = 1;
    }
    finalSlotsOf.set(state, final);
  }
  return final;
}

export function explainChild(state: RoundState, child: ChildEntry, orderName: OrderName, of: number): ChildExplanation {
  const worstRankGot = Math.max(0, ...child.placements.map((placement) => effectiveRank(placement.rank)));
  const final = finalSlots(state);
  const context: Context = { state, child, orderName, of, unit: unitWord(state, child), worstRankGot, final };
  for (const placement of child.placements) final.have[placement.slot] = child.index + 1;
  const preferences = child.preferences.map((preference) => preferenceOutcome(context, preference));
  const split = splitExplanations(state, child);
  return {
    childId: child.child.id,
    requestId: child.request.id,
    position: child.position,
    of,
    creditBefore: child.credit,
    ticket: child.ticket,
    unitsWanted: child.unitsWanted,
    unitsGot: child.unitsGot,
    flexible: child.request.flexible,
    preferences,
    // Slots are indexed in start order: this lists the breaks by date.
    got: [...child.placements].sort((a, b) => a.slot - b.slot).map((placement) => ({
      slotId: state.slot(placement.slot).info.id,
      preferenceRank: placement.rank === FLEXIBLE_RANK ? null : placement.rank,
    })),
    ...(split.length > 0 ? { splitStays: split } : {}),
    summary: [summary(context, preferences), ...split.map((stay) => stay.detail)].join(' '),
  };
}

/**
 * A stay left in more than one home, and why: for each other home of the stay,
 * the first night it had no place to take the child (that is what kept the
 * stay apart once every swap had been tried).
 */
function splitExplanations(state: RoundState, child: ChildEntry): NonNullable<ChildExplanation['splitStays']> {
  return splitStays(state, child).split.map(({ slots }) => {
    const entries = slots.map((slot) => state.slot(slot));
    const dates = entries.map((entry) => entry.localDate);
    const providerIds = [...new Set(entries.map((entry) => entry.info.providerId))];
    const from = formatLocalDate(dates[0] as string);
    const to = formatLocalDate(dates.at(-1) as string);
    const main = entries[0] as SlotEntry;
    const elsewhere = entries.find((entry) => entry.home !== main.home) as SlotEntry;
    const detail =
      `The stay from ${from} to ${to} is in ${providerIds.length} places: ` +
      `the first home had no place left for ${formatLocalDate(elsewhere.localDate)} that could be swapped, so that night is elsewhere.`;
    return { dates, providerIds, detail };
  });
}

function preferenceOutcome(context: Context, preference: ExpandedPreference): PreferenceOutcome {
  const { state, child } = context;
  const groups = new Map<UnmetReason, Tally>();
  if (preference.unknownSlot) note(groups, 'NOT_AVAILABLE', null);
  for (const slot of preference.unsuitable) {
    const fit = state.staticFit(child.child, slot);
    note(groups, fit === 'OK' ? 'NOT_AVAILABLE' : fit, slot);
  }
  const { have } = context.final;
  const mine = child.index + 1;
  for (const slot of preference.slots) {
    if (have[slot] !== mine) note(groups, missReason(context, slot, preference.rank), slot);
  }
  return {
    rank: preference.rank,
    preference: preference.preference,
    slotCount: preference.slots.length,
    gotSlotIds: child.placements
      .filter((placement) => placement.rank === preference.rank)
      .map((placement) => state.slot(placement.slot).info.id),
    unmet: [...groups.values()].map(({ reason, slots, first }): UnmetGroup => ({ reason, slots, ...describe(context, reason, first) })),
  };
}

/** How many slots missed for one reason, and the first of them (the one put into words). */
interface Tally {
  reason: UnmetReason;
  slots: number;
  first: number | null;
}

/** Slots are grouped by reason; only the first of each reason is put into words. */
function note(groups: Map<UnmetReason, Tally>, reason: UnmetReason, slot: number | null): void {
  const group = groups.get(reason);
  if (group) group.slots += 1;
  else groups.set(reason, { reason, slots: 1, first: slot });
}

/**
 * Why the child does not have this suitable slot, judged on the round's final
 * state. A choice ranked below everything the child got was simply not needed
 * once it had what it asked for; one ranked above is explained by what stood
 * in its way.
 */
function missReason(context: Context, slot: number, rank: number): UnmetReason {
  const { state, child } = context;
  const asked = child.request.nightsWanted;
  if (asked != null && (state.slotUnits[slot] as number) > asked - child.unitsGot && effectiveRank(rank) >= context.worstRankGot) return 'WANT_MET';
  // A full slot is what blocking() reports first, without asking checkPlacement: most slots a child missed
  // are, and a county round explains hundreds of thousands of them.
  if (state.free(slot) <= 0) return fullReason(context, slot);
  const entry = state.slot(slot);
  switch (state.blocking(child, slot)) {
    case 'SLOT_FULL':
      return fullReason(context, slot);
    case 'OVERLAPPING_BOOKING':
      return 'OVERLAP';
    case 'SINGLE_STAY_LIMIT':
    case 'ANNUAL_STAY_LIMIT':
      return 'LIMIT_REACHED';
    case 'ENTITLEMENT_EXCEEDED':
      return 'ENTITLEMENT_USED';
    default:
      // Open, yet not taken: the child has every unit that could be offered together.
      if (entry.units > state.remainingWant(child)) return 'WANT_MET';
      return state.heldForNeeds(child, slot) ? 'HELD_FOR_CARE_NEEDS' : 'NOT_AVAILABLE';
  }
}

/**
 * A full slot: full before the round, or its places went to children before this one — to one needing a
 * scarce capability of it that this child does not need, or simply earlier in the order.
 */
function fullReason({ child, final }: Context, slot: number): UnmetReason {
  if (final.takers[slot] === 0) return 'FULL';
  const protects = final.protects[slot] as number;
  const heldForOthersNeeds = protects !== 0 && (child.needBits & protects) === 0 && final.takenByNeeder[slot] === 1;
  return heldForOthersNeeds ? 'HELD_FOR_CARE_NEEDS' : 'LOWER_IN_ROTATION';
}

function needsProtected(child: ChildEntry, slot: SlotEntry): boolean {
  return (child.needBits & slot.protectsBits) !== 0;
}

/** The family-facing words for a reason, about one example slot. */
function describe(context: Context, reason: UnmetReason, slot: number | null): Pick<UnmetGroup, 'detail' | 'takenBy'> {
  const { state, child, unit, orderName, of } = context;
  if (slot === null) return { detail: 'This slot is not offered in the period of this round.' };
  const entry = state.slot(slot);
  const date = formatLocalDate(entry.localDate);
  switch (reason) {
    case 'NEEDS_NOT_MET': {
      const needs = unmetNeeds(child.child, entry.info).map(describeNeed).join(', ');
      return { detail: `${date}: the place cannot meet ${needs}.` };
    }
    case 'RESERVED_FOR_OTHER_AUTHORITY':
      return { detail: `${date}: the places are reserved for another authority's children.` };
    case 'WANT_MET': {
      const asked = child.request.nightsWanted;
      if (asked == null) return { detail: `You have all the ${unit} that could be offered together.` };
      if (child.unitsGot >= asked) return { detail: `You already have the ${count(asked, unit)} asked for.` };
      return { detail: `${date} is ${entry.units} nights, more than the ${asked - child.unitsGot} still wanted.` };
    }
    case 'FULL':
      return { detail: `${date} was fully booked before this round.`, takenBy: { beforeRound: entry.bookedBefore, positions: [] } };
    case 'LOWER_IN_ROTATION': {
      const positions = entry.takers.map((taker) => state.childAt(taker).position).sort((a, b) => a - b);
      return {
        detail:
          `${date}: ${plural(positions.length, 'place')} went to children whose turn came first ` +
          `(${positions.map(ordinal).join(', ')} in the ${orderName}); you were ${ordinal(child.position)} of ${of}.`,
        takenBy: { beforeRound: entry.bookedBefore, positions },
      };
    }
    case 'OVERLAP':
      return { detail: `${date} overlaps another break already booked for your child.` };
    case 'LIMIT_REACHED':
      return { detail: `${date} would take your child past the limit on time away (17 days in a row, or 75 days in 12 months).` };
    case 'ENTITLEMENT_USED':
      return { detail: `${date} would go beyond the entitlement for this period.` };
    case 'HELD_FOR_CARE_NEEDS':
      return { detail: `${date}: the place was kept for a child whose care needs only it can meet.` };
    case 'NOT_AVAILABLE':
      return { detail: `${date} could not be offered in this round.` };
  }
}

/** Phrases for the summary, by reason, given how many slots it affected. */
const REASON_PHRASES: Record<UnmetReason, (count: number, context: Context) => string> = {
  LOWER_IN_ROTATION: (n, c) => `${plural(n, 'preferred date')} went to children whose turn came first in the ${c.orderName}`,
  FULL: (n) => `${plural(n, 'preferred date')} ${n === 1 ? 'was' : 'were'} fully booked before this round`,
  NEEDS_NOT_MET: (n) => `${plural(n, 'preferred date')} could not meet your child's needs`,
  RESERVED_FOR_OTHER_AUTHORITY: (n) => `${plural(n, 'preferred date')} ${n === 1 ? 'is' : 'are'} reserved for another authority`,
  HELD_FOR_CARE_NEEDS: (n) =>
    `${plural(n, 'preferred date')} ${n === 1 ? 'was' : 'were'} kept for children whose care needs only those places meet`,
  ENTITLEMENT_USED: (n) => `${plural(n, 'preferred date')} would have gone beyond the entitlement`,
  LIMIT_REACHED: (n) => `${plural(n, 'preferred date')} would have passed the 17-day or 75-day limit on time away`,
  OVERLAP: (n) => `${plural(n, 'preferred date')} overlapped another break`,
  WANT_MET: (_n, c) => `you had the ${c.unit} asked for`,
  NOT_AVAILABLE: (n) => `${plural(n, 'preferred date')} ${n === 1 ? 'is' : 'are'} not offered in this period`,
};

function summary(context: Context, preferences: PreferenceOutcome[]): string {
  const { child, orderName, of, unit } = context;
  const counts = new Map<UnmetReason, number>();
  for (const preference of preferences) {
    for (const group of preference.unmet) {
      if (group.reason !== 'WANT_MET') counts.set(group.reason, (counts.get(group.reason) ?? 0) + group.slots);
    }
  }
  const topReasons = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2);
  const because = topReasons.map(([reason, count]) => REASON_PHRASES[reason](count, context)).join('; ');
  if (child.unitsWanted === 0) {
    return `Nothing could be offered for this request${because ? `: ${because}` : ''}.`;
  }
  const asked = child.request.nightsWanted ?? child.unitsWanted;
  const firstChoice = child.placements.filter((placement) => placement.rank === 1).length;
  const got =
    child.unitsGot === 0 ? 'got none' : `got ${child.unitsGot}${firstChoice > 0 ? ` (${firstChoice} from your first choice)` : ''}`;
  const sentences = [`Asked for ${count(asked, unit)}, ${got}.`];
  if (child.unitsWanted < asked) {
    sentences.push(
      `Only ${child.unitsWanted} could be offered together, within the entitlement, the limits on time away and existing bookings.`,
    );
  }
  sentences.push(`You were ${ordinal(child.position)} of ${of} in the ${orderName}.`);
  if (because) sentences.push(`${capitalise(because)}.`);
  return sentences.join(' ');
}

function unitWord(state: RoundState, child: ChildEntry): string {
  let overnight = false;
  let day = false;
  for (const slot of child.candSlot) {
    if (state.slotOvernight[slot] === 1) overnight = true;
    else day = true;
    if (overnight && day) return 'nights or day sessions';
  }
  return day ? 'day sessions' : 'nights';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const formattedDates = new Map<string, string>();

/** 'YYYY-MM-DD' → 'Fri 14 Mar 2025', as a family would read it. */
export function formatLocalDate(date: string): string {
  let formatted = formattedDates.get(date);
  if (formatted === undefined) {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    formatted = `${WEEKDAYS[dayOfWeek(date)]} ${day} ${MONTHS[month - 1]} ${year}`;
    formattedDates.set(date, formatted);
  }
  return formatted;
}

/** 1 → '1st', 2 → '2nd', 11 → '11th', 23 → '23rd'. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** 1 → '1 night', 2 → '2 nights', for a plural unit word from unitWord. */
function count(n: number, unit: string): string {
  return `${n} ${n === 1 ? unit.replaceAll('nights', 'night').replaceAll('sessions', 'session') : unit}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function describeNeed(need: string): string {
  return need.toLowerCase().replaceAll('_', ' ');
}
