import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Text, Uuid } from './common.js';
import { pageFields } from './paging.js';

export const RehomingPreferenceSchema = z.enum(['SAME_DATES', 'CONTINUITY', 'TRAVEL_TIME', 'SAME_KIND']).openapi('RehomingPreference');

export const StartClosureBody = z
  .object({
    effectiveFrom: LocalDate.openapi({ description: 'First local date with no breaks at this provider' }),
    reason: Text().trim().min(3).max(1000),
    preferences: z
      .array(RehomingPreferenceSchema)
      .min(1)
      .max(4)
      .refine((p) => new Set(p).size === p.length, 'preferences must not repeat')
      .optional()
      .openapi({ description: 'What matters most when choosing alternatives, in order (default: same dates, continuity, travel time, same kind)' }),
    maxDateShiftDays: z.number().int().min(0).max(60).default(14),
    seed: Text().trim().min(1).max(100).optional(),
  })
  .strict()
  .openapi('StartClosure');

/**
 * A standing place (the West Sussex case: "a space available all year at an
 * alternative home"): a block of places at another home, reserved for the
 * closing authority for a year from the closing date, that its plan gives the
 * affected children first.
 */
export const StandingPlaceBody = z
  .object({
    providerId: Uuid.openapi({ description: 'The alternative home (run by this authority or by the provider itself); its main pattern of breaks is copied' }),
    places: z.number().int().min(1).max(10).openapi({ description: 'Places a night reserved for the children of the closing home' }),
  })
  .strict()
  .openapi('StandingPlace');

/**
 * Recording a closure or suspension: the preview's body plus an explicit
 * confirmation (issue "safe to press": nothing changes on a first press), and
 * optionally a consultation of the affected families before anything is planned.
 */
export const ConfirmClosureBody = StartClosureBody.extend({
  confirm: z.boolean().optional().openapi({ description: 'Must be true: the closure is recorded only once the coordinator has seen its preview and confirms it' }),
  consultUntil: LocalDate.optional().openapi({
    description: "Open a consultation first: every affected family is invited to rank the alternatives that can meet its child's needs until the end of this local date; nothing is planned until the coordinator proceeds",
  }),
  standingPlace: StandingPlaceBody.optional(),
})
  .strict()
  .openapi('ConfirmClosure');

export const ProceedClosureBody = z
  .object({ confirm: z.boolean().optional().openapi({ description: 'Must be true: plan and apply the re-homing now, with the families’ rankings' }) })
  .strict()
  .openapi('ProceedClosure');

export const ClosureStatusSchema = z
  .enum(['CONSULTING', 'QUEUED', 'PLANNING', 'APPLYING', 'COMPLETED', 'FAILED'])
  .openapi('ClosureStatus', { description: 'CONSULTING (optional: families rank the alternatives until the deadline; nothing is planned), QUEUED, then PLANNING (the planner runs, nothing changes yet), APPLYING (outcomes are being carried out), then COMPLETED or FAILED' });

export const OutcomeKindSchema = z.enum(['MOVED', 'OFFERED', 'WAITLISTED', 'PENDING_TRAINING', 'CANCELLED_BY_FAMILY']).openapi('RehomingOutcomeKind');

/** What matters most to a family, in its own words; each puts one of the planner's preferences first for its child. */
export const FamilyPrioritySchema = z.enum(['SAME_DATES', 'SAME_FRIENDS', 'SHORTEST_JOURNEY', 'KEEP_CARER']).openapi('FamilyPriority', {
  description: 'SAME_DATES: the same dates; SAME_FRIENDS: staying with the children booked with them; SHORTEST_JOURNEY: the shortest journey from home; KEEP_CARER: the same kind of care (a foster carer stays with a foster carer)',
});

export const ConsultationAnswerSchema = z
  .object({
    childId: Uuid,
    familyId: Uuid,
    ranking: z.array(Uuid).openapi({ description: 'Provider ids, best first' }),
    priority: FamilyPrioritySchema,
    note: z.string().nullable(),
    respondedAt: Instant,
  })
  .openapi('ConsultationAnswer');

export const ConsultationSummarySchema = z
  .object({
    respondBy: Instant.openapi({ description: 'Families answer until this instant (the end of the chosen local date)' }),
    open: z.boolean(),
    families: z.number().int().openapi({ description: 'Families of this authority whose children are affected' }),
    children: z.number().int(),
    responded: z.object({ families: z.number().int(), children: z.number().int() }),
    answers: z.array(ConsultationAnswerSchema),
    decision: z
      .object({
        childrenPlanned: z.number().int(),
        firstChoice: z.number().int().openapi({ description: 'Children who answered and whose every re-homed place is at the home they ranked first' }),
        respondedChildren: z.number().int(),
        firstChoiceRate: z.number().nullable().openapi({ description: 'firstChoice / respondedChildren; null when nobody answered' }),
        withoutPlace: z.array(z.object({ childId: Uuid, name: z.string(), reasons: z.array(z.string()) })),
      })
      .nullable()
      .openapi({ description: 'The decision record, once the plan is made' }),
  })
  .openapi('ConsultationSummary');

