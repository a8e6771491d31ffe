/**
 * Phase 2 of a closure: carry out each child's outcomes in one short
 * transaction, stamped `appliedAt`, through the same placeChild as any booking
 * — so a receiving slot can never overfill and nothing is moved twice — then
 * move every other waiting-list entry off the closing home. Once it has run,
 * nothing points at the home from its date (test/support/invariants.ts checks it).
 */
import { config } from '../../config.js';
import { db, type Tx } from '../../db.js';
import type { Booking, Closure, RehomingOutcome as OutcomeRow, WaitlistEntry } from '../../generated/prisma/client.js';
import { addDays, londonDateOf, londonWallTimeToInstant } from '../../domain/london-time.js';
import type { StayInfo } from '../../domain/model.js';
import { recordJob } from '../../jobs/outbox.js';
import { logger } from '../../logger.js';
import { audit } from '../audit.js';
import { releaseBooking } from '../bookings.js';
import { notify } from '../notifications.js';
import { notifyClosureLeftWaiting, REHOMING_OUTCOME_WORDS } from '../notification-triggers.js';
import { dayText } from '../../domain/notification-text.js';
import { evaluatePlacement, loadChildContext, lockSlot, placeChild, slotUpgrades, slotWithProvider, type SlotForPlacement } from '../placement.js';
import { seatOnPlannedRuns } from '../transport-seats.js';
import { transaction } from '../tx.js';
import { addToWaitlist } from '../waitlist.js';
import { planOnce } from './plan.js';
import { lockLiveBooking, WORKER } from './shared.js';
import { closureView } from './view.js';
import { ClosureSummaryColumn, OutcomeDetailColumn, toJson } from '../../schemas/json-columns.js';

/**
 * Put a child on the waiting list — ahead of ordinary requests — for every
 * place on a London date that would fit but for being full. A place the child
 * already waits for, or holds an offer of (e.g. from another closure), is left
 * as it is. Returns how many places the child now waits for.
 */
async function waitForSameDayPlaces(tx: Tx, childId: string, authorityId: string, date: Date): Promise<number> {
  const ctx = await loadChildContext(tx, childId, { lock: false });
  const sameDay = await tx.slot.findMany({
    where: { status: 'ACTIVE', startsAt: { gte: londonWallTimeToInstant(londonDateOf(date), '00:00'), lt: londonWallTimeToInstant(addDays(londonDateOf(date), 1), '00:00') }, provider: { status: 'ACTIVE' } },
    include: slotWithProvider,
  });
  const open = new Set(
    (await tx.waitlistEntry.findMany({ where: { childId, slotId: { in: sameDay.map((s) => s.id) }, status: { in: ['WAITING', 'OFFERED'] } }, select: { slotId: true } })).map((e) => e.slotId),
  );
  // A place that meets the child's need through a home upgrade counts too.
  const upgrades = await slotUpgrades(tx, sameDay.map((s) => s.id), childId);
  let waiting = 0;
  for (const slot of sameDay) {
    if (open.has(slot.id)) continue;
    const { refusals } = evaluatePlacement(ctx, { ...slot, upgrades: upgrades.get(slot.id) });
    if (refusals.length > 0 && refusals.every((r) => r.reason === 'SLOT_FULL')) {
      await addToWaitlist(tx, WORKER, { childId, slotId: slot.id, authorityId, rehoming: true });
      waiting++;
    }
  }
  return waiting;
}

/** No place could be kept: the old booking ends (unless the caller already ended it), and the child waits for same-day places that would fit. */
export async function waitlistChild(tx: Tx, outcome: OutcomeRow, old: Booking, reason: string, options: { released?: boolean; date?: Date } = {}) {
  if (!options.released) await releaseBooking(tx, WORKER, old, { status: 'CANCELLED', reason: `Provider closing: ${reason}` });
  const waiting = await waitForSameDayPlaces(tx, old.childId, old.authorityId, options.date ?? old.startsAt);
  await tx.rehomingOutcome.update({
    where: { id: outcome.id },
    data: { outcome: 'WAITLISTED', reason: waiting ? `${reason} Waiting first in line for ${waiting} full place(s) that day.` : reason, appliedAt: new Date() },
  });
}

