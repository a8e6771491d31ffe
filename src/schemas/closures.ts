import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Uuid } from './common.js';

export const RehomingPreferenceSchema = z.enum(['SAME_DATES', 'CONTINUITY', 'TRAVEL_TIME', 'SAME_KIND']).openapi('RehomingPreference');

export const StartClosureBody = z
  .object({
    effectiveFrom: LocalDate.openapi({ description: 'First local date with no breaks at this provider' }),
    reason: z.string().trim().min(3).max(1000),
    preferences: z
      .array(RehomingPreferenceSchema)
      .min(1)
      .max(4)
      .refine((p) => new Set(p).size === p.length, 'preferences must not repeat')
      .optional()
      .openapi({ description: 'What matters most when choosing alternatives, in order (default: same dates, continuity, travel time, same kind)' }),
    maxDateShiftDays: z.number().int().min(0).max(60).default(14),
    seed: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .openapi('StartClosure');

export const OutcomeKindSchema = z.enum(['MOVED', 'OFFERED', 'WAITLISTED', 'PENDING_TRAINING', 'CANCELLED_BY_FAMILY']).openapi('RehomingOutcomeKind');

export const RehomingOutcomeSchema = z
  .object({
    id: Uuid,
    bookingId: Uuid,
    childId: Uuid,
    outcome: OutcomeKindSchema,
    toSlotId: Uuid.nullable().openapi({ description: 'The place the plan chose. The child is there only while the outcome is MOVED, OFFERED or PENDING_TRAINING; a WAITLISTED or CANCELLED_BY_FAMILY outcome keeps the place that was planned but not taken' }),
    newBookingId: Uuid.nullable(),
    waitlistEntryId: Uuid.nullable(),
    reason: z.string(),
    detail: z.unknown(),
    trainingAction: z.unknown().nullable(),
    transport: z.unknown().nullable(),
    applied: z.boolean(),
  })
  .openapi('RehomingOutcome');

export const ClosureSchema = z
  .object({
    id: Uuid,
    providerId: Uuid,
    authorityId: Uuid,
    effectiveFrom: Instant,
    reason: z.string(),
    status: z.enum(['QUEUED', 'PLANNING', 'COMPLETED', 'FAILED']),
    retries: z.number().int().openapi({ description: 'Times a coordinator has retried it after it failed' }),
    preferences: z.unknown(),
    error: z.string().nullable(),
    createdAt: Instant,
    completedAt: Instant.nullable(),
    counts: z.object({
      affected: z.number().int(),
      MOVED: z.number().int(),
      OFFERED: z.number().int(),
      WAITLISTED: z.number().int(),
      PENDING_TRAINING: z.number().int(),
      CANCELLED_BY_FAMILY: z.number().int(),
      notYetPlanned: z.number().int(),
    }),
    trainingActions: z.array(z.unknown()),
    outcomes: z.array(RehomingOutcomeSchema),
  })
  .openapi('Closure');

export const ClosureStatusSchema = z.enum(['QUEUED', 'PLANNING', 'COMPLETED', 'FAILED']);

export const ClosureListQuery = z.object({
  status: ClosureStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: Uuid.optional(),
});

export const ClosureSummarySchema = ClosureSchema.omit({ outcomes: true, trainingActions: true, preferences: true })
  .extend({ providerName: z.string(), retries: z.number().int() })
  .openapi('ClosureSummary');

export type StartClosureInput = z.infer<typeof StartClosureBody>;
export type ClosureListInput = z.infer<typeof ClosureListQuery>;
