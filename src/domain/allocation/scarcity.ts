/**
 * Scarcity pricing: how many "ordinary nights" a slot is worth: scarce
 * slots (Friday and Saturday nights, school holidays, bank holidays) are
 * weighted more than ordinary ones, from a configurable calendar.
 */
import { nightsOf } from '../eligibility.js';
import { addDays, dayOfWeek, londonDateOf } from '../london-time.js';
import type { SlotInfo } from '../model.js';
import type { ScarcityCalendar } from './types.js';

export const DEFAULT_SCARCITY_CALENDAR: ScarcityCalendar = {
  weekendNights: [5, 6],
  weekendDays: [6, 0],
  schoolHolidays: [],
  bankHolidays: [],
  weights: { weekend: 3, schoolHoliday: 2, bankHoliday: 3 },
};

export interface SlotPrice {
  /** Local date the slot starts on (Europe/London). */
  localDate: string;
  /** False for a day session (a slot that spans no night). */
  overnight: boolean;
  /** Break units: nights, or 1 for a day session. */
  units: number;
  /** Sum of the weights of its nights (or of its day). */
  cost: number;
  /** True when any of its nights (or its day) weighs more than an ordinary one. */
  scarce: boolean;
}

export class ScarcityPricer {
  private readonly bankHolidays: Set<string>;
  private readonly weightCache = new Map<string, number>();

  constructor(private readonly calendar: ScarcityCalendar) {
    this.bankHolidays = new Set(calendar.bankHolidays);
  }

  price(slot: Pick<SlotInfo, 'start' | 'end'>): SlotPrice {
    const localDate = londonDateOf(slot.start);
    const nights = nightsOf(slot);
    if (nights === 0) {
      const cost = this.weight(localDate, false);
      return { localDate, overnight: false, units: 1, cost, scarce: cost > 1 };
    }
    let cost = 0;
    let scarce = false;
    for (let i = 0; i < nights; i++) {
      const weight = this.weight(addDays(localDate, i), true);
      cost += weight;
      scarce ||= weight > 1;
    }
    return { localDate, overnight: true, units: nights, cost, scarce };
  }

  /** Weight of the night starting on `date` (overnight) or of a day session on `date`. */
  weight(date: string, overnight: boolean): number {
    const key = `${date}${overnight ? 'N' : 'D'}`;
    let weight = this.weightCache.get(key);
    if (weight === undefined) {
      weight = this.computeWeight(date, overnight);
      this.weightCache.set(key, weight);
    }
    return weight;
  }

  private computeWeight(date: string, overnight: boolean): number {
    const { weights } = this.calendar;
    const weekend = overnight ? this.calendar.weekendNights : this.calendar.weekendDays;
    let weight = 1;
    if (weekend.includes(dayOfWeek(date))) weight = Math.max(weight, weights.weekend);
    if (this.inSchoolHoliday(date)) weight = Math.max(weight, weights.schoolHoliday);
    // The night before a bank holiday is a long-weekend night, as scarce as the holiday itself.
    const bankHoliday = this.bankHolidays.has(date) || (overnight && this.bankHolidays.has(addDays(date, 1)));
    if (bankHoliday) weight = Math.max(weight, weights.bankHoliday);
    return weight;
  }

  private inSchoolHoliday(date: string): boolean {
    // ISO local dates compare correctly as strings.
    return this.calendar.schoolHolidays.some((range) => range.from <= date && date <= range.to);
  }
}