/** A booking the child lost earlier, released by an earlier closure, is marked re-homed once a new place replaces it. */
export async function markRehomed(tx: Tx, bookingId: string) {
  const { count } = await tx.booking.updateMany({ where: { id: bookingId, status: 'CANCELLED' }, data: { status: 'REHOMED' } });
  if (count) await audit(tx, WORKER, { action: 'booking.rehomed', entityType: 'Booking', entityId: bookingId, bookingId, before: { status: 'CANCELLED' }, after: { status: 'REHOMED' } });
}

/**
 * Take over an offer or training hold an earlier closure made at this
 * closure's home: give its place back and hand the earlier outcome on to this
 * one. False when it had already ended (the family answered, or it expired),
 * so there is nothing left to re-plan.
 */
async function takeOverEarlier(tx: Tx, outcome: OutcomeRow): Promise<boolean> {
  const earlierId = outcome.fromOutcomeId!;
  await tx.$queryRaw`SELECT id FROM rehoming_outcome WHERE id = ${earlierId} FOR UPDATE`;
  const earlier = await tx.rehomingOutcome.findUniqueOrThrow({ where: { id: earlierId } });
  if (earlier.supersededByOutcomeId) return earlier.supersededByOutcomeId === outcome.id;
  if (earlier.outcome === 'OFFERED' && earlier.waitlistEntryId) {
    await tx.$queryRaw`SELECT id FROM waitlist_entry WHERE id = ${earlier.waitlistEntryId} FOR UPDATE`;
    const entry = await tx.waitlistEntry.findUniqueOrThrow({ where: { id: earlier.waitlistEntryId } });
    if (entry.status !== 'OFFERED') return false;
    await tx.waitlistEntry.update({ where: { id: entry.id }, data: { status: 'WITHDRAWN' } });
    await tx.slot.update({ where: { id: entry.slotId }, data: { held: { decrement: 1 } } });
    await audit(tx, WORKER, { action: 'waitlist.withdrawn', entityType: 'WaitlistEntry', entityId: entry.id, authorityId: entry.authorityId, after: { reason: 'the home offered is closing', replannedBy: outcome.id } });
  } else if (earlier.outcome === 'PENDING_TRAINING' && earlier.toSlotId) {
    await tx.slot.update({ where: { id: earlier.toSlotId }, data: { held: { decrement: 1 } } });
  } else {
    return false;
  }
  await tx.rehomingOutcome.update({ where: { id: earlier.id }, data: { supersededByOutcomeId: outcome.id } });
  return true;
}

type Decision =
  | { outcome: OutcomeRow; old: Booking; released: boolean; action: 'MOVED' | 'OFFERED' | 'PENDING_TRAINING'; slot: SlotForPlacement }
  | { outcome: OutcomeRow; old: Booking; released: boolean; action: 'WAITLISTED'; reason: string };

/** The date of the place at the closing home an outcome re-plans (the lost booking's, or the earlier offer's). */
function placeDate(outcome: OutcomeRow, old: Booking, fromSlots: Map<string, Date>): Date {
  const { fromSlotId } = OutcomeDetailColumn.parse(outcome.detail);
  return (fromSlotId && fromSlots.get(fromSlotId)) || old.startsAt;
}

/**
 * One child's outcomes in one transaction, each stamped `appliedAt` so a
 * re-run skips them. A child's moves depend on each other: the plan moves
 * every affected place of the child at once, so a new date may overlap another
 * of the child's old bookings that is itself moving. Each chosen place is
 * therefore judged without the child's leaving bookings, those are released,
 * and only then are the new places taken.
 */
