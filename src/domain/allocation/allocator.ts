/**
 * Fair rotating allocation of a period's break requests (issue 4). Pure and
 * deterministic: the same input and seed give the same result.
 *
 * Ideas taken from the published work, and why:
 *
 * - Karma (Vuppalapati et al., OSDI 2023) — credits carried across rounds.
 *   A child served worse than the round's fair share earns credit, one served
 *   better spends it (history.ts). The round's order is by credit, worst
 *   served first, so scarce nights rotate between families over rounds instead
 *   of going to the same ones every time. Credits are conserved (they sum to
 *   zero over a round) and a child's want is capped by its entitlement, so no
 *   family can build credit by asking for more than it was awarded.
 *
 * - The draft used for course allocation at Harvard (Budish and Cantillon,
 *   AER 2012) — children pick in turns, one slot per turn, from their own
 *   ranked list, in a serpentine order (1..n, then n..1, ...). Turns spread
 *   everyone's first choices instead of letting the first child take all its
 *   nights, and the snake evens out the advantage of going first. Budish and
 *   Cantillon show a draft can be gamed a little (ranking a popular slot first
 *   because it goes early), yet serves people better than strategy-proof
 *   serial dictatorship, which hands the top of the order everything: the trade
 *   we want for scarce nights.
 *
 * - Deficit Round Robin (Shreedhar and Varghese, SIGCOMM 1995 / ToN 1996) —
 *   each child has a deficit counter that grows by a quantum (one ordinary
 *   night) every turn; a slot costs its scarcity weight (a Friday costs 3
 *   ordinary nights by default). On its turn a child takes its best feasible
 *   slot that fits its counter, so a child who just took a scarce night takes
 *   ordinary ones (or waits) while others take the next scarce ones: service
 *   is shared by weighted cost, not by count. The counter starts at the
 *   dearest slot's cost, so every first pick is a free choice.
 *
 * Ties in credit are broken by a seeded lottery (one ticket per child, from the
 * seed and the child's id), recorded in the result.
 *
 * Phases: draft → repair → upgrade → fill.
 * - Draft, holding places that meet a scarce need (gastrostomy, oxygen, ...)
 *   back from children without it while children with it asked for them and
 *   could still take them (RoundState.heldForNeeds).
 * - Repair (augmenting moves): a child still short takes a full slot it asked
 *   for by moving a child placed there to a free slot of equal or better rank
 *   for that child — nobody placed is made worse off.
 * - Upgrade: a child moves up into a better-ranked slot still free (a budget
 *   may have made it settle for less).
 * - Fill: places left behind by moves are offered again.
 *
 * Every placement passes checkPlacement (../eligibility.ts), the rule used by
 * direct booking, so hard constraints cannot drift between the two.
 */
import { finishRound } from './outcome.js';
import { lotteryTicket } from './random.js';
import { ALIVE, DEAD, DEAD_FULL, RoundState, compareIds, effectiveRank, type ChildEntry, type Placement } from './round-state.js';
import type { AllocationInput, AllocationResult } from './types.js';

/** DRR quantum: every turn a child's budget grows by one ordinary night. */
const QUANTUM = 1;

export function allocate(input: AllocationInput): AllocationResult {
  const state = new RoundState(input);
  const order = rotationOrder(state);
  runDraft(state, order);
  const moved = runRepair(state, order);
  for (const child of runUpgrades(state, order)) moved.add(child);
  fill(state, order, moved);
  const lottery = order.map((child) => ({ childId: child.child.id, ticket: child.ticket }));
  return finishRound(state, 'ROTATING_DRAFT', order, lottery);
}

/** Highest credit (worst served so far) first; equal credit by lottery ticket. */
function rotationOrder(state: RoundState): ChildEntry[] {
  const credits = new Map(state.input.history.map((history) => [history.childId, history.credit]));
  for (const child of state.children) {
    child.credit = credits.get(child.child.id) ?? 0;
    child.ticket = lotteryTicket(state.input.seed, child.child.id);
  }
  const order = [...state.children].sort(
    (a, b) => b.credit - a.credit || a.ticket - b.ticket || compareIds(a.child.id, b.child.id),
  );
  order.forEach((child, i) => (child.position = i + 1));
  return order;
}

/** Serpentine draft passes with DRR budgets until no child can take anything more. */
function runDraft(state: RoundState, order: ChildEntry[]): void {
  const budget = new Float64Array(state.children.length).fill(state.maxCost);
  let active = order.filter((child) => state.remainingWant(child) > 0);
  for (let pass = 0; active.length > 0; pass++) {
    const turns = pass % 2 === 0 ? active : [...active].reverse();
    state.draftPass = pass;
    const finished = new Set<ChildEntry>();
    let picks = 0;
    let waiting = 0;
    for (const child of turns) {
      if (pass > 0) budget[child.index] = (budget[child.index] as number) + QUANTUM;
      const pick = state.nextPick(child, budget[child.index]);
      if (pick.kind === 'PICK') {
        budget[child.index] = (budget[child.index] as number) - state.slot(child.candSlot[pick.candidate] as number).cost;
        state.take(child, pick.candidate);
        picks += 1;
      } else if (pick.kind === 'WAIT_BUDGET') {
        waiting += 1;
      } else if (pick.kind === 'NONE') {
        finished.add(child);
      }
    }
    active = active.filter((child) => !finished.has(child) && state.remainingWant(child) > 0);
    // Budgets grow every pass, so a waiting child is sure to pick later; a child
    // only HELD waits on others, who either pick or finish.
    if (picks === 0 && waiting === 0) break;
  }
  state.draftPass = null;
}

