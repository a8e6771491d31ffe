/**
 * The facts messages state, read inside the caller's transaction: a child's
 * name, a break's place, date, address and journey, the transport pick-up.
 * Each returns the kind's fields ready for notify().
 */
import type { Tx } from '../db.js';
import { dayAndTimeText, dayText, journeyText, pickupText, timeText } from '../domain/notification-text.js';

export async function bookingFacts(tx: Tx, bookingId: string) {
  const b = await tx.booking.findUniqueOrThrow({
    where: { id: bookingId },
    include: {
      child: { select: { firstName: true, lastName: true, familyId: true, needsTransport: true, family: { select: { lat: true, lng: true } } } },
      slot: { select: { providerId: true, provider: { select: { name: true, addressLine: true, postcode: true, lat: true, lng: true } } } },
      transportSeats: { select: { run: { select: { direction: true, departAt: true } } } },
    },
  });
  const p = b.slot.provider;
  const pickup = b.transportSeats.find((s) => s.run.direction === 'TO_BREAK')?.run.departAt ?? null;
  const home = b.child.family.lat !== null && b.child.family.lng !== null ? { lat: b.child.family.lat, lng: b.child.family.lng } : null;
  return {
    booking: b,
    familyId: b.child.familyId,
    providerId: b.slot.providerId,
    authorityId: b.authorityId,
    childName: b.child.firstName,
    childFullName: `${b.child.firstName} ${b.child.lastName}`,
    providerName: p.name,
    breakDate: dayText(b.startsAt),
    breakDateTime: dayAndTimeText(b.startsAt),
    startTime: timeText(b.startsAt),
    address: `${p.addressLine}, ${p.postcode}`,
    journey: journeyText(home, p, pickup !== null, b.child.needsTransport),
    pickup: pickupText(pickup, b.child.needsTransport),
  };
}

/** "Friday 8 January 2027 at Seaview" — a break named for a swap. */
export async function breakLabel(tx: Tx, bookingId: string) {
  const f = await bookingFacts(tx, bookingId);
  return `${f.breakDateTime} at ${f.providerName}`;
}

/** A place held for a child: where, when, how far, and until when. */
export async function offerFacts(tx: Tx, childId: string, slotId: string, expiresAt: Date) {
  const child = await tx.child.findUniqueOrThrow({ where: { id: childId }, select: { firstName: true, needsTransport: true, family: { select: { lat: true, lng: true } } } });
  const slot = await tx.slot.findUniqueOrThrow({ where: { id: slotId }, select: { startsAt: true, provider: { select: { name: true, lat: true, lng: true } } } });
  const home = child.family.lat !== null && child.family.lng !== null ? { lat: child.family.lat, lng: child.family.lng } : null;
  return {
    child_name: child.firstName,
    provider_name: slot.provider.name,
    break_date: dayText(slot.startsAt),
    start_time: timeText(slot.startsAt),
    journey: journeyText(home, slot.provider, false, child.needsTransport),
    deadline: dayAndTimeText(expiresAt),
  };
}
