import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, dayOfWeek, londonDateOf, londonWallTimeOf } from '../../src/domain/london-time.js';
import {
  expandRule,
  InvalidRruleError,
  RecurrenceLimitError,
  validateRrule,
  type CapacityRuleInput,
} from '../../src/domain/capacity/recurrence.js';

function rule(overrides: Partial<CapacityRuleInput> = {}): CapacityRuleInput {
  return {
    rrule: 'FREQ=WEEKLY;BYDAY=FR',
    startDate: '2025-01-03',
    startTime: '17:00',
    durationMinutes: 17 * 60,
    exdates: [],
    ...overrides,
  };
}

const utc = (iso: string) => new Date(iso);

describe('expandRule across clock changes', () => {
  it('keeps a weekly Friday 17:00 break at 17:00 London time through late October (BST→GMT)', () => {
    const occurrences = expandRule(rule(), utc('2025-10-01T00:00:00Z'), utc('2025-11-15T00:00:00Z'));
    expect(occurrences.map((o) => o.localDate)).toEqual([
      '2025-10-03',
      '2025-10-10',
      '2025-10-17',
      '2025-10-24',
      '2025-10-31',
      '2025-11-07',
      '2025-11-14',
    ]);
    expect(occurrences.map((o) => o.start.getUTCHours())).toEqual([16, 16, 16, 16, 17, 17, 17]);
    expect(occurrences.every((o) => londonWallTimeOf(o.start) === '17:00')).toBe(true);
  });

  it('keeps 17:00 London time through late March (GMT→BST)', () => {
    const occurrences = expandRule(rule(), utc('2026-03-15T00:00:00Z'), utc('2026-04-11T00:00:00Z'));
    expect(occurrences.map((o) => [o.localDate, o.start.getUTCHours()])).toEqual([
      ['2026-03-20', 17],
      ['2026-03-27', 17],
      ['2026-04-03', 16],
      ['2026-04-10', 16],
    ]);
  });

  it('measures the duration in real elapsed time, so an overnight stay across the autumn change ends an hour earlier on the clock', () => {
    const occurrences = expandRule(
      rule({ rrule: 'FREQ=WEEKLY;BYDAY=SA', durationMinutes: 17 * 60 }),
      utc('2025-10-25T00:00:00Z'),
      utc('2025-10-26T00:00:00Z'),
    );
    expect(occurrences).toEqual([
      { localDate: '2025-10-25', start: utc('2025-10-25T16:00:00Z'), end: utc('2025-10-26T09:00:00Z') },
    ]);
    expect(londonWallTimeOf(utc('2025-10-26T09:00:00Z'))).toBe('09:00');
  });

  it('moves a start time inside the spring-forward gap on by an hour', () => {
    const occurrences = expandRule(
      rule({ rrule: 'FREQ=DAILY', startDate: '2026-03-28', startTime: '01:30', durationMinutes: 60 }),
      utc('2026-03-28T00:00:00Z'),
      utc('2026-03-31T00:00:00Z'),
    );
    expect(occurrences.map((o) => londonWallTimeOf(o.start))).toEqual(['01:30', '02:30', '01:30']);
  });
});

