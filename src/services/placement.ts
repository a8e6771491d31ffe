/**
 * Loading what the pure eligibility rules need (src/domain/eligibility.ts) from
 * the database, and the one transaction step that books a child into a slot.
 * Every path that creates a booking — direct booking, waitlist offers, swaps,
 * allocation rounds, re-homing — goes through `placeChild`, so the hard
 * constraints are checked the same way everywhere and held by PostgreSQL
 * (slot CHECK, overlap EXCLUDE) even if two processes race.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Booking, BookingSource, BookingStatus } from '../generated/prisma/client.js';
import type { CareNeed } from '../domain/care-needs.js';
import { checkPlacement, nightsOf, type EligibilityResult, type LimitWarning, type Refusal } from '../domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo } from '../domain/model.js';
import { ApiError, notFound } from '../http/problem.js';
import { audit, type Actor } from './audit.js';
import { isCapacityViolation, isOverlapViolation } from './db-errors.js';

export const slotWithProvider = {
  provider: { select: { id: true, kind: true, status: true, closingFrom: true, name: true } },
  carer: { include: { training: true } },
} satisfies Prisma.SlotInclude;

export type SlotWithProvider = Prisma.SlotGetPayload<{ include: typeof slotWithProvider }>;

/** What placement needs of a slot; both a Prisma row with `slotWithProvider` and lockSlot's raw row fit it. */
export interface SlotForPlacement {
  id: string;
  providerId: string;
  localDate: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
  held: number;
  capabilities: string[];
  reservedForAuthorityId: string | null;
  status: 'ACTIVE' | 'WITHDRAWN';
  provider: { id: string; kind: 'RESIDENTIAL' | 'COMMUNITY' | 'FAMILY_BASED'; status: 'ACTIVE' | 'CLOSING' | 'CLOSED'; closingFrom: Date | null; name: string };
  carer: { training: { need: string; completedOn: Date; expiresOn: Date }[] } | null;
}

export function toSlotInfo(slot: SlotForPlacement): SlotInfo {
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
  // One round trip on the hottest path: the child (locked), its live stays and its awards.
  const lock = options.lock === false ? Prisma.empty : Prisma.sql`FOR UPDATE OF c`;
  const rows = await tx.$queryRaw<ChildRow[]>`
    SELECT c.id, c."authorityId", c."familyId", c.needs::text[] AS needs,
      (SELECT COALESCE(json_agg(json_build_object('id', b.id, 'slotId', b."slotId", 'providerId', s."providerId", 'start', b."startsAt", 'end', b."endsAt")), '[]'::json)
         FROM booking b JOIN slot s ON s.id = b."slotId"
        WHERE b."childId" = c.id AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW')) AS stays,
      (SELECT COALESCE(json_agg(json_build_object('childId', e."childId", 'periodStart', e."periodStart", 'periodEnd', e."periodEnd", 'nights', e.nights, 'daySessions', e."daySessions")), '[]'::json)
         FROM entitlement e WHERE e."childId" = c.id) AS entitlements
    FROM child c WHERE c.id = ${childId} ${lock}`;
  const child = rows[0];
  if (!child) throw notFound('Child');
  const exclude = options.excludeBookingIds ?? [];
  return {
    child: { id: child.id, authorityId: child.authorityId, familyId: child.familyId, needs: child.needs as CareNeed[] },
    stays: child.stays
      .filter((b) => !exclude.includes(b.id))
      .map((b) => ({ slotId: b.slotId, providerId: b.providerId, start: new Date(b.start), end: new Date(b.end) })),
    entitlements: child.entitlements.map(toEntitlementInfo),
  };
}

interface ChildRow {
  id: string;
  authorityId: string;
  familyId: string;
  needs: string[];
  stays: { id: string; slotId: string; providerId: string; start: string; end: string }[];
  entitlements: { childId: string; periodStart: string; periodEnd: string; nights: number; daySessions: number }[];
}

interface LockedSlotRow extends Omit<SlotForPlacement, 'provider' | 'carer'> {
  carerId: string | null;
  providerKind: SlotForPlacement['provider']['kind'];
  providerStatus: SlotForPlacement['provider']['status'];
  closingFrom: Date | null;
  providerName: string;
  training: { need: string; completedOn: string; expiresOn: string }[];
}

