/**
 * Who may see and change what (DESIGN.md invariant 5), in one place. Routes say
 * which roles may call them; everything about *which rows* a principal may touch
 * is decided here, so a family can never reach another family's child through
 * any endpoint.
 *
 * Convention: a role that may never call an endpoint gets 403; a row that exists
 * but belongs to someone else gets 404, so ids from another tenant reveal nothing.
 */
import type { Prisma } from '../generated/prisma/client.js';
import { ApiError, forbidden, notFound } from '../http/problem.js';

export type Role = 'COORDINATOR' | 'PROVIDER' | 'FAMILY';

export type Principal =
  | { tokenId: string; role: 'COORDINATOR'; authorityId: string }
  | { tokenId: string; role: 'PROVIDER'; providerId: string }
  | { tokenId: string; role: 'FAMILY'; familyId: string; authorityId: string };

/** Booking statuses that hold a place (and let a provider see the child's passport). */
export const LIVE_BOOKING_STATUSES = ['ALLOCATED', 'CONFIRMED', 'ATTENDED', 'NO_SHOW'] as const;

export function requireRole<R extends Role>(
  principal: Principal,
  ...roles: R[]
): asserts principal is Extract<Principal, { role: R }> {
  if (!roles.includes(principal.role as R)) {
    throw forbidden(`This needs a ${roles.map((r) => r.toLowerCase()).join(' or ')} token`);
  }
}

/** The children a principal may read. */
export function childScope(p: Principal): Prisma.ChildWhereInput {
  switch (p.role) {
    case 'COORDINATOR':
      return { authorityId: p.authorityId };
    case 'FAMILY':
      return { familyId: p.familyId };
    case 'PROVIDER':
      // A provider sees a child only while it holds a live booking for them.
      return { bookings: { some: { status: { in: [...LIVE_BOOKING_STATUSES] }, slot: { providerId: p.providerId } } } };
  }
}

export function familyScope(p: Principal): Prisma.FamilyWhereInput {
  switch (p.role) {
    case 'COORDINATOR':
      return { authorityId: p.authorityId };
    case 'FAMILY':
      return { id: p.familyId };
    case 'PROVIDER':
      return { id: { in: [] } };
  }
}

export function bookingScope(p: Principal): Prisma.BookingWhereInput {
  switch (p.role) {
    case 'COORDINATOR':
      return { authorityId: p.authorityId };
    case 'FAMILY':
      return { child: { familyId: p.familyId } };
    case 'PROVIDER':
      return { slot: { providerId: p.providerId } };
  }
}

/** Coordinators manage any provider's capacity (they commission it); a provider only its own. */
export function assertManagesProvider(p: Principal, providerId: string): void {
  if (p.role === 'COORDINATOR') return;
  if (p.role === 'PROVIDER' && p.providerId === providerId) return;
  if (p.role === 'PROVIDER') throw notFound('Provider');
  throw forbidden('Only coordinators and the provider itself may do this');
}

/** The authority whose data a coordinator or family acts within. */
export function authorityOf(p: Principal): string {
  if (p.role === 'PROVIDER') throw new ApiError('FORBIDDEN', 'Providers do not act for an authority');
  return p.authorityId;
}
