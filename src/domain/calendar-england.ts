/**
 * The default scarcity calendar for English authorities: Friday and Saturday
 * nights, bank holidays (gov.uk, England and Wales) and typical state-school
 * holidays. An authority passes its own term dates when it starts a round.
 */
import type { ScarcityCalendar } from './allocation/types.js';
import { DEFAULT_SCARCITY_CALENDAR } from './allocation/scarcity.js';

export const ENGLAND_BANK_HOLIDAYS = [
  '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
  '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
  '2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26',
];

export const TYPICAL_SCHOOL_HOLIDAYS = [
  { from: '2026-10-26', to: '2026-10-30' },
  { from: '2026-12-21', to: '2027-01-01' },
  { from: '2027-02-15', to: '2027-02-19' },
  { from: '2027-03-29', to: '2027-04-09' },
  { from: '2027-05-31', to: '2027-06-04' },
  { from: '2027-07-23', to: '2027-09-01' },
  { from: '2027-10-25', to: '2027-10-29' },
  { from: '2027-12-20', to: '2027-12-31' },
];

export const ENGLAND_CALENDAR: ScarcityCalendar = {
  ...DEFAULT_SCARCITY_CALENDAR,
  bankHolidays: ENGLAND_BANK_HOLIDAYS,
  schoolHolidays: TYPICAL_SCHOOL_HOLIDAYS,
};

/**
 * The English financial year (April to March) containing a date: councils award
 * short breaks, and set funders' budgets, a financial year at a time.
 */
export function financialYearOf(date: string): { from: string; to: string } {
  const year = Number(date.slice(0, 4)) - (date.slice(5) < '04-01' ? 1 : 0);
  return { from: `${year}-04-01`, to: `${year + 1}-03-31` };
}
