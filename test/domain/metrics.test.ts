import { describe, expect, it } from 'vitest';
import { generateCounty } from '../../fixtures/county-generator.js';
import {
  FlowNetwork,
  allocate,
  allocateFirstComeFirstServed,
  allocationUpperBound,
  fairnessMetrics,
  gini,
  jainIndex,
  maxMinGap,
  scarceShareByChild,
  standardDeviation,
} from '../../src/domain/allocation/index.js';
import type { ChildHistory, RoundRecord } from '../../src/domain/allocation/index.js';
import { RoundState } from '../../src/domain/allocation/round-state.js';

describe('Gini coefficient', () => {
  it('is 0 when everyone has the same share, including nothing', () => {
    expect(gini([0.5, 0.5, 0.5])).toBe(0);
    expect(gini([0, 0, 0])).toBe(0);
    expect(gini([])).toBe(0);
  });

  it('is (n-1)/n when one child has everything', () => {
    expect(gini([0, 0, 0, 1])).toBeCloseTo(0.75, 10);
  });

  it('matches the mean absolute difference definition on a known vector', () => {
    // Σ|xi-xj| over ordered pairs = 2·(1+2+1) = 8; mean = 2; G = 8 / (2 · 3² · 2) = 2/9.
    expect(gini([1, 2, 3])).toBeCloseTo(2 / 9, 10);
    expect(gini([3, 1, 2])).toBeCloseTo(2 / 9, 10);
  });
});

describe("Jain's index", () => {
  it('is 1 for equal shares and 1/n when one child has everything', () => {
    expect(jainIndex([0.3, 0.3, 0.3, 0.3])).toBeCloseTo(1, 10);
    expect(jainIndex([1, 0, 0, 0])).toBeCloseTo(0.25, 10);
    expect(jainIndex([0, 0])).toBe(1);
  });

  it('matches (Σx)² / (n·Σx²) on a known vector', () => {
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 10);
  });
});

describe('spread', () => {
  it('computes the population standard deviation and the max-min gap', () => {
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2, 10);
    expect(standardDeviation([1])).toBe(0);
    expect(maxMinGap([0.2, 0.9, 0.5])).toBeCloseTo(0.7, 10);
    expect(maxMinGap([])).toBe(0);
  });
});

/** Max flow from node 0 to the last node of a network given as [from, to, capacity] edges. */
function maxFlowOf(nodes: number, edges: [number, number, number][]): number {
  const network = new FlowNetwork();
  for (let i = 0; i < nodes; i++) network.addNode();
  for (const [from, to, capacity] of edges) network.addEdge(from, to, capacity);
  return network.maxFlow(0, nodes - 1);
}

describe('max-flow (Dinic)', () => {
  it('finds 23 on the CLRS example network', () => {
    // s=0, v1..v4 = 1..4, t=5 (Cormen et al., Introduction to Algorithms, fig. 26.1).
    const edges: [number, number, number][] = [
      [0, 1, 16], [0, 2, 13], [2, 1, 4], [1, 3, 12], [3, 2, 9], [2, 4, 14], [4, 3, 7], [3, 5, 20], [4, 5, 4],
    ];
    expect(maxFlowOf(6, edges)).toBe(23);
  });

  it('needs a reverse (residual) edge to find the maximum', () => {
    // s=0, a=1, b=2, c=3, d=4, t=5: greedy s→a→d→t blocks b; only undoing a→d reaches 2.
    const edges: [number, number, number][] = [[0, 1, 1], [0, 2, 1], [1, 4, 1], [1, 3, 1], [2, 4, 1], [4, 5, 1], [3, 5, 1]];
    expect(maxFlowOf(6, edges)).toBe(2);
  });

  it('is 0 when the sink cannot be reached, and adds up parallel edges', () => {
    expect(maxFlowOf(3, [[0, 1, 5]])).toBe(0);
    expect(maxFlowOf(2, [[0, 1, 2], [0, 1, 3]])).toBe(5);
  });

  it('handles a long chain without running out of stack', () => {
    const length = 50_000;
    const edges = Array.from({ length: length - 1 }, (_, i): [number, number, number] => [i, i + 1, 3]);
    expect(maxFlowOf(length, edges)).toBe(3);
  });
});

describe('allocation upper bound', () => {
  const slot = (free: number, units: number, localDate: string, overnight = true) => ({ free, units, localDate, overnight });

  it('is limited by places, by what children want and by candidates', () => {
    const slots = [slot(1, 1, '2025-03-07'), slot(2, 1, '2025-03-04')];
    expect(
      allocationUpperBound(
        [
          { unitsWanted: 1, candidates: [0] },
          { unitsWanted: 1, candidates: [0] },
          { unitsWanted: 3, candidates: [1] },
        ],
        slots,
      ),
    ).toBe(2);
  });

  it('counts nights, and at most one overnight slot per child per start date', () => {
    // Two units on the same Friday overlap; the two-night weekend counts 2.
    const slots = [slot(5, 1, '2025-03-07'), slot(5, 1, '2025-03-07'), slot(5, 2, '2025-03-14'), slot(5, 1, '2025-03-15', false)];
    expect(allocationUpperBound([{ unitsWanted: 10, candidates: [0, 1, 2, 3] }], slots)).toBe(4);
  });
});

