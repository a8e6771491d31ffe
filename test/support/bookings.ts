/**
 * A booking row written straight to the database, for tests of foundation code
 * that must respect bookings before the booking API exists. The database
 * trigger keeps slot.booked in step, exactly as for a real booking.
 */
import { db } from '../../src/db.js';
import type { Slot } from '../../src/generated/prisma/client.js';

export function insertBooking(slot: Pick<Slot, 'id' | 'startsAt' | 'endsAt'>, child: { id: string; authorityId: string }) {
  return db().booking.create({
    data: {
      childId: child.id,
      slotId: slot.id,
      authorityId: child.authorityId,
      status: 'CONFIRMED',
      source: 'MANUAL',
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      nights: 1,
    },
  });
}
