/**
 * The waitlist: children waiting for a full slot. When a place is freed
 * (cancellation, swap, re-homing) a job offers it to the first eligible child
 * in rotation order, holding the place (slot.held) until the family accepts,
 * declines or the offer expires — then it passes on.
 */
import { config } from '../config.js';
import { db, type Tx } from '../db.js';
import type { Prisma, WaitlistEntry } from '../generated/prisma/client.js';
import { isClosedFrom, isSuspendedFor } from '../domain/provider-closing.js';
import { waitlistOrder } from '../domain/waitlist.js';
import { ApiError, notFound } from '../errors.js';
import { flushOutboxSoon, recordJob } from '../jobs/outbox.js';
import { childScope, requireRole, type Principal } from './access.js';
import { audit, type Actor } from './audit.js';
import { notify } from './notifications.js';
import { offerFacts } from './notification-facts.js';
import { evaluatePlacement, loadChildContext, lockSlot, placeChild, providerSuspensions } from './placement.js';
import { iso, isoOrNull } from './serialize.js';
import { seatOnPlannedRuns } from './transport-seats.js';
import { transaction } from './tx.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';
import { OutcomeDetailColumn, OutcomeTransportColumn } from '../schemas/json-columns.js';

const SYSTEM: Actor = { role: 'SYSTEM', job: 'waitlist' };

export function entryView(e: WaitlistEntry, position: number | null) {
  return {
    id: e.id,
    childId: e.childId,
    slotId: e.slotId,
    requestId: e.requestId,
    status: e.status,
    rehoming: e.rehoming,
    position,
    offeredAt: isoOrNull(e.offeredAt),
    offerExpiresAt: isoOrNull(e.offerExpiresAt),
    bookingId: e.bookingId,
    createdAt: iso(e.createdAt),
  };
}

async function creditsFor(tx: Tx | ReturnType<typeof db>, childIds: string[]): Promise<Map<string, number>> {
  const rows = await tx.allocationCredit.findMany({ where: { childId: { in: childIds } } });
  return new Map(rows.map((r) => [r.childId, r.credit]));
}

/** Waiting entries of a slot in offer order. */
async function orderedWaiting(tx: Tx | ReturnType<typeof db>, slotId: string) {
  const waiting = await tx.waitlistEntry.findMany({ where: { slotId, status: 'WAITING' } });
  return waitlistOrder(waiting, await creditsFor(tx, waiting.map((w) => w.childId)), slotId);
}

/** Put a child on a slot's waitlist (inside a caller's transaction: re-homing uses this too). */
export async function addToWaitlist(tx: Tx, actor: Actor, input: { childId: string; slotId: string; authorityId: string; requestId?: string | null; rehoming?: boolean }) {
  const entry = await tx.waitlistEntry.upsert({
    where: { childId_slotId: { childId: input.childId, slotId: input.slotId } },
    create: { childId: input.childId, slotId: input.slotId, authorityId: input.authorityId, requestId: input.requestId ?? null, rehoming: input.rehoming ?? false },
    update: { status: 'WAITING', rehoming: input.rehoming ?? false, offeredAt: null, offerExpiresAt: null },
  });
  await audit(tx, actor, { action: 'waitlist.joined', entityType: 'WaitlistEntry', entityId: entry.id, authorityId: input.authorityId });
  // If a place is free right now the promotion job offers it at once.
  await recordJob(tx, 'promoteWaitlist', { slotId: input.slotId, reason: `joined-${entry.id}-${Date.now()}` });
  return entry;
}

export async function joinWaitlist(principal: Principal, input: { childId: string; slotId: string; requestId?: string }) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const entry = await transaction(async (tx) => {
    const child = await tx.child.findFirst({ where: { AND: [{ id: input.childId }, childScope(principal)] } });
    if (!child) throw notFound('Child');
    const slot = await tx.slot.findUnique({ where: { id: input.slotId }, include: { provider: { select: { name: true, status: true, closingFrom: true, closures: providerSuspensions } } } });
    if (!slot || slot.status !== 'ACTIVE' || (slot.reservedForAuthorityId && slot.reservedForAuthorityId !== child.authorityId)) throw notFound('Slot');
    if (slot.startsAt <= new Date()) throw new ApiError('CONFLICT', 'This break has already started');
    // Waiting for a place at a closing home would strand the family: its places never free up.
    if (isClosedFrom(slot.provider, slot.startsAt)) throw new ApiError('CONFLICT', `${slot.provider.name} is closing and takes no bookings from this date`);
    if (isSuspendedFor(slot.provider, slot.startsAt, child.authorityId)) throw new ApiError('CONFLICT', `The child's authority has suspended its placements at ${slot.provider.name} from this date`);
    const existing = await tx.waitlistEntry.findUnique({ where: { childId_slotId: { childId: child.id, slotId: slot.id } } });
    if (existing && (existing.status === 'WAITING' || existing.status === 'OFFERED')) throw new ApiError('CONFLICT', 'The child is already on this waitlist');
    // Waiting for a place the child already holds would only ever be skipped by promotion; say so now.
    if (await tx.booking.count({ where: { childId: child.id, slotId: slot.id, status: { in: [...LIVE_BOOKING_STATUSES] } } })) {
      throw new ApiError('CONFLICT', 'The child is already booked into this break');
    }
    return addToWaitlist(tx, principal, { childId: child.id, slotId: slot.id, authorityId: child.authorityId, requestId: input.requestId });
  });
  flushOutboxSoon();
  return entryView(entry, null);
}

