/** Seats on the specialist transport runs a closure's re-homing plan made. */
import type { Tx } from '../db.js';
import { OutcomeTransportColumn } from '../schemas/json-columns.js';

/**
 * Seat a re-homed child's new booking on the outbound and return runs the plan
 * reserved for it (by the plan's own run references). Used when a move is
 * applied and when a family accepts a place offered on another date; seating
 * twice is harmless.
 */
export async function seatOnPlannedRuns(tx: Tx, closureId: string, transport: unknown, booking: { id: string; childId: string }): Promise<void> {
  const t = OutcomeTransportColumn.parse(transport);
  for (const ref of t && 'outbound' in t ? [t.outbound, t.return] : []) {
    const run = await tx.transportRun.findUnique({ where: { closureId_planRef: { closureId, planRef: ref } } });
    if (run) await tx.transportSeat.createMany({ data: [{ runId: run.id, bookingId: booking.id, childId: booking.childId }], skipDuplicates: true });
  }
}
