/** Families, their children (needs and medical passport) and entitlements. */
import { db, type Tx } from '../db.js';
import { Prisma, type Child, type Entitlement, type Family } from '../generated/prisma/client.js';
import { ApiError, notFound, unprocessable } from '../errors.js';
import { unmetNeeds } from '../domain/eligibility.js';
import type { ChildInfo } from '../domain/model.js';
import { slotWithProvider, toSlotInfo } from './placement.js';
import type { CreateChildInput, CreateEntitlementInput, CreateFamilyInput, UpdateChildInput, UpdateEntitlementInput } from '../schemas/families.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import { childScope, familyScope, requireRole, type Principal } from './access.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';
import { passportsFor, writePassport, type Channel } from './passports.js';
import type { Passport } from '../schemas/passport.js';
import { audit } from './audit.js';
import { dateOnly, iso, toDbDate } from './serialize.js';
import { transaction } from './tx.js';
import { notifyPassportChanged } from './notification-triggers.js';
import { childLedger } from './reports.js';
import { UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';
import { PassportColumn, PreviousFiguresColumn, toJson } from '../schemas/json-columns.js';

export const familyView = (f: Family) => ({
  id: f.id,
  authorityId: f.authorityId,
  name: f.name,
  email: f.email,
  phone: f.phone,
  addressLine: f.addressLine,
  postcode: f.postcode,
  lat: f.lat,
  lng: f.lng,
  createdAt: iso(f.createdAt),
});

export const entitlementView = (e: Entitlement) => ({
  id: e.id,
  childId: e.childId,
  periodStart: e.periodStart,
  periodEnd: e.periodEnd,
  nights: e.nights,
  daySessions: e.daySessions,
  notes: e.notes,
  createdAt: iso(e.createdAt),
});

/** A child as a principal may see it: the passport only as access.ts grants it (null otherwise). */
export function childView(c: Child & { entitlements: Entitlement[] }, passport: Passport | null) {
  return {
    id: c.id,
    familyId: c.familyId,
    authorityId: c.authorityId,
    firstName: c.firstName,
    lastName: c.lastName,
    dateOfBirth: dateOnly(c.dateOfBirth),
    needs: c.needs,
    needsTransport: c.needsTransport,
    needsEscort: c.needsEscort,
    passport,
    supportFlag: c.supportFlag,
    entitlements: c.entitlements.map(entitlementView),
  };
}

export async function createFamily(principal: Principal, input: CreateFamilyInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const family = await tx.family.create({
      data: { ...input, postcode: input.postcode?.toUpperCase(), authorityId: principal.authorityId },
    });
    await audit(tx, principal, { action: 'family.created', entityType: 'Family', entityId: family.id, authorityId: principal.authorityId, after: { name: input.name } });
    return familyView(family);
  });
}

export async function listFamilies(principal: Principal, q: { limit: number; cursor?: string }) {
  requireRole(principal, 'COORDINATOR');
  const rows = await db().family.findMany({
    where: { AND: [familyScope(principal), q.cursor ? { id: { gt: q.cursor } } : {}] },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
  });
  return rows.map(familyView);
}

export async function getFamily(principal: Principal, familyId: string, channel: Channel = 'API') {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  const family = await db().family.findFirst({
    where: { AND: [{ id: familyId }, familyScope(principal)] },
    include: { children: { include: { entitlements: true }, orderBy: { firstName: 'asc' } } },
  });
  if (!family) throw notFound('Family');
  const passports = await passportsFor(db(), principal, family.children, channel);
  return { ...familyView(family), children: family.children.map((c) => childView(c, passports.get(c.id)?.passport ?? null)) };
}

export async function createChild(principal: Principal, familyId: string, input: CreateChildInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const family = await tx.family.findFirst({ where: { AND: [{ id: familyId }, familyScope(principal)] } });
    if (!family) throw notFound('Family');
    if (input.dateOfBirth > new Date().toISOString().slice(0, 10)) throw unprocessable('dateOfBirth is in the future');
    const child = await tx.child.create({
      data: {
        familyId,
        authorityId: family.authorityId,
        firstName: input.firstName,
        lastName: input.lastName,
        dateOfBirth: toDbDate(input.dateOfBirth),
        needs: input.needs,
        needsTransport: input.needsTransport,
        needsEscort: input.needsEscort,
        // Written from what the family gave at intake; from then on only the family edits it, and
        // the coordinator sees it only under an emergency override (access.ts).
        passport: toJson(PassportColumn, input.passport),
        supportFlag: input.supportFlag ?? null,
        passportUpdatedAt: Object.keys(input.passport).length ? new Date() : null,
      },
      include: { entitlements: true },
    });
    await audit(tx, principal, { action: 'child.created', entityType: 'Child', entityId: child.id, authorityId: family.authorityId, after: { needs: input.needs } });
    return childView(child, (await passportsFor(tx, principal, [child], 'API')).get(child.id)?.passport ?? null);
  });
}

