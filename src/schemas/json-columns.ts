/**
 * Every JSON column is an edge like a request body: what is read back is parsed
 * with the schema it was written with, instead of cast (STYLE.md: "a JSON column
 * is an edge"). A row that no longer fits fails loudly where it is read. One
 * schema per column, named after its table and column; `toJson` ties what is
 * written to the same schema's type.
 *
 * Where a column holds a domain result (a round's explanations, a plan's
 * outcomes), the schema is annotated with the domain type, so the compiler
 * says when the two drift apart.
 */
import { z } from 'zod';
import type { Prisma } from '../generated/prisma/client.js';
import type { ChildExplanation, ChildHistory, FairnessMetrics, PreferenceOutcome, ScarcityCalendar, UnmetGroup } from '../domain/allocation/types.js';
import { CARE_NEEDS } from '../domain/care-needs.js';
import { CHANNEL_CHOICES } from '../domain/notification-kinds.js';
import { RehomingPreferenceSchema } from './closures.js';
import { FundingSplitSchema } from './funding.js';
import { PassportSchema } from './passport.js';
import { PreferenceSchema } from './requests.js';
import { ScenarioChangeSchema, ScenarioComparisonSchema } from './scenarios.js';

/** Writes a value into a JSON column; the schema argument is the column's, so what is written has the shape that is read. */
export function toJson<S extends z.ZodType>(_column: S, value: z.output<S>): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

const Weekdays = z.array(z.number().int().min(0).max(6));

/** job_outbox.payload: the job's data and, for a delayed job, when it is due. */
export const OutboxPayloadSchema = z.object({ data: z.unknown(), delayUntil: z.string().nullable().optional() });

/** capacity_rule.generationConflicts: occurrences a regeneration left alone because children are booked into them. */
export const GenerationConflictsColumn = z.array(z.object({ localDate: z.string(), slotId: z.string(), reason: z.string() }));

/** child.passport: the medical passport, section by section. */
export const PassportColumn = PassportSchema;

/** entitlement_change.previous: the award's figures before the change; null for the first award. */
export const PreviousFiguresColumn = z.object({ periodStart: z.string(), periodEnd: z.string(), nights: z.number().int(), daySessions: z.number().int() }).nullable();

/** break_request.preferences: the family's ranked choices, as the request body gave them. */
export const RequestPreferencesColumn = z.array(PreferenceSchema);

/** booking.fundingSplit: who pays what, fixed when booked. */
export const FundingSplitColumn = FundingSplitSchema;

/** allocation_round.calendar: what makes a night scarce in this round. */
export const RoundCalendarColumn: z.ZodType<ScarcityCalendar> = z.object({
  weekendNights: Weekdays,
  weekendDays: Weekdays,
  schoolHolidays: z.array(z.object({ from: z.string(), to: z.string() })),
  bankHolidays: z.array(z.string()),
  weights: z.object({ weekend: z.number(), schoolHoliday: z.number(), bankHoliday: z.number() }),
});

const RoundRecordSchema = z.object({
  seed: z.string(),
  unitsWanted: z.number(),
  unitsGot: z.number(),
  valueWanted: z.number(),
  valueGot: z.number(),
  scarceUnitsWanted: z.number(),
  scarceUnitsGot: z.number(),
  satisfaction: z.number(),
});

/** allocation_credit.history: a child's standing across rounds (the rotation credit and its last rounds). */
export const CreditHistoryColumn: z.ZodType<ChildHistory> = z.object({ childId: z.string(), credit: z.number(), rounds: z.array(RoundRecordSchema) });

const StoredPreference = z.union([
  z.object({ kind: z.literal('SLOT'), slotId: z.string() }),
  z.object({ kind: z.literal('DAYS'), daysOfWeek: z.array(z.number().int()), providerId: z.string().optional(), from: z.string().optional(), to: z.string().optional() }),
]);

