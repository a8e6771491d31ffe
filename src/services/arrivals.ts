/**
 * The day's arrivals at a provider, and a transport run's children: who is
 * coming, each headed by the family's support flag. Neither shows the passport
 * itself, except a run's journey sections to its own staff (logged as reads).
 */
import { db } from '../db.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import { requireRole, TRANSPORT_GRACE_MS, type Principal } from './access.js';
import { passportsFor, type Channel } from './passports.js';
import { iso } from './serialize.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';

export async function arrivalsOn(p: Principal, date: string) {
  requireRole(p, 'PROVIDER');
  const rows = await db().booking.findMany({
    where: {
      status: { in: [...LIVE_BOOKING_STATUSES] },
      slot: { providerId: p.providerId },
      startsAt: { gte: londonWallTimeToInstant(date, '00:00'), lt: londonWallTimeToInstant(addDays(date, 1), '00:00') },
    },
    include: { child: { select: { id: true, firstName: true, lastName: true, needs: true, supportFlag: true, needsEscort: true } } },
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
  });
  return rows.map((b) => ({ bookingId: b.id, startsAt: iso(b.startsAt), endsAt: iso(b.endsAt), status: b.status, child: b.child }));
}

/** The current runs of a transport principal's vehicle, each child with the journey sections of the passport. */
export async function journeysFor(p: Principal, channel: Channel, now = new Date()) {
  requireRole(p, 'TRANSPORT');
  const runs = await db().transportRun.findMany({
    where: { vehicleId: p.vehicleId, returnAt: { gte: new Date(now.getTime() - TRANSPORT_GRACE_MS) } },
    include: {
      provider: { select: { name: true, addressLine: true, postcode: true } },
      seats: { where: { booking: { status: { in: [...LIVE_BOOKING_STATUSES] } } }, include: { booking: { include: { child: true } } } },
    },
    orderBy: { departAt: 'asc' },
    take: 50,
  });
  const children = [...new Map(runs.flatMap((r) => r.seats.map((s) => [s.booking.child.id, s.booking.child] as const))).values()];
  const passports = await passportsFor(db(), p, children, channel);
  return runs.map((r) => ({
    id: r.id,
    direction: r.direction,
    departAt: iso(r.departAt),
    returnAt: iso(r.returnAt),
    provider: r.provider,
    children: r.seats.map((s) => {
      const c = s.booking.child;
      return { id: c.id, firstName: c.firstName, lastName: c.lastName, needs: c.needs, supportFlag: c.supportFlag, passport: passports.get(c.id)?.passport ?? null };
    }),
  }));
}