/** The child as the principal may see it; the passport as the family's consent allows, the read logged (access.ts, passports.ts). */
export async function getChild(principal: Principal, childId: string, channel: Channel = 'API') {
  const child = await db().child.findFirst({
    where: { AND: [{ id: childId }, childScope(principal)] },
    include: { entitlements: { orderBy: { periodStart: 'asc' } } },
  });
  if (!child) throw notFound('Child');
  // Promised versus delivered, per award; providers and transport staff see the child, not the council's ledger.
  const ledger = principal.role === 'PROVIDER' || principal.role === 'TRANSPORT' ? null : await childLedger(principal, childId);
  const passport = (await passportsFor(db(), principal, [child], channel)).get(child.id)?.passport ?? null;
  return { ...childView(child, passport), ledger };
}

/** What a provider caring for the child must plan for anew when a coordinator changes it: needs and transport (names only). */
function careChanges(before: { needs: string[]; needsTransport: boolean; needsEscort: boolean }, after: typeof before): string[] {
  const changes: string[] = [];
  if ([...before.needs].sort().join() !== [...after.needs].sort().join()) changes.push('care needs');
  if (before.needsTransport !== after.needsTransport || before.needsEscort !== after.needsEscort) changes.push('transport needs');
  return changes;
}

export async function updateChild(principal: Principal, childId: string, input: UpdateChildInput) {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  return transaction(async (tx) => {
    // Locked like a booking locks it, so a booking and a needs change cannot interleave.
    await tx.$queryRaw`SELECT id FROM child WHERE id = ${childId} FOR UPDATE`;
    const before = await tx.child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] }, include: { entitlements: true } });
    if (!before) throw notFound('Child');
    if (input.dateOfBirth && input.dateOfBirth > new Date().toISOString().slice(0, 10)) throw unprocessable('dateOfBirth is in the future');
    if (input.needs) await assertBookingsStillMeetNeeds(tx, { id: childId, authorityId: before.authorityId, needs: input.needs });
    // Families keep the passport up to date; needs change what places fit, so only coordinators set them.
    if (principal.role === 'FAMILY' && (input.needs || input.firstName || input.lastName || input.dateOfBirth)) {
      throw unprocessable('Families may update the medical passport and transport needs; ask your coordinator to change anything else');
    }
    // The passport is the family's: a coordinator cannot read it, so it may not overwrite it either.
    if (principal.role !== 'FAMILY' && (input.passport || input.supportFlag !== undefined)) {
      throw unprocessable('Only the family edits the medical passport and the support flag');
    }
    const { passport, supportFlag, ...rest } = input;
    const after = await tx.child.update({
      where: { id: childId },
      data: { ...rest, dateOfBirth: input.dateOfBirth ? toDbDate(input.dateOfBirth) : undefined },
      include: { entitlements: true },
    });
    // The audit keeps the record's facts, never the passport's content (passports.ts records which sections changed).
    const facts = (c: typeof before) => ({ ...childView(c, null), passport: undefined, supportFlag: undefined });
    await audit(tx, principal, { action: 'child.updated', entityType: 'Child', entityId: childId, authorityId: before.authorityId, before: facts(before), after: facts(after) });
    if (passport || supportFlag !== undefined) await writePassport(tx, principal, after, { passport, supportFlag });
    // Passport sections are told by writePassport (as the family's sharing allows); needs and transport are the booking's own facts.
    const changed = careChanges(before, after);
    if (changed.length) await notifyPassportChanged(tx, { childId, changed, changeId: `${childId}-${after.updatedAt.getTime()}` });
    const fresh = await tx.child.findUniqueOrThrow({ where: { id: childId }, include: { entitlements: true } });
    return childView(fresh, (await passportsFor(tx, principal, [fresh], 'API')).get(childId)?.passport ?? null);
  });
}

export async function createEntitlement(principal: Principal, childId: string, input: CreateEntitlementInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const child = await tx.child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] } });
    if (!child) throw notFound('Child');
    const entitlement = await tx.entitlement.create({ data: { childId, ...input, notes: input.notes ?? null } });
    await tx.entitlementChange.create({ data: { entitlementId: entitlement.id, childId, ...figures(entitlement), previous: Prisma.DbNull, reason: input.notes ?? null, actorRole: principal.role } });
    await audit(tx, principal, { action: 'entitlement.awarded', entityType: 'Entitlement', entityId: entitlement.id, authorityId: child.authorityId, after: input });
    return entitlementView(entitlement);
  });
}

const figures = (e: { periodStart: string; periodEnd: string; nights: number; daySessions: number }) => ({ periodStart: e.periodStart, periodEnd: e.periodEnd, nights: e.nights, daySessions: e.daySessions });