const UnmetGroupSchema: z.ZodType<UnmetGroup> = z.object({
  reason: z.enum(['FULL', 'LOWER_IN_ROTATION', 'NEEDS_NOT_MET', 'RESERVED_FOR_OTHER_AUTHORITY', 'HELD_FOR_CARE_NEEDS', 'ENTITLEMENT_USED', 'LIMIT_REACHED', 'OVERLAP', 'WANT_MET', 'NOT_AVAILABLE']),
  slots: z.number().int(),
  detail: z.string(),
  takenBy: z.object({ beforeRound: z.number().int(), positions: z.array(z.number().int()) }).optional(),
});

const PreferenceOutcomeSchema: z.ZodType<PreferenceOutcome> = z.object({
  rank: z.number().int(),
  preference: StoredPreference,
  slotCount: z.number().int(),
  gotSlotIds: z.array(z.string()),
  unmet: z.array(UnmetGroupSchema),
});

/** One child's explanation in a round's result: what was asked, what was got, and why. */
export const ChildExplanationSchema: z.ZodType<ChildExplanation> = z.object({
  childId: z.string(),
  requestId: z.string(),
  position: z.number().int(),
  of: z.number().int(),
  creditBefore: z.number(),
  ticket: z.number(),
  unitsWanted: z.number(),
  unitsGot: z.number(),
  flexible: z.boolean(),
  preferences: z.array(PreferenceOutcomeSchema),
  got: z.array(z.object({ slotId: z.string(), preferenceRank: z.number().int().nullable() })),
  splitStays: z.array(z.object({ dates: z.array(z.string()), providerIds: z.array(z.string()), detail: z.string() })).optional(),
  summary: z.string(),
});

/** allocation_round.result: the round's plan and explanations as the worker wrote them. */
export const RoundResultColumn = z.object({
  bookings: z.array(
    z.object({
      childId: z.string(),
      slotId: z.string(),
      requestId: z.string(),
      preferenceRank: z.number().int().nullable(),
      units: z.number(),
      nights: z.number().int(),
      cost: z.number(),
      transportNeeded: z.boolean(),
    }),
  ),
  explanations: z.array(ChildExplanationSchema),
  lottery: z.array(z.object({ childId: z.string(), ticket: z.number() })),
  order: z.array(z.string()),
  historyAfter: z.array(CreditHistoryColumn),
  /** Planned bookings that could not be written because something changed after the snapshot. */
  skipped: z.array(z.object({ childId: z.string(), slotId: z.string(), reason: z.string() })),
});
export type RoundResult = z.infer<typeof RoundResultColumn>;

/** The explanations of a round's result alone: the readers that need nothing else skip parsing the plan. */
export const RoundExplanationsColumn = z.object({ explanations: z.array(ChildExplanationSchema) });

/** A round's explanations; none before the round has run. */
export const roundExplanations = (result: unknown): ChildExplanation[] => (result === null ? [] : RoundExplanationsColumn.parse(result).explanations);

/**
 * What the demand reports read of a round's explanations: units asked for and
 * got, and why each preference went unmet. Narrower than ChildExplanationSchema
 * on purpose, so the reports need no more of a round than they use.
 */
const RoundDemandColumn = z.object({
  explanations: z.array(
    z.object({
      childId: z.string(),
      requestId: z.string(),
      unitsWanted: z.number(),
      unitsGot: z.number(),
      preferences: z.array(z.object({ gotSlotIds: z.array(z.string()), unmet: z.array(z.object({ reason: z.string() })) })),
    }),
  ),
});
export type RoundDemand = z.infer<typeof RoundDemandColumn>['explanations'][number];
export const roundDemand = (result: unknown): RoundDemand[] => (result === null ? [] : RoundDemandColumn.parse(result).explanations);

/** allocation_round.metrics: the round's fairness measures. */
export const RoundMetricsColumn: z.ZodType<FairnessMetrics> = z.object({
  requests: z.number().int(),
  children: z.number().int(),
  unitsWanted: z.number(),
  unitsAllocated: z.number(),
  scarceUnitsAllocated: z.number(),
  upperBound: z.number(),
  boundRatio: z.number(),
  shares: z.array(z.object({ childId: z.string(), share: z.number(), weightedShare: z.number() })),
  gini: z.number(),
  jain: z.number(),
  maxMin: z.object({ share: z.number(), childIds: z.array(z.string()) }),
  childrenWithNothing: z.number().int(),
  childrenWithNothingToGive: z.number().int(),
  stays: z.object({ total: z.number().int(), split: z.number().int(), avoidableSplits: z.number().int() }),
  requestsHonoured: z.object({ bookings: z.number().int(), outside: z.number().int(), share: z.number() }),
  scarceShare: z.object({
    window: z.number().int(),
    byChild: z.array(z.object({ childId: z.string(), share: z.number(), rounds: z.number().int() })),
    stdDev: z.number(),
    maxMinGap: z.number(),
  }),
});

