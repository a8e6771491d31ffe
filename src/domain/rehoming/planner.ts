/**
 * The re-homing planner: when a provider closes, choose for
 * every affected booking the best alternative place, or say why there is none.
 * DESIGN.md failure 3: "whoever cannot be placed is listed with the reason,
 * never silently dropped". Pure and deterministic for a seed, like the allocator.
 *
 * Every hard constraint goes through `checkPlacement` (eligibility.ts), fed with
 * the plan's own running state — places taken by earlier decisions, and each
 * child's stays including the moves already planned for them — so re-homing can
 * never place a child where direct booking would refuse.
 */
import { compareIds } from '../allocation/round-state.js';
import { formatLocalDate } from '../allocation/explanations.js';
import { lotteryTicket } from '../allocation/random.js';
import { isComplexHealthNeed, type CareNeed } from '../care-needs.js';
import {
  ANNUAL_STAY_LIMIT_DAYS,
  SINGLE_STAY_LIMIT_DAYS,
  checkPlacement,
  isEligible,
  nightsOf,
  overlaps,
  unmetNeeds,
  upgradesRelied,
  type LimitWarning,
  type Refusal,
  type RefusalReason,
} from '../eligibility.js';
import { travelMinutes, type LatLng } from '../geo.js';
import { daysBetween, londonDateOf, londonWallTimeOf } from '../london-time.js';
import type { ChildInfo, EntitlementInfo, ProviderKind, SlotInfo, StayInfo, TrainingRecordInfo } from '../model.js';
import { trainingGap, type FosterCarerInfo, type TrainingAction } from './training.js';
import { assignTransport, type PlannedRun, type TransportRequest, type Vehicle, type VehicleBusyInterval } from './transport.js';

export type RehomingPreference = 'SAME_DATES' | 'CONTINUITY' | 'TRAVEL_TIME' | 'SAME_KIND';

/** The default order: same dates, continuity, travel time, same kind (what families lose least by, first). */
export const DEFAULT_REHOMING_PREFERENCES: readonly RehomingPreference[] = ['SAME_DATES', 'CONTINUITY', 'TRAVEL_TIME', 'SAME_KIND'];
export const DEFAULT_MAX_DATE_SHIFT_DAYS = 14;

/**
 * Journeys are compared in 5-minute bands: a minute or two of estimated travel
 * (geo.ts) is noise, and must not override the preferences ranked below it.
 */
const TRAVEL_BAND_MINUTES = 5;

export interface ProviderPlace {
  id: string;
  kind: ProviderKind;
  location: LatLng;
  name?: string;
}

/** A bookable place elsewhere: its provider's kind and location, and for FAMILY_BASED the carer hosting it. */
export interface CandidateSlot extends SlotInfo {
  provider: ProviderPlace;
  /** FAMILY_BASED only: the carer whose training (from `carers`) decides complex needs. */
  carerId?: string | null;
  /** A standing place the closure reserved for these children: the plan uses it first. */
  standing?: boolean;
}

export interface RehomingChild extends ChildInfo {
  /** First name, used in explanations ("with Amira who was booked with them"). */
  name?: string;
  home: LatLng | null;
  needsTransport: boolean;
  needsEscort: boolean;
  wheelchair: boolean;
}

export interface AffectedBooking {
  bookingId: string;
  child: RehomingChild;
  /** The slot at the closing provider the booking was in. */
  slot: SlotInfo;
  /** Children who shared the original slot or night (default: the original slot's id). */
  groupKey?: string;
  /**
   * The family's answer to the closure's consultation: provider ids, best first.
   * The family's ranking decides first (DESIGN.md, Closures: the plan uses each
   * family's ranking first, then the coordinator's order); places at homes it
   * did not rank come after every ranked one.
   */
  ranking?: string[];
  /** This booking's preference order (e.g. what the family said matters most, then the coordinator's); default the plan's. */
  preferences?: RehomingPreference[];
}