export async function listWaitlist(principal: Principal, q: { childId?: string; slotId?: string }) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const entries = await db().waitlistEntry.findMany({
    where: { AND: [{ child: childScope(principal) }, q.childId ? { childId: q.childId } : {}, q.slotId ? { slotId: q.slotId } : {}, { status: { in: ['WAITING', 'OFFERED'] } }] },
    orderBy: { createdAt: 'asc' },
    take: 500,
  });
  const positions = new Map<string, number>();
  for (const slotId of new Set(entries.map((e) => e.slotId))) {
    (await orderedWaiting(db(), slotId)).forEach((e, i) => positions.set(e.id, i + 1));
  }
  const [slots, outcomes] = await Promise.all([
    db().slot.findMany({ where: { id: { in: entries.map((e) => e.slotId) } }, select: { id: true, localDate: true, startsAt: true, endsAt: true, provider: { select: { id: true, name: true, addressLine: true, postcode: true } } } }),
    db().rehomingOutcome.findMany({ where: { waitlistEntryId: { in: entries.filter((e) => e.rehoming).map((e) => e.id) } }, orderBy: { createdAt: 'asc' } }),
  ]);
  const slotOf = new Map(slots.map((s) => [s.id, s]));
  // The latest outcome naming an entry is the plan that made the offer (earlier ones were handed on to it).
  const offerOf = new Map(outcomes.map((o) => [o.waitlistEntryId!, o]));
  return entries.map((e) => {
    const slot = slotOf.get(e.slotId);
    const o = offerOf.get(e.id);
    const detail = o ? OutcomeDetailColumn.parse(o.detail) : null;
    const transport = o ? OutcomeTransportColumn.parse(o.transport) : null;
    return {
      ...entryView(e, e.status === 'WAITING' ? (positions.get(e.id) ?? null) : null),
      place: slot ? { providerId: slot.provider.id, providerName: slot.provider.name, addressLine: slot.provider.addressLine, postcode: slot.provider.postcode, localDate: slot.localDate, startsAt: iso(slot.startsAt), endsAt: iso(slot.endsAt) } : null,
      rehomingOffer: o
        ? {
            closureId: o.closureId,
            reason: o.reason,
            dayShift: detail && 'dayShift' in detail ? detail.dayShift : null,
            travelMinutes: detail && 'travelMinutes' in detail ? detail.travelMinutes : null,
            transport: !transport ? 'Not needed: the family brings the child' : 'unmet' in transport ? `Not arranged: ${transport.unmet}` : 'Specialist transport arranged both ways',
          }
        : null,
    };
  });
}

/**
 * Offer every free place of a slot to the next eligible waiting children. Runs
 * in the waitlist worker; safe to run twice (it only acts on free places and
 * WAITING entries it finds under the slot lock).
 */
export async function promoteWaitlist(slotId: string, now = new Date()): Promise<string[]> {
  const offered = await transaction(async (tx) => {
    const slot = await lockSlot(tx, slotId);
    let free = slot.capacity - slot.booked - slot.held;
    if (free <= 0 || slot.status !== 'ACTIVE' || slot.startsAt <= now) return [];
    const ids: string[] = [];
    for (const entry of await orderedWaiting(tx, slotId)) {
      if (free <= 0) break;
      // Read without locking the child: acceptance re-checks everything under locks.
      const ctx = await loadChildContext(tx, entry.childId, { lock: false });
      const { refusals } = evaluatePlacement(ctx, slot, now);
      if (refusals.length) continue;
      const ttl = config().OFFER_TTL_HOURS * 3600_000;
      // An offer never outlives the break itself.
      const expiresAt = new Date(Math.min(now.getTime() + ttl, slot.startsAt.getTime()));
      await tx.waitlistEntry.update({ where: { id: entry.id }, data: { status: 'OFFERED', offeredAt: now, offerExpiresAt: expiresAt } });
      await tx.slot.update({ where: { id: slotId }, data: { held: { increment: 1 } } });
      slot.held += 1;
      free -= 1;
      await recordJob(tx, 'expireOffer', { entryId: entry.id }, { delayUntil: expiresAt });
      await notify(tx, {
        kind: 'PLACE_OFFERED',
        dedupeKey: `offer-${entry.id}-${now.getTime()}`,
        recipientRole: 'FAMILY',
        recipientId: ctx.child.familyId,
        fields: await offerFacts(tx, entry.childId, slotId, expiresAt),
        link: '/family#offers',
        payload: { entryId: entry.id, slotId },
      });
      await audit(tx, SYSTEM, { action: 'waitlist.offered', entityType: 'WaitlistEntry', entityId: entry.id, authorityId: entry.authorityId, after: { expiresAt: iso(expiresAt) } });
      ids.push(entry.id);
    }
    return ids;
  });
  if (offered.length) flushOutboxSoon();
  return offered;
}

