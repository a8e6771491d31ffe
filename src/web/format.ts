/**
 * How the pages write dates, times, tags and numbers: the GOV.UK style guide
 * ("Friday 8 January 2027", "5pm", "5:30pm", "midnight", "midday"), always in
 * Europe/London. Every page formats through these, so one change reaches all.
 */

const LONDON = 'Europe/London';
const dateParts = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortParts = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, weekday: 'short', day: 'numeric', month: 'short' });
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const monthYear = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'long', year: 'numeric' });

const isLocalDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
/** A YYYY-MM-DD local date as the instant of its London midday (never shifted across a day by the offset). */
const asInstant = (v: string | Date) => (typeof v === 'string' && isLocalDate(v) ? new Date(`${v}T12:00:00Z`) : new Date(v));

/** "Friday 8 January 2027" for a local date or an instant (its London date). */
export function longDate(v: string | Date): string {
  // Intl writes "Friday 8 January 2027" in en-GB already; strip the comma some ICU versions add.
  return dateParts.format(asInstant(v)).replace(',', '');
}

/** "Fri 8 Jan", for tight places such as calendar headings. */
export const shortDate = (v: string | Date): string => shortParts.format(asInstant(v)).replace(',', '');

/** "5pm", "5:30pm", "midday", "midnight" in London time. */
export function clockTime(v: string | Date): string {
  const [h, m] = clock.format(new Date(v)).split(':').map(Number) as [number, number];
  if (m === 0 && h === 0) return 'midnight';
  if (m === 0 && h === 12) return 'midday';
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return `${hour12}${m ? `:${String(m).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

/** "Friday 8 January 2027 at 5pm". */
export const when = (v: string | Date): string => `${longDate(v)} at ${clockTime(v)}`;

/** A deadline stored as the instant after its last day ("until the end of Tuesday 24 October"), named by that day. */
export const endOfDayBefore = (v: string | Date): string => `the end of ${longDate(new Date(new Date(v).getTime() - 1))}`;

/** "<day>, <time> to <time>", or with the end's day too when it ends on another day, in the given date words. */
const spanIn = (day: (v: string | Date) => string) => (start: string | Date, end: string | Date): string =>
  day(start) === day(end) ? `${day(start)}, ${clockTime(start)} to ${clockTime(end)}` : `${day(start)}, ${clockTime(start)} to ${day(end)}, ${clockTime(end)}`;

/** A break's span: "Friday 8 January 2027, 5pm to Saturday 9 January 2027, 10am" (one date when it ends the same day). */
export const span = spanIn(longDate);

/** The same in short dates ("Sat 28 Nov, 5pm to Sun 29 Nov, 10am"), for a table row. */
export const shortSpan = spanIn(shortDate);

/** A period of local dates: "Friday 1 January 2027 to Wednesday 31 March 2027". */
export const period = (from: string, to: string): string => `${longDate(from)} to ${longDate(to)}`;

/** "January 2027" for a local date. */
export const monthOf = (d: string): string => monthYear.format(new Date(`${d.slice(0, 7)}-01T00:00:00Z`));

/** A SCREAMING_SNAKE tag in words: "EPILEPSY_RESCUE_MEDICATION" → "Epilepsy rescue medication". */
export const human = (tag: string) => tag.charAt(0) + tag.slice(1).toLowerCase().replaceAll('_', ' ');

/** A count with its noun: plural(1, 'night') → "1 night", plural(3, 'night') → "3 nights". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Whole nights, for a ledger: rounds a pro-rata figure down to what can actually be delivered. */
export const wholeNights = (n: number) => Math.floor(n + 1e-9);
