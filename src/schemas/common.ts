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

export const Name = z.string().trim().min(1).max(200);
export const ShortText = z.string().trim().max(2000);
export const Latitude = z.number().min(49).max(61).openapi({ description: 'WGS84 latitude (UK)' });
export const Longitude = z.number().min(-9).max(3).openapi({ description: 'WGS84 longitude (UK)' });
export const Postcode = z
  .string()
  .trim()
  .regex(/^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i, 'not a UK postcode');

export const Uuid = z.string().uuid();

/** A period given as two local dates, inclusive. */
export const periodRefinement = <T extends { periodStart: string; periodEnd: string }>(v: T, ctx: z.RefinementCtx) => {
  if (v.periodEnd < v.periodStart) {
    ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'must be on or after periodStart' });
  }
};

export const uniqueNeeds = (needs: readonly string[]) => new Set(needs).size === needs.length;
