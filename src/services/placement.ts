/**
 * Loading what the pure eligibility rules need (src/domain/eligibility.ts) from
 * the database, and the one transaction step that books a child into a slot.
 * Every path that creates a booking — direct booking, waitlist offers, swaps,
 * allocation rounds, re-homing — goes through `placeChild`, so the hard
 * constraints are checked the same way everywhere and held by PostgreSQL
 * (slot CHECK, overlap EXCLUDE) even if two processes race.
 */
import type { Tx } from '../db.js';
import type { Booking, BookingSource, BookingStatus, Prisma } from '../generated/prisma/client.js';
import type { CareNeed } from '../domain/care-needs.js';
import { checkPlacement, nightsOf, type EligibilityResult, type LimitWarning, type Refusal } from '../domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo } from '../domain/model.js';
import { ApiError, notFound } from '../http/problem.js';
import { LIVE_BOOKING_STATUSES } from './access.js';
import { audit, type Actor } from './audit.js';
import { isCapacityViolation, isOverlapViolation } from './db-errors.js';

export const slotWithProvider = {
  provider: { select: { id: true, kind: true, status: true, closingFrom: true, name: true } },
  carer: { include: { training: true } },
} satisfies Prisma.SlotInclude;

export type SlotWithProvider = Prisma.SlotGetPayload<{ include: typeof slotWithProvider }>;

export function toSlotInfo(slot: SlotWithProvider): SlotInfo {
  return {
    id: slot.id,
    providerId: slot.providerId,
    providerKind: slot.provider.kind,
    start: slot.startsAt,
    end: slot.endsAt,
    capacity: slot.capacity,
    // Places held for open waitlist offers are as unavailable as booked ones.
    booked: slot.booked + slot.held,
    capabilities: slot.capabilities as CareNeed[],
    reservedForAuthorityId: slot.reservedForAuthorityId,
    carerTraining: slot.carer?.training.map((t) => ({ need: t.need as CareNeed, completedOn: t.completedOn, expiresOn: t.expiresOn })),
  };
}

/** Entitlement periods are stored as inclusive local dates; the rules work on instants [start, end). */
export function toEntitlementInfo(e: { childId: string; periodStart: string; periodEnd: string; nights: number; daySessions: number }): EntitlementInfo {
  return {
    childId: e.childId,
    periodStart: londonWallTimeToInstant(e.periodStart, '00:00'),
    periodEnd: londonWallTimeToInstant(addDays(e.periodEnd, 1), '00:00'),
    nights: e.nights,
    daySessions: e.daySessions,
  };
}

export interface ChildContext {
  child: ChildInfo & { familyId: string };
  stays: StayInfo[];
  entitlements: EntitlementInfo[];
}

/**
 * Load a child's context, normally locking the child row first so two bookings
 * for one child are checked one after the other. `lock: false` is for advisory
 * reads (waitlist offers) whose result is re-checked under locks later.
 */
