/**
 * Plain data in and out of an allocation round. Input holds Dates (as the rest
 * of src/domain does); every result type is JSON-serialisable so the worker can
 * store it as-is in AllocationRound.result / AllocationRound.metrics.
 *
 * Unit of measure throughout: a "break unit" = one night of an overnight slot,
 * or one day session (a slot that spans no night). `nightsWanted` and every
 * share below count break units.
 */
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo } from '../model.js';

/** One ranked choice on a BreakRequest. Days of week are Europe/London, 0 = Sunday .. 6 = Saturday. */
export type Preference =
  | { kind: 'SLOT'; slotId: string }
  | {
      kind: 'DAYS';
      daysOfWeek: number[];
      providerId?: string;
      /** Local dates 'YYYY-MM-DD', inclusive; default: the round's period. */
      from?: string;
      to?: string;
    };

export interface BreakRequestInfo {
  id: string;
  childId: string;
  /**
   * The dates the family asked about, local and inclusive: every night (or day
   * session) given lies on these dates (DESIGN.md, invariant 7). Absent only in
   * hand-built inputs, where the round's period stands in.
   */
  period?: { from: string; to: string };
  /** Ranked: the first entry is rank 1 (best). */
  preferences: Preference[];
  /** After the ranked preferences, any other suitable slot inside the request's own period may be offered. */
  flexible: boolean;
  /**
   * Nights wanted together: each stay given is this many consecutive nights in
   * one home (one carer, for family-based care), never fewer. 1 or absent:
   * nights may be given singly (consecutive ones are still kept in one home
   * wherever a place allows).
   */
  stayNights?: number | null;
  transportNeeded: boolean;
  /** Break units wanted this period; default: the remaining entitlement. */
  nightsWanted?: number | null;
  /** Filing time; orders the first-come-first-served baseline (input order breaks ties). */
  filedAt?: Date;
}

/**
 * What makes a slot scarce. A night's (or day session's) weight is the largest
 * weight that applies to it, never a product, so a bank-holiday Saturday in the
 * school holidays costs the same as any bank holiday rather than 18 nights.
 */
export interface ScarcityCalendar {
  /** Nights that are scarce, by the weekday the night starts on. Default Fri, Sat. */
  weekendNights: number[];
  /** Day sessions that are scarce, by weekday. Default Sat, Sun. */
  weekendDays: number[];
  /** School holidays, local dates inclusive. */
  schoolHolidays: { from: string; to: string }[];
  /** Bank holidays; the holiday itself and the night before it are scarce. */
  bankHolidays: string[];
  weights: { weekend: number; schoolHoliday: number; bankHoliday: number };
}

/** One round's outcome for one child, kept in its history for later rounds. */
export interface RoundRecord {
  seed: string;
  unitsWanted: number;
  unitsGot: number;
  /** Scarcity-weighted value of the best bundle the child asked for. */
  valueWanted: number;
  /** Scarcity-weighted value of what the child got. */
  valueGot: number;
  scarceUnitsWanted: number;
  scarceUnitsGot: number;
  /** valueGot / valueWanted, capped at 1. */
  satisfaction: number;
}

/** A child's standing across rounds (Karma-style credit, see allocator.ts). */
export interface ChildHistory {
  childId: string;
  /** Positive: served worse than average so far; raises priority. */
  credit: number;
  /** The last N rounds, oldest first. */
  rounds: RoundRecord[];
}

export interface AllocationInput {
  seed: string;
  /** The round's period [start, end). Only slots starting inside it are allocated. */
  period: { start: Date; end: Date };
  /** Slots with current `booked` counts (live bookings outside this round). */
  slots: SlotInfo[];
  children: ChildInfo[];
  entitlements: EntitlementInfo[];
  /** Live bookings outside this round, by child id (all dates: the 75-day limit looks back a year). */
  existingStays: Record<string, StayInfo[]>;
  /** At most one request per child. */
  requests: BreakRequestInfo[];
  history: ChildHistory[];
  calendar: ScarcityCalendar;
  /** Rounds kept in history and used for scarce-slot share; default 12. */
  historyWindow?: number;
}

export interface AllocatedBooking {
  childId: string;
  slotId: string;
  requestId: string;
  /** 1-based rank of the preference it met; null = offered under `flexible`. */
  preferenceRank: number | null;
  /** Break units (nights, or 1 for a day session). */
  units: number;
  /** London nights the stay spans (0 for a day session), as Booking.nights stores them. */
  nights: number;
  /** Scarcity-weighted cost of the slot. */
  cost: number;
  transportNeeded: boolean;
}