/** closure.preferences: the settings the closure was started with. */
export const ClosureSettingsColumn = z.object({
  order: z.array(RehomingPreferenceSchema),
  maxDateShiftDays: z.number().int(),
});
export type ClosureSettings = z.infer<typeof ClosureSettingsColumn>;

/** A training action as stored: its date is JSON text. */
const TrainingActionSchema = z.object({
  carerId: z.string(),
  need: z.enum(CARE_NEEDS),
  course: z.string(),
  neededBy: z.string(),
  gap: z.enum(['MISSING', 'EXPIRED', 'EXPIRES_DURING_STAY', 'NOT_YET_COMPLETED']),
  detail: z.string(),
});

const ProcessingOrderSchema = z.object({
  bookingId: z.string(),
  childId: z.string(),
  position: z.number().int(),
  feasibleAlternatives: z.number().int(),
  trainingAlternatives: z.number().int(),
  complexHealth: z.boolean(),
  ticket: z.number(),
});

/** A home upgrade a move relies on: without it the place could not meet the child's need. */
const UpgradeUseSchema = z.object({ upgradeId: z.string(), providerId: z.string(), need: z.enum(CARE_NEEDS), places: z.number().int(), from: z.string() });

/** closure.summary: what the plan phase found, and what the apply phase withdrew from the waiting list. */
export const ClosureSummaryColumn = z
  .object({
    affected: z.number().int(),
    planned: z.object({ affected: z.number().int(), MOVED: z.number().int(), PENDING_TRAINING: z.number().int(), WAITLISTED: z.number().int() }).nullable(),
    order: z.array(ProcessingOrderSchema),
    trainingActions: z.array(TrainingActionSchema),
    /** Each home upgrade the plan relied on, with the children it unblocked (absent in plans made before upgrades existed). */
    upgradesUsed: z.array(UpgradeUseSchema.extend({ childIds: z.array(z.string()) })).optional(),
    waitlistEntriesMoved: z.number().int().optional(),
  })
  .nullable();
export type ClosureSummary = z.infer<typeof ClosureSummaryColumn>;

const RefusalReasonSchema = z.enum(['SLOT_FULL', 'NEEDS_NOT_MET', 'RESERVED_FOR_OTHER_AUTHORITY', 'OVERLAPPING_BOOKING', 'ENTITLEMENT_EXCEEDED', 'SINGLE_STAY_LIMIT', 'ANNUAL_STAY_LIMIT']);

/** Where the outcome came from when it re-plans an earlier closure's offer or hold. */
const ReplacesFields = { replaces: z.enum(['OFFER', 'HOLD']).optional(), fromSlotId: z.string().optional() };

/** rehoming_outcome.detail for a child put on the waiting list: why no place fitted. */
const WaitlistedDetail = z.object({
  refusals: z.array(z.object({ reason: RefusalReasonSchema, places: z.number().int(), detail: z.string() })),
  order: ProcessingOrderSchema.optional(),
  ...ReplacesFields,
});

/** rehoming_outcome.detail for a place found: the facts about the chosen place. */
const PlacedDetail = z.object({
  toProviderId: z.string(),
  dayShift: z.number().int(),
  travelMinutes: z.number().nullable(),
  extraTravelMinutes: z.number().nullable(),
  sameKind: z.boolean(),
  withChildIds: z.array(z.string()),
  sameProviderAsOtherMoves: z.boolean(),
  alternativesThatFit: z.number().int(),
  familyRank: z.number().int().nullable(),
  reasons: z.array(z.string()),
  warnings: z.array(z.object({ code: z.enum(['SINGLE_STAY_NEAR_LIMIT', 'ANNUAL_STAY_NEAR_LIMIT']), detail: z.string(), days: z.number(), limit: z.number() })),
  /** The home upgrades that unblocked this move, and whether it is a standing place (absent in plans made before either existed). */
  upgrades: z.array(UpgradeUseSchema).optional(),
  standingPlace: z.boolean().optional(),
  /** Only for a training hold: what the carer must complete first. */
  actions: z.array(TrainingActionSchema).optional(),
  order: ProcessingOrderSchema.optional(),
  ...ReplacesFields,
});