export async function loadChildContext(tx: Tx, childId: string, options: { excludeBookingIds?: string[]; lock?: boolean } = {}): Promise<ChildContext> {
  if (options.lock !== false) {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM child WHERE id = ${childId} FOR UPDATE`;
    if (locked.length === 0) throw notFound('Child');
  }
  const child = await tx.child.findUnique({
    where: { id: childId },
    include: {
      entitlements: true,
      bookings: {
        where: { status: { in: [...LIVE_BOOKING_STATUSES] }, id: { notIn: options.excludeBookingIds ?? [] } },
        include: { slot: { select: { providerId: true } } },
      },
    },
  });
  if (!child) throw notFound('Child');
  return {
    child: { id: child.id, authorityId: child.authorityId, familyId: child.familyId, needs: child.needs as CareNeed[] },
    stays: child.bookings.map((b) => ({ slotId: b.slotId, providerId: b.slot.providerId, start: b.startsAt, end: b.endsAt })),
    entitlements: child.entitlements.map(toEntitlementInfo),
  };
}

export async function lockSlot(tx: Tx, slotId: string): Promise<SlotWithProvider> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM slot WHERE id = ${slotId} FOR UPDATE`;
  if (locked.length === 0) throw notFound('Slot');
  return tx.slot.findUniqueOrThrow({ where: { id: slotId }, include: slotWithProvider });
}

export type PlacementRefusal = Refusal | { reason: 'SLOT_WITHDRAWN' | 'SLOT_IN_PAST' | 'PROVIDER_CLOSING'; detail: string };

/** Refusals that come from the slot's state rather than the child. */
function slotStateRefusals(slot: SlotWithProvider, now: Date): PlacementRefusal[] {
  const out: PlacementRefusal[] = [];
  if (slot.status !== 'ACTIVE') out.push({ reason: 'SLOT_WITHDRAWN', detail: 'The provider no longer offers this slot' });
  if (slot.startsAt <= now) out.push({ reason: 'SLOT_IN_PAST', detail: 'This break has already started' });
  const closing = slot.provider.status === 'CLOSED' || (slot.provider.closingFrom !== null && slot.startsAt >= slot.provider.closingFrom);
  if (closing) out.push({ reason: 'PROVIDER_CLOSING', detail: `${slot.provider.name} is closing and takes no bookings from this date` });
  return out;
}

export function evaluatePlacement(ctx: ChildContext, slot: SlotWithProvider, now = new Date()): { refusals: PlacementRefusal[]; warnings: LimitWarning[] } {
  const result: EligibilityResult = checkPlacement({ child: ctx.child, slot: toSlotInfo(slot), stays: ctx.stays, entitlements: ctx.entitlements });
  return { refusals: [...slotStateRefusals(slot, now), ...result.refusals], warnings: result.warnings };
}

export function refusedError(refusals: PlacementRefusal[], warnings: LimitWarning[] = []): ApiError {
  return new ApiError('BOOKING_REFUSED', refusals.map((r) => r.detail).join('. '), { reasons: refusals, warnings });
}

export interface PlaceChildInput {
  childId: string;
  slotId: string;
  source: BookingSource;
  status?: BookingStatus;
  requestId?: string | null;
  roundId?: string | null;
  replacesBookingId?: string | null;
  /** Bookings the new one replaces, ignored for overlap and entitlement (swaps, re-homing). */
  excludeBookingIds?: string[];
  /** Places this booking takes from an open offer's hold rather than from the free places. */
  fromHeldPlace?: boolean;
  auditAction?: string;
}

export interface Placement {
  booking: Booking;
  warnings: LimitWarning[];
}

/**
 * Book a child inside the caller's transaction. Locks child then slot (always in
 * that order, so concurrent bookings cannot deadlock), checks every rule, then
 * inserts; the database constraints are the last word if anything raced.
 */
export async function placeChild(tx: Tx, actor: Actor, input: PlaceChildInput, now = new Date()): Promise<Placement> {
  const ctx = await loadChildContext(tx, input.childId, { excludeBookingIds: input.excludeBookingIds });
  const slot = await lockSlot(tx, input.slotId);
  if (input.fromHeldPlace) {
    if (slot.held < 1) throw new ApiError('CONFLICT', 'The held place for this offer is no longer there');
    await tx.slot.update({ where: { id: slot.id }, data: { held: { decrement: 1 } } });
    slot.held -= 1;
  }
  const { refusals, warnings } = evaluatePlacement(ctx, slot, now);
  if (refusals.length) throw refusedError(refusals, warnings);
  let booking: Booking;
  try {
    booking = await tx.booking.create({
      data: {
        childId: input.childId,
        slotId: input.slotId,
        authorityId: ctx.child.authorityId,
        status: input.status ?? 'CONFIRMED',
        source: input.source,
        startsAt: slot.startsAt,
        endsAt: slot.endsAt,
        nights: nightsOf({ start: slot.startsAt, end: slot.endsAt }),
        requestId: input.requestId ?? null,
        roundId: input.roundId ?? null,
        replacesBookingId: input.replacesBookingId ?? null,
      },
    });
  } catch (err) {
    if (isCapacityViolation(err)) throw refusedError([{ reason: 'SLOT_FULL', detail: 'The slot has no free place' }]);
    if (isOverlapViolation(err)) throw refusedError([{ reason: 'OVERLAPPING_BOOKING', detail: 'The child already has a booking at that time' }]);
    throw err;
  }
  await audit(tx, actor, {
    action: input.auditAction ?? 'booking.created',
    entityType: 'Booking',
    entityId: booking.id,
    bookingId: booking.id,
    authorityId: booking.authorityId,
    after: { status: booking.status, source: booking.source, slotId: booking.slotId, childId: booking.childId, warnings },
  });
  return { booking, warnings };
}
