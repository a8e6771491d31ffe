/**
 * Whether a booking a round made is one the family asked for (DESIGN.md,
 * invariant 7): every night lies inside the request's own dates, and the slot
 * is one a preference names — the named slot, or a slot on one of the
 * preference's weekdays (at its provider, if it names one) — or the request is
 * flexible. Written from the request alone, apart from how the allocator
 * expands preferences, so the round's metrics and the tests can check the
 * allocator against it.
 */
import { addDays, dayOfWeek, londonDateOf } from '../london-time.js';
import { nightsOf } from '../eligibility.js';
import type { SlotInfo } from '../model.js';
import type { BreakRequestInfo } from './types.js';

/** The London dates of a stay's nights (a day session: its one date). */
export function datesOfStay(slot: Pick<SlotInfo, 'start' | 'end'>): string[] {
  const first = londonDateOf(slot.start);
  const nights = nightsOf(slot);
  return nights === 0 ? [first] : Array.from({ length: nights }, (_, i) => addDays(first, i));
}

/**
 * A stay's dates and its first date's weekday, remembered by start and end: a round checks every booking it
 * made, many in the same slots, and the date arithmetic costs more than the check. Bounded, as a long-lived
 * worker sees ever new slots.
 */
const stayDates = new Map<string, { dates: string[]; weekday: number }>();
const MAX_REMEMBERED_STAYS = 50_000;

function datesAndWeekday(slot: Pick<SlotInfo, 'start' | 'end'>): { dates: string[]; weekday: number } {
  const key = `${slot.start.getTime()}|${slot.end.getTime()}`;
  let known = stayDates.get(key);
  if (!known) {
    const dates = datesOfStay(slot);
    known = { dates, weekday: dayOfWeek(dates[0] as string) };
    if (stayDates.size >= MAX_REMEMBERED_STAYS) stayDates.clear();
    stayDates.set(key, known);
  }
  return known;
}

export function honoursRequest(slot: SlotInfo, request: BreakRequestInfo): boolean {
  const { dates, weekday } = datesAndWeekday(slot);
  const first = dates[0] as string;
  const period = request.period;
  if (period && dates.some((date) => date < period.from || date > period.to)) return false;
  if (request.flexible) return true;
  return request.preferences.some((preference) => {
    if (preference.kind === 'SLOT') return preference.slotId === slot.id;
    if (preference.providerId !== undefined && preference.providerId !== slot.providerId) return false;
    if (preference.from !== undefined && first < preference.from) return false;
    if (preference.to !== undefined && first > preference.to) return false;
    return preference.daysOfWeek.includes(weekday);
  });
}
