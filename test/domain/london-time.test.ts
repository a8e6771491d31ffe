import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayOfWeek,
  daysBetween,
  londonDateOf,
  londonDaysBetween,
  londonWallTimeOf,
  londonWallTimeToInstant,
} from '../../src/domain/london-time.js';

describe('londonDateOf / londonWallTimeOf', () => {
  it('reads the London date, not the UTC date, in summer', () => {
    const instant = new Date('2025-06-30T23:30:00Z');
    expect(londonDateOf(instant)).toBe('2025-07-01');
    expect(londonWallTimeOf(instant)).toBe('00:30');
  });

  it('agrees with Intl for any instant, clock changes included', () => {
    const intl = new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true }), (instant) => {
        expect(`${londonDateOf(instant)}, ${londonWallTimeOf(instant)}`).toBe(intl.format(instant));
      }),
      { numRuns: 2000 },
    );
    for (const change of ['2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z']) {
      for (let minutes = -90; minutes <= 90; minutes += 1) {
        const instant = new Date(new Date(change).getTime() + minutes * 60_000);
        expect(`${londonDateOf(instant)}, ${londonWallTimeOf(instant)}`).toBe(intl.format(instant));
      }
    }
  });

  it('matches UTC in winter', () => {
    const instant = new Date('2025-12-31T23:30:00Z');
    expect(londonDateOf(instant)).toBe('2025-12-31');
    expect(londonWallTimeOf(instant)).toBe('23:30');
  });
});

describe('londonWallTimeToInstant', () => {
  it('uses GMT in winter and BST in summer', () => {
    expect(londonWallTimeToInstant('2025-01-10', '17:00').toISOString()).toBe('2025-01-10T17:00:00.000Z');
    expect(londonWallTimeToInstant('2025-07-11', '17:00').toISOString()).toBe('2025-07-11T16:00:00.000Z');
  });

  it('handles midnight on both clock-change days', () => {
    expect(londonWallTimeToInstant('2025-03-30', '00:00').toISOString()).toBe('2025-03-30T00:00:00.000Z');
    expect(londonWallTimeToInstant('2025-10-26', '00:00').toISOString()).toBe('2025-10-25T23:00:00.000Z');
  });

  it('moves a time in the spring-forward gap forward by an hour', () => {
    const instant = londonWallTimeToInstant('2025-03-30', '01:30');
    expect(instant.toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(londonWallTimeOf(instant)).toBe('02:30');
    expect(londonWallTimeToInstant('2025-03-30', '02:00').toISOString()).toBe('2025-03-30T01:00:00.000Z');
  });

  it('picks the first (BST) occurrence of a repeated autumn time', () => {
    expect(londonWallTimeToInstant('2025-10-26', '01:30').toISOString()).toBe('2025-10-26T00:30:00.000Z');
    expect(londonWallTimeToInstant('2025-10-26', '02:00').toISOString()).toBe('2025-10-26T02:00:00.000Z');
  });

  it('rejects malformed dates and times', () => {
    expect(() => londonWallTimeToInstant('2025-02-30', '10:00')).toThrow(RangeError);
    expect(() => londonWallTimeToInstant('2025-02-01', '24:00')).toThrow(RangeError);
    expect(() => londonWallTimeToInstant('2025-2-1', '10:00')).toThrow(RangeError);
  });

  it('round-trips every wall time outside the spring gap', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (day, hour, minute) => {
          const date = day.toISOString().slice(0, 10);
          const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
          const instant = londonWallTimeToInstant(date, time);
          expect(londonDateOf(instant)).toBe(date);
          const inSpringGap = londonWallTimeOf(instant) !== time;
          if (inSpringGap) {
            expect(hour).toBe(1);
            expect(londonWallTimeOf(instant)).toBe(`02:${time.slice(3)}`);
          }
        },
      ),
    );
  });
});

describe('calendar arithmetic', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addDays('2025-03-29', 2)).toBe('2025-03-31');
  });

  it('counts days between dates', () => {
    expect(daysBetween('2025-10-24', '2025-10-26')).toBe(2);
    expect(daysBetween('2025-10-26', '2025-10-24')).toBe(-2);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('counts London days between instants as daysBetween of their London dates', () => {
    expect(londonDaysBetween(new Date('2025-06-30T22:59:00Z'), new Date('2025-06-30T23:00:00Z'))).toBe(1);
    expect(londonDaysBetween(new Date('2025-12-31T23:59:00Z'), new Date('2025-12-31T23:00:00Z'))).toBe(0);
    const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, instant, (from, to) => {
        expect(londonDaysBetween(from, to)).toBe(daysBetween(londonDateOf(from), londonDateOf(to)));
      }),
    );
  });

  it('gives the day of the week with 0 = Sunday', () => {
    expect(dayOfWeek('2025-10-24')).toBe(5);
    expect(dayOfWeek('2025-10-26')).toBe(0);
  });
});
