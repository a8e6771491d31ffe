/**
 * Expands a provider's CapacityRule (DESIGN.md glossary) into slot occurrences.
 *
 * RFC 5545 semantics come from the `rrule` package, evaluated over Europe/London
 * *calendar dates*: the rule runs in a floating frame where each date is a UTC
 * midnight, and only afterwards is each date combined with the rule's local
 * start time. So a Friday 17:00 break stays 17:00 on the wall clock across the
 * clock changes, which evaluating the rule on UTC instants would break.
 */
// rrule's package.json points ESM consumers at a build Node cannot load as ESM,
// so Node resolves its CommonJS build, which only has a default export.
import rrulePkg from 'rrule';
import type { Options } from 'rrule';
import { londonDateOf, londonWallTimeToInstant } from '../london-time.js';

const { RRule } = rrulePkg;

export interface CapacityRuleInput {
  /** RFC 5545 RRULE body, e.g. "FREQ=WEEKLY;BYDAY=FR,SA"; a leading "RRULE:" is accepted. */
  rrule: string;
  /** First local date the rule is evaluated from (included only if it matches the rule, as in python-dateutil). */
  startDate: string;
  /** Local start time 'HH:MM', Europe/London. */
  startTime: string;
  durationMinutes: number;
  /** Local dates on which the rule does not occur. */
  exdates: string[];
  /** Last local date the rule may occur on (inclusive). */
  until?: string | null;
}

export interface Occurrence {
  localDate: string;
  start: Date;
  end: Date;
}

export type RruleValidation = { ok: true } | { ok: false; message: string };

/** The most occurrences one expansion may return, and the most a rule's COUNT may ask for. */
const DEFAULT_MAX_OCCURRENCES = 1000;
const MAX_COUNT = 1000;
/**
 * rrule walks period by period (day, week, …) until a date past the window
 * matches, and a rule that never matches (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30)
 * walks on to the year 9999: millions of periods, seconds of CPU. 20,000
 * periods (~55 years of a daily rule, well under a second) is far beyond any
 * real rule's search, even a rare one such as 29 February falling on a Monday.
 */
const MAX_PERIODS_SEARCHED = 20_000;

