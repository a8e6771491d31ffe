/**
 * The medical passport (seed 002: "preferred method of communication, behaviours
 * they may display and important medical information", so families stop
 * repeating their child's needs to every professional). One schema validates
 * what the family writes, describes it in OpenAPI and parses the JSON column on
 * every read (STYLE.md: a JSON column is an edge).
 */
import { z } from '@hono/zod-openapi';
import { Instant, LocalTime, PlainText, Text, Uuid } from './common.js';

// Text() and PlainText() refuse what PostgreSQL cannot store (NUL, lone surrogates); one-line fields refuse control characters too.
const Section = Text().trim().min(1).max(2000);
const Short = PlainText().trim().min(1).max(200);
const Phone = PlainText()
  .trim()
  .regex(/^\+?[0-9 ()-]{6,25}$/, 'a phone number: digits, spaces, brackets, + and - only')
  .openapi({ example: '07700 900123' });

export const MedicationSchema = z
  .object({
    name: Short.openapi({ example: 'Buccal midazolam' }),
    dose: Short.openapi({ example: '5 mg' }),
    /** When it is given, local times; empty when only given as needed. */
    times: z.array(LocalTime).max(12).refine((t) => new Set(t).size === t.length, 'times must not repeat'),
    /** When it is given as needed, or anything else about giving it. */
    notes: PlainText().trim().max(500).optional().openapi({ example: 'If a seizure lasts over 5 minutes' }),
  })
  .strict()
  .openapi('Medication');

export const AllergySchema = z
  .object({
    substance: Short.openapi({ example: 'Penicillin' }),
    reaction: PlainText().trim().max(500).optional().openapi({ example: 'Rash and swelling' }),
  })
  .strict()
  .openapi('Allergy');

export const EmergencyContactSchema = z
  .object({
    name: Short,
    relationship: Short.optional().openapi({ example: 'Grandmother' }),
    phone: Phone,
  })
  .strict()
  .openapi('EmergencyContact');

export const GpSchema = z
  .object({
    name: Short.openapi({ example: 'Dr Patel' }),
    practice: Short.optional().openapi({ example: 'Downland Surgery' }),
    phone: Phone.optional(),
  })
  .strict()
  .openapi('GeneralPractitioner');

export const PassportSchema = z
  .object({
    communication: Section.optional().openapi({ description: 'How the child communicates and how to talk with them' }),
    behaviours: Section.optional().openapi({ description: 'Behaviours the child may show and what they mean' }),
    calming: Section.optional().openapi({ description: 'What calms the child' }),
    medical: Section.optional().openapi({ description: 'Important medical information' }),
    medication: z.array(MedicationSchema).max(30).optional(),
    allergies: z.array(AllergySchema).max(30).optional(),
    equipment: z.array(Short).max(30).optional().openapi({ description: 'Equipment the child uses or brings' }),
    emergencyContacts: z.array(EmergencyContactSchema).max(6).optional(),
    gp: GpSchema.optional(),
    /** Anything else; passports written before the sections existed keep their other text here. */
    otherNotes: Text().trim().min(1).max(8000).optional(),
  })
  .strict()
  .openapi('MedicalPassport');

export type Passport = z.infer<typeof PassportSchema>;

/** The sections transport staff see: what a journey needs, nothing medical (issue brief: communication, behaviours, what calms). */
export const JOURNEY_SECTIONS = ['communication', 'behaviours', 'calming'] as const satisfies readonly (keyof Passport)[];
/** The family's one line on how to support the child (seed 002's flag), shown at the top of every provider page about them. */
export const SupportFlag = PlainText().trim().min(1).max(280).openapi({ example: 'Speak slowly, give two choices, and warn her before touching her.' });

/** What the family sends to replace the passport and the support flag together. */
export const PutPassportBody = z
  .object({ passport: PassportSchema, supportFlag: SupportFlag.nullable().optional() })
  .strict()
  .openapi('PutPassport');

export const PassportAccessLevelSchema = z.enum(['FULL', 'JOURNEY']);
export const PassportBasisSchema = z
  .enum(['FAMILY', 'BOOKING', 'FAMILY_ALLOWED', 'EMERGENCY', 'TRANSPORT_RUN'])
  .openapi({ description: 'Why this reader may see the passport' });

export const PassportViewSchema = z
  .object({
    childId: Uuid,
    firstName: z.string(),
    lastName: z.string(),
    supportFlag: z.string().nullable(),
    level: PassportAccessLevelSchema,
    basis: PassportBasisSchema,
    /** The journey sections only, for transport staff. */
    passport: PassportSchema,
    updatedAt: Instant.nullable(),
  })
  .openapi('PassportView');

export const ConsentDecisionSchema = z.enum(['ALLOW', 'DENY']).openapi({
  description: 'ALLOW: this provider sees the passport even without a booking. DENY: it does not, even with one.',
});
export const PutConsentBody = z.object({ decision: ConsentDecisionSchema }).strict().openapi('PutPassportConsent');

export const ConsentSchema = z
  .object({
    childId: Uuid,
    /** The rule when the family has said nothing about a provider. */
    default: z.literal('PROVIDERS_WITH_A_LIVE_BOOKING'),
    providers: z.array(
      z.object({
        providerId: Uuid,
        providerName: z.string(),
        decision: ConsentDecisionSchema.nullable(),
        hasLiveBooking: z.boolean(),
        /** Whether this provider can see the passport now. */
        canSee: z.boolean(),
      }),
    ),
    emergencyAccess: z.array(
      z.object({ id: Uuid, providerId: Uuid.nullable(), reason: z.string(), createdAt: Instant, expiresAt: Instant, active: z.boolean() }),
    ),
  })
  .openapi('PassportConsent');

export const EmergencyAccessBody = z
  .object({
    reason: PlainText().trim().min(10, 'say why this is an emergency (at least 10 characters)').max(1000),
    /** Open the passport to this provider too (e.g. where the child is now); otherwise only to the authority's coordinators. */
    providerId: Uuid.optional(),
    hours: z.number().int().min(1).max(72).default(24),
  })
  .strict()
  .openapi('EmergencyAccess');

export const EmergencyAccessSchema = z
  .object({ id: Uuid, childId: Uuid, providerId: Uuid.nullable(), reason: z.string(), createdAt: Instant, expiresAt: Instant })
  .openapi('EmergencyAccessGranted');

export const PassportReadSchema = z
  .object({
    at: Instant,
    role: z.string(),
    who: z.string().openapi({ description: 'The token or person that read it' }),
    organisationType: z.string(),
    organisationId: z.string(),
    organisationName: z.string(),
    channel: z.enum(['API', 'PAGE']),
    level: PassportAccessLevelSchema,
    basis: PassportBasisSchema,
  })
  .openapi('PassportRead');

export type PutPassportInput = z.infer<typeof PutPassportBody>;
export type EmergencyAccessInput = z.infer<typeof EmergencyAccessBody>;
