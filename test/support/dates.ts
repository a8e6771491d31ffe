/** Dates relative to today in Europe/London, so tests stay inside the rolling slot horizon whenever they run. */
import { addDays, dayOfWeek, londonDateOf } from '../../src/domain/london-time.js';

export const londonToday = () => londonDateOf(new Date());
export const daysFromToday = (days: number) => addDays(londonToday(), days);

/** The first date on or after `date` that falls on `weekday` (0 = Sunday … 6 = Saturday). */
export function nextWeekday(date: string, weekday: number): string {
  return addDays(date, (weekday - dayOfWeek(date) + 7) % 7);
}

/** The next UK autumn clock change (last Sunday of October) at least `minDays` from today. */
export function nextAutumnClockChange(minDays = 30): string {
  const earliest = daysFromToday(minDays);
  for (let year = Number(earliest.slice(0, 4)); ; year++) {
    const lastSunday = addDays(`${year}-10-31`, -dayOfWeek(`${year}-10-31`));
    if (lastSunday >= earliest) return lastSunday;
  }
}
