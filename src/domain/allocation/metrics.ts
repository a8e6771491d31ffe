/**
 * Fairness metrics stored with every allocation round, so a coordinator can judge it before publishing. Pure
 * functions over plain numbers so they can be checked on known vectors.
 */
import type { ChildHistory, ChildShare, FairnessMetrics } from './types.js';

/**
 * Gini coefficient of non-negative values: 0 = everyone equal, (n-1)/n = one
 * holds everything. Sorted-values form of the mean absolute difference / (2 × mean).
 * All-zero (or empty) input is perfectly equal: 0.
 */
export function gini(values: readonly number[]): number {
  const n = values.length;
  const total = values.reduce((sum, value) => sum + value, 0);
  if (n === 0 || total === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const weighted = sorted.reduce((sum, value, i) => sum + (i + 1) * value, 0);
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/**
 * Jain's fairness index (Jain, Chiu and Hawe, 1984): (Σx)² / (n·Σx²), from 1/n
 * (one child gets everything) to 1 (all equal). All-zero input counts as equal: 1.
 */
export function jainIndex(values: readonly number[]): number {
  const n = values.length;
  const sum = values.reduce((acc, value) => acc + value, 0);
  const squares = values.reduce((acc, value) => acc + value * value, 0);
  if (n === 0 || squares === 0) return 1;
  return (sum * sum) / (n * squares);
}

/** Population standard deviation (0 for fewer than two values). */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

/** Largest minus smallest (0 when empty). */
export function maxMinGap(values: readonly number[]): number {
  if (values.length === 0) return 0;
  return Math.max(...values) - Math.min(...values);
}

/** One child's result in a round, in break units and scarcity-weighted value. */
export interface ChildOutcome {
  childId: string;
  unitsWanted: number;
  unitsGot: number;
  valueWanted: number;
  valueGot: number;
  scarceUnitsGot: number;
}

export interface ScarceShare {
  childId: string;
  share: number;
  rounds: number;
}

/**
 * Scarce units got / scarce units wanted, per child, summed over the last
 * `window` rounds of its history in which it wanted any scarce slot. The spread
 * of this share between children is what rotation is meant to shrink.
 */
export function scarceShareByChild(history: readonly ChildHistory[], window: number, childIds?: ReadonlySet<string>): ScarceShare[] {
  const shares: ScarceShare[] = [];
  for (const child of history) {
    if (childIds && !childIds.has(child.childId)) continue;
    const rounds = child.rounds.slice(-window).filter((round) => round.scarceUnitsWanted > 0);
    if (rounds.length === 0) continue;
    const wanted = rounds.reduce((sum, round) => sum + round.scarceUnitsWanted, 0);
    const got = rounds.reduce((sum, round) => sum + round.scarceUnitsGot, 0);
    shares.push({ childId: child.childId, share: round4(got / wanted), rounds: rounds.length });
  }
  return shares;
}

export function fairnessMetrics(input: {
  outcomes: readonly ChildOutcome[];
  history: readonly ChildHistory[];
  window: number;
  upperBound: number;
  stays: FairnessMetrics['stays'];
  requestsHonoured: FairnessMetrics['requestsHonoured'];
}): FairnessMetrics {
  const participants = input.outcomes.filter((outcome) => outcome.unitsWanted > 0);
  const shares: ChildShare[] = participants.map((outcome) => ({
    childId: outcome.childId,
    share: round4(Math.min(1, outcome.unitsGot / outcome.unitsWanted)),
    weightedShare: round4(Math.min(1, outcome.valueGot / outcome.valueWanted)),
  }));
  const values = shares.map((share) => share.share);
  const worst = values.length === 0 ? 1 : Math.min(...values);
  const unitsAllocated = sum(input.outcomes.map((outcome) => outcome.unitsGot));
  const scarce = scarceShareByChild(input.history, input.window, new Set(participants.map((outcome) => outcome.childId)));
  const scarceValues = scarce.map((share) => share.share);
  return {
    requests: input.outcomes.length,
    children: participants.length,
    unitsWanted: sum(participants.map((outcome) => outcome.unitsWanted)),
    unitsAllocated,
    scarceUnitsAllocated: sum(input.outcomes.map((outcome) => outcome.scarceUnitsGot)),
    upperBound: input.upperBound,
    boundRatio: input.upperBound === 0 ? 1 : round4(unitsAllocated / input.upperBound),
    shares,
    gini: round4(gini(values)),
    jain: round4(jainIndex(values)),
    maxMin: { share: worst, childIds: shares.filter((share) => share.share === worst).map((share) => share.childId) },
    childrenWithNothing: input.outcomes.filter((outcome) => outcome.unitsGot === 0).length,
    childrenWithNothingToGive: input.outcomes.filter((outcome) => outcome.unitsWanted === 0).length,
    stays: input.stays,
    requestsHonoured: input.requestsHonoured,
    scarceShare: {
      window: input.window,
      byChild: scarce,
      stdDev: round4(standardDeviation(scarceValues)),
      maxMinGap: round4(maxMinGap(scarceValues)),
    },
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((acc, value) => acc + value, 0);
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
