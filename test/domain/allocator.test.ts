import { describe, expect, it } from 'vitest';
import {
  at,
  child,
  daySession,
  entitlement,
  night,
  request,
  roundInput,
  slots,
  stay,
} from '../../fixtures/allocation-builders.js';
import { allocate, allocateFirstComeFirstServed } from '../../src/domain/allocation/index.js';
import type { AllocationResult, ChildExplanation, UnmetGroup } from '../../src/domain/allocation/index.js';

// March 2025: Tue 4, Fri 7, Sat 8, Mon 10, Fri 14.
const FRI = '2025-03-07';
const TUE = '2025-03-04';

function explanationOf(result: AllocationResult, childId: string): ChildExplanation {
  const explanation = result.explanations.find((e) => e.childId === childId);
  if (!explanation) throw new Error(`no explanation for ${childId}`);
  return explanation;
}

function unmetOf(result: AllocationResult, childId: string, rank: number): UnmetGroup[] {
  return explanationOf(result, childId).preferences.find((p) => p.rank === rank)?.unmet ?? [];
}

function slotsOf(result: AllocationResult, childId: string): string[] {
  return result.bookings.filter((b) => b.childId === childId).map((b) => b.slotId);
}

describe('allocate: rotation order and explanations', () => {
  const contested = () =>
    roundInput({
      slots: [night('fri', FRI, { capacity: 1 }), night('tue', TUE, { capacity: 2 })],
      children: [child('a'), child('b')],
      requests: [
        request('a', slots('fri', 'tue'), { nightsWanted: 1 }),
        request('b', slots('fri', 'tue'), { nightsWanted: 1 }),
      ],
    });

  it('gives the contested Friday to the child with more credit and tells the other why, with positions', () => {
    const result = allocate({
      ...contested(),
      history: [
        { childId: 'b', credit: 0.5, rounds: [] },
        { childId: 'a', credit: 0, rounds: [] },
      ],
    });
    expect(result.order).toEqual(['b', 'a']);
    expect(slotsOf(result, 'b')).toEqual(['fri']);
    expect(slotsOf(result, 'a')).toEqual(['tue']);
    const [miss] = unmetOf(result, 'a', 1);
    expect(miss).toMatchObject({ reason: 'LOWER_IN_ROTATION', slots: 1, takenBy: { beforeRound: 0, positions: [1] } });
    expect(miss?.detail).toContain('you were 2nd of 2');
    expect(explanationOf(result, 'a').summary).toBe(
      'Asked for 1 night, got 1. You were 2nd of 2 in the rotation. 1 preferred date went to children whose turn came first in the rotation.',
    );
    expect(explanationOf(result, 'a').got).toEqual([{ slotId: 'tue', preferenceRank: 2 }]);
  });

  it('breaks equal credit with the seeded lottery and records the tickets', () => {
    const result = allocate(contested());
    const tickets = new Map(result.lottery.map((entry) => [entry.childId, entry.ticket]));
    const first = (tickets.get('a') as number) < (tickets.get('b') as number) ? 'a' : 'b';
    expect(result.order[0]).toBe(first);
    expect(slotsOf(result, first)).toEqual(['fri']);
    expect(explanationOf(result, first).ticket).toBe(tickets.get(first));
  });

  it('is deterministic for a seed and its result survives a JSON round trip', () => {
    const input = contested();
    const result = allocate(input);
    expect(allocate(input)).toEqual(result);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('reports FULL when the places were booked before the round', () => {
    const result = allocate(
      roundInput({
        slots: [night('fri', FRI, { capacity: 1, booked: 1 }), night('tue', TUE)],
        children: [child('a')],
        requests: [request('a', slots('fri', 'tue'))],
      }),
    );
    expect(unmetOf(result, 'a', 1)).toEqual([
      expect.objectContaining({ reason: 'FULL', takenBy: { beforeRound: 1, positions: [] } }),
    ]);
  });

  it('reports NEEDS_NOT_MET and RESERVED_FOR_OTHER_AUTHORITY, and never books such places', () => {
    const result = allocate(
      roundInput({
        slots: [night('plain', FRI, { capacity: 3 }), night('blocked', TUE, { capacity: 3, reservedForAuthorityId: 'authority-b' })],
        children: [child('g', ['GASTROSTOMY']), child('a')],
        requests: [request('g', slots('plain')), request('a', slots('blocked'))],
      }),
    );
    expect(result.bookings).toEqual([]);
    expect(unmetOf(result, 'g', 1)).toEqual([
      expect.objectContaining({ reason: 'NEEDS_NOT_MET', detail: expect.stringContaining('gastrostomy') }),
    ]);
    expect(unmetOf(result, 'a', 1)).toEqual([expect.objectContaining({ reason: 'RESERVED_FOR_OTHER_AUTHORITY' })]);
    expect(explanationOf(result, 'g').summary).toBe(
      "Nothing could be offered for this request: 1 preferred date could not meet your child's needs.",
    );
  });

  it('reports ENTITLEMENT_USED when the award for those dates is used up', () => {
    // Two awards: one night in the first week, one in the second.
    const result = allocate(
      roundInput({
        slots: [night('mon1', '2025-03-03'), night('tue1', TUE), night('mon2', '2025-03-10')],
        children: [child('c'), child('rival')],
        entitlements: [
          entitlement('c', 1, 0, '2025-03-03', 7),
          entitlement('c', 1, 0, '2025-03-10', 7),
          entitlement('rival', 5, 0),
        ],
        requests: [request('c', slots('mon1', 'tue1', 'mon2')), request('rival', slots('mon2'))],
        history: [{ childId: 'rival', credit: 1, rounds: [] }],
      }),
    );
    expect(slotsOf(result, 'c')).toEqual(['mon1']);
    expect(unmetOf(result, 'c', 2)).toEqual([expect.objectContaining({ reason: 'ENTITLEMENT_USED' })]);
    expect(unmetOf(result, 'c', 3)).toEqual([expect.objectContaining({ reason: 'LOWER_IN_ROTATION' })]);
  });

  it('reports LIMIT_REACHED for a child already 75 nights away in the last 12 months', () => {
    const away = [0, 1, 2, 3, 4].map((i) => {
      const start = at(`2024-0${4 + i}-01`, '17:00');
      return stay(start, new Date(start.getTime() + 15 * 86_400_000));
    });
    const result = allocate(
      roundInput({
        slots: [night('tue', TUE)],
        children: [child('a')],
        existingStays: { a: away },
        requests: [request('a', slots('tue'))],
      }),
    );
    expect(result.bookings).toEqual([]);
    expect(unmetOf(result, 'a', 1)).toEqual([expect.objectContaining({ reason: 'LIMIT_REACHED' })]);
  });

  it('reports OVERLAP with a booking the child already has', () => {
    const result = allocate(
      roundInput({
        slots: [night('fri', FRI), night('tue', TUE)],
        children: [child('a')],
        existingStays: { a: [stay(at(FRI, '12:00'), at('2025-03-08', '12:00'))] },
        requests: [request('a', slots('fri', 'tue'), { nightsWanted: 2 })],
      }),
    );
    expect(slotsOf(result, 'a')).toEqual(['tue']);
    expect(unmetOf(result, 'a', 1)).toEqual([expect.objectContaining({ reason: 'OVERLAP' })]);
    expect(explanationOf(result, 'a').summary).toContain('Only 1 could be offered together');
  });

  it('reports NOT_AVAILABLE for a slot outside the period, and WANT_MET for choices not needed', () => {
    const result = allocate(
      roundInput({
        slots: [night('tue', TUE), night('fri', FRI)],
        children: [child('a')],
        requests: [request('a', slots('tue', 'no-such-slot', 'fri'), { nightsWanted: 1 })],
      }),
    );
    expect(slotsOf(result, 'a')).toEqual(['tue']);
    expect(unmetOf(result, 'a', 2)).toEqual([expect.objectContaining({ reason: 'NOT_AVAILABLE' })]);
    expect(unmetOf(result, 'a', 3)).toEqual([expect.objectContaining({ reason: 'WANT_MET' })]);
  });

  it('expands DAYS preferences on London weekdays and offers anything suitable to a flexible request', () => {
    const result = allocate(
      roundInput({
        slots: [night('fri', FRI), night('sat', '2025-03-08'), night('tue', TUE), daySession('club', '2025-03-08', { providerId: 'club' })],
        children: [child('a'), child('b')],
        requests: [
          request('a', [{ kind: 'DAYS', daysOfWeek: [5, 6], providerId: 'provider-1' }], { nightsWanted: 2 }),
          request('b', slots('fri'), { flexible: true, nightsWanted: 1 }),
        ],
        history: [{ childId: 'a', credit: 1, rounds: [] }],
      }),
    );
    expect(slotsOf(result, 'a')).toEqual(['fri', 'sat']);
    expect(explanationOf(result, 'a').preferences[0]).toMatchObject({ slotCount: 2, gotSlotIds: ['fri', 'sat'] });
    // b's named Friday went to a; flexible, it is offered the cheapest other suitable place.
    expect(result.bookings.find((b) => b.childId === 'b')).toMatchObject({ slotId: 'tue', preferenceRank: null });
  });

  it('rejects a second request for the same child', () => {
    expect(() =>
      allocate(
        roundInput({
          slots: [night('tue', TUE)],
          children: [child('a')],
          requests: [request('a', slots('tue'), { id: 'r1' }), request('a', slots('tue'), { id: 'r2' })],
        }),
      ),
    ).toThrow(/more than one request/);
  });
});

describe('allocate: efficiency', () => {
  it('keeps a gastrostomy bed for the child who needs it, placing the other child elsewhere', () => {
    const input = roundInput({
      slots: [
        night('nursing', FRI, { providerId: 'unit-n', capabilities: ['GASTROSTOMY'] }),
        night('plain', FRI, { providerId: 'unit-p' }),
      ],
      children: [child('a'), child('g', ['GASTROSTOMY'])],
      requests: [
        request('a', slots('nursing', 'plain'), { filedAt: at('2025-02-01', '09:00') }),
        request('g', slots('nursing'), { filedAt: at('2025-02-02', '09:00') }),
      ],
      history: [{ childId: 'a', credit: 1, rounds: [] }],
    });
    const result = allocate(input);
    expect(result.order[0]).toBe('a');
    expect(slotsOf(result, 'a')).toEqual(['plain']);
    expect(slotsOf(result, 'g')).toEqual(['nursing']);
    expect(unmetOf(result, 'a', 1)).toEqual([expect.objectContaining({ reason: 'HELD_FOR_CARE_NEEDS' })]);
    // First come, first served gives the bed away and strands the child who needs it.
    const fcfs = allocateFirstComeFirstServed(input);
    expect(slotsOf(fcfs, 'a')).toEqual(['nursing']);
    expect(slotsOf(fcfs, 'g')).toEqual([]);
  });

  it('repairs: moves a placed child to an equally ranked place so a child left out gets its only choice', () => {
    const input = roundInput({
      slots: [night('x', FRI, { providerId: 'unit-x' }), night('y', FRI, { providerId: 'unit-y' })],
      children: [child('a'), child('b')],
      requests: [
        request('a', [{ kind: 'DAYS', daysOfWeek: [5] }], { nightsWanted: 1, filedAt: at('2025-02-01', '09:00') }),
        request('b', slots('x'), { filedAt: at('2025-02-02', '09:00') }),
      ],
      history: [{ childId: 'a', credit: 1, rounds: [] }],
    });
    const result = allocate(input);
    expect(slotsOf(result, 'a')).toEqual(['y']);
    expect(slotsOf(result, 'b')).toEqual(['x']);
    expect(result.bookings.find((b) => b.childId === 'a')?.preferenceRank).toBe(1);
    expect(result.metrics).toMatchObject({ unitsAllocated: 2, upperBound: 2, childrenWithNothing: 0 });
    expect(slotsOf(allocateFirstComeFirstServed(input), 'b')).toEqual([]);
  });

  it('lets a child that settled for a cheaper choice move up into a better one left free', () => {
    // Two Fridays cost 3 ordinary nights each: after its first, a's budget only
    // stretches to Tuesday, though the second Friday is still free at the end.
    const result = allocate(
      roundInput({
        slots: [night('fri1', FRI), night('fri2', '2025-03-14'), night('tue', TUE)],
        children: [child('a')],
        requests: [request('a', slots('fri1', 'fri2', 'tue'), { nightsWanted: 2 })],
      }),
    );
    expect(slotsOf(result, 'a')).toEqual(['fri1', 'fri2']);
  });
});

describe('allocate: metrics', () => {
  it('reports shares, nothing-counts and the max-flow bound for the round', () => {
    const result = allocate(
      roundInput({
        slots: [night('fri', FRI, { capacity: 1 }), night('tue', TUE, { capacity: 1 })],
        children: [child('a'), child('b'), child('c')],
        requests: [
          request('a', slots('fri'), { nightsWanted: 1 }),
          request('b', slots('fri'), { nightsWanted: 1 }),
          request('c', slots('tue'), { nightsWanted: 1 }),
        ],
      }),
    );
    expect(result.metrics).toMatchObject({
      children: 3,
      unitsWanted: 3,
      unitsAllocated: 2,
      scarceUnitsAllocated: 1,
      upperBound: 2,
      boundRatio: 1,
      childrenWithNothing: 1,
      maxMin: { share: 0 },
    });
    expect(result.metrics.gini).toBeCloseTo(1 / 3, 4);
    expect(result.metrics.jain).toBeCloseTo(2 / 3, 4);
  });
});
