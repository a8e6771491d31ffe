/**
 * The mutable bookkeeping of one allocation round, shared by the max-min filling (allocator.ts)
 * (allocator.ts) and the first-come-first-served baseline (fcfs.ts) so both are
 * held to exactly the same rules.
 *
 * Every placement decision goes through the rules of `checkPlacement` from ../eligibility.ts
 * (capacity, needs incl. carer training on the date, authority reservation,
 * overlap, entitlement caps, 17-day and 75-day limits), fed with this round's
 * incremental state: each slot's `booked` count and each child's stays so far.
 * Cheap tests in front of it (see `blocking` and `staticFit`) only ever refuse
 * what checkPlacement would refuse too; acceptance always comes from it.
 */
import { CARE_NEEDS, PLACE_REQUIRED_NEEDS, type CareNeed } from '../care-needs.js';
import { refusalReasons, unmetNeeds, type RefusalReason } from '../eligibility.js';
import { dayOfWeek, daysBetween } from '../london-time.js';
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo } from '../model.js';
import { ScarcityPricer } from './scarcity.js';
import type { AllocationInput, BreakRequestInfo, Preference } from './types.js';

/** Rank stored for a candidate offered only because the request is flexible. */
export const FLEXIBLE_RANK = 0;

/** A rank for comparing: flexible offers come after every ranked preference. */
export function effectiveRank(rank: number): number {
  return rank === FLEXIBLE_RANK ? Number.POSITIVE_INFINITY : rank;
}

/** Candidate states; "dead" is final during the draft because slots only fill and stays only grow. */
export const ALIVE = 0;
export const DEAD = 1;
/** Dead because the slot was full: the repair pass may still free a place in it. */
export const DEAD_FULL = 2;

/**
 * Per child, refusals that more stays can never lift, as the fewest units
 * refused under a key; while the child's stays only grow, any slot under the
 * same key with as many units is refused too. Keys are numbers (this is hot):
 * - positive: overnight or day slots under the same covering entitlements,
 *   refused as beyond the entitlement (entitlementKeyOf);
 * - negative: overnight slots starting on one London date, refused by the
 *   75-day limit (more nights from the same date only add days away).
 */
export type RefusalMemo = Map<number, number>;

function refusedBefore(memo: RefusalMemo, key: number, slot: SlotEntry): boolean {
  return (memo.get(key) ?? Number.POSITIVE_INFINITY) <= slot.units;
}

function remember(memo: RefusalMemo, key: number, slot: SlotEntry): void {
  memo.set(key, Math.min(slot.units, memo.get(key) ?? slot.units));
}

/** Which reason to report when checkPlacement gives several. */
const REFUSAL_PRECEDENCE: RefusalReason[] = [
  'SLOT_FULL',
  'OVERLAPPING_BOOKING',
  'SINGLE_STAY_LIMIT',
  'ANNUAL_STAY_LIMIT',
  'ENTITLEMENT_EXCEEDED',
  'NEEDS_NOT_MET',
  'RESERVED_FOR_OTHER_AUTHORITY',
];

export type StaticFit = 'OK' | 'NEEDS_NOT_MET' | 'RESERVED_FOR_OTHER_AUTHORITY';

export interface SlotEntry {
  index: number;
  /** A private copy: `booked` grows as the round places children. */
  info: SlotInfo;
  /** The same slot seen with no places taken, to ask "could this child ever have it?". */
  emptyView: SlotInfo;
  stay: StayInfo;
  /** stay.start and stay.end in epoch ms. */
  startMs: number;
  endMs: number;
  bookedBefore: number;
  localDate: string;
  /** Days from 1970-01-01 to localDate, for cheap date keys. */
  dayNumber: number;
  /** Day number of the London date the stay ends on (= dayNumber for a day session). */
  endDayNumber: number;
  /**
   * One home for continuity: the provider, and for family-based care the carer
   * (a stay "in one home" with two foster carers is two homes to a child).
   */
  home: number;
  weekday: number;
  overnight: boolean;
  units: number;
  cost: number;
  scarce: boolean;
  /** Place-required needs (PLACE_REQUIRED_NEEDS) this slot can meet on its date. */
  needsMet: CareNeed[];
  /** The scarce ones among them: places held for children who need them. */
  protects: CareNeed[];
  /** needsMet and protects as bit sets (needBits): asked of every candidate in hot loops. */
  needsMetBits: number;
  protectsBits: number;
  /** Children placed here in this round, in placement order. */
  takers: number[];
  /** Children who need one of `protects` and have this slot as a candidate: [child, candidate index]. */
  needers: [number, number][];
  /** Positions in `needers` that made up the demand last time it was counted. */
  witnesses: number[];
  /** heldForNeeds' last verdict in the draft. */
  heldVerdict?: { pass: number; free: number; epoch: number; held: boolean };
}

export interface ExpandedPreference {
  rank: number;
  preference: Preference;
  /** Eligible slots it names or expands to, best first. */
  slots: number[];
  /** Slots it names or matches that can never suit this child (needs, reservation), to explain why. */
  unsuitable: number[];
  /** The named slot does not exist or is outside the round's period. */
  unknownSlot: boolean;
}

/** What a child can do on its turn. */
export type Pick =
  | { kind: 'PICK'; candidate: number }
  /** A feasible candidate exists but costs more than the child's budget so far. */
  | { kind: 'WAIT_BUDGET' }
  /** The only feasible places are held for children who need their capabilities. */
  | { kind: 'HELD' }
  | { kind: 'NONE' };

export interface Placement {
  slot: number;
  rank: number;
}

