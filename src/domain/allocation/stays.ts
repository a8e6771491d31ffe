/**
 * A child's consecutive nights are one stay, and a stay belongs in one home
 * (DESIGN.md, allocation): moving a disabled child to another house half-way
 * through a weekend is the opposite of a break. The filling that decides who
 * gets how many nights cannot see that, so this pass mends it afterwards
 * without changing anyone's number of nights: it moves a night of a split
 * stay into the home holding the rest of the stay — into a free place, or by
 * swapping places with a child whose own stays do not mind the exchange.
 */
import { compareIds, effectiveRank, type ChildEntry, type RoundState } from './round-state.js';
import { neighbouringNightsOf } from './water-filling.js';

/** A child's overnight placements that follow on from each other without a night at home, in date order. */
export function stayRuns(state: RoundState, child: ChildEntry): number[][] {
  const nights = child.placements
    .map((placement) => placement.slot)
    .filter((slot) => state.slot(slot).overnight)
    .sort((a, b) => state.slot(a).dayNumber - state.slot(b).dayNumber);
  const runs: number[][] = [];
  for (const slot of nights) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last !== undefined && state.slot(last).endDayNumber === state.slot(slot).dayNumber) run.push(slot);
    else runs.push([slot]);
  }
  return runs;
}

function homesOf(state: RoundState, run: readonly number[], child?: ChildEntry): number[] {
  const at = new Map<number, { nights: number; rank: number; key: string }>();
  for (const slot of run) {
    const entry = state.slot(slot);
    const rank = effectiveRank(child?.placements.find((placement) => placement.slot === slot)?.rank ?? 0);
    const home = at.get(entry.home) ?? { nights: 0, rank: Number.POSITIVE_INFINITY, key: `${entry.info.providerId}|${entry.info.carerId ?? ''}` };
    at.set(entry.home, { nights: home.nights + entry.units, rank: Math.min(home.rank, rank), key: home.key });
  }
  // The home with most of the stay's nights first (the fewest nights have to move), then the one the family
  // ranked higher, then by provider id: never by anything that depends on which other slots the round holds.
  return [...at.entries()]
    .sort(([, a], [, b]) => b.nights - a.nights || a.rank - b.rank || compareIds(a.key, b.key))
    .map(([home]) => home);
}

export function isSplit(state: RoundState, run: readonly number[]): boolean {
  return homesOf(state, run).length > 1;
}

/** Mends every split stay it can; returns the children it moved (with those it swapped places with). */
export function keepStaysTogether(state: RoundState, order: readonly ChildEntry[]): Set<ChildEntry> {
  const moved = new Set<ChildEntry>();
  for (const child of order) {
    for (const run of stayRuns(state, child)) {
      if (!isSplit(state, run)) continue;
      for (const home of homesOf(state, run, child)) if (bringHome(state, child, run, home, moved)) break;
    }
  }
  return moved;
}

/** Moves every night of the run that is elsewhere into `home`; all or nothing. */
function bringHome(state: RoundState, child: ChildEntry, run: readonly number[], home: number, moved: Set<ChildEntry>): boolean {
  const undo: (() => void)[] = [];
  for (const slot of run) {
    if (state.slot(slot).home === home) continue;
    const step = moveInto(state, child, slot, home, moved);
    if (!step) {
      for (let back = undo.pop(); back; back = undo.pop()) back();
      return false;
    }
    undo.push(step);
  }
  return true;
}

/** Moves the child's night in `slot` to the same night in `home`; returns how to undo it, or null. */
function moveInto(state: RoundState, child: ChildEntry, slot: number, home: number, moved: Set<ChildEntry>): (() => void) | null {
  const entry = state.slot(slot);
  const rankHere = child.placements.find((placement) => placement.slot === slot)?.rank as number;
  for (const target of state.slotsAtHome(home, entry.dayNumber)) {
    const candidate = state.candidateIndex(child, target);
    if (candidate === undefined || state.slot(target).units !== entry.units) continue;
    const rankThere = child.candRank[candidate] as number;
    if (state.free(target) > 0) {
      if (state.blockingIfMovedFrom(child, slot)(target) !== null) continue;
      relocate(state, child, slot, target, rankThere);
      moved.add(child);
      return () => relocate(state, child, target, slot, rankHere);
    }
    for (const taker of [...state.slot(target).takers]) {
      const other = state.childAt(taker);
      if (other === child) continue;
      const otherCandidate = state.candidateIndex(other, slot);
      if (otherCandidate === undefined || wouldSplit(state, other, target)) continue;
      // Swapping keeps both slots' counts: each check ignores "full", the other child is leaving.
      if (state.blockingIfMovedFrom(other, target, true)(slot) !== null) continue;
      if (state.blockingIfMovedFrom(child, slot, true)(target) !== null) continue;
      const otherRankThere = other.placements.find((placement) => placement.slot === target)?.rank as number;
      swap(state, child, slot, target, rankThere, other, other.candRank[otherCandidate] as number);
      moved.add(child).add(other);
      return () => swap(state, child, target, slot, rankHere, other, otherRankThere);
    }
  }
  return null;
}

/** Whether moving the child out of `slot` would take a night out of one of its stays in that home. */
function wouldSplit(state: RoundState, child: ChildEntry, slot: number): boolean {
  const neighbours = new Set(neighbouringNightsOf(state, slot));
  return child.placements.some((placement) => neighbours.has(placement.slot));
}

function relocate(state: RoundState, child: ChildEntry, from: number, to: number, rank: number): void {
  state.unplace(child, from);
  state.place(child, to, rank);
}

function swap(state: RoundState, child: ChildEntry, from: number, to: number, rank: number, other: ChildEntry, otherRank: number): void {
  state.unplace(child, from);
  state.unplace(other, to);
  state.place(child, to, rank);
  state.place(other, from, otherRank);
}

export interface SplitStay {
  /** Slot indices of the stay, in date order. */
  slots: number[];
  /** True when one home had a place (free, or the child's own) on every night of it when the round ended. */
  avoidable: boolean;
}

/**
 * Every stay of two or more nights, and which are split across homes. A split
 * is counted avoidable when, in the final state, one of the stay's homes could
 * take the child on each of its other nights from places left free (as
 * checkPlacement accepts the move): a check independent of how the pass above
 * searched, so a mending bug shows here.
 */
export function splitStays(state: RoundState, child: ChildEntry): { stays: number; split: SplitStay[] } {
  const runs = stayRuns(state, child).filter((run) => run.length > 1 || state.slot(run[0] as number).units > 1);
  const split = runs
    .filter((run) => isSplit(state, run))
    .map((run) => ({ slots: run, avoidable: homesOf(state, run).some((home) => freelyMendable(state, child, run, home)) }));
  return { stays: runs.length, split };
}

function freelyMendable(state: RoundState, child: ChildEntry, run: readonly number[], home: number): boolean {
  return run.every((slot) => {
    const entry = state.slot(slot);
    if (entry.home === home) return true;
    return state.slotsAtHome(home, entry.dayNumber).some((target) => {
      const candidate = state.candidateIndex(child, target);
      return (
        candidate !== undefined &&
        state.slot(target).units === entry.units &&
        state.free(target) > 0 &&
        state.blockingIfMovedFrom(child, slot)(target) === null
      );
    });
  });
}
