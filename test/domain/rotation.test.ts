/**
 * Rotation across rounds: over 12 simulated rounds with
 * identical demand, feeding each round's historyAfter into the next, the spread
 * of cumulative scarce-slot share between children shrinks compared with the
 * first round, and ends smaller than first-come-first-served's over the same
 * 12 rounds.
 */
import { describe, expect, it } from 'vitest';
import { at, child, night, request, roundInput, slots } from '../../fixtures/allocation-builders.js';
import { generateCounty } from '../../fixtures/county-generator.js';
import {
  allocate,
  allocateFirstComeFirstServed,
  scarceShareByChild,
  standardDeviation,
} from '../../src/domain/allocation/index.js';
import type { AllocationInput, AllocationResult, ChildHistory } from '../../src/domain/allocation/index.js';

const ROUNDS = 12;

/** Standard deviation of each child's cumulative scarce share after each round. */
function simulate(input: AllocationInput, mechanism: (input: AllocationInput) => AllocationResult): number[] {
  let history: ChildHistory[] = [];
  const spreads: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const result = mechanism({ ...input, seed: `${input.seed}-round-${round}`, history, historyWindow: ROUNDS });
    history = result.historyAfter;
    spreads.push(standardDeviation(scarceShareByChild(history, ROUNDS).map((share) => share.share)));
  }
  return spreads;
}

describe('rotation across rounds', () => {
  it('shares two Friday places among eight families over twelve rounds', () => {
    const children = Array.from({ length: 8 }, (_, i) => child(`c${i}`));
    const input = roundInput({
      slots: [night('fri', '2025-03-07', { capacity: 2 }), night('tue', '2025-03-04', { capacity: 8 })],
      children,
      requests: children.map((c, i) =>
        request(c.id, slots('fri', 'tue'), { nightsWanted: 1, filedAt: at('2025-02-01', `0${i}:00`) }),
      ),
    });
    const rotating = simulate(input, allocate);
    const fcfs = simulate(input, allocateFirstComeFirstServed);

    // Round 1 looks the same either way: two children have every Friday, six none.
    expect(rotating[0]).toBeCloseTo(fcfs[0] as number, 10);
    expect(rotating[0]).toBeGreaterThan(0.4);
    // Twelve rounds later everyone has had three Fridays with rotation ...
    expect(rotating.at(-1)).toBeCloseTo(0, 10);
    // ... while first come, first served still gives them to the same two.
    expect(fcfs.at(-1)).toBeCloseTo(fcfs[0] as number, 10);
  });

  it('narrows the spread on generated counties against first come, first served', () => {
    // One week of a small county: needs, carers' training, holidays and limits all in play. How far one county's
    // spread narrows depends on its draw (from about 0.73 to 0.97 of the first round's across seeds), so three
    // counties are asked: every one narrows and ends below first come, first served, and on average by a tenth.
    const ratios = ['rotation-1', 'rotation-2', 'rotation-3'].map((seed) => {
      const input = generateCounty({ seed, children: 80, providers: 8, weeks: 1 });
      const rotating = simulate(input, allocate);
      const fcfs = simulate(input, allocateFirstComeFirstServed);
      // Some spread stays: a child whose needs only rare places meet cannot rotate as much.
      expect(rotating.at(-1)).toBeLessThan(rotating[0] as number);
      expect(rotating.at(-1)).toBeLessThan(fcfs.at(-1) as number);
      return (rotating.at(-1) as number) / (rotating[0] as number);
    });
    expect(ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length).toBeLessThan(0.9);
  });
});
