/** Row-to-API conversions shared by services: instants as ISO strings, dates as YYYY-MM-DD. */
export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
/** A @db.Date column comes back as UTC midnight. */
export const dateOnly = (d: Date): string => d.toISOString().slice(0, 10);
export const toDbDate = (s: string): Date => new Date(`${s}T00:00:00.000Z`);
