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
import type { Tx } from '../db.js';
import { forbidden, notFound } from '../errors.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';

export type Role = 'COORDINATOR' | 'PROVIDER' | 'FAMILY' | 'TRANSPORT' | 'ADMIN';

/**
 * What every principal carries besides its scope: the credential it came
 * through and, when there is one, the person behind it and the membership the
 * person acts through (src/services/people.ts derives the scope from it).
 */
export interface Credential {
  /**
   * The credential acted through: an API token's id, or — for a person signed in
   * by emailed link or OpenID Connect — their web session's id. It keys
   * idempotency records and is the audit row's actorId.
   */
  tokenId: string;
  /** The API token, when the request came through one (directly or by a session signed in with it). */
  apiTokenId?: string | null;
  /** The browser session, when the request came through one. */
  sessionId?: string | null;
  personId?: string | null;
  membershipId?: string | null;
}

export type Principal =
  | (Credential & { role: 'COORDINATOR'; authorityId: string })
  /** `staff`: a provider's staff member (not a manager): the provider's access, but may not invite others. */
  | (Credential & { role: 'PROVIDER'; providerId: string; staff?: boolean })
  | (Credential & { role: 'FAMILY'; familyId: string; authorityId: string })
  /** A driver or escort of one of the authority's vehicles. */
  | (Credential & { role: 'TRANSPORT'; vehicleId: string; authorityId: string })
  /** A platform administrator: authorities and providers' operators, nothing of families or bookings. */
  | (Credential & { role: 'ADMIN' });

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
    case 'TRANSPORT':
      // Transport staff see the children seated on their vehicle's current runs.
      return { bookings: { some: transportBookingWhere(p) } };
    case 'ADMIN':
      return { id: { in: [] } };
  }
}

/** How long after a run's return its staff still see its children (to finish the day's handovers). */
export const TRANSPORT_GRACE_MS = 12 * 3600_000;

function transportBookingWhere(p: Extract<Principal, { role: 'TRANSPORT' }>, now = new Date()): Prisma.BookingWhereInput {
  return {
    status: { in: [...LIVE_BOOKING_STATUSES] },
    transportSeats: { some: { run: { vehicleId: p.vehicleId, returnAt: { gte: new Date(now.getTime() - TRANSPORT_GRACE_MS) } } } },
  };
}

/**
 * What transport staff may call at all: the children on their runs and the
 * journey sections of their passports. Everything else is refused before any
 * route runs, so no service needs to think about them.
 */
const TRANSPORT_ROUTES = [/^GET \/v1\/children\/[^/]+(\/passport)?\/?$/];
export function assertTransportMayCall(p: Principal, method: string, path: string): void {
  if (p.role === 'TRANSPORT' && !TRANSPORT_ROUTES.some((r) => r.test(`${method} ${path}`))) {
    throw forbidden('Transport staff may read only the children on their runs');
  }
  assertAdminMayCall(p, method, path);
}

/**
 * What platform administrators may call: authorities, providers' operators and
 * the provider list (to find them), inviting a council's coordinators, and their own tokens. Nothing about
 * families, children or bookings, whatever a service's own checks say.
 */
const ADMIN_ROUTES = [/^(GET|POST) \/v1\/authorities\/?$/, /^PUT \/v1\/providers\/[^/]+\/operator\/?$/, /^GET \/v1\/providers\/?$/, /^(GET|POST) \/v1\/me(\/tokens)?\/?$/, /^DELETE \/v1\/me\/tokens\/[^/]+\/?$/, /^GET \/v1\/memberships\/?$/, /^DELETE \/v1\/memberships\/[^/]+\/?$/, /^POST \/v1\/invitations\/?$/, /^DELETE \/v1\/invitations\/[^/]+\/?$/, /^GET \/v1\/sign-in-events\/?$/, 
  /^(GET|POST) \/v1\/service-accounts\/?$/, /^POST \/v1\/service-accounts\/[^/]+\/(tokens|disable)\/?$/, /^DELETE \/v1\/service-accounts\/[^/]+\/tokens\/[^/]+\/?$/];