/**
 * Change an award, keeping what it was and why in its history. A cut that
 * leaves the child's awards for the period below the nights or sessions
 * already booked or delivered in it is refused: those breaks would then stand
 * over the award, so the coordinator cancels or moves them first.
 */
export async function updateEntitlement(principal: Principal, entitlementId: string, input: UpdateEntitlementInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const before = await tx.entitlement.findFirst({ where: { id: entitlementId, child: childScope(principal) }, include: { child: true } });
    if (!before) throw notFound('Entitlement');
    // The child row is the lock every booking of the child queues on (placement.ts): no booking slips in while the award changes.
    await tx.$queryRaw`SELECT id FROM child WHERE id = ${before.childId} FOR UPDATE`;
    // Awards that overlap add up (eligibility.ts counts them together), so the others' figures count towards what is booked.
    const others = await tx.entitlement.findMany({ where: { childId: before.childId, id: { not: entitlementId }, periodStart: { lte: input.periodEnd }, periodEnd: { gte: input.periodStart } } });
    const from = londonWallTimeToInstant(input.periodStart, '00:00');
    const until = londonWallTimeToInstant(addDays(input.periodEnd, 1), '00:00');
    const used = await tx.booking.findMany({ where: { childId: before.childId, status: { in: [...LIVE_BOOKING_STATUSES] }, startsAt: { gte: from, lt: until } }, select: { nights: true } });
    const nights = used.reduce((sum, b) => sum + b.nights, 0);
    const sessions = used.filter((b) => b.nights === 0).length;
    const otherNights = others.reduce((sum, e) => sum + e.nights, 0);
    const otherSessions = others.reduce((sum, e) => sum + e.daySessions, 0);
    if (input.nights + otherNights < nights || input.daySessions + otherSessions < sessions) {
      throw new ApiError(
        'CONFLICT',
        `${before.child.firstName} already has ${nights} night(s) and ${sessions} day session(s) booked or delivered in this period; with the other awards covering it, award at least ${Math.max(0, nights - otherNights)} night(s) and ${Math.max(0, sessions - otherSessions)} day session(s), or cancel breaks first`,
        { bookedNights: nights, bookedSessions: sessions },
      );
    }
    const after = await tx.entitlement.update({ where: { id: entitlementId }, data: figures(input) });
    await tx.entitlementChange.create({ data: { entitlementId, childId: before.childId, ...figures(after), previous: figures(before), reason: input.reason, actorRole: principal.role } });
    await audit(tx, principal, { action: 'entitlement.changed', entityType: 'Entitlement', entityId: entitlementId, authorityId: before.child.authorityId, before: figures(before), after: { ...figures(after), reason: input.reason } });
    return entitlementView(after);
  });
}

/** Every award and change for a child, newest first; awards made before changes were recorded appear as their first award. */
export async function entitlementHistory(principal: Principal, childId: string) {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  const child = await db().child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] }, include: { entitlements: { include: { changes: { select: { id: true }, take: 1 } } } } });
  if (!child) throw notFound('Child');
  const changes = await db().entitlementChange.findMany({ where: { childId }, orderBy: [{ at: 'desc' }, { id: 'asc' }] });
  const recorded = changes.map((ch) => ({
    id: ch.id,
    entitlementId: ch.entitlementId,
    ...figures(ch),
    previous: PreviousFiguresColumn.parse(ch.previous ?? null),
    reason: ch.reason,
    changedBy: ch.actorRole,
    at: iso(ch.at),
  }));
  const unrecorded = child.entitlements
    .filter((e) => e.changes.length === 0)
    .map((e) => ({ id: e.id, entitlementId: e.id, ...figures(e), previous: null, reason: e.notes, changedBy: 'COORDINATOR', at: iso(e.createdAt) }));
  return [...recorded, ...unrecorded].sort((a, b) => b.at.localeCompare(a.at));
}

/**
 * Invariant 3 holds for bookings already made: a change of needs that a booked
 * place could not meet is refused until those bookings are moved or cancelled.
 */
async function assertBookingsStillMeetNeeds(tx: Tx, child: ChildInfo): Promise<void> {
  const upcoming = await tx.booking.findMany({
    where: { childId: child.id, status: { in: [...UPCOMING_BOOKING_STATUSES] }, startsAt: { gt: new Date() } },
    include: { slot: { include: slotWithProvider } },
  });
  const clashes = upcoming.flatMap((b) => {
    const unmet = unmetNeeds(child, toSlotInfo(b.slot));
    return unmet.length ? [{ bookingId: b.id, startsAt: b.startsAt.toISOString(), provider: b.slot.provider.name, unmet }] : [];
  });
  if (clashes.length) {
    throw new ApiError('CONFLICT', `${clashes.length} upcoming booking(s) could not meet the new needs; move or cancel them first`, { bookings: clashes });
  }
}
