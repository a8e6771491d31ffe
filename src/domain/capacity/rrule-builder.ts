/**
 * The provider pages' RRULE builder: the parts a form can show —
 * how often (FREQ), every how many (INTERVAL) and on which weekdays (BYDAY) —
 * read from and written to an RFC 5545 RRULE body. Anything else a rule holds
 * (made through the API: BYMONTHDAY, BYSETPOS, COUNT, a BYDAY with ordinals
 * such as 1SA…) is kept verbatim, never silently dropped by an edit.
 */

export const BUILDER_WEEKDAYS = [
  ['MO', 'Monday'],
  ['TU', 'Tuesday'],
  ['WE', 'Wednesday'],
  ['TH', 'Thursday'],
  ['FR', 'Friday'],
  ['SA', 'Saturday'],
  ['SU', 'Sunday'],
] as const;

export const BUILDER_FREQUENCIES = [
  ['WEEKLY', 'Every week'],
  ['DAILY', 'Every day'],
  ['MONTHLY', 'Every month'],
  ['YEARLY', 'Every year'],
] as const;

export type BuilderFrequency = (typeof BUILDER_FREQUENCIES)[number][0];

export interface BuilderFields {
  freq: BuilderFrequency;
  interval: number;
  /** Plain weekday codes in week order; empty when BYDAY is kept (it had ordinals) or absent. */
  byday: string[];
  /** Parts the builder cannot show, as KEY=VALUE, in their original order. */
  kept: string[];
}

const WEEKDAY_CODES: readonly string[] = BUILDER_WEEKDAYS.map(([code]) => code);
const isFrequency = (v: string): v is BuilderFrequency => BUILDER_FREQUENCIES.some(([f]) => f === v);

/** Split a stored RRULE body into what the builder shows and what it keeps. */
export function builderFieldsOf(rrule: string): BuilderFields {
  const fields: BuilderFields = { freq: 'WEEKLY', interval: 1, byday: [], kept: [] };
  for (const part of rrule.replace(/^RRULE:/i, '').split(';').filter(Boolean)) {
    const [rawKey, value = ''] = part.split('=') as [string, string?];
    const key = rawKey.toUpperCase();
    if (key === 'FREQ' && isFrequency(value.toUpperCase())) fields.freq = value.toUpperCase() as BuilderFrequency;
    else if (key === 'INTERVAL' && /^\d+$/.test(value)) fields.interval = Number(value);
    else if (key === 'BYDAY' && value.split(',').every((d) => WEEKDAY_CODES.includes(d.toUpperCase()))) {
      fields.byday = WEEKDAY_CODES.filter((code) => value.toUpperCase().split(',').includes(code));
    } else fields.kept.push(`${key}=${value}`);
  }
  return fields;
}

/** True when the builder cannot show BYDAY itself, so the weekday boxes must not write another. */
export const keepsWeekdays = (fields: Pick<BuilderFields, 'kept'>) => fields.kept.some((k) => k.startsWith('BYDAY='));

/** The builder's fields as an RRULE body. */
export function rruleOf(fields: BuilderFields): string {
  const days = keepsWeekdays(fields) ? [] : WEEKDAY_CODES.filter((code) => fields.byday.includes(code));
  return [`FREQ=${fields.freq}`, fields.interval > 1 ? `INTERVAL=${fields.interval}` : '', days.length ? `BYDAY=${days.join(',')}` : '', ...fields.kept]
    .filter(Boolean)
    .join(';');
}

/** The rule in words, for the list of published rules. */
export function describeRule(rrule: string): string {
  const f = builderFieldsOf(rrule);
  const unit = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' }[f.freq];
  const days = f.byday.map((d) => BUILDER_WEEKDAYS.find(([code]) => code === d)?.[1] ?? d);
  const extra = f.kept.length ? ` (also ${f.kept.join('; ')})` : '';
  return `Every ${f.interval > 1 ? `${f.interval} ${unit}s` : unit}${days.length ? ` on ${days.join(', ')}` : ''}${extra}`;
}
