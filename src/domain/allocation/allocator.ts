/**
 * Fair rotating allocation of a period's break requests. Pure and
 * deterministic: the same input and seed give the same result.
 *
 * What "fair" means (DESIGN.md): first the worst-served child's share of its
 * want (capped by its entitlement) is made as large as the places allow, then
 * the total nights, with rotation across rounds deciding who goes first and
 * ranks and continuity breaking ties.
 *
 * - Karma (Vuppalapati et al., OSDI 2023): credits carried across rounds. A
 *   child served worse than the round's fair share earns credit, one served
 *   better spends it (history.ts). The round's order is by credit, worst served
 *   first; ties by a seeded lottery recorded in the result. Credits sum to zero
 *   and want is capped by the entitlement, so nobody builds credit by asking
 *   for more than was awarded.
 * - Progressive filling for max-min fairness (water-filling.ts): the child
 *   with the lowest share takes the next night — a free place, or one freed by
 *   a chain of moves that leaves everyone else's count as it was — and equal
 *   shares go in rotation order, so the order decides who gets the better
 *   places and any night that does not go round evenly.
 * - Upgrades: a child moves up into a better-ranked place still free.
 * - Stays (stays.ts): consecutive nights of one child are one stay, moved into
 *   one home wherever places allow; places freed by these moves are offered
 *   again, and stays split by taking them are mended too.
 *
 * Every placement passes checkPlacement (../eligibility.ts), the rule used by
 * direct booking, so hard constraints cannot drift between the two.
 */
import { finishRound } from './outcome.js';
import { lotteryTicket } from './random.js';
import { RoundState, compareIds, effectiveRank, type ChildEntry, type Placement } from './round-state.js';
import { keepStaysTogether } from './stays.js';
import type { AllocationInput, AllocationResult } from './types.js';
import { fillFreedPlaces, waterFill } from './water-filling.js';

export function allocate(input: AllocationInput): AllocationResult {
  const state = new RoundState(input);
  const order = rotationOrder(state);
  waterFill(state, order);
  runUpgrades(state, order);
  keepStaysTogether(state, order);
  fillFreedPlaces(state, order);
  // A child taking a freed place next to a night it has in another home splits a stay: mend once more, and
  // offer what that changes — places the moved children left, to whoever asked for them, and the moved
  // children's own candidates, which their moves may have opened — to those children only: for everyone
  // else nothing changed since the last offer.
  const moved = keepStaysTogether(state, order);
  if (moved.size > 0) fillFreedPlaces(state, childrenAffected(state, order, moved));
  const lottery = order.map((child) => ({ childId: child.child.id, ticket: child.ticket }));
  return finishRound(state, 'MAX_MIN_FILLING', order, lottery);
}

/** In `order`: the moved children, and every child with a candidate among the free places they might have left. */
function childrenAffected(state: RoundState, order: ChildEntry[], moved: ReadonlySet<ChildEntry>): ChildEntry[] {
  // The places a moved child left are among its candidates free now.
  const left = new Set<number>();
  for (const child of moved) {
    for (let candidate = 0; candidate < child.candSlot.length; candidate++) {
      const slot = child.candSlot[candidate] as number;
      if (state.free(slot) > 0) left.add(slot);
    }
  }
  return order.filter((child) => moved.has(child) || [...left].some((slot) => state.candidateIndex(child, slot) !== undefined));
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

/**
 * Upgrades, in rotation order: a child holding a place while a better-ranked
 * candidate with the same nights is still free moves up into it. Free places
 * at this point are ones no child still short could reach, so nobody loses.
 * Whole-stay requests keep their stays as they are.
 */
function runUpgrades(state: RoundState, order: ChildEntry[]): void {
  for (const child of order) {
    if (child.stayNights > 1) continue;
    const worstFirst = [...child.placements].sort((a, b) => effectiveRank(b.rank) - effectiveRank(a.rank));
    for (const placement of worstFirst) upgrade(state, child, placement);
  }
}

function upgrade(state: RoundState, child: ChildEntry, placement: Placement): void {
  const limit = effectiveRank(placement.rank);
  const units = state.slot(placement.slot).units;
  let held: Set<number> | undefined;
  let blockingAfterMove: ((to: number) => unknown) | undefined;
  // Candidates are in rank order (flexible last), so stop at the first rank that is no better.
  for (let candidate = 0; candidate < child.candSlot.length; candidate++) {
    if (effectiveRank(child.candRank[candidate] as number) >= limit) return;
    const other = child.candSlot[candidate] as number;
    if (state.free(other) <= 0 || state.slot(other).units !== units) continue;
    held ??= new Set(child.placements.map((p) => p.slot));
    if (held.has(other)) continue;
    blockingAfterMove ??= state.blockingIfMovedFrom(child, placement.slot);
    if (blockingAfterMove(other) !== null) continue;
    state.unplace(child, placement.slot);
    state.take(child, candidate);
    return;
  }
}
