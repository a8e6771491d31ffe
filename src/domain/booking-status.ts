/**
 * A booking's statuses grouped by what they mean, named once and used by every
 * query and check (in SQL through `Prisma.join`), so "which bookings count" is
 * never spelled out again with one status missing.
 */
export const BOOKING_STATUSES = ['ALLOCATED', 'CONFIRMED', 'CANCELLED', 'ATTENDED', 'NO_SHOW', 'REHOMED'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/**
 * Statuses that hold a place: they count against the slot's capacity (the
 * database's `booking_is_live` says the same, for its trigger and EXCLUDE
 * constraint), against the child's entitlement, and let a provider see the
 * child's passport.
 */
export const LIVE_BOOKING_STATUSES = ['ALLOCATED', 'CONFIRMED', 'ATTENDED', 'NO_SHOW'] as const satisfies readonly BookingStatus[];

/**
 * Booked, with no attendance recorded yet: the bookings that can still be
 * cancelled, swapped or re-planned by a closure, and that are "upcoming" once
 * their start is ahead.
 */
export const UPCOMING_BOOKING_STATUSES = ['ALLOCATED', 'CONFIRMED'] as const satisfies readonly BookingStatus[];

/**
 * Live bookings a family is told about. A round's bookings are ALLOCATED until the
 * coordinator publishes it (they become CONFIRMED, and families are told); before
 * that the round can still be discarded, so its draft is not a break the family has.
 */
export const FAMILY_LIVE_BOOKING_STATUSES = ['CONFIRMED', 'ATTENDED', 'NO_SHOW'] as const satisfies readonly BookingStatus[];

/** What a provider records once a break has started. */
export const ATTENDANCE_STATUSES = ['ATTENDED', 'NO_SHOW'] as const satisfies readonly BookingStatus[];

/**
 * Bookings whose nights the looked-after report counts as nights away (reg. 48):
 * booked or attended; a no-show's nights were not spent away.
 */
export const NIGHTS_AWAY_STATUSES = ['ALLOCATED', 'CONFIRMED', 'ATTENDED'] as const satisfies readonly BookingStatus[];

export const isLiveBooking = (status: string): boolean => (LIVE_BOOKING_STATUSES as readonly string[]).includes(status);
export const isUpcomingBooking = (status: string): boolean => (UPCOMING_BOOKING_STATUSES as readonly string[]).includes(status);
