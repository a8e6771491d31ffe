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
 *
 * The words of each decision are explanations.ts (its working types are exported
 * for it); what happens to an outcome once stored is outcome.ts.
 */
import { compareIds } from '../allocation/round-state.js';
import { lotteryTicket } from '../allocation/random.js';
import { isComplexHealthNeed, type CareNeed } from '../care-needs.js';
import {
  checkPlacement,
  isEligible,
  nightsOf,
  overlaps,
  upgradesRelied,
  type LimitWarning,
  type Refusal,
  type RefusalReason,
} from '../eligibility.js';
import { travelMinutes, type LatLng } from '../geo.js';
import { daysBetween, londonDateOf, londonWallTimeOf } from '../london-time.js';
import type { ChildInfo, EntitlementInfo, ProviderKind, SlotInfo, StayInfo, TrainingRecordInfo } from '../model.js';
import { trainingGap, type FosterCarerInfo, type TrainingAction } from './training.js';
import { TRAVEL_BAND_MINUTES, describe, explainWaitlist, rankOf } from './explanations.js';
import { assignTransport, type PlannedRun, type TransportRequest, type Vehicle, type VehicleBusyInterval } from './transport.js';

export type RehomingPreference = 'SAME_DATES' | 'CONTINUITY' | 'TRAVEL_TIME' | 'SAME_KIND';

/** The default order: same dates, continuity, travel time, same kind (what families lose least by, first). */
export const DEFAULT_REHOMING_PREFERENCES: readonly RehomingPreference[] = ['SAME_DATES', 'CONTINUITY', 'TRAVEL_TIME', 'SAME_KIND'];
export const DEFAULT_MAX_DATE_SHIFT_DAYS = 14;

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
export interface Timing {
  localDate: string;
  nights: number;
  startMinutes: number;
}

export interface PreparedSlot extends Timing {
  info: CandidateSlot;
  carer: FosterCarerInfo | null;
  /** Taken at the start of the plan, to tell "full already" from "filled by this plan". */
  bookedBefore: number;
}

export interface Placement {
  childId: string;
  childName: string | undefined;
  slot: PreparedSlot;
}

export interface Assessment {
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

export interface Prechecked {
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
export class PlanState {
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
export interface Order {
  preferences: RehomingPreference[];
  ranking: string[];
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