export interface ChildEntry {
  index: number;
  child: ChildInfo;
  request: BreakRequestInfo;
  entitlements: EntitlementInfo[];
  /** Start and end (epoch ms) of each entitlement's period, in the same order: entitlement memo keys are hot. */
  entitlementSpans: Float64Array;
  /** The child's needs as a bit set (needBits). */
  needBits: number;
  /** Live stays: outside the round first, then this round's placements. */
  stays: StayInfo[];
  /** Start and end (epoch ms) of each stay, in the same order as `stays`: overlap tests are hot. */
  busy: number[];
  /** Bumped whenever `stays` changes. */
  staysVersion: number;
  /** Refusals that more stays cannot lift, see RoundState.blocking. */
  refused: RefusalMemo;
  preferences: ExpandedPreference[];
  /** Candidate slots, best first: ranked preferences, then (if flexible) every other eligible slot. */
  candSlot: Int32Array;
  candRank: Int32Array;
  candState: Uint8Array;
  /** The candidates in state DEAD, in the order they died: reviving a child's dead goes through these, not every candidate. */
  dead: number[];
  /** The staysVersion at which checkPlacement last accepted each candidate (-1: never). */
  acceptedAt: Int32Array;
  /** Candidates before this index come from ranked preferences; the rest from `flexible`. */
  rankedCount: number;
  /** Nights wanted together (request.stayNights, at least 1). */
  stayNights: number;
  /**
   * For stayNights > 1: every run of candidates that makes one whole stay
   * (consecutive nights, one home), best rank first; see stayBundles.
   */
  bundles: number[][];
  /**
   * Candidate index of each candidate slot, built on first use (moves and swaps look slots up): a typed array
   * over all the round's slots (-1: not a candidate) when the child's candidates are a fair share of them — as
   * small as a map of a flexible child's thousands of candidates and far quicker to build — otherwise a map, so
   * a round over a whole region's slots does not give every child an array of all of them.
   */
  candidateOf?: Int32Array | Map<number, number>;
  /** Each candidate's entitlement memo key (entitlementKeyOf), computed on first use; -1 until then. */
  entitlementKeys?: Int32Array;
  /** First candidate not known to be dead (skips the dead prefix). */
  head: number;
  unitsWanted: number;
  valueWanted: number;
  scarceUnitsWanted: number;
  unitsGot: number;
  placements: Placement[];
  credit: number;
  ticket: number;
  /** 1-based position in the round's order. */
  position: number;
}

export class RoundState {
  readonly slots: SlotEntry[] = [];
  readonly children: ChildEntry[] = [];
  readonly maxCost: number;
  private readonly slotById = new Map<string, number>();
  private readonly homeIds = new Map<string, number>();
  /** Slots by London start day number. */
  private readonly slotsByDay = new Map<number, number[]>();
  /** Candidate slots by (home, London start date), for finding the same home on a neighbouring night. */
  private readonly slotsByHomeDay = new Map<number, number[]>();
  private readonly pricer: ScarcityPricer;
  /** Static fit per (authority + needs) signature and slot, computed on demand. */
  private readonly fitCache = new Map<string, (StaticFit | undefined)[]>();
  private readonly fitKeys = new WeakMap<ChildInfo, string>();
  private readonly tailCache = new Map<string, number[]>();
  private readonly expansionCache = new Map<string, Omit<ExpandedPreference, 'rank' | 'preference'>>();
  /** Whether a needer could take a slot, as of a version of its stays (heldForNeeds asks repeatedly). */
  private readonly neederCache = new Map<number, { version: number; blocked: boolean }>();
  /** Slots by weekday of their start, in (date, start, id) order, for DAYS preferences. */
  private readonly slotsByWeekday: number[][] = [[], [], [], [], [], [], []];
  /** The same, per provider: "Fridays at this provider" need not look at every Friday of the round. */
  private readonly slotsByProviderWeekday = new Map<string, number[][]>();
  /** A preference's matching slots in (date, start, id) order, for any child: shared by every kind of child. */
  private readonly matchingCache = new Map<string, number[]>();
  /** Every slot, ordinary and plain first: the order a flexible request is offered the rest. */
  private readonly flexibleOrder: number[];

  constructor(readonly input: AllocationInput) {
    this.pricer = new ScarcityPricer(input.calendar);
    this.indexSlots();
    this.freePlaces = Int32Array.from(this.slots, (slot) => slot.info.capacity - slot.info.booked);
    this.slotUnits = Int32Array.from(this.slots, (slot) => slot.units);
    this.slotOvernight = Uint8Array.from(this.slots, (slot) => (slot.overnight ? 1 : 0));
    this.slotDay = Int32Array.from(this.slots, (slot) => slot.dayNumber);
    this.slotStartMs = Float64Array.from(this.slots, (slot) => slot.startMs);
    this.slotEndMs = Float64Array.from(this.slots, (slot) => slot.endMs);
    this.flexibleOrder = this.slots
      .map((slot) => slot.index)
      .sort((a, b) => compareForFlexible(this.slot(a), this.slot(b)));
    this.maxCost = this.slots.reduce((max, slot) => Math.max(max, slot.cost), 1);
    this.indexChildren();
  }

  slot(index: number): SlotEntry {
    return this.slots[index] as SlotEntry;
  }

  childAt(index: number): ChildEntry {
    return this.children[index] as ChildEntry;
  }

  free(slot: number): number {
    return this.freePlaces[slot] as number;
  }

  remainingWant(child: ChildEntry): number {
    return child.unitsWanted - child.unitsGot;
  }

  /**
   * The reason checkPlacement would refuse the child this slot now, or null if
   * it accepts. Refusals that are cheap to see (slot full, overlap, an
   * entitlement already found used up) are answered without calling it: a
   * county round asks this hundreds of thousands of times and checkPlacement's
   * 75-day rolling window costs far more. They only ever answer "refused", so
   * every placement is still accepted by checkPlacement itself (RefusalMemo).
   */
  blocking(child: ChildEntry, slot: number, ignoreFull = false): RefusalReason | null {
    return this.blockingWith(child, this.slot(slot), child.stays, child.busy, child.refused, ignoreFull);
  }

  /**
   * As blocking, for a move: with the child's stays as if it left `from`.
   * Returns a checker to try many destinations with one memo.
   */
  blockingIfMovedFrom(child: ChildEntry, from: number, ignoreFull = false): (to: number) => RefusalReason | null {
    const leaving = this.slot(from).stay;
    const stays: StayInfo[] = [];
    const busy: number[] = [];
    child.stays.forEach((stay, i) => {
      if (stay === leaving) return;
      stays.push(stay);
      busy.push(child.busy[2 * i] as number, child.busy[2 * i + 1] as number);
    });
    const memo: RefusalMemo = new Map();
    return (to) => this.blockingWith(child, this.slot(to), stays, busy, memo, ignoreFull);
  }