async function applyChildOutcomes(closure: Closure, closingName: string, outcomeIds: string[]): Promise<void> {
  await transaction(async (tx) => {
    const ids = [...outcomeIds].sort();
    for (const id of ids) await tx.$queryRaw`SELECT id FROM rehoming_outcome WHERE id = ${id} FOR UPDATE`;
    const pending = (await tx.rehomingOutcome.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).filter((o) => !o.appliedAt);
    if (pending.length === 0) return;
    const childId = pending[0]!.childId;
    const family = await tx.child.findUniqueOrThrow({ where: { id: childId }, select: { familyId: true, firstName: true } });

    const live: { outcome: OutcomeRow; old: Booking; released: boolean }[] = [];
    for (const outcome of pending) {
      if (outcome.fromOutcomeId) {
        // An earlier closure's offer or hold here: the booking the child first lost was released then
        // (or, for a hold made before holds released it, is released now).
        if (!(await takeOverEarlier(tx, outcome))) {
          await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { outcome: 'CANCELLED_BY_FAMILY', reason: 'The earlier offer or hold at this home had already ended (answered or expired) before the closure reached it; nothing was left to move.', appliedAt: new Date() } });
          continue;
        }
        const stillLive = await lockLiveBooking(tx, outcome.bookingId);
        live.push({ outcome, old: stillLive ?? (await tx.booking.findUniqueOrThrow({ where: { id: outcome.bookingId } })), released: !stillLive });
        continue;
      }
      const old = await lockLiveBooking(tx, outcome.bookingId);
      if (old) live.push({ outcome, old, released: false });
      else await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { outcome: 'CANCELLED_BY_FAMILY', reason: 'The booking was cancelled before it could be moved', appliedAt: new Date() } });
    }
    const fromSlotIds = live.flatMap(({ outcome }) => OutcomeDetailColumn.parse(outcome.detail).fromSlotId ?? []);
    const fromSlots = new Map((await tx.slot.findMany({ where: { id: { in: fromSlotIds } }, select: { id: true, startsAt: true } })).map((s) => [s.id, s.startsAt]));

    // Judge every chosen place as the plan did: without the child's affected bookings, and with the places
    // already accepted for the child.
    const base = await loadChildContext(tx, childId, { excludeBookingIds: live.map((l) => l.old.id) });
    const accepted: StayInfo[] = [];
    const decisions: Decision[] = [];
    for (const { outcome, old, released } of live) {
      if (outcome.outcome === 'WAITLISTED') {
        decisions.push({ outcome, old, released, action: 'WAITLISTED', reason: outcome.reason });
        continue;
      }
      // The chosen place must still be free; if another booking took it since planning, the child waits instead.
      const slot = await lockSlot(tx, outcome.toSlotId!);
      const { refusals } = evaluatePlacement({ ...base, stays: [...base.stays, ...accepted] }, slot);
      if (refusals.length === 0 || (outcome.outcome === 'PENDING_TRAINING' && refusals.every((r) => r.reason === 'NEEDS_NOT_MET'))) {
        decisions.push({ outcome, old, released, action: outcome.outcome as 'MOVED' | 'OFFERED' | 'PENDING_TRAINING', slot });
        accepted.push({ slotId: slot.id, providerId: slot.providerId, start: slot.startsAt, end: slot.endsAt });
      } else {
        decisions.push({ outcome, old, released, action: 'WAITLISTED', reason: `The place chosen was no longer available (${refusals.map((r) => r.detail).join('; ')}).` });
      }
    }

    // Release the leaving bookings first (a new place may overlap one of them), then take the new places.
    // A training hold releases the booking too: from the closing date nothing may stay at the home.
    for (const d of decisions) {
      if (d.released) continue;
      const reason =
        d.action === 'WAITLISTED'
          ? `Provider closing: ${d.reason}`
          : d.action === 'MOVED'
            ? 'Provider closing: moved to another place'
            : d.action === 'OFFERED'
              ? 'Provider closing: another place offered'
              : `Provider closing: a place is held at ${d.slot.provider.name} until carer training is confirmed`;
      await releaseBooking(tx, WORKER, d.old, { status: d.action === 'MOVED' ? 'REHOMED' : 'CANCELLED', reason });
    }
    // Waitlisting last, so the same-day places it queues the child for are judged with the child's new bookings.
    for (const d of [...decisions.filter((x) => x.action !== 'WAITLISTED'), ...decisions.filter((x) => x.action === 'WAITLISTED')]) {
      const { outcome, old } = d;
      if (d.action === 'WAITLISTED') {
        await waitlistChild(tx, outcome, old, d.reason, { released: true, date: placeDate(outcome, old, fromSlots) });
      } else if (d.action === 'MOVED') {
        const { booking } = await placeChild(tx, WORKER, {
          childId: old.childId,
          slotId: d.slot.id,
          source: 'REHOMING',
          replacesBookingId: old.id,
          excludeBookingIds: [old.id],
          auditAction: 'booking.rehomed_in',
        });
        if (d.released) await markRehomed(tx, old.id);
        await seatOnPlannedRuns(tx, closure.id, outcome.transport, { id: booking.id, childId: outcome.childId });
        await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { newBookingId: booking.id, appliedAt: new Date() } });
        await notify(tx, { kind: 'NEW_BOOKING', dedupeKey: `rehome-${outcome.id}-provider`, recipientRole: 'PROVIDER', recipientId: d.slot.providerId, authorityId: old.authorityId, fields: { child_name: family.firstName, break_date: dayText(d.slot.startsAt) }, link: `/provider/children/${old.childId}`, payload: { bookingId: booking.id } });
      } else {
        // OFFERED and PENDING_TRAINING hold the place until the family or the training answers.
        await tx.slot.update({ where: { id: d.slot.id }, data: { held: { increment: 1 } } });
        if (d.action === 'OFFERED') {
          const expiresAt = new Date(Math.min(Date.now() + config().OFFER_TTL_HOURS * 3600_000, d.slot.startsAt.getTime()));
          const entry = await tx.waitlistEntry.upsert({
            where: { childId_slotId: { childId: old.childId, slotId: d.slot.id } },
            create: { childId: old.childId, slotId: d.slot.id, authorityId: old.authorityId, rehoming: true, status: 'OFFERED', offeredAt: new Date(), offerExpiresAt: expiresAt },
            update: { rehoming: true, status: 'OFFERED', offeredAt: new Date(), offerExpiresAt: expiresAt },
          });
          await recordJob(tx, 'expireOffer', { entryId: entry.id }, { delayUntil: expiresAt });
          await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { waitlistEntryId: entry.id, appliedAt: new Date() } });
        } else {
          await recordJob(tx, 'recheckTraining', { closureId: closure.id, at: `deadline-${outcome.id}` }, { delayUntil: d.slot.startsAt });
          await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { appliedAt: new Date() } });
        }
      }
    }

    for (const { outcome, old } of live) {
      const final = await tx.rehomingOutcome.findUniqueOrThrow({ where: { id: outcome.id } });
      await notify(tx, {
        kind: 'REHOMING_OUTCOME',
        dedupeKey: `rehome-${outcome.id}-family`,
        recipientRole: 'FAMILY',
        recipientId: family.familyId,
        fields: {
          child_name: family.firstName,
          provider_name: closingName,
          break_date: dayText(placeDate(outcome, old, fromSlots)),
          outcome: REHOMING_OUTCOME_WORDS[final.outcome],
          explanation: final.outcome === 'OFFERED' ? `We can offer another place: ${final.reason} Please accept or decline the offer.` : final.reason,
        },
        link: final.outcome === 'OFFERED' ? '/family#offers' : '/family',
        payload: { closureId: closure.id, outcomeId: outcome.id },
      });
    }
  });
}

