/**
 * What counts as personal data inside the JSON this service keeps about a
 * family (audit events' before/after, notification payloads), so erasure can
 * remove it and keep the rest: the facts that make the counts add up (status,
 * nights, ids, dates of breaks) stay; names, contacts, free text and the
 * passport go (UK GDPR article 17, keeping what is needed for the council's
 * statutory reporting in pseudonymised form, article 89).
 */
export const PERSONAL_KEYS = new Set([
  'name',
  'firstName',
  'lastName',
  'childName',
  'email',
  'phone',
  'addressLine',
  'postcode',
  'lat',
  'lng',
  'dateOfBirth',
  'passport',
  'supportFlag',
  'notes',
  'note',
  'reason',
  'cancelReason',
  'needs',
]);

export const ERASED = '[erased]';

/** A copy with every personal key's value replaced by a marker (at any depth), everything else as it was. */
export function scrubPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubPersonalData);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, PERSONAL_KEYS.has(k) && v !== null && v !== undefined ? ERASED : scrubPersonalData(v)]));
  }
  return value;
}

/** The pseudonym an erased child is listed under in reports: stable, and derived from nothing but its random id. */
export const pseudonymOf = (childId: string) => ({ firstName: 'Erased', lastName: `child ${childId.slice(0, 8)}` });

/** Keep only the year of birth (for age-band statistics), mid-year. */
export const yearOnly = (dateOfBirth: Date) => new Date(Date.UTC(dateOfBirth.getUTCFullYear(), 6, 1));