/** rehoming_outcome.detail: a placed outcome's facts, or a waitlisted one's refusals. */
export const OutcomeDetailColumn = z.union([PlacedDetail, WaitlistedDetail]);
export type OutcomeDetail = z.infer<typeof OutcomeDetailColumn>;

/** Where the family ranked the chosen home; null for a waitlisted outcome or a family not consulted. */
export const familyRankOf = (detail: OutcomeDetail): number | null => ('familyRank' in detail ? detail.familyRank : null);

/** rehoming_outcome.trainingAction: for a training hold, the training its carer must complete first. */
export const OutcomeTrainingColumn = z.array(TrainingActionSchema).nullable();

/** rehoming_outcome.transport: the planned runs there and back, or why none could be planned; null when not needed. */
export const OutcomeTransportColumn = z.union([z.object({ outbound: z.string(), return: z.string() }), z.object({ unmet: z.string() })]).nullable();

/** notification.payload: the ids a message is about (a booking, a round and child, a closure…), for pages and the subject-access export. */
export const NotificationPayloadColumn = z.record(z.string(), z.json());
export type NotificationPayload = z.infer<typeof NotificationPayloadColumn>;

/* notification.fields: parsed with its kind's own schema, fieldsSchema(kind) in domain/notification-kinds.ts, since each kind has different fields. */

/** notification_preference.channels: a channel choice per kind; unreadable rows fall back to the defaults. */
export const NotificationChannelsColumn = z.record(z.string(), z.enum(CHANNEL_CHOICES)).catch({});

/** audit_event.before / audit_event.after: whatever the action recorded, kept as written. */
export const AuditValueColumn = z.json().nullable();

/** idempotency_record.response: the answer given the first time, replayed byte for byte. */
export const IdempotentResponseColumn = z.object({ body: z.string(), contentType: z.string() });
export type IdempotentResponse = z.infer<typeof IdempotentResponseColumn>;

/** scenario.changes: the what-if changes the scenario applies. */
export const ScenarioChangesColumn = z.array(ScenarioChangeSchema);

/** scenario.result: the baseline, the scenario and their difference. */
export const ScenarioResultColumn = ScenarioComparisonSchema.nullable();

const FamilyExportChild = z.looseObject({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  needs: z.array(z.string()),
  supportFlag: z.string().nullable(),
  passport: PassportSchema,
  passportReads: z.array(z.looseObject({ at: z.string(), who: z.string(), organisation: z.string().nullable() })),
  entitlements: z.array(z.looseObject({ periodStart: z.string(), periodEnd: z.string(), nights: z.number(), daySessions: z.number() })),
  requests: z.array(z.looseObject({ periodStart: z.string(), periodEnd: z.string(), status: z.string(), notes: z.string().nullable() })),
  bookings: z.array(z.looseObject({ date: z.string(), provider: z.string(), nights: z.number(), status: z.string() })),
});

/**
 * subject_access_export.result: the family's copy of everything held about it.
 * The file is handed over whole, so every field is kept; the schema names its
 * sections, and in them the fields the readable page shows.
 */
export const FamilyExportColumn = z
  .looseObject({
    generatedAt: z.string(),
    about: z.string(),
    family: z.looseObject({ name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), addressLine: z.string().nullable(), postcode: z.string().nullable(), calendarLink: z.string() }),
    accessKeys: z.array(z.json()),
    children: z.array(FamilyExportChild),
    swaps: z.array(z.json()),
    messages: z.array(z.json()),
    history: z.array(z.json()),
  })
  .nullable();
export type FamilyExportData = NonNullable<z.infer<typeof FamilyExportColumn>>;