/**
 * Waiting-list entries and offers at the closing home from its date that no
 * outcome re-planned (ordinary waiting lists, and children a closure put in
 * line there): each is withdrawn — an offer gives its held place back — and the
 * child waits instead, first in line, for places elsewhere that day. Each entry
 * in its own transaction, counted once in the closure's summary.
 */
async function moveWaitingEntries(closure: Closure, closingName: string): Promise<number> {
  const entries = await db().waitlistEntry.findMany({
    where: {
      status: { in: ['WAITING', 'OFFERED'] },
      slot: { providerId: closure.providerId, startsAt: { gte: closure.effectiveFrom } },
      // A suspension moves only the suspending authority's children.
      ...(closure.suspendedAuthorityId ? { authorityId: closure.suspendedAuthorityId } : {}),
    },
    select: { id: true },
  });
  let moved = 0;
  for (const { id } of entries) {
    const done = await transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM waitlist_entry WHERE id = ${id} FOR UPDATE`;
      const entry: WaitlistEntry = await tx.waitlistEntry.findUniqueOrThrow({ where: { id } });
      if (entry.status !== 'WAITING' && entry.status !== 'OFFERED') return false;
      await tx.waitlistEntry.update({ where: { id }, data: { status: 'WITHDRAWN' } });
      if (entry.status === 'OFFERED') await tx.slot.update({ where: { id: entry.slotId }, data: { held: { decrement: 1 } } });
      const slot = await tx.slot.findUniqueOrThrow({ where: { id: entry.slotId }, select: { startsAt: true, localDate: true } });
      const child = await tx.child.findUniqueOrThrow({ where: { id: entry.childId }, select: { familyId: true, authorityId: true, firstName: true } });
      const waiting = await waitForSameDayPlaces(tx, entry.childId, child.authorityId, slot.startsAt);
      await audit(tx, WORKER, { action: 'waitlist.withdrawn', entityType: 'WaitlistEntry', entityId: id, authorityId: entry.authorityId, before: { status: entry.status }, after: { reason: 'the home is closing', closureId: closure.id, waitingElsewhere: waiting } });
      await notify(tx, {
        kind: 'REHOMING_OUTCOME',
        dedupeKey: `closure-${closure.id}-entry-${id}`,
        recipientRole: 'FAMILY',
        recipientId: child.familyId,
        link: '/family',
        fields: {
          child_name: child.firstName,
          provider_name: closingName,
          break_date: dayText(slot.startsAt),
          outcome: waiting ? 'its waiting list has ended; waiting first in line elsewhere that day' : 'its waiting list has ended',
          explanation: waiting
          ? `${closingName} is closing, so its waiting list for ${slot.localDate} has ended. Your child now waits, first in line, for ${waiting} other full place(s) that day that can meet their needs; you will be offered one if it frees up.`
          : `${closingName} is closing, so its waiting list for ${slot.localDate} has ended. No other place that day can meet your child's needs; your coordinator will be in touch about other dates.`,
        },
        payload: { closureId: closure.id, entryId: id },
      });
      await tx.$queryRaw`SELECT id FROM closure WHERE id = ${closure.id} FOR UPDATE`;
      const { summary } = await tx.closure.findUniqueOrThrow({ where: { id: closure.id }, select: { summary: true } });
      // The plan phase writes the summary first; the empty one stands in should it not have.
      const before = ClosureSummaryColumn.parse(summary) ?? { affected: 0, planned: null, order: [], trainingActions: [] };
      await tx.closure.update({ where: { id: closure.id }, data: { summary: toJson(ClosureSummaryColumn, { ...before, waitlistEntriesMoved: (before.waitlistEntriesMoved ?? 0) + 1 }) } });
      return true;
    });
    if (done) moved++;
  }
  return moved;
}