  /**
   * Whether a refusal of the entitlement or the 75-day limit remembered for
   * the child (see RefusalMemo) already covers this slot: checkPlacement would
   * refuse it whether or not it is full.
   */
  knownRefused(child: ChildEntry, candidate: number): boolean {
    const memo = child.refused;
    if (memo.size === 0) return false;
    // As refusedBefore, from the slot arrays: chains ask this of every full candidate of every child still short.
    const slot = child.candSlot[candidate] as number;
    const units = this.slotUnits[slot] as number;
    if (this.slotOvernight[slot] === 1 && (memo.get(-1 - (this.slotDay[slot] as number)) ?? Number.POSITIVE_INFINITY) <= units) return true;
    const keys = (child.entitlementKeys ??= new Int32Array(child.candSlot.length).fill(-1));
    if (keys[candidate] === -1) keys[candidate] = entitlementKeyOf(child, this.slot(slot));
    return (memo.get(keys[candidate] as number) ?? Number.POSITIVE_INFINITY) <= units;
  }

  /** Whether the slot overlaps one of the child's stays other than `except`'s (the cheap part of blocking). */
  overlapsStays(child: ChildEntry, slot: number, except: number): boolean {
    const startMs = this.slotStartMs[slot] as number;
    const endMs = this.slotEndMs[slot] as number;
    const leaving = except >= 0 ? this.slot(except).stay : undefined;
    const { stays, busy } = child;
    for (let i = 0; i < stays.length; i++) {
      if (stays[i] !== leaving && (busy[2 * i] as number) < endMs && startMs < (busy[2 * i + 1] as number)) return true;
    }
    return false;
  }

  private blockingWith(
    child: ChildEntry,
    entry: SlotEntry,
    stays: StayInfo[],
    busy: readonly number[],
    memo: RefusalMemo,
    ignoreFull: boolean,
  ): RefusalReason | null {
    const info = ignoreFull ? entry.emptyView : entry.info;
    if (info.booked >= info.capacity) return 'SLOT_FULL';
    const cheap = cheapRefusal(child, entry, busy, memo);
    if (cheap !== null) return cheap;
    // Only the reasons: nothing here is shown to anyone (explanations.ts words what a family reads).
    const refused = refusalReasons({ child: child.child, slot: info, stays, entitlements: child.entitlements });
    if (refused.length === 0) return null;
    const reasons = new Set(refused);
    if (reasons.has('ANNUAL_STAY_LIMIT') && entry.overnight) remember(memo, annualKeyOf(entry), entry);
    const entitlementKey = entitlementKeyOf(child, entry);
    if (reasons.has('ENTITLEMENT_EXCEEDED') && entitlementKey !== 0) remember(memo, entitlementKey, entry);
    return REFUSAL_PRECEDENCE.find((reason) => reasons.has(reason)) ?? null;
  }

  /** Whether the slot could ever suit the child (needs and reservation), memoised per kind of child. */
  staticFit(child: ChildInfo, slot: number): StaticFit {
    const { fits } = this.fitsFor(child);
    let fit = fits[slot];
    if (fit === undefined) {
      const { info } = this.slot(slot);
      if (info.reservedForAuthorityId !== null && info.reservedForAuthorityId !== child.authorityId) {
        fit = 'RESERVED_FOR_OTHER_AUTHORITY';
      } else {
        fit = unmetNeeds(child, info).length > 0 ? 'NEEDS_NOT_MET' : 'OK';
      }
      fits[slot] = fit;
    }
    return fit;
  }

  /** Children with the same authority and needs fit the same slots: one memo per such kind. */
  private fitsFor(child: ChildInfo): { key: string; fits: (StaticFit | undefined)[] } {
    let key = this.fitKeys.get(child);
    if (key === undefined) {
      // Only the needs a place must meet decide the fit (and the order a preference's slots are offered in):
      // children differing in other needs share one memo, expansion and flexible tail.
      key = `${child.authorityId}|${[...new Set(child.needs)].filter((need) => PLACE_REQUIRED_NEEDS.includes(need)).sort().join(',')}`;
      this.fitKeys.set(child, key);
    }
    let fits = this.fitCache.get(key);
    if (!fits) {
      fits = new Array<StaticFit | undefined>(this.slots.length);
      this.fitCache.set(key, fits);
    }
    return { key, fits };
  }

  /**
   * Each child's unitsGot by child index, kept with it by place and unplace: the give-back search reads it for
   * thousands of takers a turn, and a typed array is far cheaper to read than one child object after another.
   */
  unitsGotByChild = new Int32Array(0);
  /** Each slot's free places (capacity - booked), kept with it by place and unplace: read in every hot loop. */
  freePlaces = new Int32Array(0);
  /** Each slot's break units, by slot index. */
  slotUnits = new Int32Array(0);
  /** 1 for an overnight slot, 0 for a day session, by slot index. */
  slotOvernight = new Uint8Array(0);
  /** Each slot's protectsBits, by slot index (set once the round's scarce needs are known). */
  private protectsBits = new Int32Array(0);
  /** Each slot's dayNumber, startMs and endMs, by slot index. */
  slotDay = new Int32Array(0);
  slotStartMs = new Float64Array(0);
  slotEndMs = new Float64Array(0);

  place(child: ChildEntry, slot: number, rank: number): void {
    const entry = this.slot(slot);
    (this.unitsGotByChild[child.index] as number) += entry.units;
    entry.info.booked += 1;
    (this.freePlaces[slot] as number) -= 1;
    entry.takers.push(child.index);
    child.stays.push(entry.stay);
    child.busy.push(entry.startMs, entry.endMs);
    child.staysVersion += 1;
    child.placements.push({ slot, rank });
    child.unitsGot += entry.units;
  }

