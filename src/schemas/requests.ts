import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Uuid, periodRefinement } from './common.js';

export const PreferenceSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('SLOT'), slotId: Uuid }).strict(),
    z
      .object({
        kind: z.literal('DAYS'),
        daysOfWeek: z.array(z.number().int().min(0).max(6)).min(1).max(7).refine((d) => new Set(d).size === d.length, 'days must not repeat')
          .openapi({ description: '0 = Sunday … 6 = Saturday (the night starting that day)' }),
        providerId: Uuid.optional(),
      })
      .strict(),
  ])
  .openapi('Preference');

export const CreateRequestBody = z
  .object({
    childId: Uuid,
    periodStart: LocalDate,
    periodEnd: LocalDate,
    preferences: z.array(PreferenceSchema).min(1).max(20).openapi({ description: 'Ranked: the first is the most wanted' }),
    flexible: z.boolean().default(false).openapi({ description: 'Any suitable slot in the period will do after the ranked ones' }),
    transportNeeded: z.boolean().default(false),
    nightsWanted: z.number().int().min(1).max(366).optional(),
    notes: z.string().trim().max(1000).optional(),
  })
  .strict()
  .superRefine(periodRefinement)
  .superRefine((v, ctx) => {
    if ((Date.parse(v.periodEnd) - Date.parse(v.periodStart)) / 864e5 > 400) {
      ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'a request covers at most 400 days' });
    }
  })
  .openapi('CreateBreakRequest');

export const RequestQuery = z.object({
  childId: Uuid.optional(),
  status: z.enum(['OPEN', 'ALLOCATED', 'WITHDRAWN']).optional(),
  periodStart: LocalDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Uuid.optional(),
});

export const BreakRequestSchema = z
  .object({
    id: Uuid,
    childId: Uuid,
    authorityId: Uuid,
    periodStart: z.string(),
    periodEnd: z.string(),
    preferences: z.array(PreferenceSchema),
    flexible: z.boolean(),
    transportNeeded: z.boolean(),
    nightsWanted: z.number().int().nullable(),
    notes: z.string().nullable(),
    status: z.enum(['OPEN', 'ALLOCATED', 'WITHDRAWN']),
    createdByRole: z.string(),
    createdAt: Instant,
  })
  .openapi('BreakRequest');

export type CreateRequestInput = z.infer<typeof CreateRequestBody>;
export type Preference = z.infer<typeof PreferenceSchema>;
