/** What-if scenarios (src/domain/scenarios.ts): the changes a coordinator describes, validated here and on read. */
import { z } from '@hono/zod-openapi';
import { CareNeedSchema, LocalDate, LocalTime, Name, Uuid, periodRefinement } from './common.js';

const Places = z.number().int().min(1).max(200);
const Pence = z.number().int().min(0).max(10_000_000);

export const ScenarioChangeSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('ADD_CAPABILITY'), providerId: Uuid, capability: CareNeedSchema, places: Places, from: LocalDate, pencePerUnit: Pence.optional() }).strict(),
    z
      .object({
        kind: z.literal('ADD_RULE'),
        providerId: Uuid,
        rrule: z.string().trim().min(6).max(300),
        startTime: LocalTime,
        durationMinutes: z.number().int().min(30).max(14 * 24 * 60),
        places: Places,
        capabilities: z.array(CareNeedSchema).max(10).default([]),
        from: LocalDate,
        until: LocalDate.optional(),
        pencePerUnit: Pence.optional(),
      })
      .strict(),
    z.object({ kind: z.literal('REMOVE_RULE'), capacityRuleId: Uuid, from: LocalDate }).strict(),
    z.object({ kind: z.literal('CLOSE_PROVIDER'), providerId: Uuid, from: LocalDate }).strict(),
    z.object({ kind: z.literal('CHANGE_PRICE'), capacityRuleId: Uuid, pence: Pence, from: LocalDate }).strict(),
  ])
  .openapi('ScenarioChange');

export const CreateScenarioBody = z
  .object({
    name: Name,
    periodStart: LocalDate,
    periodEnd: LocalDate,
    seed: z.string().trim().min(1).max(100).optional(),
    changes: z.array(ScenarioChangeSchema).min(1).max(20),
  })
  .strict()
  .superRefine(periodRefinement)
  .superRefine((v, ctx) => {
    if ((Date.parse(v.periodEnd) - Date.parse(v.periodStart)) / 864e5 > 400) ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'a scenario covers at most 400 days' });
  })
  .openapi('CreateScenario');

const Figures = z.object({
  childrenWithRequests: z.number(),
  childrenPlaced: z.number(),
  nightsDelivered: z.number(),
  sessionsDelivered: z.number(),
  unitsWanted: z.number(),
  worstServedShare: z.number(),
  childrenWithNothing: z.number(),
  unmetComplexHealthNights: z.number(),
  costPence: z.number(),
  unpricedBookings: z.number(),
});

/** Scenario.result: parsed on read (a JSON column is an edge). */
export const ScenarioComparisonSchema = z
  .object({
    baseline: Figures,
    scenario: Figures,
    difference: z.object({
      childrenPlaced: z.number(),
      nightsDelivered: z.number(),
      worstServedShare: z.number(),
      unmetComplexHealthNights: z.number(),
      costPence: z.number(),
      costPerExtraNightPence: z.number().nullable(),
    }),
    childrenBetterOff: z.number(),
    childrenWorseOff: z.number(),
  })
  .openapi('ScenarioComparison');

export const ScenarioSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    periodStart: z.string(),
    periodEnd: z.string(),
    seed: z.string(),
    status: z.enum(['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED']),
    changes: z.array(ScenarioChangeSchema),
    result: ScenarioComparisonSchema.nullable(),
    error: z.string().nullable(),
    runMs: z.number().int().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  })
  .openapi('Scenario');

export const CompareQuery = z.object({
  ids: z
    .string()
    .max(2000)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(Uuid).min(1).max(10))
    .openapi({ description: 'Scenario ids, comma-separated (at most 10)', example: 'a1b2…,c3d4…' }),
  format: z.enum(['json', 'csv']).optional(),
});

export type CreateScenarioInput = z.infer<typeof CreateScenarioBody>;
