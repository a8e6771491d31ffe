import { z } from '@hono/zod-openapi';
import { validateRrule } from '../domain/capacity/recurrence.js';
import { CareNeedSchema, Instant, Latitude, LocalDate, LocalTime, Longitude, Name, PlainText, Postcode, Text, Uuid, uniqueNeeds } from './common.js';
import { pageFields } from './paging.js';

export const ProviderKindSchema = z.enum(['RESIDENTIAL', 'COMMUNITY', 'FAMILY_BASED']).openapi('ProviderKind');
export const ProviderStatusSchema = z.enum(['ACTIVE', 'CLOSING', 'CLOSED']).openapi('ProviderStatus');

export const CreateProviderBody = z
  .object({
    name: Name,
    kind: ProviderKindSchema,
    addressLine: Name,
    postcode: Postcode,
    lat: Latitude,
    lng: Longitude,
    phone: PlainText().trim().max(40).optional(),
    email: z.email().max(200).optional(),
    operator: z
      .enum(['AUTHORITY', 'PROVIDER'])
      .default('AUTHORITY')
      .openapi({ description: "Who runs it: AUTHORITY (default) = the creating coordinator's authority (a council-run home); PROVIDER = the provider organisation itself. Only the operator edits it, its capacity and carers, or closes it" }),
  })
  .strict()
  .openapi('CreateProvider');

export const UpdateProviderBody = CreateProviderBody.omit({ kind: true, operator: true }).partial().strict().openapi('UpdateProvider');

export const ProviderSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    kind: ProviderKindSchema,
    status: ProviderStatusSchema,
    addressLine: z.string(),
    postcode: z.string(),
    lat: z.number(),
    lng: z.number(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    closingFrom: Instant.nullable(),
    operatorAuthorityId: Uuid.nullable().openapi({ description: 'The authority that runs it (a council-run home); null = the provider organisation itself' }),
    createdAt: Instant,
  })
  .openapi('Provider');

export const ProviderListQuery = z.object({
  kind: ProviderKindSchema.optional(),
  status: ProviderStatusSchema.optional(),
  operatorAuthorityId: Uuid.optional().openapi({ description: 'Only the providers this authority runs (its own homes, which its coordinators may close)' }),
  ...pageFields(),
});

const RruleString = Text()
  .trim()
  .min(6)
  .max(500)
  .superRefine((v, ctx) => {
    const result = validateRrule(v);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.message });
  })
  .openapi({ example: 'FREQ=WEEKLY;BYDAY=FR', description: 'RFC 5545 RRULE, evaluated on Europe/London dates' });

const capacityRuleFields = {
  name: PlainText().trim().max(200).optional(),
  rrule: RruleString,
  startDate: LocalDate,
  untilDate: LocalDate.optional(),
  startTime: LocalTime,
  durationMinutes: z.number().int().min(30).max(60 * 24 * 17).openapi({ description: 'Up to 17 days (the single-stay limit)' }),
  places: z.number().int().min(1).max(200),
  capabilities: z.array(CareNeedSchema).max(20).refine(uniqueNeeds, 'capabilities must not repeat'),
  exdates: z.array(LocalDate).max(400),
  carerId: Uuid.optional().openapi({ description: 'Family-based capacity: the foster carer offering it' }),
  reservedForAuthorityId: Uuid.optional().openapi({ description: 'Block contract: only this authority’s children' }),
};

const untilAfterStart = (v: { startDate?: string; untilDate?: string | null }, ctx: z.RefinementCtx) => {
  if (v.startDate && v.untilDate && v.untilDate < v.startDate) {
    ctx.addIssue({ code: 'custom', path: ['untilDate'], message: 'must be on or after startDate' });
  }
};

export const CreateCapacityRuleBody = z
  .object({ ...capacityRuleFields, capabilities: capacityRuleFields.capabilities.default([]), exdates: capacityRuleFields.exdates.default([]) })
  .strict()
  .superRefine(untilAfterStart)
  .openapi('CreateCapacityRule');

// No defaults here: zod 4 applies a default even inside .partial(), which would
// reset every omitted list on each edit.
export const UpdateCapacityRuleBody = z
  .object({
    ...capacityRuleFields,
    // null clears: an open-ended rule, no name, or an end to a block contract.
    name: capacityRuleFields.name.unwrap().nullable(),
    untilDate: LocalDate.nullable(),
    reservedForAuthorityId: Uuid.nullable().openapi({ description: 'Block contract: only this authority’s children; null ends it' }),
    active: z.boolean(),
  })
  .omit({ carerId: true })
  .partial()
  .strict()
  .superRefine(untilAfterStart)
  .openapi('UpdateCapacityRule');

export const CapacityRuleSchema = z
  .object({
    id: Uuid,
    providerId: Uuid,
    carerId: Uuid.nullable(),
    name: z.string().nullable(),
    rrule: z.string(),
    startDate: z.string(),
    untilDate: z.string().nullable(),
    startTime: z.string(),
    durationMinutes: z.number().int(),
    places: z.number().int(),
    capabilities: z.array(CareNeedSchema),
    exdates: z.array(z.string()),
    reservedForAuthorityId: Uuid.nullable(),
    standingForClosureId: Uuid.nullable().openapi({ description: "A standing place: a year's block of places this closure reserved here for its authority's re-homed children" }),
    active: z.boolean(),
    version: z.number().int(),
    generatedVersion: z.number().int(),
    generatedAt: Instant.nullable(),
    generationConflicts: z.array(z.object({ localDate: z.string(), slotId: z.string(), reason: z.string() })),
  })
  .openapi('CapacityRule');

export type CreateProviderInput = z.infer<typeof CreateProviderBody>;
export type UpdateProviderInput = z.infer<typeof UpdateProviderBody>;
export type CreateCapacityRuleInput = z.infer<typeof CreateCapacityRuleBody>;
export type UpdateCapacityRuleInput = z.infer<typeof UpdateCapacityRuleBody>;