export interface RehomingInput {
  seed: string;
  closingProviderId: string;
  /** Used to say how much further the new place is; journeys are compared without it too. */
  closingProviderLocation?: LatLng | null;
  affected: AffectedBooking[];
  /** Bookable slots (ACTIVE, in the future, provider not closing); the closing provider's own are ignored. */
  candidateSlots: CandidateSlot[];
  /** Each child's other live bookings, excluding the affected ones. */
  stays: Record<string, StayInfo[]>;
  entitlements: EntitlementInfo[];
  carers: FosterCarerInfo[];
  vehicles: Vehicle[];
  /** Vehicles' existing commitments. */
  transportRuns: VehicleBusyInterval[];
  /** Coordinator's priority order; unlisted preferences are not used. Default DEFAULT_REHOMING_PREFERENCES. */
  preferences?: RehomingPreference[];
  /** How far (London calendar days) an alternative may move from the original date. Default 14. */
  maxDateShiftDays?: number;
  /** Alternatives must not start before this (the job passes "now"). */
  notBefore?: Date;
}

export type MoveTransport = { outbound: string; return: string } | { unmet: string };

/** A home upgrade a move relies on: without it the place could not meet the child's need. */
export interface UpgradeUse {
  upgradeId: string;
  providerId: string;
  need: CareNeed;
  places: number;
  from: string;
}

/** What the chosen place means for the family, as facts and in words. */
export interface ChosenPlace {
  toSlotId: string;
  toProviderId: string;
  /** Calendar days from the original start date (negative = earlier). */
  dayShift: number;
  travelMinutes: number | null;
  /** Estimated extra minutes from home compared with the closing provider (negative = nearer). */
  extraTravelMinutes: number | null;
  sameKind: boolean;
  /** Children from the same original slot/night placed at the same provider on the same night. */
  withChildIds: string[];
  /** The provider already chosen for another of this child's affected bookings. */
  sameProviderAsOtherMoves: boolean;
  /** Places that met every hard constraint when this booking's turn came. */
  alternativesThatFit: number;
  /** Position of the chosen home in the family's ranking (1 = first choice); null when it did not rank it or was not consulted. */
  familyRank: number | null;
  /** Reasons in the configured preference order. */
  reasons: string[];
  explanation: string;
  /** Near-limit warnings (17 and 75 days) from checkPlacement. */
  warnings: LimitWarning[];
  /** Null when the child does not need transport; never a reason to refuse the move. */
  transport: MoveTransport | null;
  /** The home upgrades that unblocked this move (the place meets the need only through them). */
  upgrades: UpgradeUse[];
  /** The place is one of the standing places the closure reserved for these children. */
  standingPlace: boolean;
}

export interface RefusalCount {
  reason: RefusalReason;
  /** Candidate places refused for this reason (a place can be refused for several). */
  places: number;
  detail: string;
}

export type RehomingOutcome =
  | ({ outcome: 'MOVED'; bookingId: string; childId: string } & ChosenPlace)
  | ({ outcome: 'PENDING_TRAINING'; bookingId: string; childId: string; actions: TrainingAction[] } & ChosenPlace)
  | { outcome: 'WAITLISTED'; bookingId: string; childId: string; reason: string; refusals: RefusalCount[] };

export type RehomingOutcomeKind = RehomingOutcome['outcome'];

export interface ProcessingOrderEntry {
  bookingId: string;
  childId: string;
  position: number;
  /** Alternatives meeting every hard constraint before any decision of this plan. */
  feasibleAlternatives: number;
  /** Family-based alternatives that would fit but for carer training. */
  trainingAlternatives: number;
  complexHealth: boolean;
  /** Seeded lottery ticket breaking ties (lower goes first). */
  ticket: number;
}

export interface RehomingPlan {
  seed: string;
  closingProviderId: string;
  preferences: RehomingPreference[];
  maxDateShiftDays: number;
  order: ProcessingOrderEntry[];
  /** One per affected booking, in input order. */
  outcomes: RehomingOutcome[];
  /** Every training action of the plan, one per carer and need, with the earliest date needed. */
  trainingActions: TrainingAction[];
  /** Each home upgrade the plan relied on, with the children it unblocked. */
  upgradesUsed: (UpgradeUse & { childIds: string[] })[];
  transport: { runs: PlannedRun[] };
  summary: Record<RehomingOutcomeKind, number> & { affected: number };
}

