/**
 * Swaps: family A offers its booking for family B's; B accepts; a coordinator
 * approves when the authority requires it. Completion moves both children in
 * one transaction — both new bookings exist, or neither does.
 */
import { db, type Tx } from '../db.js';
import type { Booking, Prisma, Swap } from '../generated/prisma/client.js';
import { ApiError, notFound } from '../errors.js';
import type { CreateSwapInput } from '../schemas/swaps.js';
import { bookingScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { evaluatePlacement, loadChildContext, lockSlot, placeChild, refusedError } from './placement.js';
import { iso, isoOrNull } from './serialize.js';
import { notifySwapAnswered, notifySwapProposed } from './notification-triggers.js';
import { transaction } from './tx.js';
import { isUpcomingBooking } from '../domain/booking-status.js';
import { paginate } from '../schemas/paging.js';

const SWAP_TTL_MS = 72 * 3600 * 1000;
const OPEN: Swap['status'][] = ['PROPOSED', 'ACCEPTED'];

export function swapView(s: Swap, newBookingIds: string[] = []) {
  return {
    id: s.id,
    authorityId: s.authorityId,
    bookingAId: s.bookingAId,
    bookingBId: s.bookingBId,
    status: s.status,
    requiresApproval: s.requiresApproval,
    expiresAt: iso(s.expiresAt),
    acceptedAt: isoOrNull(s.acceptedAt),
    approvedAt: isoOrNull(s.approvedAt),
    completedAt: isoOrNull(s.completedAt),
    closedReason: s.closedReason,
    newBookingIds,
    createdAt: iso(s.createdAt),
  };
}

/** Close open swaps on a booking that was cancelled, re-homed or swapped elsewhere. */
export async function closeSwapsInvolving(tx: Tx, bookingId: string, status: 'SUPERSEDED' | 'EXPIRED', reason: string, exceptSwapId?: string) {
  await tx.swap.updateMany({
    where: { status: { in: OPEN }, OR: [{ bookingAId: bookingId }, { bookingBId: bookingId }], ...(exceptSwapId ? { id: { not: exceptSwapId } } : {}) },
    data: { status, closedReason: reason },
  });
}

const isSwappable = (b: Booking, now: Date) => isUpcomingBooking(b.status) && b.startsAt > now;

/** Both children must fit the other's slot with the bookings they give up set aside. */
async function assertSwapFeasible(tx: Tx, a: Booking, b: Booking, now: Date) {
  const ctxA = await loadChildContext(tx, a.childId, { excludeBookingIds: [a.id] });
  const ctxB = await loadChildContext(tx, b.childId, { excludeBookingIds: [b.id] });
  // Each child's own place is freed by the swap, so count the other slot as one place emptier.
  const slotB = await lockSlot(tx, b.slotId);
  const slotA = await lockSlot(tx, a.slotId);
  const forA = evaluatePlacement(ctxA, { ...slotB, booked: slotB.booked - 1 }, now);
  const forB = evaluatePlacement(ctxB, { ...slotA, booked: slotA.booked - 1 }, now);
  const refusals = [
    ...forA.refusals.map((r) => ({ ...r, detail: `Your child in the other slot: ${r.detail}` })),
    ...forB.refusals.map((r) => ({ ...r, detail: `The other child in your slot: ${r.detail}` })),
  ];
  if (refusals.length) throw refusedError(refusals);
}

async function lockBookings(tx: Tx, ids: string[]): Promise<Booking[]> {
  const sorted = [...ids].sort();
  await tx.$queryRaw`SELECT id FROM booking WHERE id = ANY(${sorted}::text[]) ORDER BY id FOR UPDATE`;
  const rows = await tx.booking.findMany({ where: { id: { in: sorted } } });
  return ids.map((id) => rows.find((r) => r.id === id)).filter((b): b is Booking => Boolean(b));
}

export async function proposeSwap(principal: Principal, input: CreateSwapInput) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const now = new Date();
  return transaction(async (tx) => {
    const [a, b] = await lockBookings(tx, [input.bookingId, input.withBookingId]);
    if (!a || !(await tx.booking.findFirst({ where: { AND: [{ id: a.id }, bookingScope(principal)] } }))) throw notFound('Booking');
    // The other family's booking is visible only as a swap target, and only within the same authority.
    if (!b || b.authorityId !== a.authorityId) throw notFound('The booking to swap with');
    const childA = await tx.child.findUniqueOrThrow({ where: { id: a.childId } });
    const childB = await tx.child.findUniqueOrThrow({ where: { id: b.childId } });
    if (childA.familyId === childB.familyId) throw new ApiError('UNPROCESSABLE', 'Both bookings belong to the same family; cancel and rebook instead');
    if (!isSwappable(a, now) || !isSwappable(b, now)) throw new ApiError('CONFLICT', 'Only confirmed or allocated future bookings can be swapped');
    await assertSwapFeasible(tx, a, b, now);
    const authority = await tx.authority.findUniqueOrThrow({ where: { id: a.authorityId } });
    const firstStart = Math.min(a.startsAt.getTime(), b.startsAt.getTime());
    const swap = await tx.swap.create({
      data: {
        authorityId: a.authorityId,
        bookingAId: a.id,
        bookingBId: b.id,
        proposedByFamily: childA.familyId,
        requiresApproval: authority.swapRequiresApproval,
        expiresAt: new Date(Math.min(now.getTime() + SWAP_TTL_MS, firstStart)),
      },
    });
    await audit(tx, principal, { action: 'swap.proposed', entityType: 'Swap', entityId: swap.id, authorityId: swap.authorityId, after: swapView(swap) });
    await notifySwapProposed(tx, swap);
    return swapView(swap);
  });
}