/** Thrown when a rule would yield too many occurrences, or searches too long for them. */
export class RecurrenceLimitError extends Error {
  override readonly name = 'RecurrenceLimitError';
  constructor(
    readonly limit: 'OCCURRENCES' | 'PERIODS_SEARCHED',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by `expandRule` for an rrule that `validateRrule` rejects. */
export class InvalidRruleError extends Error {
  override readonly name = 'InvalidRruleError';
}

const FREQUENCIES = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY'];
const FINER_FREQUENCIES = ['HOURLY', 'MINUTELY', 'SECONDLY'];
const WEEKDAY = '(MO|TU|WE|TH|FR|SA|SU)';
/** Numeric list parts with RFC 5545 §3.3.10 ranges; `signed` parts count back from the end with negatives. */
const NUMBER_LISTS: Record<string, { max: number; signed: boolean }> = {
  BYMONTH: { max: 12, signed: false },
  BYMONTHDAY: { max: 31, signed: true },
  BYYEARDAY: { max: 366, signed: true },
  BYWEEKNO: { max: 53, signed: true },
  BYSETPOS: { max: 366, signed: true },
};

type ParsedRule = { ok: true; options: Partial<Options> } | { ok: false; message: string };

/**
 * Checks each part by hand: rrule's own parser accepts nonsense silently
 * (FREQ=FOO, BYDAY=XX) and would then misbehave rather than fail.
 */
function parseRule(rrule: string): ParsedRule {
  const body = rrule.trim().replace(/^RRULE:/i, '').toUpperCase();
  if (body.includes('DTSTART')) {
    return { ok: false, message: 'DTSTART is not allowed in the rule: the first date comes from startDate' };
  }
  if (/[\r\n]/.test(body)) {
    return { ok: false, message: 'Give a single RRULE; list excluded dates in exdates' };
  }
  const seen = new Set<string>();
  for (const part of body.split(';')) {
    const match = /^([A-Z]+)=(.+)$/.exec(part);
    if (!match) return { ok: false, message: `"${part}" is not a NAME=VALUE rule part` };
    const [, name = '', value = ''] = match;
    if (seen.has(name)) return { ok: false, message: `${name} is given more than once` };
    seen.add(name);
    const problem = partProblem(name, value);
    if (problem) return { ok: false, message: problem };
  }
  if (!seen.has('FREQ')) return { ok: false, message: 'FREQ is required' };
  if (seen.has('COUNT') && seen.has('UNTIL')) {
    return { ok: false, message: 'COUNT and UNTIL cannot both be given (RFC 5545)' };
  }
  try {
    return { ok: true, options: RRule.parseString(body) };
  } catch (err) {
    return { ok: false, message: `Not a valid RRULE: ${(err as Error).message}` };
  }
}

function partProblem(name: string, value: string): string | null {
  const numberList = NUMBER_LISTS[name];
  if (numberList) {
    const valid = value.split(',').every((item) => {
      if (!(numberList.signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(item)) return false;
      const magnitude = Math.abs(Number(item));
      return magnitude >= 1 && magnitude <= numberList.max;
    });
    return valid ? null : `${name}=${value} must list whole numbers from 1 to ${numberList.max}${numberList.signed ? ' (or negative)' : ''}`;
  }
  switch (name) {
    case 'FREQ':
      if (FREQUENCIES.includes(value)) return null;
      return FINER_FREQUENCIES.includes(value)
        ? `FREQ=${value} is not allowed: breaks recur at most daily, at the time given by startTime`
        : `FREQ must be one of ${FREQUENCIES.join(', ')}`;
    case 'BYHOUR':
    case 'BYMINUTE':
    case 'BYSECOND':
      return `${name} is not allowed: the time of day comes from startTime`;
    case 'COUNT':
      return /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_COUNT
        ? null
        : `COUNT must be a whole number from 1 to ${MAX_COUNT}`;
    case 'INTERVAL':
      return /^\d+$/.test(value) && Number(value) >= 1 ? null : 'INTERVAL must be a whole number of at least 1';
    case 'UNTIL':
      return /^\d{8}(T\d{6}Z?)?$/.test(value) ? null : 'UNTIL must be a date like 20261231 or 20261231T235959Z';
    case 'WKST':
      return new RegExp(`^${WEEKDAY}$`).test(value) ? null : 'WKST must be a weekday code such as MO';
    case 'BYDAY':
      return value.split(',').every((item) => {
        const match = new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}$`).exec(item);
        return match && (match[1] === undefined || (Math.abs(Number(match[1])) >= 1 && Math.abs(Number(match[1])) <= 53));
      })
        ? null
        : `BYDAY=${value} must list weekday codes such as MO or -1FR`;
    default:
      return `${name} is not a supported RRULE part`;
  }
}

/** Whether `rrule` is an acceptable capacity-rule recurrence, with a message for the provider if not. */
export function validateRrule(rrule: string): RruleValidation {
  const parsed = parseRule(rrule);
  return parsed.ok ? { ok: true } : { ok: false, message: parsed.message };
}

/**
 * Occurrences of `rule` whose start lies in [from, to), in order.
 * Throws RecurrenceLimitError rather than return more than `maxOccurrences`
 * (default 1000), so no rule can make the server materialise unbounded slots.
 */
export function expandRule(
  rule: CapacityRuleInput,
  from: Date,
  to: Date,
  opts: { maxOccurrences?: number } = {},
): Occurrence[] {
  const maxOccurrences = opts.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  const parsed = parseRule(rule.rrule);
  if (!parsed.ok) throw new InvalidRruleError(parsed.message);
  if (from >= to) return [];

  const dateFrame = (date: string): Date => new Date(`${date}T00:00:00Z`);
  const untils = [parsed.options.until, rule.until ? dateFrame(rule.until) : null].filter((d): d is Date => d != null);
  const recurrence = new RRule(
    {
      ...parsed.options,
      dtstart: dateFrame(rule.startDate),
      until: untils.length > 0 ? new Date(Math.min(...untils.map(Number))) : null,
    },
    true,
  );
  limitPeriodsSearched(recurrence);

  const excluded = new Set(rule.exdates);
  const occurrences: Occurrence[] = [];
  // Each occurrence starts on its own local date, so the window's local dates bound the search.
  recurrence.between(dateFrame(londonDateOf(from)), dateFrame(londonDateOf(to)), true, (date) => {
    const localDate = date.toISOString().slice(0, 10);
    if (excluded.has(localDate)) return true;
    const start = londonWallTimeToInstant(localDate, rule.startTime);
    if (start < from || start >= to) return true;
    occurrences.push({ localDate, start, end: new Date(start.getTime() + rule.durationMinutes * 60_000) });
    return occurrences.length <= maxOccurrences;
  });
  if (occurrences.length > maxOccurrences) {
    throw new RecurrenceLimitError(
      'OCCURRENCES',
      `the rule has more than ${maxOccurrences} occurrences between ${londonDateOf(from)} and ${londonDateOf(to)}`,
    );
  }
  return occurrences;
}

/**
 * Makes `recurrence` throw once it has walked MAX_PERIODS_SEARCHED periods.
 * rrule offers no hook for this, but its iterator reads `options.interval` on
 * every period it advances (twice, in rrule 2.8), so counting those reads
 * bounds the walk; tested by the never-matching rule in recurrence.test.ts.
 */
function limitPeriodsSearched(recurrence: InstanceType<typeof RRule>): void {
  let reads = 0;
  const counted = new Proxy(recurrence.options, {
    get(target, key, receiver) {
      if (key === 'interval' && ++reads > 2 * MAX_PERIODS_SEARCHED) {
        throw new RecurrenceLimitError(
          'PERIODS_SEARCHED',
          `the rule was searched over ${MAX_PERIODS_SEARCHED} recurrence periods without reaching the dates asked for; check that it can ever occur`,
        );
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  Object.defineProperty(recurrence, 'options', { value: counted });
}
