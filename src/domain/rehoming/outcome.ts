/**
 * What happens to a child's re-homing outcome once the plan is stored. The
 * planner (planner.ts) decides MOVED, PENDING_TRAINING or WAITLISTED; stored, a
 * move the family has not agreed to becomes an OFFER, and an offer resolves when
 * the family answers it:
 *
 *   planned MOVED ──(same dates, a booking the family had)──▶ MOVED
 *   planned MOVED ──(other dates, or only an offer before)──▶ OFFERED ──accepted──▶ MOVED
 *                                                                ├──declined/withdrawn──▶ CANCELLED_BY_FAMILY
 *                                                                └──not answered in time──▶ WAITLISTED
 *   planned PENDING_TRAINING ──▶ PENDING_TRAINING (confirmed or given up by training-holds)
 *   planned WAITLISTED ──▶ WAITLISTED
 *
 * Nothing is silently dropped: every affected booking, offer and hold ends in one of these.
 */
import type { RehomingOutcome } from './planner.js';

export type StoredOutcomeKind = 'MOVED' | 'OFFERED' | 'WAITLISTED' | 'PENDING_TRAINING' | 'CANCELLED_BY_FAMILY';

/** The outcomes that put the child in the planned place (held or booked); the others leave it. */
export const HOLDS_PLANNED_PLACE: ReadonlySet<string> = new Set<StoredOutcomeKind>(['MOVED', 'OFFERED', 'PENDING_TRAINING']);

/**
 * The stored kind of a planned outcome. A move to another date is an offer the
 * family accepts or declines; so is any move of a place the family had only
 * been offered (`fromOffer`: it never agreed to the first one either).
 */
export function storedKind(o: RehomingOutcome, fromOffer: boolean): 'MOVED' | 'OFFERED' | 'PENDING_TRAINING' | 'WAITLISTED' {
  if (o.outcome !== 'MOVED') return o.outcome;
  return o.dayShift !== 0 || fromOffer ? 'OFFERED' : 'MOVED';
}

/** The live state of a stored outcome: an OFFERED move resolves when the family answers the offer (its waiting-list entry). */
export function currentOutcome<K extends string>(
  o: { outcome: K; reason: string; newBookingId: string | null; waitlistEntryId: string | null },
  entries: ReadonlyMap<string, { status: string; bookingId: string | null }>,
): { outcome: K | StoredOutcomeKind; newBookingId: string | null; reason: string } {
  if (o.outcome !== 'OFFERED' || !o.waitlistEntryId) return { outcome: o.outcome, newBookingId: o.newBookingId, reason: o.reason };
  const entry = entries.get(o.waitlistEntryId);
  switch (entry?.status) {
    case 'ACCEPTED':
      return { outcome: 'MOVED', newBookingId: entry.bookingId, reason: `${o.reason} The family accepted the offer.` };
    case 'DECLINED':
    case 'WITHDRAWN':
      return { outcome: 'CANCELLED_BY_FAMILY', newBookingId: null, reason: `The family declined the place offered on another date. (Offered: ${o.reason})` };
    case 'EXPIRED':
      return { outcome: 'WAITLISTED', newBookingId: null, reason: `The offer of another date was not answered in time and the place passed on. (Offered: ${o.reason})` };
    default:
      return { outcome: 'OFFERED', newBookingId: null, reason: o.reason };
  }
}
