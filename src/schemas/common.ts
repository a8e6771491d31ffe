/** Field schemas reused across features: the single source of validation, types and OpenAPI. */
import { z } from '@hono/zod-openapi';
import { CARE_NEEDS } from '../domain/care-needs.js';

export const CareNeedSchema = z.enum(CARE_NEEDS).openapi('CareNeed');

/** A Europe/London calendar date. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) && s >= '2000-01-01' && s <= '2100-12-31';
  }, 'not a real calendar date between 2000 and 2100')
  .openapi({ example: '2027-03-05', description: 'Local date in Europe/London' });

export const LocalTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)')
  .openapi({ example: '17:00', description: 'Local time in Europe/London' });

export const Instant = z.iso.datetime({ offset: true }).openapi({ example: '2027-03-05T17:00:00Z' });

/**
 * Text PostgreSQL can store. A NUL (U+0000) or an unpaired UTF-16 surrogate is
 * refused by PostgreSQL itself (SQLSTATE 22021 in text, 22P05 in jsonb), so it
 * must never get that far: clients get a 422 naming the field instead.
 */
export const UNSTORABLE_TEXT = 'must not contain NUL characters or unpaired surrogates';
/** Control characters other than tab, line feed and carriage return: nothing a person types into a name or an address. */
export const CONTROL_CHARACTERS = 'must not contain control characters';
/** Issues raised by the two checks above carry this marker: the validation hook answers them with 422, not 400. */
export const TEXT_ISSUE = { unacceptableText: true } as const;

const NUL = /\u0000/;
const CONTROL = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// Without the `u` flag a regex sees UTF-16 code units: a high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isStorableText = (s: string): boolean => !NUL.test(s) && !LONE_SURROGATE.test(s);
export const isPlainLine = (s: string): boolean => !CONTROL.test(s);

/** Every string a client sends starts here (JSON bodies, queries, paths, forms). */
export const Text = () => z.string().refine(isStorableText, { message: UNSTORABLE_TEXT, params: TEXT_ISSUE });
/** A name or an address: storable and without control characters. */
export const PlainText = () => Text().refine(isPlainLine, { message: CONTROL_CHARACTERS, params: TEXT_ISSUE });

export const Name = PlainText().trim().min(1).max(200);
export const Latitude = z.number().min(49).max(61).openapi({ description: 'WGS84 latitude (UK)' });
export const Longitude = z.number().min(-9).max(3).openapi({ description: 'WGS84 longitude (UK)' });
// Upper and lower case spelled out: OpenAPI carries only the pattern's source, so a `/i` flag would be lost (or leak into it).
export const Postcode = Text()
  .trim()
  .regex(/^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, 'not a UK postcode')
  .openapi({ example: 'RH12 1AB' });

export const Uuid = z.string().uuid();

/** A period given as two local dates, inclusive. */
export const periodRefinement = <T extends { periodStart: string; periodEnd: string }>(v: T, ctx: z.RefinementCtx) => {
  if (v.periodEnd < v.periodStart) {
    ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'must be on or after periodStart' });
  }
};

export const uniqueNeeds = (needs: readonly string[]) => new Set(needs).size === needs.length;