/**
 * Augmenting moves, in rotation order: for a child still short, find a full
 * slot it wants where one of the children placed there this round can move to
 * a free slot of equal or better preference rank (for that child) with the same
 * nights. Returns the children moved.
 */
function runRepair(state: RoundState, order: ChildEntry[]): Set<ChildEntry> {
  const moved = new Set<ChildEntry>();
  const stuck = new Set<number>(); // child * slots + slot: that child cannot move away from that slot
  for (const child of order) {
    // Candidates that failed stay failed while only this child gains places: resume after them.
    let from = 0;
    while (state.remainingWant(child) > 0) {
      const found = augment(state, child, stuck, from);
      if (!found) break;
      moved.add(found.mover);
      from = found.candidate + 1;
    }
  }
  return moved;
}

function augment(
  state: RoundState,
  child: ChildEntry,
  stuck: Set<number>,
  from: number,
): { mover: ChildEntry; candidate: number } | undefined {
  for (let candidate = from; candidate < child.candSlot.length; candidate++) {
    if (child.candState[candidate] !== DEAD_FULL) continue;
    const slot = child.candSlot[candidate] as number;
    const entry = state.slot(slot);
    if (entry.units > state.remainingWant(child)) continue;
    // A move only ever uses up free places, so once stuck a child stays stuck.
    const movable = entry.takers.filter((other) => !stuck.has(other * state.slots.length + slot));
    if (movable.length === 0) continue;
    if (state.blocking(child, slot, true) !== null) {
      child.candState[candidate] = DEAD;
      continue;
    }
    if (state.heldForNeeds(child, slot, 1)) continue;
    // The child placed latest gave up least to get there: try it first.
    for (const other of movable.reverse()) {
      const mover = state.childAt(other);
      if (moveElsewhere(state, mover, slot)) {
        state.take(child, candidate);
        return { mover, candidate };
      }
      stuck.add(other * state.slots.length + slot);
    }
  }
  return undefined;
}

/** Moves the child out of `slot` into a free candidate of equal or better rank and the same units. */
function moveElsewhere(state: RoundState, child: ChildEntry, slot: number): boolean {
  const placement = child.placements.find((p) => p.slot === slot);
  if (!placement) return false;
  const candidate = freeCandidateInstead(state, child, placement, false);
  if (candidate === undefined) return false;
  state.unplace(child, slot);
  state.take(child, candidate);
  return true;
}

/**
 * A free candidate for the child instead of `placement`: same units, ranked
 * better (or, unless `strictlyBetter`, equal), accepted by checkPlacement once
 * the placement is left, and not held for a child who needs it.
 */
function freeCandidateInstead(
  state: RoundState,
  child: ChildEntry,
  placement: Placement,
  strictlyBetter: boolean,
): number | undefined {
  const limit = effectiveRank(placement.rank);
  const units = state.slot(placement.slot).units;
  const held = new Set(child.placements.map((p) => p.slot));
  const blockingAfterMove = state.blockingIfMovedFrom(child, placement.slot);
  // Candidates are in rank order (flexible last), so stop at the first worse rank.
  for (let candidate = 0; candidate < child.candSlot.length; candidate++) {
    const rank = effectiveRank(child.candRank[candidate] as number);
    if (rank > limit || (strictlyBetter && rank === limit)) break;
    const other = child.candSlot[candidate] as number;
    if (held.has(other) || state.free(other) <= 0 || state.slot(other).units !== units) continue;
    if (blockingAfterMove(other) !== null || state.heldForNeeds(child, other)) continue;
    return candidate;
  }
  return undefined;
}

/**
 * Upgrades, in rotation order: a child holding a slot while a better-ranked
 * candidate with the same nights is still free moves up into it. (A DRR budget
 * can make a child settle for a cheaper, lower choice while its better one is
 * still open.) Free places at this point are ones no child still short could
 * take, so nobody loses; the places left behind are offered again by fill().
 */
function runUpgrades(state: RoundState, order: ChildEntry[]): Set<ChildEntry> {
  const moved = new Set<ChildEntry>();
  for (const child of order) {
    const worstFirst = [...child.placements].sort((a, b) => effectiveRank(b.rank) - effectiveRank(a.rank));
    for (const placement of worstFirst) if (upgrade(state, child, placement)) moved.add(child);
  }
  return moved;
}

function upgrade(state: RoundState, child: ChildEntry, placement: Placement): boolean {
  const candidate = freeCandidateInstead(state, child, placement, true);
  if (candidate === undefined) return false;
  state.unplace(child, placement.slot);
  state.take(child, candidate);
  return true;
}

/**
 * Places freed by moves and upgrades are offered again, in rotation order
 * (the draft is over, so without budgets, but still holding places for
 * children who need them). A moved child's stays changed, so any of its
 * candidates may be open again; for everyone else only slots that were full.
 */
function fill(state: RoundState, order: ChildEntry[], moved: Set<ChildEntry>): void {
  for (const child of order) {
    if (state.remainingWant(child) <= 0) continue;
    const taken = new Set(child.placements.map((placement) => placement.slot));
    child.candSlot.forEach((slot, candidate) => {
      const reopened = moved.has(child) ? !taken.has(slot) : child.candState[candidate] === DEAD_FULL && state.free(slot) > 0;
      if (reopened) child.candState[candidate] = ALIVE;
    });
    child.head = 0;
    for (let pick = state.nextPick(child); pick.kind === 'PICK'; pick = state.nextPick(child)) {
      state.take(child, pick.candidate);
    }
  }
}
