/**
 * Training holds: a place held at a foster carer until their training for the
 * child's need is recorded. The child's booking at the closing home was
 * released when the hold was made; the hold is confirmed into a booking once
 * training is valid, or the child waits for same-day places at the deadline.
 */
import { db, type Tx } from '../../db.js';
import { flushOutboxSoon, recordJob } from '../../jobs/outbox.js';
import { releaseBooking } from '../bookings.js';
import { evaluatePlacement, loadChildContext, lockSlot, placeChild } from '../placement.js';
import { seatOnPlannedRuns } from '../transport-seats.js';
import { transaction } from '../tx.js';
import { markRehomed, waitlistChild } from './apply.js';
import { lockLiveBooking, WORKER } from './shared.js';
import { OutcomeTrainingColumn } from '../../schemas/json-columns.js';

/**
 * Re-check training holds: confirm those whose carer now has valid training,
 * and waitlist those whose date has come without it. Run when training is
 * recorded and at each hold's deadline. A hold a later closure re-planned
 * (its home closed too) is that closure's now, and is skipped.
 */
export async function recheckTraining(closureId: string, now = new Date()): Promise<{ confirmed: number; waitlisted: number }> {
  const closure = await db().closure.findUniqueOrThrow({ where: { id: closureId } });
  const holds = await db().rehomingOutcome.findMany({ where: { closureId, outcome: 'PENDING_TRAINING', appliedAt: { not: null }, supersededByOutcomeId: null } });
  let confirmed = 0;
  let waitlisted = 0;
  for (const hold of holds) {
    await transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM rehoming_outcome WHERE id = ${hold.id} FOR UPDATE`;
      const outcome = await tx.rehomingOutcome.findUniqueOrThrow({ where: { id: hold.id } });
      if (outcome.outcome !== 'PENDING_TRAINING' || outcome.supersededByOutcomeId) return;
      // Holds made before a hold released the booking kept it live; those are released here.
      const stillLive = await lockLiveBooking(tx, outcome.bookingId);
      const old = stillLive ?? (await tx.booking.findUniqueOrThrow({ where: { id: outcome.bookingId } }));
      const ctx = await loadChildContext(tx, outcome.childId, { excludeBookingIds: [old.id] });
      const slot = await lockSlot(tx, outcome.toSlotId!);
      // The hold is this child's own place: judge the slot as if it were free.
      const { refusals } = evaluatePlacement(ctx, { ...slot, held: slot.held - 1 }, now);
      if (refusals.length === 0) {
        if (stillLive) await releaseBooking(tx, WORKER, stillLive, { status: 'REHOMED', reason: 'Provider closing: moved once carer training was confirmed' });
        const { booking } = await placeChild(tx, WORKER, { childId: old.childId, slotId: slot.id, source: 'REHOMING', replacesBookingId: old.id, excludeBookingIds: [old.id], fromHeldPlace: true, auditAction: 'booking.rehomed_in' }, now);
        if (!stillLive) await markRehomed(tx, old.id);
        await seatOnPlannedRuns(tx, closure.id, outcome.transport, { id: booking.id, childId: outcome.childId });
        await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { outcome: 'MOVED', newBookingId: booking.id, reason: `${outcome.reason} Carer training confirmed.` } });
        confirmed++;
      } else if (now >= slot.startsAt || refusals.some((r) => r.reason !== 'NEEDS_NOT_MET')) {
        await tx.slot.update({ where: { id: slot.id }, data: { held: { decrement: 1 } } });
        await waitlistChild(tx, outcome, old, `The carer's training was not in place in time (${refusals.map((r) => r.detail).join('; ')}).`, { released: !stillLive });
        waitlisted++;
      }
    });
  }
  if (confirmed || waitlisted) flushOutboxSoon();
  return { confirmed, waitlisted };
}

/** Called when a training record is added: any closure holding a place with this carer re-checks. */
export async function queueTrainingRechecks(tx: Tx, carerId: string, trainingId: string): Promise<void> {
  const holds = await tx.rehomingOutcome.findMany({ where: { outcome: 'PENDING_TRAINING', supersededByOutcomeId: null }, select: { closureId: true, trainingAction: true } });
  const closures = new Set(holds.filter((h) => OutcomeTrainingColumn.parse(h.trainingAction)?.some((a) => a.carerId === carerId)).map((h) => h.closureId));
  for (const closureId of closures) await recordJob(tx, 'recheckTraining', { closureId, at: `training-${trainingId}` });
}
