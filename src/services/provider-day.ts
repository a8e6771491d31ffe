/**
 * A provider's day: who arrives and who leaves (with transport pick-up times
 * and the family's contact, for a phone call when a child is late), and which
 * breaks still need their attendance recorded. Only the provider's own
 * bookings; the passport is read on the child's own page, where it is logged.
 */
import { db } from '../db.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import { requireRole, type Principal } from './access.js';
import { transportFor, type TransportLeg } from './break-details.js';
import { iso } from './serialize.js';
import { LIVE_BOOKING_STATUSES, UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';

export interface DayBooking {
  bookingId: string;
  startsAt: string;
  endsAt: string;
  status: string;
  child: { id: string; firstName: string; lastName: string; needs: string[]; supportFlag: string | null };
  family: { name: string; phone: string | null; email: string | null };
  transport: TransportLeg[];
}

const include = {
  child: { select: { id: true, firstName: true, lastName: true, needs: true, supportFlag: true, family: { select: { name: true, phone: true, email: true } } } },
} as const;

type Row = Awaited<ReturnType<typeof findBookings>>[number];
const findBookings = (where: object) => db().booking.findMany({ where, include, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }], take: 500 });

async function withTransport(p: Principal, rows: Row[]): Promise<DayBooking[]> {
  const legs = await transportFor(p, rows.map((r) => r.id));
  return rows.map((b) => ({
    bookingId: b.id,
    startsAt: iso(b.startsAt),
    endsAt: iso(b.endsAt),
    status: b.status,
    child: { id: b.child.id, firstName: b.child.firstName, lastName: b.child.lastName, needs: b.child.needs, supportFlag: b.child.supportFlag },
    family: b.child.family,
    transport: legs.get(b.id) ?? [],
  }));
}

/** Arrivals (breaks starting on the London date) and departures (breaks ending on it). */
export async function providerDay(p: Principal, date: string) {
  requireRole(p, 'PROVIDER');
  const day = { gte: londonWallTimeToInstant(date, '00:00'), lt: londonWallTimeToInstant(addDays(date, 1), '00:00') };
  const own = { status: { in: [...LIVE_BOOKING_STATUSES] }, slot: { providerId: p.providerId } };
  const [arriving, leaving] = await Promise.all([findBookings({ ...own, startsAt: day }), findBookings({ ...own, endsAt: day })]);
  return { arrivals: await withTransport(p, arriving), departures: await withTransport(p, leaving) };
}

/**
 * Breaks of the last two weeks with no attendance recorded: those that have
 * ended (attended or not?) and those under way (only an early pick-up can be
 * recorded before the end).
 */
export async function attendanceToRecord(p: Principal, now = new Date()) {
  requireRole(p, 'PROVIDER');
  const rows = await findBookings({
    status: { in: [...UPCOMING_BOOKING_STATUSES] },
    attendanceRecordedAt: null,
    slot: { providerId: p.providerId },
    startsAt: { lte: now, gte: new Date(now.getTime() - 14 * 864e5) },
  });
  const all = await withTransport(p, rows);
  return { ended: all.filter((b) => b.endsAt <= now.toISOString()), underWay: all.filter((b) => b.endsAt > now.toISOString()) };
}

/** Live bookings starting between two London dates (inclusive), with the child and family. */
export async function bookingsBetween(p: Principal, from: string, to: string) {
  requireRole(p, 'PROVIDER');
  const rows = await findBookings({
    status: { in: [...LIVE_BOOKING_STATUSES] },
    slot: { providerId: p.providerId },
    startsAt: { gte: londonWallTimeToInstant(from, '00:00'), lt: londonWallTimeToInstant(addDays(to, 1), '00:00') },
  });
  return withTransport(p, rows);
}
