/**
 * lookedAfterStanding (behind the looked-after limits report): where a child
 * stands against reg. 48 — no single continuous stay over 17 days, no more than
 * 75 days in any 12 months — with warnings from 14 and 65.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookedAfterStanding } from '../../src/domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import type { StayInfo } from '../../src/domain/model.js';

const at = londonWallTimeToInstant;

/** `nights` nights from `start` at `startTime` to `endTime` on the last morning. */
function stay(providerId: string, date: string, nights: number, startTime = '17:00', endTime = '10:00'): StayInfo {
  return { providerId, start: at(date, startTime), end: at(addDays(date, nights), endTime) };
}

/** One-night stays on each date, alternating between two providers so that none of them chain into a longer stay. */
function singleNights(dates: string[]): StayInfo[] {
  return dates.map((date, i) => stay(i % 2 ? 'p-odd' : 'p-even', date, 1));
}

const range = (from: string, count: number) => Array.from({ length: count }, (_, i) => addDays(from, i));

describe('lookedAfterStanding: single continuous stays', () => {
  it('is OK with nothing, and ignores day sessions', () => {
    expect(lookedAfterStanding([])).toEqual({ longestStay: { nights: 0, start: null, providerId: null }, busiestYear: { nights: 0, windowStart: null }, status: 'OK' });
    const days = range('2027-01-04', 30).map((d) => stay('club', d, 0, '10:00', '16:00'));
    expect(lookedAfterStanding(days).status).toBe('OK');
    expect(lookedAfterStanding(days).busiestYear.nights).toBe(0);
  });

  it('merges back-to-back stays at one provider into one stay (Fri–Mon then Mon–Fri, …)', () => {
    // 3 + 4 + 3 + 4 = 14 nights, each next stay starting 7 hours after the last one ends.
    const chain = [stay('unit', '2027-03-05', 3), stay('unit', '2027-03-08', 4), stay('unit', '2027-03-12', 3), stay('unit', '2027-03-15', 4)];
    const s = lookedAfterStanding([...chain].reverse());
    expect(s.longestStay).toEqual({ nights: 14, start: at('2027-03-05', '17:00'), providerId: 'unit' });
    expect(s.status).toBe('NEAR_LIMIT');
    // Four more nights on the end make 18: over the 17-day limit.
    const over = lookedAfterStanding([...chain, stay('unit', '2027-03-19', 4)]);
    expect(over.longestStay.nights).toBe(18);
    expect(over.status).toBe('OVER_LIMIT');
  });

  it('does not merge back-to-back stays at different providers', () => {
    const s = lookedAfterStanding([stay('unit-a', '2027-03-05', 10), stay('unit-b', '2027-03-15', 10)]);
    expect(s.longestStay).toEqual({ nights: 10, start: at('2027-03-05', '17:00'), providerId: 'unit-a' });
    expect(s.busiestYear.nights).toBe(20);
    expect(s.status).toBe('OK');
  });

  it('merges across a gap of up to 12 hours, not longer', () => {
    const first = stay('unit', '2027-03-05', 9); // ends 10:00 on the 14th
    expect(lookedAfterStanding([first, stay('unit', '2027-03-14', 9, '22:00')]).longestStay.nights).toBe(18);
    expect(lookedAfterStanding([first, stay('unit', '2027-03-14', 9, '22:01')]).longestStay.nights).toBe(9);
    // A day at home in between (next stay the evening after) breaks the chain.
    expect(lookedAfterStanding([first, stay('unit', '2027-03-15', 9)]).longestStay.nights).toBe(9);
  });

  it('counts overlapping records at one provider once', () => {
    const s = lookedAfterStanding([stay('unit', '2027-03-05', 10), stay('unit', '2027-03-08', 3)]);
    expect(s.longestStay.nights).toBe(10);
    expect(s.busiestYear.nights).toBe(10);
  });

  it('uses the thresholds 14 (near) and 17 (limit)', () => {
    const status = (nights: number) => lookedAfterStanding([stay('unit', '2027-05-01', nights)]).status;
    expect([13, 14, 17, 18].map(status)).toEqual(['OK', 'NEAR_LIMIT', 'NEAR_LIMIT', 'OVER_LIMIT']);
  });

  it('counts nights on London dates across a clock change', () => {
    // Friday 17:00 BST to the Monday after the change 10:00 GMT: three nights, though 66 hours long.
    const s = lookedAfterStanding([stay('unit', '2027-10-29', 3)]);
    expect(s.longestStay.nights).toBe(3);
    expect(s.busiestYear).toEqual({ nights: 3, windowStart: '2027-10-29' });
  });
});