/** A slot or the booking's original slot with its London calendar facts worked out once (they are compared often). */
interface Timing {
  localDate: string;
  nights: number;
  startMinutes: number;
}

interface PreparedSlot extends Timing {
  info: CandidateSlot;
  carer: FosterCarerInfo | null;
  /** Taken at the start of the plan, to tell "full already" from "filled by this plan". */
  bookedBefore: number;
}

interface Placement {
  childId: string;
  childName: string | undefined;
  slot: PreparedSlot;
}

interface Assessment {
  slot: PreparedSlot;
  dayShift: number;
  wallShiftMinutes: number;
  travel: number | null;
  sameKind: boolean;
  together: Placement[];
  atChildsProvider: number;
  originalDuration: number;
  actions: TrainingAction[];
  warnings: LimitWarning[];
}

interface Prechecked {
  booking: AffectedBooking;
  original: Timing;
  groupKey: string;
  /** Same kind of break (overnight or day) within the date window, not at the closing provider. */
  window: PreparedSlot[];
  fits: PreparedSlot[];
  trainingFits: PreparedSlot[];
  /** Refusals of the window's other slots at the start of the plan. */
  refused: Map<PreparedSlot, Refusal[]>;
}

const PREFERENCES = new Set<RehomingPreference>(DEFAULT_REHOMING_PREFERENCES);

export function planRehoming(input: RehomingInput): RehomingPlan {
  const preferences = [...(input.preferences ?? DEFAULT_REHOMING_PREFERENCES)];
  for (const order of [preferences, ...input.affected.flatMap((a) => (a.preferences ? [a.preferences] : []))]) {
    if (order.some((p) => !PREFERENCES.has(p)) || new Set(order).size !== order.length) {
      throw new RangeError(`preferences must be distinct values of ${[...PREFERENCES].join(', ')}`);
    }
  }
  const maxDateShiftDays = input.maxDateShiftDays ?? DEFAULT_MAX_DATE_SHIFT_DAYS;
  if (!Number.isInteger(maxDateShiftDays) || maxDateShiftDays < 0) throw new RangeError('maxDateShiftDays must be a whole number >= 0');
  if (new Set(input.affected.map((a) => a.bookingId)).size !== input.affected.length) {
    throw new RangeError('affected bookingIds must be unique');
  }

  const slots = prepareSlots(input);
  const baseStays = (childId: string) => input.stays[childId] ?? [];
  const prechecked = input.affected.map((booking) =>
    precheck(booking, slots, baseStays(booking.child.id), input, maxDateShiftDays),
  );

  // Most-constrained first: a booking with few alternatives that waits its turn
  // can lose them all to bookings that had plenty of other choices, so placing
  // the hardest first maximises how many are placed. Complex-health children
  // have the fewest suitable beds, so they go ahead on equal counts. Remaining
  // ties are broken by a seeded lottery (recorded in `order`) rather than input
  // order, which would quietly favour whoever's booking was made first.
  const ordered = prechecked
    .map((entry) => ({
      entry,
      complexHealth: entry.booking.child.needs.some(isComplexHealthNeed),
      ticket: lotteryTicket(input.seed, entry.booking.bookingId),
    }))
    .sort(
      (a, b) =>
        a.entry.fits.length - b.entry.fits.length ||
        a.entry.trainingFits.length - b.entry.trainingFits.length ||
        Number(b.complexHealth) - Number(a.complexHealth) ||
        a.ticket - b.ticket ||
        compareIds(a.entry.booking.bookingId, b.entry.booking.bookingId),
    );

  const state = new PlanState(baseStays);
  const decided = new Map<string, RehomingOutcome>();
  for (const { entry } of ordered) {
    decided.set(entry.booking.bookingId, decide(entry, state, input, preferences, maxDateShiftDays));
  }

  // Nothing is silently dropped: exactly one outcome per affected booking, and the counts add up.
  const outcomes = input.affected.map((booking) => {
    const outcome = decided.get(booking.bookingId);
    if (!outcome) throw new Error(`re-homing plan has no outcome for booking ${booking.bookingId}`);
    return outcome;
  });
  const summary = { affected: input.affected.length, MOVED: 0, PENDING_TRAINING: 0, WAITLISTED: 0 };
  for (const outcome of outcomes) summary[outcome.outcome]++;
  if (decided.size !== summary.affected || summary.MOVED + summary.PENDING_TRAINING + summary.WAITLISTED !== summary.affected) {
    throw new Error(`re-homing plan does not account for every booking: ${JSON.stringify(summary)}`);
  }
  const runs = planTransport(outcomes, input, slots);

  return {
    seed: input.seed,
    closingProviderId: input.closingProviderId,
    preferences,
    maxDateShiftDays,
    order: ordered.map(({ entry, complexHealth, ticket }, i) => ({
      bookingId: entry.booking.bookingId,
      childId: entry.booking.child.id,
      position: i + 1,
      feasibleAlternatives: entry.fits.length,
      trainingAlternatives: entry.trainingFits.length,
      complexHealth,
      ticket,
    })),
    outcomes,
    trainingActions: mergeTrainingActions(outcomes),
    upgradesUsed: mergeUpgrades(outcomes),
    transport: { runs },
    summary,
  };
}