  unplace(child: ChildEntry, slot: number): void {
    const entry = this.slot(slot);
    (this.unitsGotByChild[child.index] as number) -= entry.units;
    entry.info.booked -= 1;
    (this.freePlaces[slot] as number) += 1;
    removeOne(entry.takers, child.index);
    const at = child.stays.indexOf(entry.stay);
    if (at >= 0) {
      child.stays.splice(at, 1);
      child.busy.splice(2 * at, 2);
    }
    child.staysVersion += 1;
    child.placements = child.placements.filter((placement) => placement.slot !== slot);
    child.unitsGot -= entry.units;
    child.refused.clear(); // stays shrank: a refusal remembered before may not hold now
  }

  /**
   * The child's best candidate it may take now: the first, in rank order, that
   * fits its remaining want, costs no more than `budget`, is not held for a
   * child who needs it and passes checkPlacement. HELD means only held places
   * remain untried; they are not checked further, as the child waits anyway.
   * Candidates refused on the way are marked dead: while the round only adds
   * placements, slots only fill and stays only grow, so a refusal cannot be
   * lifted later (repair and fill, which move children, revive what they must).
   */
  nextPick(child: ChildEntry, budget = Number.POSITIVE_INFINITY, respectHolds = true): Pick {
    const remaining = this.remainingWant(child);
    if (remaining <= 0) return { kind: 'NONE' };
    const unaffordable: number[] = [];
    let held = false;
    const { candSlot, candState } = child;
    const { slotUnits, freePlaces } = this;
    const anyBudget = budget === Number.POSITIVE_INFINITY;
    for (let candidate = child.head; candidate < candSlot.length; candidate++) {
      if (candState[candidate] !== ALIVE) {
        if (candidate === child.head) this.advanceHead(child);
        continue;
      }
      const slot = candSlot[candidate] as number;
      // Cheapest tests first; a held place is passed over without asking checkPlacement.
      if ((slotUnits[slot] as number) > remaining) this.kill(child, candidate, DEAD);
      else if (!anyBudget && this.slot(slot).cost > budget) unaffordable.push(candidate);
      else if ((freePlaces[slot] as number) <= 0) this.kill(child, candidate, DEAD_FULL);
      else if (respectHolds && this.heldForNeeds(child, slot)) held = true;
      else if (this.stillFeasible(child, candidate)) return { kind: 'PICK', candidate };
    }
    if (unaffordable.some((candidate) => this.stillFeasible(child, candidate))) return { kind: 'WAIT_BUDGET' };
    return held ? { kind: 'HELD' } : { kind: 'NONE' };
  }

  /**
   * A child that moved or gave a place back has different stays, so candidates
   * refused for overlapping or for the entitlement may be open again: every
   * dead candidate is offered again (nextPick asks anew); full ones stay full
   * (a chain fills every place it frees).
   */
  reviveDead(child: ChildEntry): void {
    const { candState, dead } = child;
    for (let at = 0; at < dead.length; at++) {
      const candidate = dead[at] as number;
      if (candState[candidate] === DEAD) candState[candidate] = ALIVE;
    }
    dead.length = 0;
    child.head = 0;
  }

  /** Places the child in its candidate (which nextPick returned). */
  take(child: ChildEntry, candidate: number): void {
    this.place(child, child.candSlot[candidate] as number, child.candRank[candidate] as number);
    this.kill(child, candidate, DEAD);
  }

  /** True when checkPlacement accepts the candidate now; otherwise marks it dead. */
  stillFeasible(child: ChildEntry, candidate: number): boolean {
    const slot = child.candSlot[candidate] as number;
    // Accepted before with the same stays: only a full slot could refuse it now.
    if (child.acceptedAt[candidate] === child.staysVersion && this.free(slot) > 0) return true;
    const reason = this.blocking(child, slot);
    if (reason === null) {
      child.acceptedAt[candidate] = child.staysVersion;
      return true;
    }
    this.kill(child, candidate, reason === 'SLOT_FULL' ? DEAD_FULL : DEAD);
    return false;
  }

  private kill(child: ChildEntry, candidate: number, state: typeof DEAD | typeof DEAD_FULL): void {
    if (state === DEAD && child.candState[candidate] !== DEAD) child.dead.push(candidate);
    child.candState[candidate] = state;
    if (candidate === child.head) this.advanceHead(child);
  }

  private advanceHead(child: ChildEntry): void {
    child.head += 1;
    // From now on this child's flexible candidates count as demand in heldForNeeds.
    if (child.head === child.rankedCount) this.flexibleEpoch += 1;
  }

  /**
   * During a draft pass, heldForNeeds may answer from a verdict reached earlier
   * in the same pass while the slot's free places and the set of flexible
   * needers are unchanged: demand only falls within a pass (needers get placed
   * or finish), so a cached "held" can only be too cautious, and is reconsidered
   * next pass; a cached "not held" stays right. null outside the draft.
   */
  draftPass: number | null = null;
  private flexibleEpoch = 0;

  /**
   * Efficiency rule: a place that meets a scarce need (see
   * scarceNeeds: typically gastrostomy, oxygen, ventilation) is held back from a
   * child who does not need it while enough children who do need it asked for
   * it and could still take it.
   * `extraFree` counts a place about to be freed (repair pass).
   */
  heldForNeeds(child: ChildEntry, slot: number, extraFree = 0): boolean {
    const entry = this.slot(slot);
    if (entry.needers.length === 0) return false;
    if ((child.needBits & entry.protectsBits) !== 0) return false;
    const free = this.free(slot) + extraFree;
    if (entry.needers.length < free) return false;
    const verdict = entry.heldVerdict;
    if (
      this.draftPass !== null &&
      verdict?.pass === this.draftPass &&
      verdict.free === free &&
      verdict.epoch === this.flexibleEpoch
    ) {
      return verdict.held;
    }
    const held = this.countDemand(child, entry, free);
    if (this.draftPass !== null) {
      // Any child asking gets the same answer: one needing a protected need returned above.
      entry.heldVerdict = { pass: this.draftPass, free, epoch: this.flexibleEpoch, held };
    }
    return held;
  }