describe('expandRule', () => {
  it('expands a 10:00 six-hour day session', () => {
    const [session] = expandRule(
      rule({ rrule: 'FREQ=WEEKLY;BYDAY=SA', startTime: '10:00', durationMinutes: 360 }),
      utc('2025-07-01T00:00:00Z'),
      utc('2025-07-08T00:00:00Z'),
    );
    expect(session).toEqual({
      localDate: '2025-07-05',
      start: utc('2025-07-05T09:00:00Z'),
      end: utc('2025-07-05T15:00:00Z'),
    });
  });

  it('drops exdates', () => {
    const occurrences = expandRule(
      rule({ exdates: ['2025-12-26', '2026-01-02'] }),
      utc('2025-12-15T00:00:00Z'),
      utc('2026-01-15T00:00:00Z'),
    );
    expect(occurrences.map((o) => o.localDate)).toEqual(['2025-12-19', '2026-01-09']);
  });

  it('stops after `until`, inclusive, and after an UNTIL in the rule, whichever is earlier', () => {
    const window = [utc('2025-06-01T00:00:00Z'), utc('2025-08-01T00:00:00Z')] as const;
    expect(expandRule(rule({ until: '2025-06-13' }), ...window).map((o) => o.localDate)).toEqual([
      '2025-06-06',
      '2025-06-13',
    ]);
    expect(
      expandRule(rule({ rrule: 'FREQ=WEEKLY;BYDAY=FR;UNTIL=20250620', until: '2025-07-31' }), ...window).map(
        (o) => o.localDate,
      ),
    ).toEqual(['2025-06-06', '2025-06-13', '2025-06-20']);
  });

  it('starts no earlier than startDate and honours COUNT from it', () => {
    const occurrences = expandRule(
      rule({ rrule: 'RRULE:FREQ=WEEKLY;BYDAY=FR,SA;COUNT=3', startDate: '2025-06-07' }),
      utc('2025-01-01T00:00:00Z'),
      utc('2026-01-01T00:00:00Z'),
    );
    expect(occurrences.map((o) => o.localDate)).toEqual(['2025-06-07', '2025-06-13', '2025-06-14']);
  });

  it('returns only starts in the half-open window [from, to)', () => {
    const friday = utc('2025-06-06T16:00:00Z');
    const nextFriday = utc('2025-06-13T16:00:00Z');
    expect(expandRule(rule(), friday, nextFriday).map((o) => o.start)).toEqual([friday]);
    expect(expandRule(rule(), new Date(friday.getTime() + 1), nextFriday)).toEqual([]);
    expect(expandRule(rule(), nextFriday, friday)).toEqual([]);
  });

  it('supports monthly rules such as the last Friday of the month', () => {
    const occurrences = expandRule(
      rule({ rrule: 'FREQ=MONTHLY;BYDAY=-1FR' }),
      utc('2025-09-01T00:00:00Z'),
      utc('2025-12-01T00:00:00Z'),
    );
    expect(occurrences.map((o) => o.localDate)).toEqual(['2025-09-26', '2025-10-31', '2025-11-28']);
  });

  it('throws RecurrenceLimitError rather than expand more than maxOccurrences', () => {
    const daily = rule({ rrule: 'FREQ=DAILY', startDate: '2025-01-01' });
    const window = [utc('2025-01-01T00:00:00Z'), utc('2025-01-06T00:00:00Z')] as const;
    expect(expandRule(daily, ...window, { maxOccurrences: 5 })).toHaveLength(5);
    expect(() => expandRule(daily, ...window, { maxOccurrences: 4 })).toThrow(RecurrenceLimitError);
    expect(() => expandRule(daily, utc('2025-01-01T00:00:00Z'), utc('2028-01-01T00:00:00Z'))).toThrow(
      /more than 1000 occurrences/,
    );
  });

  it('gives up on a rule that can never occur instead of searching to the year 9999', () => {
    const never = rule({ rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30' });
    let error: unknown;
    try {
      expandRule(never, utc('2025-01-01T00:00:00Z'), utc('2026-01-01T00:00:00Z'));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RecurrenceLimitError);
    // The search cap, not the end of the window or of time, is what stopped it (a wall-clock bound here would fail
    // on a busy machine; how long the cap takes is the benchmark's business).
    expect((error as RecurrenceLimitError).limit).toBe('PERIODS_SEARCHED');
  });

  it('still finds a rare but real rule (29 February on a Monday, every 28 years)', () => {
    const rare = rule({ rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO', startDate: '2025-01-01' });
    expect(expandRule(rare, utc('2025-01-01T00:00:00Z'), utc('2045-01-01T00:00:00Z')).map((o) => o.localDate)).toEqual([
      '2044-02-29',
    ]);
  });

  it('throws InvalidRruleError for a rule validateRrule rejects', () => {
    expect(() => expandRule(rule({ rrule: 'FREQ=HOURLY' }), utc('2025-01-01T00:00:00Z'), utc('2025-02-01T00:00:00Z'))).toThrow(
      InvalidRruleError,
    );
  });

  it('keeps the wall time, local date and order of every occurrence for random rules and windows', () => {
    const days = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
    const ruleArb = fc.record({
      freq: fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY'),
      byday: fc.subarray(days, { minLength: 1 }),
      interval: fc.integer({ min: 1, max: 3 }),
      startDay: fc.integer({ min: 0, max: 3 * 365 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.constantFrom(0, 15, 30, 45),
      durationMinutes: fc.integer({ min: 30, max: 3 * 24 * 60 }),
      exdateOffsets: fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 5 }),
      windowOffsetDays: fc.integer({ min: -30, max: 400 }),
      windowLengthHours: fc.integer({ min: 1, max: 120 * 24 }),
    });
    fc.assert(
      fc.property(ruleArb, (r) => {
        const startDate = addDays('2024-01-01', r.startDay);
        const startTime = `${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`;
        const exdates = r.exdateOffsets.map((offset) => addDays(startDate, offset));
        const from = new Date(Date.UTC(2024, 0, 1) + (r.startDay + r.windowOffsetDays) * 86_400_000 + r.hour * 3_600_000);
        const to = new Date(from.getTime() + r.windowLengthHours * 3_600_000);
        const occurrences = expandRule(
          {
            rrule: `FREQ=${r.freq};INTERVAL=${r.interval};BYDAY=${r.byday.join(',')}`,
            startDate,
            startTime,
            durationMinutes: r.durationMinutes,
            exdates,
          },
          from,
          to,
        );
        occurrences.forEach((o, i) => {
          expect(o.start >= from && o.start < to).toBe(true);
          expect(o.localDate >= startDate).toBe(true);
          expect(exdates).not.toContain(o.localDate);
          expect(londonDateOf(o.start)).toBe(o.localDate);
          expect(o.end.getTime() - o.start.getTime()).toBe(r.durationMinutes * 60_000);
          const inSpringGap = r.hour === 1 && o.localDate.slice(5, 7) === '03' && dayOfWeek(o.localDate) === 0;
          if (!inSpringGap) expect(londonWallTimeOf(o.start)).toBe(startTime);
          const previous = occurrences[i - 1];
          if (previous) expect(o.start.getTime()).toBeGreaterThan(previous.start.getTime());
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('validateRrule', () => {
  it.each(['FREQ=WEEKLY;BYDAY=FR,SA', 'RRULE:FREQ=WEEKLY;BYDAY=FR', 'freq=monthly;byday=-1fr', 'FREQ=DAILY;COUNT=1000', 'FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=1,-1;WKST=MO'])(
    'accepts %s',
    (rrule) => {
      expect(validateRrule(rrule)).toEqual({ ok: true });
    },
  );

  it.each([
    ['FREQ=HOURLY', /FREQ=HOURLY is not allowed/],
    ['FREQ=MINUTELY;INTERVAL=30', /FREQ=MINUTELY is not allowed/],
    ['FREQ=SECONDLY', /FREQ=SECONDLY is not allowed/],
    ['FREQ=FORTNIGHTLY', /FREQ must be one of/],
    ['FREQ=DAILY;BYHOUR=17', /BYHOUR is not allowed/],
    ['FREQ=DAILY;BYMINUTE=0', /BYMINUTE is not allowed/],
    ['FREQ=DAILY;BYSECOND=0', /BYSECOND is not allowed/],
    ['DTSTART:20250101T000000Z\nRRULE:FREQ=DAILY', /DTSTART is not allowed/],
    ['FREQ=DAILY;DTSTART=20250101T000000Z', /DTSTART is not allowed/],
    ['FREQ=DAILY;COUNT=1001', /COUNT must be a whole number from 1 to 1000/],
    ['FREQ=DAILY;COUNT=0', /COUNT must be/],
    ['FREQ=DAILY;COUNT=5;UNTIL=20260101', /COUNT and UNTIL/],
    ['BYDAY=FR', /FREQ is required/],
    ['FREQ=WEEKLY;BYDAY=XX', /BYDAY=XX must list weekday codes/],
    ['FREQ=MONTHLY;BYMONTHDAY=32', /BYMONTHDAY=32 must list whole numbers from 1 to 31/],
    ['FREQ=YEARLY;BYMONTH=-1', /BYMONTH=-1 must list whole numbers from 1 to 12/],
    ['FREQ=WEEKLY;INTERVAL=0', /INTERVAL must be/],
    ['FREQ=WEEKLY;UNTIL=tomorrow', /UNTIL must be a date/],
    ['FREQ=WEEKLY;FREQ=DAILY', /FREQ is given more than once/],
    ['FREQ=WEEKLY;BYEASTER=0', /BYEASTER is not a supported RRULE part/],
    ['FREQ=WEEKLY;;BYDAY=FR', /is not a NAME=VALUE rule part/],
    ['FREQ=WEEKLY\nEXDATE:20250101', /single RRULE/],
    ['', /is not a NAME=VALUE rule part/],
  ])('rejects %j', (rrule, message) => {
    const result = validateRrule(rrule);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
