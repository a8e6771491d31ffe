/**
 * What a round writes all or nothing. The plan comes from a snapshot, and a
 * direct booking may take one of its places before the round is written; a
 * single night lost that way is just skipped, but a family that asked for a
 * whole stay (a weekend, a week) asked for the nights together, and one night
 * of a weekend is not what they asked for. So the nights of a whole-stay
 * request that follow on from each other are one unit: written together or
 * not at all.
 */
import { londonDateOf } from '../london-time.js';
import type { SlotInfo } from '../model.js';
import type { AllocatedBooking, BreakRequestInfo } from './types.js';

/** The round's bookings in units to write; every booking is in exactly one unit, in the plan's order. */
export function writeUnits(
  bookings: readonly AllocatedBooking[],
  requests: readonly Pick<BreakRequestInfo, 'id' | 'stayNights'>[],
  slots: readonly Pick<SlotInfo, 'id' | 'start' | 'end'>[],
): AllocatedBooking[][] {
  const wholeStay = new Set(requests.filter((r) => (r.stayNights ?? 1) > 1).map((r) => r.id));
  const slotById = new Map(slots.map((s) => [s.id, s]));
  const units: AllocatedBooking[][] = [];
  const byRequest = new Map<string, AllocatedBooking[]>();
  for (const booking of bookings) {
    if (!wholeStay.has(booking.requestId) || booking.nights === 0) units.push([booking]);
    else {
      const own = byRequest.get(booking.requestId);
      if (own) own.push(booking);
      else {
        const fresh = [booking];
        byRequest.set(booking.requestId, fresh);
        // Keeps the unit where the request's first booking stood, so the write order stays the plan's.
        units.push(fresh);
      }
    }
  }
  return units.flatMap((unit) => (unit.length > 1 && wholeStay.has(unit[0]!.requestId) ? stays(unit, slotById) : [unit]));
}

/** Splits one request's nights into runs that follow on without a night at home. */
function stays(nights: AllocatedBooking[], slotById: Map<string, Pick<SlotInfo, 'start' | 'end'>>): AllocatedBooking[][] {
  const dated = nights
    .map((booking) => {
      const slot = slotById.get(booking.slotId);
      if (!slot) throw new Error(`A round booked slot ${booking.slotId}, which its snapshot does not hold`);
      return { booking, arrives: londonDateOf(slot.start), leaves: londonDateOf(slot.end) };
    })
    .sort((a, b) => a.arrives.localeCompare(b.arrives));
  const runs: AllocatedBooking[][] = [];
  let leaves: string | null = null;
  for (const night of dated) {
    const run = runs.at(-1);
    if (run && leaves === night.arrives) run.push(night.booking);
    else runs.push([night.booking]);
    leaves = night.leaves;
  }
  return runs;
}
