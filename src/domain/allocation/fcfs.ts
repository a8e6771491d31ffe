/**
 * First-come-first-served baseline, for comparison with the max-min filling (allocator.ts)
 * (the benchmark shows what rotation buys): requests in filing order, each child takes its best
 * feasible preferences until it has what it wanted, then the next child goes.
 * Same candidates, same checkPlacement, same result shape and metrics — only
 * the mechanism differs (no rotation, no turns, no budgets, no held places, no
 * repair). Whole-stay requests take whole stays, as they do in the round.
 */
import { finishRound } from './outcome.js';
import { RoundState, type ChildEntry } from './round-state.js';
import type { AllocationInput, AllocationResult } from './types.js';
import { takeFreeStay } from './water-filling.js';

export function allocateFirstComeFirstServed(input: AllocationInput): AllocationResult {
  const state = new RoundState(input);
  const order = filingOrder(state);
  for (const child of order) {
    if (child.stayNights > 1) {
      while (state.remainingWant(child) >= child.stayNights && takeFreeStay(state, child));
      continue;
    }
    for (let pick = state.nextPick(child, Number.POSITIVE_INFINITY, false); pick.kind === 'PICK'; ) {
      state.take(child, pick.candidate);
      pick = state.nextPick(child, Number.POSITIVE_INFINITY, false);
    }
  }
  return finishRound(state, 'FIRST_COME_FIRST_SERVED', order, []);
}

/** By filing time; requests without one, or filed at the same instant, keep input order. */
function filingOrder(state: RoundState): ChildEntry[] {
  const credits = new Map(state.input.history.map((history) => [history.childId, history.credit]));
  const filed = (child: ChildEntry) => child.request.filedAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const order = [...state.children].sort((a, b) => filed(a) - filed(b) || a.index - b.index);
  order.forEach((child, i) => {
    child.position = i + 1;
    child.credit = credits.get(child.child.id) ?? 0;
  });
  return order;
}
