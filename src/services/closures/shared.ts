/** What the closure files share: the worker's identity and the row locks. */
import type { Tx } from '../../db.js';
import type { Booking } from '../../generated/prisma/client.js';
import type { Actor } from '../audit.js';
import { isUpcomingBooking } from '../../domain/booking-status.js';

export const WORKER: Actor = { role: 'SYSTEM', job: 'rehoming' };

export async function lockLiveBooking(tx: Tx, bookingId: string): Promise<Booking | null> {
  await tx.$queryRaw`SELECT id FROM booking WHERE id = ${bookingId} FOR UPDATE`;
  const booking = await tx.booking.findUnique({ where: { id: bookingId } });
  return booking && isUpcomingBooking(booking.status) ? booking : null;
}