/** Lock a slot row (the lock every booking of it queues on) and load what placement needs. */
export async function lockSlot(tx: Tx, slotId: string): Promise<SlotForPlacement> {
  const rows = await tx.$queryRaw<LockedSlotRow[]>`
    SELECT s.id, s."providerId", s."localDate", s."startsAt", s."endsAt", s.capacity, s.booked, s.held,
           s.capabilities::text[] AS capabilities, s."reservedForAuthorityId", s.status::text AS status, s."carerId",
           p.kind::text AS "providerKind", p.status::text AS "providerStatus", p."closingFrom", p.name AS "providerName",
           (SELECT COALESCE(json_agg(json_build_object('need', t.need, 'completedOn', t."completedOn", 'expiresOn', t."expiresOn")), '[]'::json)
              FROM training_record t WHERE t."carerId" = s."carerId") AS training
    FROM slot s JOIN provider p ON p.id = s."providerId"
    WHERE s.id = ${slotId}
    FOR UPDATE OF s`;
  const row = rows[0];
  if (!row) throw notFound('Slot');
  const training = row.carerId ? row.training.map((t) => ({ need: t.need, completedOn: new Date(t.completedOn), expiresOn: new Date(t.expiresOn) })) : null;
  return {
    id: row.id,
    providerId: row.providerId,
    localDate: row.localDate,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    capacity: row.capacity,
    booked: row.booked,
    held: row.held,
    capabilities: row.capabilities,
    reservedForAuthorityId: row.reservedForAuthorityId,
    status: row.status,
    provider: { id: row.providerId, kind: row.providerKind, status: row.providerStatus, closingFrom: row.closingFrom, name: row.providerName },
    carer: training ? { training } : null,
  };
}

export type PlacementRefusal = Refusal | { reason: 'SLOT_WITHDRAWN' | 'SLOT_IN_PAST' | 'PROVIDER_CLOSING'; detail: string };

/** Refusals that come from the slot's state rather than the child. */
function slotStateRefusals(slot: SlotForPlacement, now: Date): PlacementRefusal[] {
  const out: PlacementRefusal[] = [];
  if (slot.status !== 'ACTIVE') out.push({ reason: 'SLOT_WITHDRAWN', detail: 'The provider no longer offers this slot' });
  if (slot.startsAt <= now) out.push({ reason: 'SLOT_IN_PAST', detail: 'This break has already started' });
  const closing = slot.provider.status === 'CLOSED' || (slot.provider.closingFrom !== null && slot.startsAt >= slot.provider.closingFrom);
  if (closing) out.push({ reason: 'PROVIDER_CLOSING', detail: `${slot.provider.name} is closing and takes no bookings from this date` });
  return out;
}

export function evaluatePlacement(ctx: ChildContext, slot: SlotForPlacement, now = new Date()): { refusals: PlacementRefusal[]; warnings: LimitWarning[] } {
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
  /** Checked as soon as the child is loaded, before anything else: may this caller book this child? */
  authorise?: (child: ChildContext['child']) => void;
  auditAction?: string;
}

export interface Placement {
  booking: Booking;
  slot: SlotForPlacement;
  warnings: LimitWarning[];
}

/**
 * Book a child inside the caller's transaction. Locks child then slot (always in
 * that order, so concurrent bookings cannot deadlock), checks every rule, then
 * inserts; the database constraints are the last word if anything raced.
 */
export async function placeChild(tx: Tx, actor: Actor, input: PlaceChildInput, now = new Date()): Promise<Placement> {
  const ctx = await loadChildContext(tx, input.childId, { excludeBookingIds: input.excludeBookingIds });
  input.authorise?.(ctx.child);
  const slot = await lockSlot(tx, input.slotId);
  if (input.fromHeldPlace) {
    if (slot.held < 1) throw new ApiError('CONFLICT', 'The held place for this offer is no longer there');
    await tx.$executeRaw`UPDATE slot SET held = held - 1 WHERE id = ${slot.id}`;
    slot.held -= 1;
  }
  const { refusals, warnings } = evaluatePlacement(ctx, slot, now);
  if (refusals.length) throw refusedError(refusals, warnings);
  let booking: Booking;
  try {
    const rows = await tx.$queryRaw<Booking[]>`
      INSERT INTO booking (id, "childId", "slotId", "authorityId", status, source, "startsAt", "endsAt", nights,
                           "requestId", "roundId", "replacesBookingId", "updatedAt")
      VALUES (${randomUUID()}, ${input.childId}, ${input.slotId}, ${ctx.child.authorityId}, ${input.status ?? 'CONFIRMED'}::"BookingStatus",
              ${input.source}::"BookingSource", ${slot.startsAt}, ${slot.endsAt}, ${nightsOf({ start: slot.startsAt, end: slot.endsAt })},
              ${input.requestId ?? null}, ${input.roundId ?? null}, ${input.replacesBookingId ?? null}, now())
      RETURNING *`;
    booking = rows[0]!;
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
  return { booking, slot, warnings };
}
