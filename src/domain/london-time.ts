/**
 * Europe/London calendar helpers. DESIGN.md "Dates": instants are stored in UTC,
 * while a break's local date and time are Europe/London — so a Friday 17:00 start
 * stays 17:00 on the wall clock whether the UK is on GMT or BST.
 *
 * Local dates are 'YYYY-MM-DD' strings and wall times 'HH:MM' strings; calendar
 * arithmetic on dates is done on UTC midnights, where every day has 24 hours.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * Minutes London is ahead of UTC (0 in GMT, 60 in BST), remembered per UTC hour:
 * London's clocks change only on the hour, and asking Intl costs microseconds per
 * call, which the allocator's many eligibility checks would multiply into seconds.
 * Hours from 1970 to 2100 are remembered in a typed array (2.3 MB, a lookup is an
 * index: a map's was most of a night count), others in a bounded map.
 */
const LAST_HOUR = Math.floor(Date.UTC(2100, 0, 1) / MS_PER_HOUR);
/** offset + OFFSET_BIAS per hour; 0 = not yet asked. */
const offsetByHour = new Int16Array(LAST_HOUR);
const OFFSET_BIAS = 1_000;
const offsetByOtherHour = new Map<number, number>();
const MAX_REMEMBERED_HOURS = 100_000;

function offsetMinutesAt(ms: number): number {
  const hour = Math.floor(ms / MS_PER_HOUR);
  const inRange = hour >= 0 && hour < LAST_HOUR;
  const remembered = inRange ? (offsetByHour[hour] as number) - OFFSET_BIAS : offsetByOtherHour.get(hour);
  if (remembered !== undefined && remembered !== -OFFSET_BIAS) return remembered;
  const part: Record<string, string> = {};
  for (const { type, value } of londonClock.formatToParts(new Date(hour * MS_PER_HOUR))) part[type] = value;
  const wallAsUtc = Date.UTC(
    Number(part.year),
    Number(part.month) - 1,
    Number(part.day),
    Number(part.hour),
    Number(part.minute),
    Number(part.second),
  );
  const offset = Math.round((wallAsUtc - hour * MS_PER_HOUR) / MS_PER_MINUTE);
  if (inRange) {
    offsetByHour[hour] = offset + OFFSET_BIAS;
  } else {
    if (offsetByOtherHour.size >= MAX_REMEMBERED_HOURS) offsetByOtherHour.clear();
    offsetByOtherHour.set(hour, offset);
  }
  return offset;
}

/** Milliseconds of the London wall clock at an instant, read as if it were UTC. */
function wallAsUtcMs(ms: number): number {
  return ms + offsetMinutesAt(ms) * MS_PER_MINUTE;
}

/** London's wall clock at an instant, as 'YYYY-MM-DDTHH:MM'. */
function wallClockOf(ms: number): string {
  return new Date(wallAsUtcMs(ms)).toISOString().slice(0, 16);
}

/** Milliseconds of UTC midnight on a 'YYYY-MM-DD' date; throws on a malformed or impossible date. */
function utcMidnightOf(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return ms;
}

function minutesOfDay(time: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`Not a wall time (HH:MM): ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The London calendar date of an instant. */
export function londonDateOf(instant: Date): string {
  return wallClockOf(instant.getTime()).slice(0, 10);
}

/** The London wall-clock time ('HH:MM') of an instant. */
export function londonWallTimeOf(instant: Date): string {
  return wallClockOf(instant.getTime()).slice(11, 16);
}

/**
 * The instant at which London's wall clock shows `time` on `date`.
 * Autumn (BST→GMT) repeats 01:00–01:59: the first occurrence, in BST, is chosen.
 * Spring (GMT→BST) skips 01:00–01:59: such a time moves forward by the hour
 * skipped (01:30 → 02:30 BST), as a wall clock set before the change would show.
 */
export function londonWallTimeToInstant(date: string, time: string): Date {
  const wallAsUtc = utcMidnightOf(date) + minutesOfDay(time) * MS_PER_MINUTE;
  // The offsets in force a day either side cover both sides of any clock change on this date.
  const offsetBefore = offsetMinutesAt(wallAsUtc - MS_PER_DAY);
  const offsetAfter = offsetMinutesAt(wallAsUtc + MS_PER_DAY);
  const matching = [offsetBefore, offsetAfter]
    .map((offset) => wallAsUtc - offset * MS_PER_MINUTE)
    .filter((ms) => wallClockOf(ms) === `${date}T${time}`);
  if (matching.length > 0) return new Date(Math.min(...matching));
  return new Date(wallAsUtc - offsetBefore * MS_PER_MINUTE);
}

/** The date `days` calendar days after `date` (negative for before). */
export function addDays(date: string, days: number): string {
  return new Date(utcMidnightOf(date) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnightOf(to) - utcMidnightOf(from)) / MS_PER_DAY);
}

/**
 * London calendar days from the date of `from` to the date of `to`: the same as
 * `daysBetween(londonDateOf(from), londonDateOf(to))`, without building strings,
 * for hot loops such as counting nights.
 */
export function londonDaysBetween(from: Date, to: Date): number {
  return londonDayNumber(to) - londonDayNumber(from);
}

/** Days since the epoch of an instant's London date (module level: this sits in the allocator's inner loop). */
function londonDayNumber(instant: Date): number {
  return Math.floor(wallAsUtcMs(instant.getTime()) / MS_PER_DAY);
}

/** Day of the week of a date: 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
export function dayOfWeek(date: string): number {
  return new Date(utcMidnightOf(date)).getUTCDay();
}
