/**
 * A child's consecutive nights are one stay in one home, and a request for
 * nights together gets whole stays or none: what a family sees on its
 * calendar, checked on small rounds where the right answer is plain.
 */
import { describe, expect, it } from 'vitest';
import { child, night, request, roundInput } from '../../fixtures/allocation-builders.js';
import { generateCounty } from '../../fixtures/county-generator.js';
import { allocate } from '../../src/domain/allocation/index.js';

// Friday 7 and Saturday 8 March 2025.
const FRI = '2025-03-07';
const SAT = '2025-03-08';

function providersOf(result: ReturnType<typeof allocate>, childId: string, slots: Record<string, string>) {
  return result.bookings.filter((b) => b.childId === childId).map((b) => slots[b.slotId]);
}

describe('stays', () => {
  it('moves a split weekend into one home by swapping with a child who only wanted one night', () => {
    const slotList = [
      night('a-fri', FRI, { providerId: 'home-a' }),
      night('a-sat', SAT, { providerId: 'home-a' }),
      night('b-sat', SAT, { providerId: 'home-b' }),
    ];
    const home = Object.fromEntries(slotList.map((s) => [s.id, s.providerId]));
    const input = roundInput({
      slots: slotList,
      children: [child('weekender'), child('one-night')],
      requests: [
        request('weekender', [{ kind: 'SLOT', slotId: 'a-fri' }, { kind: 'DAYS', daysOfWeek: [6] }], { nightsWanted: 2 }),
        // Asks for Saturday at home A first, but home B will do.
        request('one-night', [{ kind: 'SLOT', slotId: 'a-sat' }, { kind: 'SLOT', slotId: 'b-sat' }], { nightsWanted: 1 }),
      ],
      // The one-night child goes first in rotation, so it takes home A's Saturday before the weekend is seen.
      history: [
        { childId: 'one-night', credit: 0.5, rounds: [] },
        { childId: 'weekender', credit: 0, rounds: [] },
      ],
    });
    const result = allocate(input);
    expect(providersOf(result, 'weekender', home)).toEqual(['home-a', 'home-a']);
    expect(providersOf(result, 'one-night', home)).toEqual(['home-b']);
    expect(result.metrics.stays).toEqual({ total: 1, split: 0, avoidableSplits: 0 });
  });

  it('explains a split no swap can mend', () => {
    const slotList = [night('a-fri', FRI, { providerId: 'home-a' }), night('b-sat', SAT, { providerId: 'home-b' })];
    const result = allocate(
      roundInput({
        slots: slotList,
        children: [child('weekender')],
        requests: [request('weekender', [{ kind: 'DAYS', daysOfWeek: [5, 6] }], { nightsWanted: 2 })],
      }),
    );
    expect(result.bookings).toHaveLength(2);
    expect(result.metrics.stays).toEqual({ total: 1, split: 1, avoidableSplits: 0 });
    const [explanation] = result.explanations;
    expect(explanation?.splitStays).toEqual([
      { dates: [FRI, SAT], providerIds: ['home-a', 'home-b'], detail: expect.stringContaining('Sat 8 Mar 2025') },
    ]);
    expect(explanation?.summary).toContain('is in 2 places');
  });

  it('gives a request for nights together whole stays in one home, or nothing', () => {
    const apart = [night('a-fri', FRI, { providerId: 'home-a' }), night('b-sat', SAT, { providerId: 'home-b' })];
    const none = allocate(
      roundInput({
        slots: apart,
        children: [child('weekender')],
        requests: [request('weekender', [{ kind: 'DAYS', daysOfWeek: [5, 6] }], { nightsWanted: 2, stayNights: 2 })],
      }),
    );
    expect(none.bookings).toEqual([]);
    expect(none.explanations[0]?.unitsWanted).toBe(0);

    const together = [...apart, night('a-sat', SAT, { providerId: 'home-a' })];
    const whole = allocate(
      roundInput({
        slots: together,
        children: [child('weekender')],
        requests: [request('weekender', [{ kind: 'DAYS', daysOfWeek: [5, 6] }], { nightsWanted: 2, stayNights: 2 })],
      }),
    );
    expect(whole.bookings.map((b) => b.slotId)).toEqual(['a-fri', 'a-sat']);
  });

  it('only gives nights on the request’s own dates, even when the round is longer', () => {
    const slotList = [night('first-fri', FRI), night('later-fri', '2025-03-21')];
    const result = allocate(
      roundInput({
        slots: slotList,
        children: [child('c')],
        requests: [request('c', [{ kind: 'DAYS', daysOfWeek: [5] }], { flexible: true, period: { from: '2025-03-15', to: '2025-03-28' } })],
      }),
    );
    expect(result.bookings.map((b) => b.slotId)).toEqual(['later-fri']);
    expect(result.metrics.requestsHonoured).toEqual({ bookings: 1, outside: 0, share: 1 });
  });

  it('leaves no split stay that the places left free could mend, on a generated county', () => {
    // On this county the last offer of freed places once gave a child a night next to its stay in another
    // home while its own home had room that night.
    const result = allocate(generateCounty({ children: 900, providers: 40, weeks: 13, seed: 'ab-900' }));
    expect(result.metrics.stays.split).toBeGreaterThan(0);
    expect(result.metrics.stays.avoidableSplits).toBe(0);
  });
});