/** One place a consultation shows a family: it meets every hard constraint now, or would once its carer is trained. */
export interface Alternative {
  slot: CandidateSlot;
  travelMinutes: number | null;
  trainingNeeded: boolean;
}

/**
 * For a consultation, before any plan: each affected booking's alternatives —
 * the places the planner itself would consider (same kind of break, within the
 * date window, checkPlacement passing, or passing but for carer training) —
 * so a family ranks exactly the homes the plan can give it. Keyed by booking id.
 */
export function alternativesFor(input: RehomingInput): Map<string, Alternative[]> {
  const maxDateShiftDays = input.maxDateShiftDays ?? DEFAULT_MAX_DATE_SHIFT_DAYS;
  const slots = prepareSlots(input);
  const result = new Map<string, Alternative[]>();
  for (const booking of input.affected) {
    const entry = precheck(booking, slots, input.stays[booking.child.id] ?? [], input, maxDateShiftDays);
    const home = booking.child.home;
    const of = (slot: PreparedSlot, trainingNeeded: boolean): Alternative => ({
      slot: slot.info,
      travelMinutes: home ? travelMinutes(home, slot.info.provider.location) : null,
      trainingNeeded,
    });
    result.set(booking.bookingId, [...entry.fits.map((s) => of(s, false)), ...entry.trainingFits.map((s) => of(s, true))]);
  }
  return result;
}

/** Candidate slots in a fixed order, with each family-based slot's carer training taken from `carers`. */
function prepareSlots(input: RehomingInput): PreparedSlot[] {
  const carers = new Map(input.carers.map((carer) => [carer.id, carer]));
  return input.candidateSlots
    .filter((slot) => slot.providerId !== input.closingProviderId)
    .map((slot) => {
      const carer = slot.carerId
        ? (carers.get(slot.carerId) ?? { id: slot.carerId, providerId: slot.providerId, training: slot.carerTraining ?? [] })
        : null;
      const info: CandidateSlot = carer ? { ...slot, carerTraining: carer.training } : slot;
      return { info, carer, bookedBefore: slot.booked, ...timingOf(slot) };
    })
    .sort((a, b) => a.info.start.getTime() - b.info.start.getTime() || compareIds(a.info.id, b.info.id));
}

function precheck(
  booking: AffectedBooking,
  slots: PreparedSlot[],
  stays: StayInfo[],
  input: RehomingInput,
  maxDateShiftDays: number,
): Prechecked {
  const original = timingOf(booking.slot);
  // Like for like: a night away is not replaced by a day session or vice versa.
  const window = slots.filter(
    (slot) =>
      slot.nights > 0 === original.nights > 0 &&
      Math.abs(daysBetween(original.localDate, slot.localDate)) <= maxDateShiftDays &&
      (input.notBefore === undefined || slot.info.start >= input.notBefore),
  );
  const fits: PreparedSlot[] = [];
  const trainingFits: PreparedSlot[] = [];
  const refused = new Map<PreparedSlot, Refusal[]>();
  for (const slot of window) {
    const { refusals } = checkPlacement({ child: booking.child, slot: slot.info, stays, entitlements: input.entitlements });
    if (refusals.length === 0) fits.push(slot);
    else if (trainingOnlyGap(booking.child, slot.carer, slot.info, refusals, stays, input.entitlements).length > 0) {
      trainingFits.push(slot);
    }
    else refused.set(slot, refusals);
  }
  return { booking, original, groupKey: booking.groupKey ?? booking.slot.id, window, fits, trainingFits, refused };
}

