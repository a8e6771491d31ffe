import { z } from '@hono/zod-openapi';
import { PassportSchema, SupportFlag } from './passport.js';
import { CareNeedSchema, Instant, Latitude, LocalDate, Longitude, Name, PlainText, Postcode, Text, Uuid, periodRefinement, uniqueNeeds } from './common.js';

export const CreateFamilyBody = z
  .object({
    name: Name,
    email: z.email().max(200).optional(),
    phone: PlainText().trim().max(40).optional(),
    addressLine: PlainText().trim().max(200).optional(),
    postcode: Postcode.optional(),
    lat: Latitude.optional(),
    lng: Longitude.optional(),
  })
  .strict()
  .openapi('CreateFamily');

export const FamilySchema = z
  .object({
    id: Uuid,
    authorityId: Uuid,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    addressLine: z.string().nullable(),
    postcode: z.string().nullable(),
    lat: z.number().nullable(),
    lng: z.number().nullable(),
    createdAt: Instant,
  })
  .openapi('Family');

export { PassportSchema } from './passport.js';

const childFields = {
  firstName: Name,
  lastName: Name,
  dateOfBirth: LocalDate,
  needs: z.array(CareNeedSchema).max(20).refine(uniqueNeeds, 'needs must not repeat'),
  needsTransport: z.boolean(),
  needsEscort: z.boolean(),
  passport: PassportSchema,
  supportFlag: SupportFlag.nullable(),
};

export const CreateChildBody = z
  .object({
    ...childFields,
    needs: childFields.needs.default([]),
    needsTransport: childFields.needsTransport.default(false),
    needsEscort: childFields.needsEscort.default(false),
    passport: childFields.passport.default({}),
    supportFlag: childFields.supportFlag.optional(),
  })
  .strict()
  .openapi('CreateChild');

// No defaults here: zod 4 applies a default even inside .partial(), so an edit of
// the passport alone would otherwise wipe the child's needs.
export const UpdateChildBody = z.object(childFields).partial().strict().openapi('UpdateChild');

export const CreateEntitlementBody = z
  .object({
    periodStart: LocalDate,
    periodEnd: LocalDate,
    nights: z.number().int().min(0).max(366),
    daySessions: z.number().int().min(0).max(366),
    notes: Text().trim().max(1000).optional(),
  })
  .strict()
  .superRefine(periodRefinement)
  .superRefine((v, ctx) => {
    if (v.nights + v.daySessions === 0) ctx.addIssue({ code: 'custom', path: ['nights'], message: 'award at least one night or session' });
  })
  .openapi('CreateEntitlement');

/** A change to an award: the new figures and why (kept in the entitlement's history). */
export const UpdateEntitlementBody = z
  .object({
    periodStart: LocalDate,
    periodEnd: LocalDate,
    nights: z.number().int().min(0).max(366),
    daySessions: z.number().int().min(0).max(366),
    reason: Text().trim().min(1).max(500),
  })
  .strict()
  .superRefine(periodRefinement)
  .openapi('UpdateEntitlement');

export const EntitlementChangeSchema = z
  .object({
    id: Uuid,
    entitlementId: Uuid,
    periodStart: z.string(),
    periodEnd: z.string(),
    nights: z.number().int(),
    daySessions: z.number().int(),
    /** The award as it stood before this change; null for the first award. */
    previous: z.object({ periodStart: z.string(), periodEnd: z.string(), nights: z.number().int(), daySessions: z.number().int() }).nullable(),
    reason: z.string().nullable(),
    changedBy: z.string(),
    at: Instant,
  })
  .openapi('EntitlementChange');

export const EntitlementSchema = z
  .object({
    id: Uuid,
    childId: Uuid,
    periodStart: z.string(),
    periodEnd: z.string(),
    nights: z.number().int(),
    daySessions: z.number().int(),
    notes: z.string().nullable(),
    createdAt: Instant,
  })
  .openapi('Entitlement');

export const ChildSchema = z
  .object({
    id: Uuid,
    familyId: Uuid,
    authorityId: Uuid,
    firstName: z.string(),
    lastName: z.string(),
    dateOfBirth: z.string(),
    needs: z.array(CareNeedSchema),
    needsTransport: z.boolean(),
    needsEscort: z.boolean(),
    /** As the family's consent allows (src/services/access.ts): null for anyone it is not shared with. */
    passport: PassportSchema.nullable(),
    /** How to support this child, in the family's words: shown to everyone who may see the child. */
    supportFlag: z.string().nullable(),
    entitlements: z.array(EntitlementSchema),
  })
  .openapi('Child');

export type CreateFamilyInput = z.infer<typeof CreateFamilyBody>;
export type CreateChildInput = z.infer<typeof CreateChildBody>;
export type UpdateChildInput = z.infer<typeof UpdateChildBody>;
export type CreateEntitlementInput = z.infer<typeof CreateEntitlementBody>;
export type UpdateEntitlementInput = z.infer<typeof UpdateEntitlementBody>;
