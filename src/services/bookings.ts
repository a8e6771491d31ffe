/** Direct bookings: create, cancel, list, read with history. */
import { AuditValueColumn, FundingSplitColumn } from '../schemas/json-columns.js';
import { db, type Tx } from '../db.js';
import { Prisma, type Booking } from '../generated/prisma/client.js';
import { londonWallTimeToInstant, addDays } from '../domain/london-time.js';
import { ApiError, invalid, notFound } from '../errors.js';
import { flushOutboxSoon, recordJob } from '../jobs/outbox.js';
import type { BookingQueryInput, CreateBookingInput, RecordAttendanceInput, RecordAttendanceManyInput } from '../schemas/bookings.js';
import { notify } from './notifications.js';
import { notifyBookingCancelled } from './notification-triggers.js';
import { dayAndTimeText } from '../domain/notification-text.js';
import { bookingScope, requireRole, type Principal } from './access.js';
import { audit, type Actor } from './audit.js';
import { placeChild } from './placement.js';
import { iso, isoOrNull } from './serialize.js';
import { closeSwapsInvolving } from './swaps.js';
import { sqlTransaction, transaction } from './tx.js';
import { isLiveBooking, isUpcomingBooking } from '../domain/booking-status.js';
import { paginate } from '../schemas/paging.js';

type BookingWithProvider = Booking & { slot: { providerId: string; provider: { name: string } } };
const withProvider = { slot: { select: { providerId: true, provider: { select: { name: true } } } } } as const;

export function bookingView(b: BookingWithProvider) {
  return {
    id: b.id,
    childId: b.childId,
    slotId: b.slotId,
    providerId: b.slot.providerId,
    providerName: b.slot.provider.name,
    authorityId: b.authorityId,
    status: b.status,
    source: b.source,
    startsAt: iso(b.startsAt),
    endsAt: iso(b.endsAt),
    nights: b.nights,
    requestId: b.requestId,
    roundId: b.roundId,
    replacesBookingId: b.replacesBookingId,
    cancelledAt: isoOrNull(b.cancelledAt),
    // Transport staff can never cancel (access.ts refuses them every booking route), so this only narrows the type.
    cancelledByRole: b.cancelledByRole === 'TRANSPORT' || b.cancelledByRole === 'ADMIN' ? null : b.cancelledByRole,
    cancelReason: b.cancelReason,
    noShowReason: b.noShowReason,
    attendanceRecordedAt: isoOrNull(b.attendanceRecordedAt),
    pickedUpAt: isoOrNull(b.pickedUpAt),
    costPence: b.costPence,
    priceUnit: b.priceUnit,
    fundingSplit: FundingSplitColumn.parse(b.fundingSplit ?? null),
    createdAt: iso(b.createdAt),
  };
}

export async function createBooking(principal: Principal, input: CreateBookingInput) {
  requireRole(principal, 'COORDINATOR');
  // The hottest transaction: on one pool connection with prepared statements (src/db.ts SqlTx), not through the ORM.
  const { booking, slot, warnings } = await sqlTransaction(async (tx) => {
    if (input.requestId) {
      const request = await tx.rows('booking-request-of-child', Prisma.sql`SELECT 1 FROM break_request WHERE id = ${input.requestId} AND "childId" = ${input.childId}`);
      if (!request.length) throw new ApiError('UNPROCESSABLE', 'requestId is not a request for this child');
    }
    return placeChild(tx, principal, {
      childId: input.childId,
      slotId: input.slotId,
      source: 'MANUAL',
      requestId: input.requestId ?? null,
      // Another authority's child is reported as not found, before any rule is checked.
      authorise: (child) => {
        if (child.authorityId !== principal.authorityId) throw notFound('Child');
      },
    });
  });
  return { ...bookingView({ ...booking, slot: { providerId: slot.providerId, provider: { name: slot.provider.name } } }), warnings };
}

/**
 * Free a booking's place inside a transaction: status CANCELLED (history kept),
 * open swaps on it closed, and the freed place offered to the waitlist by a job
 * recorded in the same transaction.
 */