describe('lookedAfterStanding: the rolling 12 months', () => {
  it('adds up nights at every provider', () => {
    const s = lookedAfterStanding(singleNights(range('2027-01-01', 66)));
    expect(s.longestStay.nights).toBe(1);
    expect(s.busiestYear).toEqual({ nights: 66, windowStart: '2027-01-01' });
    expect(s.status).toBe('NEAR_LIMIT');
    expect(lookedAfterStanding(singleNights(range('2027-01-01', 64))).status).toBe('OK');
    expect(lookedAfterStanding(singleNights(range('2027-01-01', 65))).status).toBe('NEAR_LIMIT');
  });

  it('is a window of 365 London dates: 76 nights inside one is over, spread one day wider is not', () => {
    const start = '2027-01-01';
    const early = range(start, 40); // 40 nights from 1 January
    // 36 more nights ending on the 365th date of the window that starts 1 January: 76 in 12 months.
    const inside = lookedAfterStanding(singleNights([...early, ...range(addDays(start, 329), 36)]));
    expect(inside.busiestYear).toEqual({ nights: 76, windowStart: start });
    expect(inside.status).toBe('OVER_LIMIT');
    // The same 36 nights one day later: no 365 dates hold more than 75.
    const wider = lookedAfterStanding(singleNights([...early, ...range(addDays(start, 330), 36)]));
    expect(wider.busiestYear.nights).toBe(75);
    expect(wider.status).toBe('NEAR_LIMIT');
  });

  it('finds the busiest window anywhere in a long history', () => {
    // 10 nights every 100 days for three years (never more than 40 in 365 dates), then 80 nights one autumn.
    const spread = Array.from({ length: 11 }, (_, k) => range(addDays('2024-01-01', k * 100), 10)).flat();
    const quiet = lookedAfterStanding(singleNights(spread));
    expect(quiet.busiestYear.nights).toBe(40);
    expect(quiet.status).toBe('OK');
    const s = lookedAfterStanding(singleNights([...spread, ...range('2027-09-01', 80)]));
    expect(s.busiestYear).toEqual({ nights: 80, windowStart: '2027-09-01' });
    expect(s.status).toBe('OVER_LIMIT');
  });

  it('agrees with a brute-force check of every 365-date window: the most nights, from the first night of the earliest such window', () => {
    const day = (n: number) => addDays('2024-01-01', n);
    const stayArb = fc.record({ start: fc.integer({ min: 0, max: 900 }), nights: fc.integer({ min: 0, max: 10 }), provider: fc.constantFrom('p-a', 'p-b') });
    fc.assert(
      fc.property(fc.array(stayArb, { maxLength: 40, size: 'max' }), (stays) => {
        const away = new Set(stays.flatMap((s) => Array.from({ length: s.nights }, (_, i) => s.start + i)));
        let best: { nights: number; windowStart: string | null } = { nights: 0, windowStart: null };
        for (let windowStart = -365; windowStart <= 910; windowStart++) {
          const inside = [...away].filter((d) => d >= windowStart && d < windowStart + 365);
          if (inside.length > best.nights) best = { nights: inside.length, windowStart: day(Math.min(...inside)) };
        }
        const standing = lookedAfterStanding(stays.map((s) => stay(s.provider, day(s.start), s.nights, '17:00', s.nights ? '10:00' : '20:00')));
        expect(standing.busiestYear).toEqual(best);
      }),
      { numRuns: 150 },
    );
  });
});
