/**
 * When messages go: SMS quiet hours, retry backoff, and the reminders before
 * a break. Pure functions of instants and Europe/London wall times.
 */
import { addDays, londonDateOf, londonWallTimeOf, londonWallTimeToInstant } from './london-time.js';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
export const isWallTime = (s: string) => HHMM.test(s);

/**
 * The first instant at or after `now` outside the quiet hours [start, end)
 * in London time. A window may cross midnight (21:00–08:00). Equal ends mean
 * no quiet hours.
 */
export function afterQuietHours(now: Date, start: string | null, end: string | null): Date {
  if (!start || !end || start === end) return now;
  const t = londonWallTimeOf(now);
  const today = londonDateOf(now);
  const crossesMidnight = start > end;
  const inside = crossesMidnight ? t >= start || t < end : t >= start && t < end;
  if (!inside) return now;
  const endDate = crossesMidnight && t >= start ? addDays(today, 1) : today;
  return londonWallTimeToInstant(endDate, end);
}

/** Retry n (1-based) waits 30 s, 1, 2, 4 … minutes, at most an hour: a mail relay or Notify outage is usually minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3600_000);
}

export interface ReminderOffset {
  /** Days before the break's London start date. */
  daysBefore: number;
  /** London wall time HH:MM on that day. */
  at: string;
  /** Stable name, used in the message's dedupe key. */
  key: string;
}

/**
 * Parses BREAK_REMINDERS: a comma-separated list of `<days>d@HH:MM`, e.g.
 * `2d@18:00,0d@07:30` (two days before at 18:00, and the morning of the break).
 */
export function parseReminderOffsets(spec: string): ReminderOffset[] {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.map((p) => {
    const m = /^(\d{1,2})d@(\d{2}:\d{2})$/.exec(p);
    if (!m || !isWallTime(m[2]!)) throw new Error(`"${p}" is not <days>d@HH:MM`);
    return { daysBefore: Number(m[1]), at: m[2]!, key: `${m[1]}d${m[2]!.replace(':', '')}` };
  });
}

/** The instant each reminder of a break is due; a reminder that would come at or after the start is dropped. */
export function reminderTimes(breakStart: Date, offsets: ReminderOffset[]): { key: string; dueAt: Date; daysBefore: number }[] {
  const startDate = londonDateOf(breakStart);
  return offsets
    .map((o) => ({ key: o.key, daysBefore: o.daysBefore, dueAt: londonWallTimeToInstant(addDays(startDate, -o.daysBefore), o.at) }))
    .filter((r) => r.dueAt < breakStart);
}

/** "today", "tomorrow", "in 2 days" — how far the break is from the day the reminder goes. */
export function whenPhrase(breakStart: Date, sentAt: Date): string {
  const days = Math.round((Date.parse(`${londonDateOf(breakStart)}T00:00:00Z`) - Date.parse(`${londonDateOf(sentAt)}T00:00:00Z`)) / 864e5);
  if (days <= 0) return 'today';
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}