  /** True when at least `free` needers other than `child` could still take the slot. */
  private countDemand(child: ChildEntry, entry: SlotEntry, free: number): boolean {
    // Needers that counted last time usually still do: try them first, and
    // scan the whole list only when they no longer make up the demand.
    const witnesses: number[] = [];
    for (const at of entry.witnesses) {
      if (!this.stillNeeds(child, entry, at)) continue;
      witnesses.push(at);
      if (witnesses.length >= free) {
        entry.witnesses = witnesses;
        return true;
      }
    }
    for (let at = 0; at < entry.needers.length; at++) {
      if (entry.witnesses.includes(at) || !this.stillNeeds(child, entry, at)) continue;
      witnesses.push(at);
      if (witnesses.length >= free) break;
    }
    entry.witnesses = witnesses;
    return witnesses.length >= free;
  }

  /** Could the needer at this position of the slot's list still take it (other than `child`)? */
  private stillNeeds(child: ChildEntry, slot: SlotEntry, at: number): boolean {
    const [neederIndex, candidate] = slot.needers[at] as [number, number];
    if (neederIndex === child.index) return false;
    const needer = this.childAt(neederIndex);
    if (needer.candState[candidate] === DEAD) return false;
    // A flexible needer counts for places it did not rank only once its ranked ones are gone.
    if (candidate >= needer.rankedCount && needer.head < needer.rankedCount) return false;
    if (this.remainingWant(needer) < slot.units) return false;
    return !this.neederBlocked(needer, slot.index);
  }

  /**
   * Whether something other than a full slot stops the needer taking it. In the
   * draft, where this is asked for every held place on every pass, only the
   * cheap refusals are tried: a needer refused by checkPlacement alone still
   * counts, which can only hold a place a little too long, and fill() (outside
   * the draft, asking checkPlacement) offers it again.
   */
  private neederBlocked(needer: ChildEntry, slot: number): boolean {
    if (this.draftPass !== null) return cheapRefusal(needer, this.slot(slot), needer.busy, needer.refused) !== null;
    const key = needer.index * this.slots.length + slot;
    const cached = this.neederCache.get(key);
    if (cached?.version === needer.staysVersion) return cached.blocked;
    const blocked = this.blocking(needer, slot, true) !== null;
    this.neederCache.set(key, { version: needer.staysVersion, blocked });
    return blocked;
  }

  private indexSlots(): void {
    const { start, end } = this.input.period;
    const inPeriod = this.input.slots
      .filter((slot) => slot.start >= start && slot.start < end)
      .sort((a, b) => a.start.getTime() - b.start.getTime() || compareIds(a.id, b.id));
    // A round's slots start on a few dozen dates: each date's day number and weekday are worked out once.
    const dates = new Map<string, { dayNumber: number; weekday: number }>();
    for (const info of inPeriod) {
      if (this.slotById.has(info.id)) throw new Error(`Slot ${info.id} appears twice in the round's input`);
      const price = this.pricer.price(info);
      let date = dates.get(price.localDate);
      if (!date) {
        date = { dayNumber: daysBetween('1970-01-01', price.localDate), weekday: dayOfWeek(price.localDate) };
        dates.set(price.localDate, date);
      }
      const index = this.slots.length;
      const stay: StayInfo = { slotId: info.id, providerId: info.providerId, start: info.start, end: info.end };
      const entry: SlotEntry = {
        index,
        info: { ...info },
        emptyView: { ...info, booked: 0 },
        stay,
        startMs: info.start.getTime(),
        endMs: info.end.getTime(),
        bookedBefore: info.booked,
        localDate: price.localDate,
        dayNumber: date.dayNumber,
        endDayNumber: date.dayNumber + (price.overnight ? price.units : 0),
        home: this.homeOf(info),
        weekday: date.weekday,
        overnight: price.overnight,
        units: price.units,
        cost: price.cost,
        scarce: price.scarce,
        needsMet: [],
        protects: [],
        needsMetBits: 0,
        protectsBits: 0,
        takers: [],
        needers: [],
        witnesses: [],
      };
      entry.needsMet = placeNeedsMet(info);
      entry.needsMetBits = needBits(entry.needsMet);
      this.slots.push(entry);
      this.slotById.set(info.id, index);
      const byDay = this.slotsByDay.get(entry.dayNumber);
      if (byDay) byDay.push(index);
      else this.slotsByDay.set(entry.dayNumber, [index]);
      const byHomeDay = this.slotsByHomeDay.get(homeDayKey(entry.home, entry.dayNumber));
      if (byHomeDay) byHomeDay.push(index);
      else this.slotsByHomeDay.set(homeDayKey(entry.home, entry.dayNumber), [index]);
      this.slotsByWeekday[entry.weekday]?.push(index);
      let byWeekday = this.slotsByProviderWeekday.get(info.providerId);
      if (!byWeekday) {
        byWeekday = [[], [], [], [], [], [], []];
        this.slotsByProviderWeekday.set(info.providerId, byWeekday);
      }
      byWeekday[entry.weekday]?.push(index);
    }
  }

  private homeOf(info: SlotInfo): number {
    const key = `${info.providerId}|${info.carerId ?? ''}`;
    let home = this.homeIds.get(key);
    if (home === undefined) {
      home = this.homeIds.size;
      this.homeIds.set(key, home);
    }
    return home;
  }

  /** Slots starting on one London day number, in start order. */
  slotsOnDay(dayNumber: number): readonly number[] {
    return this.slotsByDay.get(dayNumber) ?? [];
  }

  /** Slots of one home starting on one London day number, in start order. */
  slotsAtHome(home: number, dayNumber: number): readonly number[] {
    return this.slotsByHomeDay.get(homeDayKey(home, dayNumber)) ?? [];
  }

  /** The child's candidate index for a slot, or undefined when the slot is not one of its candidates. */
  candidateIndex(child: ChildEntry, slot: number): number | undefined {
    let index = child.candidateOf;
    if (!index) {
      // A slot is a candidate once (candidates() keeps its best rank). A map entry costs about as much as
      // eight array cells.
      if (this.slots.length <= 8 * child.candSlot.length + 1024) {
        const built = new Int32Array(this.slots.length).fill(-1);
        child.candSlot.forEach((at, candidate) => (built[at] = candidate));
        index = built;
      } else {
        index = new Map(Array.from(child.candSlot, (at, candidate) => [at, candidate]));
      }
      child.candidateOf = index;
    }
    if (index instanceof Map) return index.get(slot);
    const candidate = index[slot] as number;
    return candidate < 0 ? undefined : candidate;
  }