async function lockEntry(tx: Tx, entryId: string, principal: Principal | null): Promise<WaitlistEntry> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM waitlist_entry WHERE id = ${entryId} FOR UPDATE`;
  const where: Prisma.WaitlistEntryWhereInput = principal ? { AND: [{ id: entryId }, { child: childScope(principal) }] } : { id: entryId };
  const entry = locked.length ? await tx.waitlistEntry.findFirst({ where }) : null;
  if (!entry) throw notFound('Waitlist entry');
  return entry;
}

/** Give back a held place and pass it on. */
async function releaseOffer(tx: Tx, actor: Actor, entry: WaitlistEntry, status: 'DECLINED' | 'EXPIRED' | 'WITHDRAWN') {
  await tx.waitlistEntry.update({ where: { id: entry.id }, data: { status } });
  await tx.slot.update({ where: { id: entry.slotId }, data: { held: { decrement: 1 } } });
  await audit(tx, actor, { action: `waitlist.${status.toLowerCase()}`, entityType: 'WaitlistEntry', entityId: entry.id, authorityId: entry.authorityId });
  await recordJob(tx, 'promoteWaitlist', { slotId: entry.slotId, reason: `${status.toLowerCase()}-${entry.id}` });
}

export async function acceptOffer(principal: Principal, entryId: string) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const now = new Date();
  const result = await transaction(async (tx) => {
    const entry = await lockEntry(tx, entryId, principal);
    if (entry.status !== 'OFFERED') throw new ApiError('CONFLICT', `There is no open offer (the entry is ${entry.status.toLowerCase()})`);
    if (entry.offerExpiresAt && entry.offerExpiresAt <= now) throw new ApiError('CONFLICT', 'This offer has expired');
    // A re-homing offer replaces the booking lost to the closure: link them, as a direct move does.
    const replaces = entry.rehoming ? await tx.rehomingOutcome.findFirst({ where: { waitlistEntryId: entry.id }, select: { bookingId: true, closureId: true, transport: true } }) : null;
    const { booking, warnings } = await placeChild(tx, principal, {
      childId: entry.childId,
      slotId: entry.slotId,
      source: entry.rehoming ? 'REHOMING' : 'MANUAL',
      requestId: entry.requestId,
      replacesBookingId: replaces?.bookingId ?? null,
      fromHeldPlace: true,
      auditAction: 'booking.created_from_waitlist',
    }, now);
    // ...and takes the seats the plan kept for the child on its transport runs.
    if (replaces) await seatOnPlannedRuns(tx, replaces.closureId, replaces.transport, booking);
    const updated = await tx.waitlistEntry.update({ where: { id: entryId }, data: { status: 'ACCEPTED', bookingId: booking.id } });
    return { entry: entryView(updated, null), bookingId: booking.id, warnings };
  });
  return result;
}

export async function declineOffer(principal: Principal, entryId: string) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const entry = await transaction(async (tx) => {
    const entry = await lockEntry(tx, entryId, principal);
    if (entry.status === 'OFFERED') await releaseOffer(tx, principal, entry, 'DECLINED');
    else if (entry.status === 'WAITING') await tx.waitlistEntry.update({ where: { id: entryId }, data: { status: 'WITHDRAWN' } });
    else throw new ApiError('CONFLICT', `The entry is already ${entry.status.toLowerCase()}`);
    return tx.waitlistEntry.findUniqueOrThrow({ where: { id: entryId } });
  });
  flushOutboxSoon();
  return entryView(entry, null);
}

/** The expiry job: an unanswered offer passes on. Harmless if the family answered first. */
export async function expireOffer(entryId: string, now = new Date()): Promise<'EXPIRED' | 'NOT_DUE' | 'ALREADY_CLOSED'> {
  const outcome = await transaction(async (tx) => {
    const entry = await lockEntry(tx, entryId, null);
    if (entry.status !== 'OFFERED') return 'ALREADY_CLOSED' as const;
    if (entry.offerExpiresAt && entry.offerExpiresAt > now) return 'NOT_DUE' as const;
    await releaseOffer(tx, SYSTEM, entry, 'EXPIRED');
    return 'EXPIRED' as const;
  });
  if (outcome === 'EXPIRED') flushOutboxSoon();
  return outcome;
}