export const RehomingOutcomeSchema = z
  .object({
    id: Uuid,
    bookingId: Uuid.openapi({ description: 'The booking at the closing home; for an offer or hold an earlier closure made there (fromOutcomeId), the booking the child first lost' }),
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
    fromOutcomeId: Uuid.nullable().openapi({ description: "An earlier closure's offer or training hold at this home, which this outcome re-planned" }),
    supersededByOutcomeId: Uuid.nullable().openapi({ description: 'Set when the home this outcome chose closed too: a later closure re-planned it, and outcome, place and reason here follow that later outcome' }),
  })
  .openapi('RehomingOutcome');

export const ClosureSchema = z
  .object({
    id: Uuid,
    providerId: Uuid,
    authorityId: Uuid.nullable().openapi({ description: 'The authority whose coordinator recorded it; null when the provider closed itself' }),
    suspendedAuthorityId: Uuid.nullable().openapi({ description: "A suspension: only this authority's placements stop and only its children move; the provider stays open to others" }),
    effectiveFrom: Instant,
    reason: z.string(),
    status: ClosureStatusSchema,
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
    waitlistEntriesMoved: z.number().int().openapi({ description: 'Waiting-list entries and offers at the home from its date that were withdrawn, each child now waiting first in line for places elsewhere that day' }),
    trainingActions: z.array(z.unknown()),
    standingPlaces: z
      .array(
        z.object({
          capacityRuleId: Uuid,
          providerId: Uuid,
          providerName: z.string(),
          places: z.number().int(),
          from: LocalDate,
          until: LocalDate.nullable(),
          childrenPlaced: z.number().int().openapi({ description: "This authority's affected children the plan gave a place in the block" }),
        }),
      )
      .openapi({ description: 'Standing places the closure reserved (block capacity rules reserved for the recording authority; visible on the home’s capacity too)' }),
    upgradesUsed: z
      .array(z.object({ upgradeId: Uuid, providerId: Uuid, need: z.string(), places: z.number().int(), from: LocalDate, childIds: z.array(Uuid) }))
      .openapi({ description: "Home upgrades the plan relied on, with this authority's children each unblocked" }),
    outcomes: z.array(RehomingOutcomeSchema),
    consultation: ConsultationSummarySchema.nullable().openapi({ description: "The consultation and its decision record (this authority's families only); null when the closure did not consult" }),
  })
  .openapi('Closure');

export const ClosureListQuery = z.object({
  status: ClosureStatusSchema.optional(),
  ...pageFields({ max: 100 }),
});

export const ClosureSummarySchema = ClosureSchema.omit({ outcomes: true, trainingActions: true, preferences: true, consultation: true, standingPlaces: true, upgradesUsed: true })
  .extend({ providerName: z.string(), retries: z.number().int() })
  .openapi('ClosureSummary');

const ExpectedCounts = z.object({ MOVED: z.number().int(), OFFERED: z.number().int(), PENDING_TRAINING: z.number().int(), WAITLISTED: z.number().int() });

export const ClosurePreviewSchema = z
  .object({
    kind: z.enum(['CLOSURE', 'SUSPENSION']),
    providerId: Uuid,
    providerName: z.string(),
    providerStatus: z.enum(['ACTIVE', 'CLOSING', 'CLOSED']),
    effectiveFrom: Instant,
    affected: z.object({
      places: z.number().int().openapi({ description: 'Bookings, and offers or training holds earlier closures made there, from the date' }),
      fromEarlierClosures: z.number().int(),
      children: z.number().int(),
      families: z.number().int(),
      otherAuthorities: z.number().int().openapi({ description: "Places of other authorities' children (each re-homes its own; not named here)" }),
    }),
    byMonth: z.array(z.object({ month: z.string().openapi({ example: '2027-01' }), places: z.number().int() })),
    expected: ExpectedCounts.openapi({ description: 'What the planner would do now (a dry run; the plan is made again when the closure runs)' }),
    waitlistEntries: z.number().int(),
    children: z.array(z.object({ childId: Uuid, name: z.string(), places: z.number().int(), expected: ExpectedCounts, reasons: z.array(z.string()) })),
  })
  .openapi('ClosurePreview');

export type StartClosureInput = z.infer<typeof StartClosureBody>;
export type ConfirmClosureInput = z.infer<typeof ConfirmClosureBody>;
export type FamilyPriority = z.infer<typeof FamilyPrioritySchema>;
export type ClosureListInput = z.infer<typeof ClosureListQuery>;