/** The job: plan (once), apply every outcome not yet applied, move the waiting lists, then finish. */
export async function runClosure(closureId: string): Promise<{ status: string; applied: number }> {
  const closure = await db().closure.findUnique({ where: { id: closureId }, include: { provider: { select: { name: true } } } });
  if (!closure) return { status: 'MISSING', applied: 0 };
  if (closure.status === 'COMPLETED') return { status: 'COMPLETED', applied: 0 };
  // Still consulting: nothing is planned until the coordinator proceeds (a stray job does nothing).
  if (closure.status === 'CONSULTING') return { status: 'CONSULTING', applied: 0 };
  await planOnce(closureId);
  await db().closure.update({ where: { id: closureId }, data: { status: 'APPLYING' } });
  const pending = await db().rehomingOutcome.findMany({ where: { closureId, appliedAt: null }, orderBy: [{ childId: 'asc' }, { id: 'asc' }] });
  const byChild = new Map<string, string[]>();
  for (const o of pending) byChild.set(o.childId, [...(byChild.get(o.childId) ?? []), o.id]);
  for (const ids of byChild.values()) await applyChildOutcomes(closure, closure.provider.name, ids);
  const entriesMoved = await moveWaitingEntries(closure, closure.provider.name);
  const done = await transaction(async (tx) => {
    const c = await tx.closure.update({ where: { id: closureId }, data: { status: 'COMPLETED', completedAt: new Date() } });
    const summary = (await closureView(c)).counts;
    await notify(tx, {
      kind: 'CLOSURE_COMPLETED',
      dedupeKey: `closure-${closureId}-provider`,
      recipientRole: 'PROVIDER',
      recipientId: c.providerId,
      authorityId: c.authorityId ?? undefined,
      fields: { summary: `${summary.affected} booking(s) affected: ${summary.MOVED} moved, ${summary.OFFERED} offered another place, ${summary.PENDING_TRAINING} awaiting carer training, ${summary.WAITLISTED} waitlisted, ${summary.CANCELLED_BY_FAMILY} cancelled by the family.` },
      link: '/provider',
    });
    await notifyClosureLeftWaiting(tx, c);
    await audit(tx, WORKER, { action: 'closure.completed', entityType: 'Closure', entityId: closureId, authorityId: c.authorityId, after: summary });
    return c;
  });
  logger.info('closure applied', { closureId, applied: pending.length, entriesMoved });
  return { status: done.status, applied: pending.length };
}