  private indexChildren(): void {
    const childById = new Map(this.input.children.map((child) => [child.id, child]));
    const entitlements = groupBy(this.input.entitlements, (entitlement) => entitlement.childId);
    const seen = new Set<string>();
    for (const request of this.input.requests) {
      const child = childById.get(request.childId);
      if (!child) throw new Error(`Request ${request.id} is for unknown child ${request.childId}`);
      if (seen.has(child.id)) throw new Error(`Child ${child.id} has more than one request in this round`);
      seen.add(child.id);
      const entry = this.newChildEntry(child, request, entitlements.get(child.id) ?? []);
      this.children.push(entry);
      this.computeWant(entry);
    }
    this.unitsGotByChild = new Int32Array(this.children.length);
    const scarce = this.scarceNeeds();
    for (const slot of this.slots) {
      slot.protects = slot.needsMet.filter((need) => scarce.has(need));
      slot.protectsBits = needBits(slot.protects);
    }
    this.protectsBits = Int32Array.from(this.slots, (slot) => slot.protectsBits);
    for (const child of this.children) this.registerNeeders(child, scarce);
  }

  /**
   * Needs whose places are scarce this round: fewer than half of all free places
   * can meet them (nursing beds, trained carers), or the units wanted by
   * children with the need reach half the places that can. Only these are held
   * back (heldForNeeds): holding plentiful ones (most beds take a wheelchair)
   * would turn a need into priority for most places and slow everyone else.
   */
  private scarceNeeds(): Set<CareNeed> {
    const freeUnits = (slot: SlotEntry) => Math.max(0, slot.info.capacity - slot.bookedBefore) * slot.units;
    const allPlaces = this.slots.reduce((sum, slot) => sum + freeUnits(slot), 0);
    const scarce = new Set<CareNeed>();
    for (const need of PLACE_REQUIRED_NEEDS) {
      const demand = this.children
        .filter((child) => child.child.needs.includes(need))
        .reduce((sum, child) => sum + child.unitsWanted, 0);
      const supply = this.slots
        .filter((slot) => slot.needsMet.includes(need))
        .reduce((sum, slot) => sum + freeUnits(slot), 0);
      if (demand > 0 && (supply * 2 < allPlaces || demand * 2 >= supply)) scarce.add(need);
    }
    return scarce;
  }

  private newChildEntry(child: ChildInfo, request: BreakRequestInfo, entitlements: EntitlementInfo[]): ChildEntry {
    const period = this.requestPeriod(request);
    const preferences = request.preferences.map((preference, i) => this.expand(child, preference, i + 1, period));
    const { slots, ranks, rankedCount } = this.candidates(child, preferences, request.flexible, period);
    const stayNights = Math.max(1, request.stayNights ?? 1);
    return {
      index: this.children.length,
      child,
      request,
      entitlements,
      entitlementSpans: Float64Array.from(entitlements.flatMap((entitlement) => [entitlement.periodStart.getTime(), entitlement.periodEnd.getTime()])),
      needBits: needBits(child.needs),
      stays: [...(this.input.existingStays[child.id] ?? [])],
      busy: (this.input.existingStays[child.id] ?? []).flatMap((stay) => [stay.start.getTime(), stay.end.getTime()]),
      staysVersion: 0,
      refused: new Map(),
      preferences,
      candSlot: slots,
      candRank: ranks,
      candState: new Uint8Array(slots.length),
      dead: [],
      acceptedAt: new Int32Array(slots.length).fill(-1),
      rankedCount,
      stayNights,
      bundles: stayNights > 1 ? this.stayBundles(slots, ranks, stayNights) : [],
      head: 0,
      unitsWanted: 0,
      valueWanted: 0,
      scarceUnitsWanted: 0,
      unitsGot: 0,
      placements: [],
      credit: 0,
      ticket: 0,
      position: 0,
    };
  }

  /**
   * The request's own dates as day numbers, inclusive, clipped to nothing
   * wider than the request: a preference for "Fridays" means the Fridays the
   * family asked about, never every Friday of the round.
   */
  private requestPeriod(request: BreakRequestInfo): DayRange {
    if (!request.period) return { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY, key: '' };
    const { from, to } = request.period;
    return { from: daysBetween('1970-01-01', from), to: daysBetween('1970-01-01', to), key: `${from}..${to}` };
  }

  /** Many children ask for the same days (e.g. "Fridays and Saturdays, anywhere"): expand once per kind of child. */
  private expand(child: ChildInfo, preference: Preference, rank: number, period: DayRange): ExpandedPreference {
    const key = `${this.fitsFor(child).key}|${period.key}|${JSON.stringify(preference)}`;
    let expansion = this.expansionCache.get(key);
    if (!expansion) {
      expansion = this.expandUncached(child, preference, period);
      this.expansionCache.set(key, expansion);
    }
    return { rank, preference, ...expansion };
  }

  private expandUncached(child: ChildInfo, preference: Preference, period: DayRange): Omit<ExpandedPreference, 'rank' | 'preference'> {
    const slots: number[] = [];
    const unsuitable: number[] = [];
    const matchKey = `${period.key}|${JSON.stringify(preference)}`;
    let matches = this.matchingCache.get(matchKey);
    if (!matches) {
      matches = this.matching(preference, period).sort((a, b) => {
        const x = this.slot(a);
        const y = this.slot(b);
        return compareIds(x.localDate, y.localDate) || x.startMs - y.startMs || compareIds(x.info.id, y.info.id);
      });
      this.matchingCache.set(matchKey, matches);
    }
    // Same rank: earliest date first, and on one date a place without capabilities the
    // child does not need before one with them (keeps scarce places for those who need them).
    const excess = new Map<number, number>();
    const childBits = needBits(child.needs);
    for (const slot of matches) {
      if (this.staticFit(child, slot) !== 'OK') {
        unsuitable.push(slot);
        continue;
      }
      slots.push(slot);
      const extra = bitCount(this.slot(slot).needsMetBits & ~childBits);
      if (extra > 0) excess.set(slot, extra);
    }
    const unknownSlot = preference.kind === 'SLOT' && slots.length + unsuitable.length === 0;
    // From (date, start, id) order, a stable sort by (date, excess) gives (date, excess, start, id).
    if (excess.size > 0) {
      slots.sort((a, b) => compareIds(this.slot(a).localDate, this.slot(b).localDate) || (excess.get(a) ?? 0) - (excess.get(b) ?? 0));
    }
    return { slots, unsuitable, unknownSlot };
  }