export async function releaseBooking(
  tx: Tx,
  actor: Actor,
  booking: Booking,
  change: { status: 'CANCELLED' | 'REHOMED'; reason: string; cancelledByRole?: 'COORDINATOR' | 'PROVIDER' | 'FAMILY' | null },
): Promise<Booking> {
  const after = await tx.booking.update({
    where: { id: booking.id },
    data: { status: change.status, cancelledAt: new Date(), cancelReason: change.reason, cancelledByRole: change.cancelledByRole ?? null },
  });
  await audit(tx, actor, {
    action: change.status === 'CANCELLED' ? 'booking.cancelled' : 'booking.rehomed',
    entityType: 'Booking',
    entityId: booking.id,
    bookingId: booking.id,
    authorityId: booking.authorityId,
    before: { status: booking.status },
    after: { status: after.status, reason: change.reason },
  });
  await closeSwapsInvolving(tx, booking.id, 'SUPERSEDED', `Booking ${booking.id} was ${change.status.toLowerCase()}`);
  await recordJob(tx, 'promoteWaitlist', { slotId: booking.slotId, reason: `freed-${booking.id}` });
  return after;
}

export async function cancelBooking(principal: Principal, bookingId: string, reason: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER', 'FAMILY');
  const booking = await transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM booking WHERE id = ${bookingId} FOR UPDATE`;
    const before = locked.length ? await tx.booking.findFirst({ where: { AND: [{ id: bookingId }, bookingScope(principal)] } }) : null;
    if (!before) throw notFound('Booking');
    if (!isUpcomingBooking(before.status)) {
      throw new ApiError('CONFLICT', `A ${before.status.toLowerCase()} booking cannot be cancelled`);
    }
    if (before.startsAt <= new Date() && principal.role === 'FAMILY') {
      throw new ApiError('CONFLICT', 'This break has started; ask your coordinator or the provider');
    }
    await releaseBooking(tx, principal, before, { status: 'CANCELLED', reason, cancelledByRole: principal.role });
    await notifyBookingCancelled(tx, bookingId, principal.role, reason);
    return tx.booking.findUniqueOrThrow({ where: { id: bookingId }, include: withProvider });
  });
  flushOutboxSoon();
  return bookingView(booking);
}

export async function listBookings(principal: Principal, q: BookingQueryInput) {
  const where: Prisma.BookingWhereInput = {
    AND: [
      bookingScope(principal),
      q.childId ? { childId: q.childId } : {},
      q.slotId ? { slotId: q.slotId } : {},
      q.providerId ? { slot: { providerId: q.providerId } } : {},
      q.status ? { status: q.status } : {},
      q.from ? { startsAt: { gte: londonWallTimeToInstant(q.from, '00:00') } } : {},
      q.to ? { startsAt: { lt: londonWallTimeToInstant(addDays(q.to, 1), '00:00') } } : {},
      q.cursor ? { id: { gt: q.cursor } } : {},
    ],
  };
  const rows = await db().booking.findMany({ where, include: withProvider, orderBy: { id: 'asc' }, take: q.limit + 1 });
  return paginate(rows, q.limit, bookingView);
}

export async function getBooking(principal: Principal, bookingId: string) {
  const booking = await db().booking.findFirst({ where: { AND: [{ id: bookingId }, bookingScope(principal)] }, include: withProvider });
  if (!booking) throw notFound('Booking');
  const history = await db().auditEvent.findMany({ where: { bookingId }, orderBy: { at: 'asc' } });
  return {
    ...bookingView(booking),
    history: history.map((h) => ({ id: h.id, at: iso(h.at), actorRole: h.actorRole, actorId: h.actorId, action: h.action, before: AuditValueColumn.parse(h.before), after: AuditValueColumn.parse(h.after) })),
  };
}

/**
 * Providers record whether a break happened: a no-show once it has started,
 * attended once it has ended (or earlier, as an early pick-up with its time);
 * corrections are allowed and each one is an audit event, so history is kept.
 * A provider cancelling on the day counts as not delivered and is flagged to
 * the coordinators of the child's authority.
 */
export async function recordAttendance(principal: Principal, bookingId: string, input: RecordAttendanceInput) {
  requireRole(principal, 'PROVIDER', 'COORDINATOR');
  const booking = await transaction((tx) => recordAttendanceIn(tx, principal, bookingId, input, new Date()));
  return bookingView(booking);
}

/**
 * Several breaks' attendance in one transaction, as a provider records a morning's from one table: every
 * record is checked as recordAttendance checks one, and a refusal of any (named by its child and date) records none.
 */
export async function recordAttendanceForMany(principal: Principal, input: RecordAttendanceManyInput) {
  requireRole(principal, 'PROVIDER', 'COORDINATOR');
  const now = new Date();
  const booked = await transaction(async (tx) => {
    const out = new Map<string, Awaited<ReturnType<typeof recordAttendanceIn>>>();
    // Locked in one order, so two people recording overlapping mornings wait for each other instead of deadlocking.
    for (const { bookingId, ...record } of [...input.records].sort((a, b) => a.bookingId.localeCompare(b.bookingId))) {
      try {
        out.set(bookingId, await recordAttendanceIn(tx, principal, bookingId, record, now));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        const b = await tx.booking.findFirst({ where: { AND: [{ id: bookingId }, bookingScope(principal)] }, select: { startsAt: true, child: { select: { firstName: true, lastName: true } } } });
        const which = b ? `${b.child.firstName} ${b.child.lastName}, ${dayAndTimeText(b.startsAt)}` : `Booking ${bookingId}`;
        throw new ApiError(err.code, `${which}: ${err.detail} (nothing was recorded)`, { ...err.extensions, bookingId });
      }
    }
    return out;
  });
  return { records: input.records.map((r) => bookingView(booked.get(r.bookingId)!)) };
}

async function recordAttendanceIn(tx: Tx, principal: Principal, bookingId: string, input: RecordAttendanceInput, now: Date) {
  await tx.$queryRaw`SELECT id FROM booking WHERE id = ${bookingId} FOR UPDATE`;
  const before = await tx.booking.findFirst({ where: { AND: [{ id: bookingId }, bookingScope(principal)] }, include: { child: true } });
  if (!before) throw notFound('Booking');
  if (!isLiveBooking(before.status)) {
    throw new ApiError('CONFLICT', `Attendance cannot be recorded for a ${before.status.toLowerCase()} booking`);
  }
  if (before.startsAt > now) throw new ApiError('CONFLICT', 'Attendance can be recorded once the break has started');
  const pickedUpAt = input.pickedUpAt ? new Date(input.pickedUpAt) : null;
  // "Attended" means the whole break happened, so it waits for the end; a child collected early is attended with the time they left.
  if (pickedUpAt && (pickedUpAt < before.startsAt || pickedUpAt >= before.endsAt || pickedUpAt > now)) {
    throw invalid([{ path: 'body.pickedUpAt', message: 'the pick-up time must be during the break and not in the future' }], 'That pick-up time is not during the break');
  }
  if (input.status === 'ATTENDED' && !pickedUpAt && before.endsAt > now) {
    throw new ApiError('CONFLICT', 'The break has not ended yet: record attendance once it has, or record an early pick-up with its time');
  }
  const after = await tx.booking.update({
    where: { id: bookingId },
    data: { status: input.status, noShowReason: input.status === 'NO_SHOW' ? input.reason! : null, pickedUpAt, attendanceRecordedAt: now },
  });
  await audit(tx, principal, {
    action: before.attendanceRecordedAt ? 'booking.attendance_corrected' : 'booking.attendance_recorded',
    entityType: 'Booking',
    entityId: bookingId,
    bookingId,
    authorityId: before.authorityId,
    before: { status: before.status, noShowReason: before.noShowReason },
    after: { status: after.status, noShowReason: after.noShowReason, pickedUpAt: isoOrNull(after.pickedUpAt), note: input.note ?? null },
  });
  if (input.reason === 'PROVIDER_CANCELLED_ON_THE_DAY') {
    await notify(tx, {
      kind: 'BREAK_NOT_DELIVERED',
      dedupeKey: `provider-cancelled-${bookingId}`,
      recipientRole: 'COORDINATOR',
      recipientId: before.authorityId,
      fields: { child_name: `${before.child.firstName} ${before.child.lastName}`, break_date: dayAndTimeText(before.startsAt) },
      link: '/coordinator/ledger',
      payload: { bookingId },
    });
  }
  return tx.booking.findUniqueOrThrow({ where: { id: bookingId }, include: withProvider });
}