/**
 * The training the slot's carer needs for this child, when training is the only
 * obstacle: the slot must pass every other check exactly as it would with the
 * carer trained (capacity, overlap, entitlement, limits, non-health needs).
 * Empty when the slot is not a family-based one, or something else is wrong too.
 */
function trainingOnlyGap(
  child: ChildInfo,
  carer: FosterCarerInfo | null,
  slot: SlotInfo,
  refusals: Refusal[],
  stays: StayInfo[],
  entitlements: EntitlementInfo[],
): TrainingAction[] {
  if (!carer || refusals.some((r) => r.reason !== 'NEEDS_NOT_MET')) return [];
  const actions = trainingGap(carer, child, slot);
  if (actions.length === 0) return [];
  const trained: TrainingRecordInfo[] = actions.map((a) => ({ need: a.need, completedOn: slot.start, expiresOn: slot.end }));
  const asIfTrained: SlotInfo = { ...slot, carerTraining: [...(slot.carerTraining ?? []), ...trained] };
  return isEligible(checkPlacement({ child, slot: asIfTrained, stays, entitlements })) ? actions : [];
}

/** The plan's running state: places taken and stays added by earlier decisions. */
class PlanState {
  private readonly taken = new Map<string, number>();
  private readonly plannedStays = new Map<string, StayInfo[]>();
  private readonly byGroup = new Map<string, Placement[]>();
  private readonly providersOfChild = new Map<string, Map<string, number>>();
  /** Upgraded places this plan has used, and when: an upgrade's places are shared by all the provider's slots at once. */
  private readonly upgradeUses: { upgradeId: string; start: Date; end: Date }[] = [];

  constructor(private readonly baseStays: (childId: string) => StayInfo[]) {}

  /** The slot as it stands now, with places this plan has already used. */
  current(slot: PreparedSlot): SlotInfo {
    const { info } = slot;
    const upgrades = info.upgrades?.map((u) => ({ ...u, used: u.used + this.upgradeUses.filter((x) => x.upgradeId === u.id && overlaps(x, info)).length }));
    return { ...info, booked: info.booked + (this.taken.get(info.id) ?? 0), ...(upgrades ? { upgrades } : {}) };
  }

  staysOf(childId: string): StayInfo[] {
    return [...this.baseStays(childId), ...(this.plannedStays.get(childId) ?? [])];
  }

  groupPlacements(groupKey: string): Placement[] {
    return this.byGroup.get(groupKey) ?? [];
  }

  placementsAt(childId: string, providerId: string): number {
    return this.providersOfChild.get(childId)?.get(providerId) ?? 0;
  }

  place(child: RehomingChild, groupKey: string, slot: PreparedSlot): void {
    const { info } = slot;
    for (const u of upgradesRelied(child, info)) this.upgradeUses.push({ upgradeId: u.id, start: info.start, end: info.end });
    this.taken.set(info.id, (this.taken.get(info.id) ?? 0) + 1);
    const stays = this.plannedStays.get(child.id) ?? [];
    stays.push({ slotId: info.id, providerId: info.providerId, start: info.start, end: info.end });
    this.plannedStays.set(child.id, stays);
    const group = this.byGroup.get(groupKey) ?? [];
    group.push({ childId: child.id, childName: child.name, slot });
    this.byGroup.set(groupKey, group);
    const providers = this.providersOfChild.get(child.id) ?? new Map<string, number>();
    providers.set(info.providerId, (providers.get(info.providerId) ?? 0) + 1);
    this.providersOfChild.set(child.id, providers);
  }
}