  private matching(preference: Preference, period: DayRange): number[] {
    if (preference.kind === 'SLOT') {
      const slot = this.slotById.get(preference.slotId);
      return slot === undefined || !withinDays(this.slot(slot), period) ? [] : [slot];
    }
    const matches: number[] = [];
    const byWeekday =
      preference.providerId === undefined ? this.slotsByWeekday : (this.slotsByProviderWeekday.get(preference.providerId) ?? []);
    for (const day of new Set(preference.daysOfWeek)) {
      for (const slot of byWeekday[day] ?? []) {
        const entry = this.slot(slot);
        if (preference.providerId !== undefined && entry.info.providerId !== preference.providerId) continue;
        if (preference.from !== undefined && entry.localDate < preference.from) continue;
        if (preference.to !== undefined && entry.localDate > preference.to) continue;
        if (!withinDays(entry, period)) continue;
        matches.push(slot);
      }
    }
    return matches;
  }

  /** Which slots the child being indexed already has as candidates: seenAt[slot] === seenStamp. */
  private seenAt = new Int32Array(0);
  private seenStamp = 0;

  private candidates(child: ChildInfo, preferences: ExpandedPreference[], flexible: boolean, period: DayRange) {
    const tail = flexible ? this.flexibleTail(child, period) : [];
    let most = tail.length;
    for (const preference of preferences) most += preference.slots.length;
    const slots = new Int32Array(most);
    const ranks = new Int32Array(most);
    if (this.seenAt.length < this.slots.length) this.seenAt = new Int32Array(this.slots.length);
    const seen = this.seenAt;
    const stamp = ++this.seenStamp;
    let count = 0;
    for (const preference of preferences) {
      for (const slot of preference.slots) {
        if (seen[slot] === stamp) continue; // keeps its best rank
        seen[slot] = stamp;
        slots[count] = slot;
        ranks[count++] = preference.rank;
      }
    }
    const rankedCount = count;
    for (const slot of tail) {
      if (seen[slot] === stamp) continue;
      slots[count] = slot;
      ranks[count++] = FLEXIBLE_RANK;
    }
    return { slots: slots.subarray(0, count), ranks: ranks.subarray(0, count), rankedCount };
  }

  /** Every slot in the request's period that suits the child, in flexibleOrder; shared by children alike in needs, authority and dates. */
  private flexibleTail(child: ChildInfo, period: DayRange): number[] {
    const key = `${this.fitsFor(child).key}|${period.key}`;
    let tail = this.tailCache.get(key);
    if (!tail) {
      tail = this.flexibleOrder.filter((slot) => withinDays(this.slot(slot), period) && this.staticFit(child, slot) === 'OK');
      this.tailCache.set(key, tail);
    }
    return tail;
  }

  /**
   * Whole stays of `nights` consecutive nights in one home, from the child's
   * overnight candidates: each as candidate indices in date order, the stay's
   * rank being its worst night's. Best rank first, then earliest.
   */
  private stayBundles(slots: Int32Array, ranks: Int32Array, nights: number): number[][] {
    const byHomeDay = new Map<number, number[]>();
    slots.forEach((slot, candidate) => {
      const entry = this.slot(slot);
      if (!entry.overnight || entry.units > nights) return;
      const key = homeDayKey(entry.home, entry.dayNumber);
      const list = byHomeDay.get(key);
      if (list) list.push(candidate);
      else byHomeDay.set(key, [candidate]);
    });
    const bundles: { candidates: number[]; rank: number; day: number }[] = [];
    slots.forEach((slot, first) => {
      const entry = this.slot(slot);
      if (!entry.overnight || entry.units > nights) return;
      const chain = [first];
      let units = entry.units;
      let rank = effectiveRank(ranks[first] as number);
      let end = entry.endDayNumber;
      while (units < nights) {
        const next = (byHomeDay.get(homeDayKey(entry.home, end)) ?? []).find(
          (candidate) => this.slot(slots[candidate] as number).units <= nights - units,
        );
        if (next === undefined) break;
        const nextEntry = this.slot(slots[next] as number);
        chain.push(next);
        units += nextEntry.units;
        rank = Math.max(rank, effectiveRank(ranks[next] as number));
        end = nextEntry.endDayNumber;
      }
      if (units === nights) bundles.push({ candidates: chain, rank, day: entry.dayNumber });
    });
    bundles.sort((a, b) => a.rank - b.rank || a.day - b.day || (a.candidates[0] as number) - (b.candidates[0] as number));
    return bundles.map((bundle) => bundle.candidates);
  }

  private registerNeeders(child: ChildEntry, scarce: ReadonlySet<CareNeed>): void {
    if (child.unitsWanted === 0 || !child.child.needs.some((need) => scarce.has(need))) return;
    const { candSlot, needBits: bits } = child;
    const { protectsBits } = this;
    for (let candidate = 0; candidate < candSlot.length; candidate++) {
      const slot = candSlot[candidate] as number;
      if ((bits & (protectsBits[slot] as number)) !== 0) this.slot(slot).needers.push([child.index, candidate]);
    }
  }

  /**
   * Units the child's entitlements could allow in the period, counting nights
   * only if it has an overnight candidate and day sessions only if it has a day
   * one: an upper bound that lets the want search stop early.
   */
  private entitlementUnits(child: ChildEntry): number {
    const { start, end } = this.input.period;
    let nights = false;
    let days = false;
    for (let i = 0; i < child.candSlot.length && !(nights && days); i++) {
      if (this.slotOvernight[child.candSlot[i] as number] === 1) nights = true;
      else days = true;
    }
    return child.entitlements
      .filter((entitlement) => entitlement.periodStart < end && entitlement.periodEnd > start)
      .reduce((sum, entitlement) => sum + (nights ? entitlement.nights : 0) + (days ? entitlement.daySessions : 0), 0);
  }

