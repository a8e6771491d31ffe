/**
 * The named booking-status sets (src/domain/booking-status.ts) agree with the
 * schema's enum and with the database's own `booking_is_live`, which its
 * capacity trigger and EXCLUDE constraint use: a status added to one and not the
 * other would let code and database disagree about which bookings hold a place.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { BOOKING_STATUSES, LIVE_BOOKING_STATUSES } from '../../src/domain/booking-status.js';
import { BookingStatus } from '../../src/generated/prisma/enums.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

describe('booking status sets', () => {
  it('name every status of the database enum, and the live ones are those booking_is_live counts', async () => {
    const rows = await db().$queryRaw<{ status: string; live: boolean }[]>`
      SELECT s::text AS status, booking_is_live(s) AS live FROM unnest(enum_range(NULL::"BookingStatus")) AS s`;
    expect([...BOOKING_STATUSES].sort()).toEqual(rows.map((r) => r.status).sort());
    expect([...BOOKING_STATUSES].sort()).toEqual(Object.values(BookingStatus).sort());
    expect([...LIVE_BOOKING_STATUSES].sort()).toEqual(rows.filter((r) => r.live).map((r) => r.status).sort());
  });
});