function decide(
  entry: Prechecked,
  state: PlanState,
  input: RehomingInput,
  preferences: RehomingPreference[],
  maxDateShiftDays: number,
): RehomingOutcome {
  const { booking } = entry;
  const { child } = booking;
  const stays = state.staysOf(child.id);
  const refusedNow = new Map(entry.refused);
  const order: Order = { preferences: booking.preferences ?? preferences, ranking: booking.ranking ?? [] };

  // Earlier decisions only take places and add stays, so a slot refused at the
  // start stays refused: only the slots that fitted then need checking again.
  const fitting: Assessment[] = [];
  for (const slot of entry.fits) {
    const result = checkPlacement({ child, slot: state.current(slot), stays, entitlements: input.entitlements });
    if (isEligible(result)) fitting.push(assess(entry, slot, state, [], result.warnings));
    else refusedNow.set(slot, result.refusals);
  }
  const base = { bookingId: booking.bookingId, childId: child.id };
  if (fitting.length > 0) {
    const best = pickBest(fitting, order);
    state.place(child, entry.groupKey, best.slot);
    return { outcome: 'MOVED', ...base, ...describe(entry, best, fitting.length, order, input) };
  }

  // Only when no place fits as things stand: hold a family-based place whose
  // carer needs training, fewest courses first (each is a risk of not being
  // ready in time), then by the same preferences.
  const trainable: Assessment[] = [];
  for (const slot of entry.trainingFits) {
    const now = state.current(slot);
    const result = checkPlacement({ child, slot: now, stays, entitlements: input.entitlements });
    const actions = trainingOnlyGap(child, slot.carer, now, result.refusals, stays, input.entitlements);
    if (actions.length > 0) trainable.push(assess(entry, slot, state, actions, result.warnings));
    else refusedNow.set(slot, result.refusals);
  }
  if (trainable.length > 0) {
    const fewest = Math.min(...trainable.map((a) => a.actions.length));
    const best = pickBest(trainable.filter((a) => a.actions.length === fewest), order);
    state.place(child, entry.groupKey, best.slot);
    return { outcome: 'PENDING_TRAINING', ...base, actions: best.actions, ...describe(entry, best, 0, order, input) };
  }

  return { outcome: 'WAITLISTED', ...base, ...explainWaitlist(entry, refusedNow, maxDateShiftDays, state) };
}

function assess(
  entry: Prechecked,
  slot: PreparedSlot,
  state: PlanState,
  actions: TrainingAction[],
  warnings: LimitWarning[],
): Assessment {
  const { booking } = entry;
  const { info } = slot;
  const home = booking.child.home;
  return {
    slot,
    dayShift: daysBetween(entry.original.localDate, slot.localDate),
    wallShiftMinutes: Math.abs(slot.startMinutes - entry.original.startMinutes),
    travel: home ? travelMinutes(home, info.provider.location) : null,
    sameKind: info.provider.kind === booking.slot.providerKind,
    // Together = the same house on the same night, even if in a different group of places (e.g. complex-health beds).
    together: state
      .groupPlacements(entry.groupKey)
      .filter((p) => p.childId !== booking.child.id && p.slot.info.providerId === info.providerId && overlaps(p.slot.info, info)),
    atChildsProvider: state.placementsAt(booking.child.id, info.providerId),
    originalDuration: durationOf(booking.slot),
    actions,
    warnings,
  };
}

/** How one booking's alternatives are compared: the family's ranking of homes, then the preference order. */
interface Order {
  preferences: RehomingPreference[];
  ranking: string[];
}

/** 1-based position of a home in the family's ranking, or null. */
function rankOf(providerId: string, ranking: string[]): number | null {
  const i = ranking.indexOf(providerId);
  return i < 0 ? null : i + 1;
}