function assertAdminMayCall(p: Principal, method: string, path: string): void {
  if (p.role === 'ADMIN' && !ADMIN_ROUTES.some((r) => r.test(`${method} ${path}`))) {
    throw forbidden('Platform administrators manage authorities and providers’ operators only');
  }
}

export function familyScope(p: Principal): Prisma.FamilyWhereInput {
  switch (p.role) {
    case 'COORDINATOR':
      return { authorityId: p.authorityId };
    case 'FAMILY':
      return { id: p.familyId };
    case 'PROVIDER':
    case 'TRANSPORT':
    case 'ADMIN':
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
    case 'TRANSPORT':
      return transportBookingWhere(p);
    case 'ADMIN':
      return { id: { in: [] } };
  }
}

/**
 * Reading a provider, its capacity and carers: any coordinator (providers are
 * shared; other authorities commission and book there) and the provider itself.
 */
export function assertReadsProvider(p: Principal, providerId: string): void {
  if (p.role === 'COORDINATOR') return;
  if (p.role === 'PROVIDER' && p.providerId === providerId) return;
  if (p.role === 'PROVIDER') throw notFound('Provider');
  throw forbidden('Only coordinators and the provider itself may do this');
}

/** What the operator rule needs of a provider. */
export interface OperatedProvider {
  id: string;
  name: string;
  operatorAuthorityId: string | null;
}

/**
 * Changing a provider — its details, capacity and carers — or closing it
 * (DESIGN.md, Tenancy; invariant 5): only its operator. That is the authority
 * that runs it (a council-run home), whose coordinators may, or for an
 * independent provider (no operator authority) the provider organisation
 * itself. Either way the provider's own token may. Other authorities that book
 * there are commissioners: they read and book, and may suspend their own
 * placements, but get 403 here. Another provider gets 404 (ids reveal nothing).
 */
export function assertOperatesProvider(p: Principal, provider: OperatedProvider): void {
  if (p.role === 'PROVIDER') {
    if (p.providerId !== provider.id) throw notFound('Provider');
    return;
  }
  if (p.role === 'COORDINATOR' && provider.operatorAuthorityId === p.authorityId) return;
  if (p.role === 'COORDINATOR') {
    throw forbidden(
      provider.operatorAuthorityId
        ? `${provider.name} is run by another authority: only its coordinators, or the provider itself, may change or close it. You may suspend your own placements there.`
        : `${provider.name} is run by the provider organisation itself: only the provider may change or close it. You may suspend your own placements there.`,
    );
  }
  throw forbidden('Only the provider\'s operator may do this');
}

/** Load a provider and check the principal operates it (404 when there is no such provider). */
export async function loadOperatedProvider(client: { provider: { findUnique(args: { where: { id: string }; select: { id: true; name: true; operatorAuthorityId: true } }): Promise<OperatedProvider | null> } }, p: Principal, providerId: string): Promise<OperatedProvider> {
  // A provider token for another provider learns nothing, not even whether the id exists.
  if (p.role === 'PROVIDER' && p.providerId !== providerId) throw notFound('Provider');
  const provider = await client.provider.findUnique({ where: { id: providerId }, select: { id: true, name: true, operatorAuthorityId: true } });
  if (!provider) throw notFound('Provider');
  assertOperatesProvider(p, provider);
  return provider;
}

/** The authority whose data a coordinator or family acts within. */
// ---- The medical passport: who sees it, and how much ------------------------------

export type PassportBasis = 'FAMILY' | 'BOOKING' | 'FAMILY_ALLOWED' | 'EMERGENCY' | 'TRANSPORT_RUN';
export interface PassportGrant {
  level: 'FULL' | 'JOURNEY';
  basis: PassportBasis;
}