describe('allocation upper bound from a round\'s allocation', () => {
  it('is the same maximum whether the search starts from the allocation or from nothing', () => {
    // Generated rounds of both mechanisms: the bound each round reports (searched from its own placements)
    // against the same network searched from the zero flow.
    for (const [seed, children] of [['bound-a', 60], ['bound-b', 150]] as const) {
      const input = generateCounty({ children, providers: 6, weeks: 4, seed });
      const state = new RoundState(input);
      const slots = state.slots.map((entry) => ({
        free: entry.info.capacity - entry.bookedBefore,
        units: entry.units,
        localDate: entry.localDate,
        overnight: entry.overnight,
      }));
      const cold = allocationUpperBound(state.children.map((child) => ({ unitsWanted: child.unitsWanted, candidates: child.candSlot })), slots);
      for (const result of [allocate(input), allocateFirstComeFirstServed(input)]) {
        expect(result.metrics.unitsAllocated).toBeGreaterThan(0);
        expect(result.metrics.upperBound).toBe(cold);
      }
    }
  });

  it('starts from nothing when the placements given are not a flow in the network', () => {
    const slots = [{ free: 1, units: 1, localDate: '2025-03-07', overnight: true }];
    // Two children holding the one place: more than it has.
    const holding = { unitsWanted: 1, candidates: [0], placed: [0] };
    expect(allocationUpperBound([holding, { ...holding }], slots)).toBe(1);
  });
});

describe('fairness metrics', () => {
  const record = (scarceUnitsWanted: number, scarceUnitsGot: number): RoundRecord => ({
    seed: 's',
    unitsWanted: 1,
    unitsGot: scarceUnitsGot,
    valueWanted: 3,
    valueGot: 3 * scarceUnitsGot,
    scarceUnitsWanted,
    scarceUnitsGot,
    satisfaction: scarceUnitsGot,
  });

  it('computes scarce-slot share over the last N rounds, skipping rounds with no scarce demand', () => {
    const history: ChildHistory[] = [
      { childId: 'a', credit: 0, rounds: [record(1, 1), record(1, 0), record(0, 0), record(1, 1)] },
      { childId: 'b', credit: 0, rounds: [record(0, 0)] },
    ];
    expect(scarceShareByChild(history, 3)).toEqual([{ childId: 'a', share: 0.5, rounds: 2 }]);
    expect(scarceShareByChild(history, 12)).toEqual([{ childId: 'a', share: 0.6667, rounds: 3 }]);
  });

  it('summarises a round: shares, worst served, children with nothing and the bound', () => {
    const metrics = fairnessMetrics({
      outcomes: [
        { childId: 'a', unitsWanted: 2, unitsGot: 2, valueWanted: 6, valueGot: 6, scarceUnitsGot: 2 },
        { childId: 'b', unitsWanted: 2, unitsGot: 1, valueWanted: 6, valueGot: 1, scarceUnitsGot: 0 },
        { childId: 'c', unitsWanted: 4, unitsGot: 0, valueWanted: 4, valueGot: 0, scarceUnitsGot: 0 },
        { childId: 'd', unitsWanted: 0, unitsGot: 0, valueWanted: 0, valueGot: 0, scarceUnitsGot: 0 },
      ],
      history: [],
      window: 12,
      upperBound: 5,
      stays: { total: 0, split: 0, avoidableSplits: 0 },
      requestsHonoured: { bookings: 3, outside: 0, share: 1 },
    });
    expect(metrics).toMatchObject({
      requests: 4,
      children: 3,
      unitsWanted: 8,
      unitsAllocated: 3,
      scarceUnitsAllocated: 2,
      upperBound: 5,
      boundRatio: 0.6,
      // d asked but had nothing awarded: it still got nothing, and the count says so.
      childrenWithNothing: 2,
      childrenWithNothingToGive: 1,
      maxMin: { share: 0, childIds: ['c'] },
    });
    expect(metrics.shares).toEqual([
      { childId: 'a', share: 1, weightedShare: 1 },
      { childId: 'b', share: 0.5, weightedShare: 0.1667 },
      { childId: 'c', share: 0, weightedShare: 0 },
    ]);
    expect(metrics.gini).toBeCloseTo(gini([1, 0.5, 0]), 4);
    expect(metrics.jain).toBeCloseTo(jainIndex([1, 0.5, 0]), 4);
  });
});