/** The family's ranking first, then lexicographic in the preference order; then closest length, earliest start, id, so ties are deterministic. */
function pickBest(assessments: Assessment[], order: Order): Assessment {
  // A standing place reserved for these children comes before any other place, after the family's own ranking.
  const keyed = assessments.map((a) => ({ a, key: [rankOf(a.slot.info.providerId, order.ranking) ?? order.ranking.length + 1, a.slot.info.standing ? 0 : 1, ...sortKey(a, order.preferences)] }));
  keyed.sort((x, y) => {
    for (let i = 0; i < x.key.length; i++) {
      const d = (x.key[i] ?? 0) - (y.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return compareIds(x.a.slot.info.id, y.a.slot.info.id);
  });
  return keyed[0]!.a;
}

function sortKey(a: Assessment, preferences: RehomingPreference[]): number[] {
  const parts: Record<RehomingPreference, number[]> = {
    // Same date first, then (on equal shifts) later rather than earlier — an
    // earlier date gives the family less notice — then the closest start time.
    SAME_DATES: [Math.abs(a.dayShift), a.dayShift < 0 ? 1 : 0, a.wallShiftMinutes],
    CONTINUITY: [-a.together.length, -a.atChildsProvider],
    TRAVEL_TIME: [a.travel === null ? 0 : Math.round(a.travel / TRAVEL_BAND_MINUTES)],
    SAME_KIND: [a.sameKind ? 0 : 1],
  };
  const { info } = a.slot;
  return [...preferences.flatMap((p) => parts[p]), Math.abs(durationOf(info) - a.originalDuration), info.start.getTime()];
}

function describe(
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
function explainWaitlist(
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

/** Transport for every held place whose child needs it; a missing vehicle is flagged, never a refusal. */
function planTransport(outcomes: RehomingOutcome[], input: RehomingInput, slots: PreparedSlot[]): PlannedRun[] {
  const slotById = new Map(slots.map((slot) => [slot.info.id, slot.info]));
  const childOf = new Map(input.affected.map((a) => [a.bookingId, a.child]));
  const requests: TransportRequest[] = [];
  for (const outcome of outcomes) {
    if (outcome.outcome === 'WAITLISTED') continue;
    const child = childOf.get(outcome.bookingId)!;
    if (!child.needsTransport) continue;
    const slot = slotById.get(outcome.toSlotId)!;
    requests.push({
      requestId: outcome.bookingId,
      childId: child.id,
      authorityId: child.authorityId,
      providerId: slot.providerId,
      providerLocation: slot.provider.location,
      home: child.home,
      start: slot.start,
      end: slot.end,
      wheelchair: child.wheelchair,
      needsEscort: child.needsEscort,
    });
  }
  const plan = assignTransport({ vehicles: input.vehicles, existingRuns: input.transportRuns, requests });
  for (const outcome of outcomes) {
    if (outcome.outcome !== 'WAITLISTED') outcome.transport = plan.byRequest[outcome.bookingId] ?? null;
  }
  return plan.runs;
}

export function mergeUpgrades(outcomes: RehomingOutcome[]): RehomingPlan['upgradesUsed'] {
  const byId = new Map<string, UpgradeUse & { childIds: string[] }>();
  for (const outcome of outcomes) {
    if (outcome.outcome === 'WAITLISTED') continue;
    for (const u of outcome.upgrades) {
      const known = byId.get(u.upgradeId) ?? { ...u, childIds: [] };
      if (!known.childIds.includes(outcome.childId)) known.childIds.push(outcome.childId);
      byId.set(u.upgradeId, known);
    }
  }
  return [...byId.values()].sort((a, b) => compareIds(a.upgradeId, b.upgradeId));
}

function mergeTrainingActions(outcomes: RehomingOutcome[]): TrainingAction[] {
  const byKey = new Map<string, TrainingAction>();
  for (const outcome of outcomes) {
    if (outcome.outcome !== 'PENDING_TRAINING') continue;
    for (const action of outcome.actions) {
      const key = `${action.carerId}|${action.need}`;
      const known = byKey.get(key);
      if (!known || action.neededBy < known.neededBy) byKey.set(key, action);
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.neededBy.getTime() - b.neededBy.getTime() || compareIds(a.carerId, b.carerId) || compareIds(a.need, b.need),
  );
}

function durationOf(slot: { start: Date; end: Date }): number {
  return slot.end.getTime() - slot.start.getTime();
}

function timingOf(slot: SlotInfo): Timing {
  const [hours, minutes] = londonWallTimeOf(slot.start).split(':').map(Number) as [number, number];
  return { localDate: londonDateOf(slot.start), nights: nightsOf(slot), startMinutes: hours * 60 + minutes };
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
