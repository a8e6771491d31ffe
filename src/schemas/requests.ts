import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Text, Uuid, periodRefinement } from './common.js';
import { pageFields } from './paging.js';

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

/** What a request says, apart from whose it is (an edit replaces all of it). */
const RequestFields = {
  periodStart: LocalDate,
  periodEnd: LocalDate,
  preferences: z.array(PreferenceSchema).min(1).max(20).openapi({ description: 'Ranked: the first is the most wanted' }),
  flexible: z.boolean().default(false).openapi({ description: 'Any suitable slot in the period will do after the ranked ones' }),
  transportNeeded: z.boolean().default(false),
  nightsWanted: z.number().int().min(1).max(366).optional(),
  stayNights: z
    .number()
    .int()
    .min(1)
    .max(14)
    .optional()
    .openapi({ description: 'Nights wanted together in one home: 2 for a weekend, 7 for a week. Each stay given is exactly this long.' }),
  notes: Text().trim().max(1000).optional(),
};

const stayWithinNights = (v: { stayNights?: number | undefined; nightsWanted?: number | undefined }, ctx: z.RefinementCtx) => {
  if (v.stayNights !== undefined && v.nightsWanted !== undefined && v.stayNights > v.nightsWanted) {
    ctx.addIssue({ code: 'custom', path: ['stayNights'], message: 'a stay cannot be longer than the nights wanted' });
  }
};

const atMost400Days = (v: { periodStart: string; periodEnd: string }, ctx: z.RefinementCtx) => {
  if ((Date.parse(v.periodEnd) - Date.parse(v.periodStart)) / 864e5 > 400) {
    ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'a request covers at most 400 days' });
  }
};

export const CreateRequestBody = z
  .object({ childId: Uuid, ...RequestFields })
  .strict()
  .superRefine(periodRefinement)
  .superRefine(atMost400Days)
  .superRefine(stayWithinNights)
  .openapi('CreateBreakRequest');

export const UpdateRequestBody = z
  .object(RequestFields)
  .strict()
  .superRefine(periodRefinement)
  .superRefine(atMost400Days)
  .superRefine(stayWithinNights)
  .openapi('UpdateBreakRequest');

export const RequestQuery = z.object({
  childId: Uuid.optional(),
  status: z.enum(['OPEN', 'ALLOCATED', 'WITHDRAWN']).optional(),
  periodStart: LocalDate.optional(),
  ...pageFields(),
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
    stayNights: z.number().int().nullable(),
    notes: z.string().nullable(),
    status: z.enum(['OPEN', 'ALLOCATED', 'WITHDRAWN']),
    createdByRole: z.string(),
    createdAt: Instant,
  })
  .openapi('BreakRequest');

export type CreateRequestInput = z.infer<typeof CreateRequestBody>;
export type UpdateRequestInput = z.infer<typeof UpdateRequestBody>;
export type Preference = z.infer<typeof PreferenceSchema>;
