import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Text, Uuid, periodRefinement } from './common.js';

const DateRange = z.object({ from: LocalDate, to: LocalDate }).strict();
const Weekdays = z.array(z.number().int().min(0).max(6)).max(7);

export const ScarcityCalendarBody = z
  .object({
    weekendNights: Weekdays.optional(),
    weekendDays: Weekdays.optional(),
    schoolHolidays: z.array(DateRange).max(50).optional(),
    bankHolidays: z.array(LocalDate).max(100).optional(),
    weights: z.object({ weekend: z.number().min(1).max(10), schoolHoliday: z.number().min(1).max(10), bankHoliday: z.number().min(1).max(10) }).strict().optional(),
  })
  .strict()
  .openapi('ScarcityCalendar');

export const StartRoundBody = z
  .object({
    periodStart: LocalDate,
    periodEnd: LocalDate,
    seed: Text().trim().min(1).max(100).optional().openapi({ description: 'Same inputs and seed give the same result; random when omitted' }),
    calendar: ScarcityCalendarBody.optional().openapi({ description: 'Overrides the default English calendar' }),
  })
  .strict()
  .superRefine(periodRefinement)
  .superRefine((v, ctx) => {
    if ((Date.parse(v.periodEnd) - Date.parse(v.periodStart)) / 864e5 > 190) {
      ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'a round covers at most 6 months' });
    }
  })
  .openapi('StartAllocationRound');

export const RoundSchema = z
  .object({
    id: Uuid,
    authorityId: Uuid,
    periodStart: z.string(),
    periodEnd: z.string(),
    seed: z.string(),
    status: z.enum(['QUEUED', 'RUNNING', 'COMPLETED', 'PUBLISHED', 'DISCARDED', 'FAILED']),
    createdAt: Instant,
    startedAt: Instant.nullable(),
    completedAt: Instant.nullable(),
    publishedAt: Instant.nullable(),
    discardedAt: Instant.nullable(),
    error: z.string().nullable(),
    bookings: z.number().int().openapi({ description: 'Bookings the round made' }),
    metrics: z.unknown().nullable().openapi({ description: 'FairnessMetrics: shares, Gini, Jain, max-min, scarce share, max-flow bound' }),
    explanations: z.array(z.unknown()).openapi({ description: 'Per child: what was asked, what was got, and why each preference was or was not met' }),
    lottery: z.array(z.object({ childId: z.string(), ticket: z.number() })),
    order: z.array(z.string()),
  })
  .openapi('AllocationRound');

export type StartRoundInput = z.infer<typeof StartRoundBody>;
