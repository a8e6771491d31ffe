/** A family's side of a closure's consultation: what it is shown and how it answers. */
import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Text, Uuid } from './common.js';
import { ClosureStatusSchema, FamilyPrioritySchema, OutcomeKindSchema } from './closures.js';

export const ConsultationResponseBody = z
  .object({
    ranking: z
      .array(Uuid)
      .max(20)
      .refine((r) => new Set(r).size === r.length, 'a home may be ranked only once')
      .openapi({ description: "Provider ids from the child's alternatives, best first (empty when none is listed: the family still says what matters most)" }),
    priority: FamilyPrioritySchema,
    note: Text().trim().max(1000).optional(),
  })
  .strict()
  .openapi('ConsultationResponseBody');

export const AlternativeSchema = z
  .object({
    providerId: Uuid,
    name: z.string(),
    kind: z.enum(['RESIDENTIAL', 'COMMUNITY', 'FAMILY_BASED']),
    address: z.string(),
    travelMinutes: z.number().int().nullable().openapi({ description: 'Estimated journey from home; null when the home location is not recorded' }),
    transport: z.string().openapi({ description: 'How the child would get there' }),
    dates: z.array(LocalDate).openapi({ description: 'Dates with a place that meets every need of the child, near the breaks at the closing home' }),
    trainingNeeded: z.boolean().openapi({ description: "Some of these places need the foster carer's training first" }),
  })
  .openapi('ConsultationAlternative');

export const FamilyOutcomeSchema = z
  .object({
    outcome: OutcomeKindSchema,
    originalDate: LocalDate,
    place: z.object({ providerId: Uuid, name: z.string(), startsAt: Instant }).nullable(),
    familyRank: z.number().int().nullable().openapi({ description: 'Where the family ranked the home it got (1 = first choice)' }),
    reason: z.string(),
    nextSteps: z.string().nullable().openapi({ description: 'For a child left without a place: what happens next' }),
  })
  .openapi('FamilyRehomingOutcome');

export const FamilyConsultationSchema = z
  .object({
    closureId: Uuid,
    providerName: z.string(),
    closingFrom: Instant,
    respondBy: Instant,
    open: z.boolean().openapi({ description: 'Answers are still taken' }),
    status: ClosureStatusSchema,
    children: z.array(
      z.object({
        childId: Uuid,
        name: z.string(),
        affectedDates: z.array(LocalDate),
        alternatives: z.array(AlternativeSchema),
        answer: z.object({ ranking: z.array(Uuid), priority: FamilyPrioritySchema, note: z.string().nullable(), respondedAt: Instant }).nullable(),
        outcomes: z.array(FamilyOutcomeSchema).openapi({ description: 'What the plan gave the child, once it is made' }),
      }),
    ),
  })
  .openapi('FamilyConsultation');

export const FamilyConsultationListSchema = z.object({ items: z.array(FamilyConsultationSchema.omit({ children: true }).extend({ childIds: z.array(Uuid) })) }).openapi('FamilyConsultationList');

export const ChildParam = z.object({ id: Uuid, childId: Uuid });

export type ConsultationResponseInput = z.infer<typeof ConsultationResponseBody>;
export type FamilyConsultation = z.infer<typeof FamilyConsultationSchema>;
