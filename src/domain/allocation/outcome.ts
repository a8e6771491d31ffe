/**
 * Turns a finished RoundState into the stored AllocationResult: bookings,
 * explanations, fairness metrics (with the max-flow bound) and the history the
 * next round starts from. Shared by the max-min filling and the FCFS baseline so
 * their results compare like for like.
 */
import { explainChild, type OrderName } from './explanations.js';
import { DEFAULT_HISTORY_WINDOW, historyAfter, scarceUnitsGot, valueGot } from './history.js';
import { allocationUpperBound } from './max-flow.js';
import { fairnessMetrics, type ChildOutcome } from './metrics.js';
import { honoursRequest } from './honoured.js';
import { FLEXIBLE_RANK, type ChildEntry, type RoundState } from './round-state.js';
import { splitStays } from './stays.js';
import type { AllocatedBooking, AllocationResult, FairnessMetrics } from './types.js';

export function finishRound(
  state: RoundState,
  mechanism: AllocationResult['mechanism'],
  order: ChildEntry[],
  lottery: AllocationResult['lottery'],
): AllocationResult {
  const window = state.input.historyWindow ?? DEFAULT_HISTORY_WINDOW;
  const orderName: OrderName = mechanism === 'MAX_MIN_FILLING' ? 'rotation' : 'filing order';
  const history = historyAfter(state, window);
  const bookings = order.flatMap((child) => bookingsOf(state, child));
  return {
    mechanism,
    seed: state.input.seed,
    bookings,
    explanations: order.map((child) => explainChild(state, child, orderName, order.length)),
    lottery,
    order: order.map((child) => child.child.id),
    metrics: fairnessMetrics({
      outcomes: order.map((child) => outcomeOf(state, child)),
      history,
      window,
      upperBound: upperBound(state),
      stays: stayMetrics(state, order),
      requestsHonoured: honouredMetrics(state, order),
    }),
    historyAfter: history,
  };
}

function bookingsOf(state: RoundState, child: ChildEntry): AllocatedBooking[] {
  return [...child.placements]
    .sort((a, b) => a.slot - b.slot) // slots are indexed in start order
    .map((placement) => {
      const slot = state.slot(placement.slot);
      return {
        childId: child.child.id,
        slotId: slot.info.id,
        requestId: child.request.id,
        preferenceRank: placement.rank === FLEXIBLE_RANK ? null : placement.rank,
        units: slot.units,
        nights: slot.overnight ? slot.units : 0,
        cost: slot.cost,
        transportNeeded: child.request.transportNeeded,
      };
    });
}

function outcomeOf(state: RoundState, child: ChildEntry): ChildOutcome {
  return {
    childId: child.child.id,
    unitsWanted: child.unitsWanted,
    unitsGot: child.unitsGot,
    valueWanted: child.valueWanted,
    valueGot: valueGot(state, child),
    scarceUnitsGot: scarceUnitsGot(state, child),
  };
}

/**
 * Max-flow bound over the places free when the round started (exported for the benchmark's timing). The
 * round's own placements are a flow in that network, so the search starts from them.
 */
export function upperBound(state: RoundState): number {
  return allocationUpperBound(
    state.children.map((child) => ({
      unitsWanted: child.unitsWanted,
      candidates: child.candSlot,
      placed: child.placements.map((placement) => placement.slot),
    })),
    state.slots.map((slot) => ({
      free: slot.info.capacity - slot.bookedBefore,
      units: slot.units,
      localDate: slot.localDate,
      overnight: slot.overnight,
    })),
  );
}

function stayMetrics(state: RoundState, order: readonly ChildEntry[]): FairnessMetrics['stays'] {
  const totals = { total: 0, split: 0, avoidableSplits: 0 };
  for (const child of order) {
    const { stays, split } = splitStays(state, child);
    totals.total += stays;
    totals.split += split.length;
    totals.avoidableSplits += split.filter((stay) => stay.avoidable).length;
  }
  return totals;
}

function honouredMetrics(state: RoundState, order: readonly ChildEntry[]): FairnessMetrics['requestsHonoured'] {
  let bookings = 0;
  let outside = 0;
  for (const child of order) {
    for (const placement of child.placements) {
      bookings += 1;
      if (!honoursRequest(state.slot(placement.slot).info, child.request)) outside += 1;
    }
  }
  return { bookings, outside, share: bookings === 0 ? 1 : Math.round(((bookings - outside) / bookings) * 10_000) / 10_000 };
}
