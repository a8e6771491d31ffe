import { z } from '@hono/zod-openapi';
import { Instant, PlainText, Uuid } from './common.js';

export const ExportSchema = z
  .object({
    id: Uuid,
    familyId: Uuid,
    status: z.enum(['QUEUED', 'COMPLETED', 'FAILED']),
    createdAt: Instant,
    completedAt: Instant.nullable(),
    error: z.string().nullable(),
    /** Everything held about the family once COMPLETED (family, children with passports, consents and who read them, awards, requests, bookings, messages, history). */
    data: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('SubjectAccessExport');

export const ErasureBody = z
  .object({
    /** A reference to the request acted on (e.g. "written request of 1 December 2026, ref DP-0042"), without names: it stays in the audit as the record of why. */
    reason: PlainText().trim().min(10, 'say which request this erasure carries out (at least 10 characters)').max(500),
  })
  .strict()
  .openapi('Erasure');

export const ErasureSchema = z
  .object({ familyId: Uuid, erasedAt: Instant, children: z.number().int(), bookingsKept: z.number().int(), auditEventsPseudonymised: z.number().int() })
  .openapi('ErasureDone');
