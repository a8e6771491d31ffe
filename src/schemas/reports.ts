/**
 * What the reports answer, declared so the OpenAPI document describes each
 * body and the compiler checks that every route returns what it says.
 */
import { z } from '@hono/zod-openapi';

const Int = z.number().int();

export const LedgerRowSchema = z
  .object({
    childId: z.string(),
    childName: z.string(),
    familyId: z.string(),
    entitlementId: z.string(),
    periodStart: z.string(),
    periodEnd: z.string(),
    awardedNights: Int,
    awardedSessions: Int,
    requestedNights: Int,
    allocatedNights: Int,
    allocatedSessions: Int,
    deliveredNights: Int,
    deliveredSessions: Int,
    upcomingNights: Int,
    upcomingSessions: Int,
    awaitingAttendanceNights: Int.openapi({ description: 'Breaks that have started but whose provider has not yet recorded attendance' }),
    awaitingAttendanceSessions: Int,
    cancelledByFamilyNights: Int,
    cancelledByFamilySessions: Int,
    cancelledByProviderNights: Int,
    cancelledByProviderSessions: Int,
    shortfallNights: Int.openapi({ description: 'Awarded units neither delivered, nor still booked ahead, nor waiting for attendance to be recorded' }),
    shortfallSessions: Int,
    expectedToDateNights: z.number().openapi({ description: 'Pro-rata share of the award that should have been delivered by today' }),
    expectedToDateSessions: z.number(),
    behindNights: z.number().openapi({ description: 'Expected to date minus delivered (positive = behind)' }),
    behindSessions: z.number(),
    flagged: z.boolean(),
    committedPence: Int,
    deliveredPence: Int,
    cancelledPence: Int,
  })
  .openapi('LedgerRow');

export const EntitlementsReportSchema = z.object({ from: z.string(), to: z.string(), children: z.array(LedgerRowSchema) }).openapi('EntitlementsReport');

export const CapacityReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    capacity: z.array(
      z.object({
        providerId: z.string(),
        providerName: z.string(),
        kind: z.string(),
        capability: z.string().openapi({ description: "A need the places meet, or ANY for all of the provider's places" }),
        published: Int,
        booked: Int,
        attended: Int,
        occupancy: z.number().openapi({ description: 'booked / published, to three places' }),
      }),
    ),
    unmetDemand: z
      .object({
        rounds: Int,
        unitsWanted: z.number(),
        unitsUnmet: z.number(),
        byReason: z.array(z.object({ reason: z.string(), preferences: Int, children: Int })),
      })
      .openapi({ description: "Requested nights nobody could meet, by reason, from the period's published rounds" }),
  })
  .openapi('CapacityReport');

export const LookedAfterReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    limits: z.object({ singleStayNights: Int, nightsIn12Months: Int }),
    children: z.array(
      z.object({
        childId: z.string(),
        childName: z.string(),
        status: z.enum(['OK', 'NEAR_LIMIT', 'OVER_LIMIT']),
        longestStayNights: Int,
        longestStayStart: z.string().nullable(),
        longestStayProviderId: z.string().nullable(),
        busiestYearNights: Int,
        busiestYearFrom: z.string().nullable(),
      }),
    ),
  })
  .openapi('LookedAfterReport');

const Money = {
  committedPence: z.number(),
  deliveredPence: z.number(),
  cancelledPence: z.number(),
};
const MoneyRow = {
  ...Money,
  committedNights: z.number(),
  deliveredNights: z.number(),
  committedSessions: z.number(),
  deliveredSessions: z.number(),
  unpricedBookings: z.number().openapi({ description: 'Live bookings no price was in force for: their cost is unknown, not zero' }),
  committedNightPence: z.number(),
  deliveredNightPence: z.number(),
  committedSessionPence: z.number(),
  deliveredSessionPence: z.number(),
};

export const CostReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    totals: z.object({ ...MoneyRow, blockPence: z.number() }),
    byFunder: z.array(z.object({ funder: z.string(), ...Money, blockPence: z.number() })),
    byProvider: z.array(z.object({ providerId: z.string(), providerName: z.string(), kind: z.string(), ...MoneyRow, blockPence: z.number() })),
    byNeed: z.array(z.object({ need: z.string(), ...MoneyRow })),
    blocks: z.array(z.object({ providerId: z.string(), providerName: z.string(), capacityRuleId: z.string(), pence: z.number() })).openapi({ description: 'Block contracts: places paid for whether used or not' }),
  })
  .openapi('CostReport');

const N = z.number();
const PerUnit = z.number().nullable().openapi({ description: 'Pence per delivered unit; null when none was delivered' });

export const FundingReviewSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    totals: CostReportSchema.shape.totals,
    spendByFunder: z.array(
      z.object({
        funder: z.string(),
        budgetPence: N,
        committedPence: N,
        deliveredPence: N,
        cancelledPence: N,
        remainingPence: N,
        committedShare: z.number().nullable().openapi({ description: 'Committed spend as a share of the budget; null when no budget is set' }),
      }),
    ),
    unitCosts: z.object({
      byProvider: z.array(z.object({ providerId: z.string(), providerName: z.string(), kind: z.string(), deliveredNights: N, deliveredSessions: N, costPerDeliveredNightPence: PerUnit, costPerDeliveredSessionPence: PerUnit })),
      byKind: z.array(z.object({ kind: z.string(), deliveredNights: N, deliveredSessions: N, costPerDeliveredNightPence: PerUnit, costPerDeliveredSessionPence: PerUnit })),
    }),
    promisedVsDelivered: z.object({
      children: Int,
      awardedNights: N,
      deliveredNights: N,
      bookedAheadNights: N,
      shortfallNights: N,
      awardedSessions: N,
      deliveredSessions: N,
      shortfallSessions: N,
      averageNightPence: z.number().nullable(),
      averageSessionPence: z.number().nullable(),
      shortfallCostPence: N,
    }),
    unmetDemand: z.array(z.object({ need: z.string(), month: z.string(), roundUnits: N, waitingListUnits: N, children: Int })),
    furthestBehind: z.array(
      z.object({
        childId: z.string(),
        childName: z.string(),
        awardedNights: N,
        deliveredNights: N,
        behindNights: N,
        behindSessions: N,
        shortfallNights: N,
        shortfallSessions: N,
        shortfallCostPence: N,
      }),
    ),
  })
  .openapi('FundingReview');