/** Why a preferred slot was not given (explanations.ts decides, from the round's final state). */
export type UnmetReason =
  /** Fully booked before this round. */
  | 'FULL'
  /** Its places went to children whose turn came first this round (with their positions). */
  | 'LOWER_IN_ROTATION'
  /** The place cannot meet the child's needs (for family-based care: carer training valid on the date). */
  | 'NEEDS_NOT_MET'
  /** A block contract keeps the places for another authority's children. */
  | 'RESERVED_FOR_OTHER_AUTHORITY'
  /** Went to (or kept for) a child whose scarce care need only such places meet. */
  | 'HELD_FOR_CARE_NEEDS'
  /** Would go beyond the entitlement covering its date. */
  | 'ENTITLEMENT_USED'
  /** Would pass the 17-day single-stay or 75-day yearly limit. */
  | 'LIMIT_REACHED'
  /** Overlaps a break the child already has (from before or from this round). */
  | 'OVERLAP'
  /** Not needed: the child already has what it asked for. */
  | 'WANT_MET'
  /** Not offered in this round's period (or no longer could be). */
  | 'NOT_AVAILABLE';

/** Why some of a preference's slots were not given: grouped, with one example in words. */
export interface UnmetGroup {
  reason: UnmetReason;
  slots: number;
  detail: string;
  /** For FULL / LOWER_IN_ROTATION on the example slot: who holds its places. */
  takenBy?: { beforeRound: number; positions: number[] };
}

export interface PreferenceOutcome {
  rank: number;
  preference: Preference;
  /**
   * How many suitable slots the preference expands to. The ids are not stored:
   * "Fridays and Saturdays anywhere" is hundreds of slots per child, and the
   * expansion is reproducible from the preference and the round's slots.
   */
  slotCount: number;
  gotSlotIds: string[];
  unmet: UnmetGroup[];
}

export interface ChildExplanation {
  childId: string;
  requestId: string;
  /** 1-based position in the round's order (rotation, or filing order for FCFS). */
  position: number;
  of: number;
  creditBefore: number;
  ticket: number;
  unitsWanted: number;
  unitsGot: number;
  flexible: boolean;
  preferences: PreferenceOutcome[];
  got: { slotId: string; preferenceRank: number | null }[];
  /** Stays the child was given in more than one home, and why one home could not take the whole stay. */
  splitStays?: { dates: string[]; providerIds: string[]; detail: string }[];
  summary: string;
}

export interface ChildShare {
  childId: string;
  /** unitsGot / unitsWanted (0..1). */
  share: number;
  /** valueGot / valueWanted (0..1): the same, weighted by scarcity. */
  weightedShare: number;
}

export interface FairnessMetrics {
  /** Children with a request in the round, whether or not anything could be given. */
  requests: number;
  /** Children whose request wanted at least one unit (the shares below are theirs). */
  children: number;
  unitsWanted: number;
  unitsAllocated: number;
  scarceUnitsAllocated: number;
  /** Max-flow upper bound on units allocatable (see max-flow.ts for what it relaxes). */
  upperBound: number;
  /** unitsAllocated / upperBound (1 when the bound is 0). */
  boundRatio: number;
  shares: ChildShare[];
  gini: number;
  jain: number;
  /** The worst-served child's share (max-min fairness) and who. */
  maxMin: { share: number; childIds: string[] };
  /** Every child with a request who got nothing, including those with nothing awarded or nothing suitable on their dates. */
  childrenWithNothing: number;
  /** Of those, the children who could have been given nothing at all (no award left, or no suitable place on the dates asked). */
  childrenWithNothingToGive: number;
  /** Stays of two or more consecutive nights, how many are split across homes, and of those how many places left free could have mended. */
  stays: { total: number; split: number; avoidableSplits: number };
  /** Bookings inside their request's dates and matching one of its preferences (honoured.ts); share is 1 when all are. */
  requestsHonoured: { bookings: number; outside: number; share: number };
  /** Scarce units got / scarce units wanted per child across the last `window` rounds. */
  scarceShare: {
    window: number;
    byChild: { childId: string; share: number; rounds: number }[];
    stdDev: number;
    maxMinGap: number;
  };
}

export interface AllocationResult {
  mechanism: 'MAX_MIN_FILLING' | 'FIRST_COME_FIRST_SERVED';
  seed: string;
  bookings: AllocatedBooking[];
  explanations: ChildExplanation[];
  lottery: { childId: string; ticket: number }[];
  order: string[];
  metrics: FairnessMetrics;
  historyAfter: ChildHistory[];
}