async function lockOpenSwap(tx: Tx, swapId: string, principal: Principal, now: Date): Promise<Swap> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM swap WHERE id = ${swapId} FOR UPDATE`;
  const swap = locked.length ? await tx.swap.findUnique({ where: { id: swapId } }) : null;
  if (!swap || !(await canSeeSwap(tx, principal, swap))) throw notFound('Swap');
  if (swap.status === 'EXPIRED' || (OPEN.includes(swap.status) && swap.expiresAt <= now)) throw new ApiError('CONFLICT', 'This swap proposal has expired');
  return swap;
}

/**
 * Close proposals whose time is up. Runs in its own statement, before an
 * action's transaction: that transaction then fails with a 409 and rolls back,
 * which would otherwise undo the EXPIRED status with it.
 */
async function expireDueSwaps(where: Prisma.SwapWhereInput, now: Date): Promise<void> {
  await db().swap.updateMany({ where: { ...where, status: { in: OPEN }, expiresAt: { lte: now } }, data: { status: 'EXPIRED', closedReason: 'Not completed before it expired' } });
}

/** Reads only, so inside a transaction or outside one. */
async function canSeeSwap(tx: Pick<Tx, 'booking'>, principal: Principal, swap: Swap): Promise<boolean> {
  if (principal.role === 'COORDINATOR') return swap.authorityId === principal.authorityId;
  if (principal.role === 'PROVIDER' || principal.role === 'TRANSPORT' || principal.role === 'ADMIN') return false;
  const own = await tx.booking.count({ where: { id: { in: [swap.bookingAId, swap.bookingBId] }, child: { familyId: principal.familyId } } });
  return own > 0;
}

/** The all-or-nothing move: both old bookings give way, both children are placed, or the transaction rolls back. */
async function completeSwap(tx: Tx, principal: Principal, swap: Swap, now: Date): Promise<string[]> {
  const [a, b] = await lockBookings(tx, [swap.bookingAId, swap.bookingBId]);
  if (!a || !b || !isSwappable(a, now) || !isSwappable(b, now)) {
    await tx.swap.update({ where: { id: swap.id }, data: { status: 'SUPERSEDED', closedReason: 'A booking changed since the swap was proposed' } });
    throw new ApiError('CONFLICT', 'One of the bookings has changed since the swap was proposed');
  }
  for (const old of [a, b]) {
    await tx.booking.update({ where: { id: old.id }, data: { status: 'CANCELLED', cancelledAt: now, cancelReason: `Swapped (swap ${swap.id})` } });
    await audit(tx, principal, { action: 'booking.swapped_out', entityType: 'Booking', entityId: old.id, bookingId: old.id, authorityId: old.authorityId, before: { status: old.status }, after: { status: 'CANCELLED', swapId: swap.id } });
    await closeSwapsInvolving(tx, old.id, 'SUPERSEDED', `Booking ${old.id} was swapped`, swap.id);
  }
  const common = { source: 'SWAP' as const, auditAction: 'booking.swapped_in' };
  const newA = await placeChild(tx, principal, { ...common, childId: a.childId, slotId: b.slotId, replacesBookingId: a.id, excludeBookingIds: [a.id] }, now);
  const newB = await placeChild(tx, principal, { ...common, childId: b.childId, slotId: a.slotId, replacesBookingId: b.id, excludeBookingIds: [b.id] }, now);
  await tx.swap.update({ where: { id: swap.id }, data: { status: 'COMPLETED', completedAt: now } });
  return [newA.booking.id, newB.booking.id];
}

export async function acceptSwap(principal: Principal, swapId: string) {
  requireRole(principal, 'FAMILY');
  const now = new Date();
  await expireDueSwaps({ id: swapId }, now);
  return transaction(async (tx) => {
    const swap = await lockOpenSwap(tx, swapId, principal, now);
    const b = await tx.booking.findUniqueOrThrow({ where: { id: swap.bookingBId }, include: { child: true } });
    if (b.child.familyId !== principal.familyId) throw new ApiError('FORBIDDEN', 'Only the family that was offered the swap can accept it');
    if (swap.status !== 'PROPOSED') throw new ApiError('CONFLICT', `This swap is ${swap.status.toLowerCase()}`);
    let updated = await tx.swap.update({ where: { id: swapId }, data: { status: 'ACCEPTED', acceptedAt: now } });
    await audit(tx, principal, { action: 'swap.accepted', entityType: 'Swap', entityId: swapId, authorityId: swap.authorityId });
    let newIds: string[] = [];
    if (!swap.requiresApproval) {
      newIds = await completeSwap(tx, principal, updated, now);
      updated = await tx.swap.findUniqueOrThrow({ where: { id: swapId } });
    }
    await notifySwapAnswered(tx, updated, updated.status === 'COMPLETED' ? 'COMPLETED' : 'ACCEPTED', principal.role);
    return swapView(updated, newIds);
  });
}

export async function approveSwap(principal: Principal, swapId: string) {
  requireRole(principal, 'COORDINATOR');
  const now = new Date();
  await expireDueSwaps({ id: swapId }, now);
  return transaction(async (tx) => {
    const swap = await lockOpenSwap(tx, swapId, principal, now);
    if (swap.status !== 'ACCEPTED') throw new ApiError('CONFLICT', swap.status === 'PROPOSED' ? 'The other family has not accepted yet' : `This swap is ${swap.status.toLowerCase()}`);
    await tx.swap.update({ where: { id: swapId }, data: { approvedAt: now } });
    const newIds = await completeSwap(tx, principal, swap, now);
    await audit(tx, principal, { action: 'swap.approved', entityType: 'Swap', entityId: swapId, authorityId: swap.authorityId });
    const completed = await tx.swap.findUniqueOrThrow({ where: { id: swapId } });
    await notifySwapAnswered(tx, completed, 'COMPLETED', principal.role);
    return swapView(completed, newIds);
  });
}

/** The offered family or a coordinator rejects; the proposing family withdraws. */
export async function closeSwap(principal: Principal, swapId: string, reason: string | undefined) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const now = new Date();
  await expireDueSwaps({ id: swapId }, now);
  return transaction(async (tx) => {
    const swap = await lockOpenSwap(tx, swapId, principal, now);
    if (!OPEN.includes(swap.status)) throw new ApiError('CONFLICT', `This swap is ${swap.status.toLowerCase()}`);
    const status = principal.role === 'FAMILY' && principal.familyId === swap.proposedByFamily ? 'WITHDRAWN' : 'REJECTED';
    const updated = await tx.swap.update({ where: { id: swapId }, data: { status, closedReason: reason ?? null } });
    await audit(tx, principal, { action: `swap.${status.toLowerCase()}`, entityType: 'Swap', entityId: swapId, authorityId: swap.authorityId });
    await notifySwapAnswered(tx, updated, status, principal.role);
    return swapView(updated);
  });
}

export async function listSwaps(principal: Principal, q: { status?: Swap['status']; limit: number; cursor?: string }) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const now = new Date();
  // Lazily close what has expired, so lists never show a dead proposal as open.
  await expireDueSwaps({}, now);
  const scope: Prisma.SwapWhereInput =
    principal.role === 'COORDINATOR'
      ? { authorityId: principal.authorityId }
      : { authorityId: principal.authorityId, OR: [{ proposedByFamily: principal.familyId }, { bookingBId: { in: (await db().booking.findMany({ where: { child: { familyId: principal.familyId } }, select: { id: true } })).map((b) => b.id) } }] };
  const rows = await db().swap.findMany({
    where: { AND: [scope, q.status ? { status: q.status } : {}, q.cursor ? { id: { gt: q.cursor } } : {}] },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
  });
  return paginate(rows, q.limit, (s) => swapView(s));
}

export async function getSwap(principal: Principal, swapId: string) {
  await expireDueSwaps({ id: swapId }, new Date());
  const swap = await db().swap.findUnique({ where: { id: swapId } });
  if (!swap || !(await canSeeSwap(db(), principal, swap))) throw notFound('Swap');
  const newIds = swap.status === 'COMPLETED'
    ? (await db().booking.findMany({ where: { replacesBookingId: { in: [swap.bookingAId, swap.bookingBId] } }, select: { id: true } })).map((b) => b.id)
    : [];
  return swapView(swap, newIds);
}