/** The facts about one child the rule below needs, as seen by one principal. */
export interface PassportFacts {
  familyId: string;
  authorityId: string;
  /** The family's choice about this provider (PROVIDER principals), if it made one. */
  decision?: 'ALLOW' | 'DENY' | null;
  /** The provider holds a live booking for the child. */
  liveBooking?: boolean;
  /** A coordinator's emergency override, still running, that reaches this principal. */
  emergency?: boolean;
  /** The child is seated on a current run of this transport principal's vehicle. */
  onRun?: boolean;
}

/**
 * The family decides (DESIGN.md, "People, sign-in and consent"): by default a
 * provider holding a live booking sees the passport; the family can deny a
 * provider that has one, or allow one that has none (a home it is about to
 * visit). Only a coordinator's emergency override, which needs a reason, is
 * audited and tells the family, goes past a denial. Coordinators themselves see
 * it only under such an override. Transport staff see the journey sections only.
 */
export function passportGrant(p: Principal, f: PassportFacts): PassportGrant | null {
  switch (p.role) {
    case 'FAMILY':
      return p.familyId === f.familyId ? { level: 'FULL', basis: 'FAMILY' } : null;
    case 'COORDINATOR':
      return p.authorityId === f.authorityId && f.emergency ? { level: 'FULL', basis: 'EMERGENCY' } : null;
    case 'PROVIDER':
      if (f.emergency) return { level: 'FULL', basis: 'EMERGENCY' };
      if (f.decision === 'DENY') return null;
      if (f.decision === 'ALLOW') return { level: 'FULL', basis: 'FAMILY_ALLOWED' };
      return f.liveBooking ? { level: 'FULL', basis: 'BOOKING' } : null;
    case 'TRANSPORT':
      return p.authorityId === f.authorityId && f.onRun ? { level: 'JOURNEY', basis: 'TRANSPORT_RUN' } : null;
    case 'ADMIN':
      return null;
  }
}

/** The grant of each child for one principal, loading the facts in a few queries (a provider's page shows many children). */
export async function passportGrants(
  tx: Tx,
  p: Principal,
  children: { id: string; familyId: string; authorityId: string }[],
  now = new Date(),
): Promise<Map<string, PassportGrant | null>> {
  const ids = children.map((c) => c.id);
  const out = new Map<string, PassportGrant | null>();
  if (!ids.length) return out;
  const facts = new Map(children.map((c) => [c.id, { familyId: c.familyId, authorityId: c.authorityId } as PassportFacts]));
  if (p.role === 'PROVIDER' || p.role === 'COORDINATOR') {
    const overrides = await tx.passportEmergencyAccess.findMany({
      where: { childId: { in: ids }, expiresAt: { gt: now }, ...(p.role === 'PROVIDER' ? { providerId: p.providerId } : { authorityId: p.authorityId }) },
      select: { childId: true },
    });
    for (const o of overrides) facts.get(o.childId)!.emergency = true;
  }
  if (p.role === 'PROVIDER') {
    const consents = await tx.passportConsent.findMany({ where: { childId: { in: ids }, providerId: p.providerId }, select: { childId: true, decision: true } });
    const bookings = await tx.booking.findMany({
      where: { childId: { in: ids }, status: { in: [...LIVE_BOOKING_STATUSES] }, slot: { providerId: p.providerId } },
      select: { childId: true },
      distinct: ['childId'],
    });
    for (const c of consents) facts.get(c.childId)!.decision = c.decision;
    for (const b of bookings) facts.get(b.childId)!.liveBooking = true;
  }
  if (p.role === 'TRANSPORT') {
    const seated = await tx.booking.findMany({ where: { AND: [{ childId: { in: ids } }, transportBookingWhere(p, now)] }, select: { childId: true }, distinct: ['childId'] });
    for (const b of seated) facts.get(b.childId)!.onRun = true;
  }
  for (const [id, f] of facts) out.set(id, passportGrant(p, f));
  return out;
}
