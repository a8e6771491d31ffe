/**
 * Carrying fairness across rounds. Idea taken from Karma (Vuppalapati et al.,
 * OSDI 2023): each round, a participant whose share fell below the round's fair
 * share earns credits and one above it spends them, so priority in later rounds
 * goes to whoever has been served worst over time, and credits are conserved
 * (they sum to zero over a round's participants), so they cannot inflate.
 *
 * Karma's fair share is a fixed slice of a resource pool; here demands differ
 * (entitlements, preferences, scarcity), so the share compared is
 * *satisfaction*: the scarcity-weighted value a child got over the value of the
 * best bundle it asked for (RoundState.computeWant). The round's fair share is
 * the mean satisfaction, and credit += fair share − own satisfaction.
 */
import { compareIds, type ChildEntry, type RoundState } from './round-state.js';
import type { ChildHistory, RoundRecord } from './types.js';

export const DEFAULT_HISTORY_WINDOW = 12;

/** Rounded so credits compare equal across runs and survive a JSON round trip unchanged. */
export function roundTo(value: number, decimals = 6): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function valueGot(state: RoundState, child: ChildEntry): number {
  return child.placements.reduce((sum, placement) => sum + state.slot(placement.slot).cost, 0);
}

export function scarceUnitsGot(state: RoundState, child: ChildEntry): number {
  return child.placements.reduce((sum, placement) => {
    const slot = state.slot(placement.slot);
    return sum + (slot.scarce ? slot.units : 0);
  }, 0);
}

function roundRecord(state: RoundState, child: ChildEntry): RoundRecord {
  const got = valueGot(state, child);
  return {
    seed: state.input.seed,
    unitsWanted: child.unitsWanted,
    unitsGot: child.unitsGot,
    valueWanted: child.valueWanted,
    valueGot: got,
    scarceUnitsWanted: child.scarceUnitsWanted,
    scarceUnitsGot: scarceUnitsGot(state, child),
    satisfaction: roundTo(Math.min(1, got / child.valueWanted)),
  };
}

/**
 * History after this round: participants (children who wanted something) get a
 * record and a credit update; everyone else's history is carried unchanged.
 */
export function historyAfter(state: RoundState, window: number): ChildHistory[] {
  const byChild = new Map(state.input.history.map((history) => [history.childId, history]));
  const participants = state.children.filter((child) => child.valueWanted > 0);
  const records = participants.map((child) => roundRecord(state, child));
  const fairShare = records.reduce((sum, record) => sum + record.satisfaction, 0) / Math.max(1, records.length);
  participants.forEach((child, i) => {
    const record = records[i] as RoundRecord;
    const previous = byChild.get(child.child.id);
    byChild.set(child.child.id, {
      childId: child.child.id,
      credit: roundTo((previous?.credit ?? 0) + fairShare - record.satisfaction),
      rounds: [...(previous?.rounds ?? []), record].slice(-window),
    });
  });
  return [...byChild.values()].sort((a, b) => compareIds(a.childId, b.childId));
}