  /**
   * What the child asked for, as the best bundle it could have had with no other
   * child in the round: its candidates in rank order, each kept when
   * checkPlacement (ignoring only "slot full") accepts it with the bundle so far,
   * up to `nightsWanted` (default: the entitlement). This is the yardstick for
   * "share of requested nights met" and for the max-flow bound, so a child's
   * share is below 1 only because of competition, never because of its own
   * entitlement or limits.
   */
  private computeWant(child: ChildEntry): void {
    const target = Math.min(child.request.nightsWanted ?? Number.POSITIVE_INFINITY, this.entitlementUnits(child));
    const stays = [...child.stays];
    const busy = [...child.busy];
    const memo: RefusalMemo = new Map();
    const want = (entries: SlotEntry[]) => {
      for (const entry of entries) {
        stays.push(entry.stay);
        busy.push(entry.startMs, entry.endMs);
        child.unitsWanted += entry.units;
        child.valueWanted += entry.cost;
        if (entry.scarce) child.scarceUnitsWanted += entry.units;
      }
    };
    if (child.stayNights > 1) {
      // Only whole stays count: a family asking for weekends together does not want half of one.
      for (const bundle of child.bundles) {
        if (child.unitsWanted + child.stayNights > target) break;
        const entries = bundle.map((candidate) => this.slot(child.candSlot[candidate] as number));
        const before = stays.length;
        const fits = entries.every((entry) => {
          const ok = this.blockingWith(child, entry, stays, busy, new Map(), true) === null;
          if (ok) {
            stays.push(entry.stay);
            busy.push(entry.startMs, entry.endMs);
          }
          return ok;
        });
        stays.length = before;
        busy.length = 2 * before;
        if (fits) want(entries);
      }
      return;
    }
    for (let i = 0; i < child.candSlot.length && child.unitsWanted < target; i++) {
      const entry = this.slot(child.candSlot[i] as number);
      if (child.unitsWanted + entry.units > target) continue;
      // A remembered refusal first: once the award is used up, the rest of a long candidate list is refused
      // without looking at the stays (the reason does not matter here).
      if (memo.size > 0 && (refusedBefore(memo, entitlementKeyOf(child, entry), entry) || (entry.overnight && refusedBefore(memo, annualKeyOf(entry), entry)))) continue;
      if (this.blockingWith(child, entry, stays, busy, memo, true) !== null) continue;
      want([entry]);
    }
  }
}

interface DayRange {
  from: number;
  to: number;
  /** For caches: children asking about the same dates share expansions. */
  key: string;
}

/** Every night of the stay (or the day session) falls on a date inside the range. */
function withinDays(entry: SlotEntry, range: DayRange): boolean {
  const lastDay = entry.overnight ? entry.endDayNumber - 1 : entry.dayNumber;
  return entry.dayNumber >= range.from && lastDay <= range.to;
}

function homeDayKey(home: number, dayNumber: number): number {
  return home * 1_000_000 + dayNumber;
}

/** Refusals seen without asking checkPlacement: overlap with a stay, or one remembered in the memo. */
function cheapRefusal(child: ChildEntry, entry: SlotEntry, busy: readonly number[], memo: RefusalMemo): RefusalReason | null {
  const { startMs, endMs } = entry;
  for (let i = 0; i < busy.length; i += 2) {
    if ((busy[i] as number) < endMs && startMs < (busy[i + 1] as number)) return 'OVERLAPPING_BOOKING';
  }
  // Day sessions never count towards the 75-day limit.
  if (entry.overnight && refusedBefore(memo, annualKeyOf(entry), entry)) return 'ANNUAL_STAY_LIMIT';
  if (refusedBefore(memo, entitlementKeyOf(child, entry), entry)) return 'ENTITLEMENT_EXCEEDED';
  return null;
}

/** Overnight slots starting on one London date share a 75-day memo key. */
function annualKeyOf(entry: SlotEntry): number {
  return -1 - entry.dayNumber;
}

/**
 * The slot's kind and which of the child's entitlements cover its start (as
 * checkPlacement counts them): 1 overnight or 2 day, plus 4 × a bit mask of
 * the covering entitlements; 0 (no memo) when there are too many for a mask.
 */
function entitlementKeyOf(child: ChildEntry, slot: SlotEntry): number {
  const spans = child.entitlementSpans;
  if (spans.length > 48) return 0;
  let mask = 0;
  const start = slot.startMs;
  for (let i = 0; i < spans.length; i += 2) {
    if ((spans[i] as number) <= start && start < (spans[i + 1] as number)) mask |= 1 << (i >> 1);
  }
  return (slot.overnight ? 1 : 2) + 4 * mask;
}

/** Care needs as a bit set over CARE_NEEDS, so "does it need anything this place protects" is one AND. */
export function needBits(needs: readonly CareNeed[]): number {
  let bits = 0;
  for (const need of needs) bits |= 1 << CARE_NEEDS.indexOf(need);
  return bits;
}

function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest !== 0; rest &= rest - 1) count += 1;
  return count;
}

/** Place-required needs the slot meets on its date, asked of unmetNeeds one need at a time. */
function placeNeedsMet(slot: SlotInfo): CareNeed[] {
  const probe = (need: CareNeed): ChildInfo => ({
    id: '',
    authorityId: slot.reservedForAuthorityId ?? '',
    needs: [need],
  });
  return PLACE_REQUIRED_NEEDS.filter((need) => unmetNeeds(probe(need), slot).length === 0);
}

function compareForFlexible(a: SlotEntry, b: SlotEntry): number {
  return (
    a.cost / a.units - b.cost / b.units ||
    a.needsMet.length - b.needsMet.length ||
    compareIds(a.localDate, b.localDate) ||
    a.info.start.getTime() - b.info.start.getTime() ||
    compareIds(a.info.id, b.info.id)
  );
}

/** Locale-independent string order, so results never depend on the machine's locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function removeOne<T>(items: T[], item: T): void {
  const at = items.indexOf(item);
  if (at >= 0) items.splice(at, 1);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}
