/** Families, their children (needs and medical passport) and entitlements. */
import { db, type Tx } from '../db.js';
import type { Child, Entitlement, Family, Prisma } from '../generated/prisma/client.js';
import { ApiError, notFound, unprocessable } from '../http/problem.js';
import { unmetNeeds } from '../domain/eligibility.js';
import type { ChildInfo } from '../domain/model.js';
import { slotWithProvider, toSlotInfo } from './placement.js';
import type { CreateChildInput, CreateEntitlementInput, CreateFamilyInput, UpdateChildInput } from '../schemas/families.js';
import { childScope, familyScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { dateOnly, iso, toDbDate } from './serialize.js';
import { transaction } from './tx.js';
import { childLedger } from './reports.js';

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

export function childView(c: Child & { entitlements: Entitlement[] }, showPassport: boolean) {
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
    passport: showPassport ? (c.passport as Record<string, string>) : null,
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

export async function getFamily(principal: Principal, familyId: string) {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  const family = await db().family.findFirst({
    where: { AND: [{ id: familyId }, familyScope(principal)] },
    include: { children: { include: { entitlements: true }, orderBy: { firstName: 'asc' } } },
  });
  if (!family) throw notFound('Family');
  return { ...familyView(family), children: family.children.map((c) => childView(c, true)) };
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
        passport: input.passport as Prisma.InputJsonValue,
      },
      include: { entitlements: true },
    });
    await audit(tx, principal, { action: 'child.created', entityType: 'Child', entityId: child.id, authorityId: family.authorityId, after: { needs: input.needs } });
    return childView(child, true);
  });
}

/** A provider sees the passport only while it holds a live booking for the child (invariant 5); the scope already requires one. */
export async function getChild(principal: Principal, childId: string) {
  const child = await db().child.findFirst({
    where: { AND: [{ id: childId }, childScope(principal)] },
    include: { entitlements: { orderBy: { periodStart: 'asc' } } },
  });
  if (!child) throw notFound('Child');
  // Promised versus delivered, per award (issue 6); providers see the child, not the council's ledger.
  const ledger = principal.role === 'PROVIDER' ? null : await childLedger(principal, childId);
  return { ...childView(child, true), ledger };
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
    const after = await tx.child.update({
      where: { id: childId },
      data: {
        ...input,
        dateOfBirth: input.dateOfBirth ? toDbDate(input.dateOfBirth) : undefined,
        passport: input.passport as Prisma.InputJsonValue | undefined,
      },
      include: { entitlements: true },
    });
    await audit(tx, principal, { action: 'child.updated', entityType: 'Child', entityId: childId, authorityId: before.authorityId, before: childView(before, true), after: childView(after, true) });
    return childView(after, true);
  });
}

export async function createEntitlement(principal: Principal, childId: string, input: CreateEntitlementInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const child = await tx.child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] } });
    if (!child) throw notFound('Child');
    const entitlement = await tx.entitlement.create({ data: { childId, ...input, notes: input.notes ?? null } });
    await audit(tx, principal, { action: 'entitlement.awarded', entityType: 'Entitlement', entityId: entitlement.id, authorityId: child.authorityId, after: input });
    return entitlementView(entitlement);
  });
}

/**
 * Invariant 3 holds for bookings already made: a change of needs that a booked
 * place could not meet is refused until those bookings are moved or cancelled.
 */
async function assertBookingsStillMeetNeeds(tx: Tx, child: ChildInfo): Promise<void> {
  const upcoming = await tx.booking.findMany({
    where: { childId: child.id, status: { in: ['ALLOCATED', 'CONFIRMED'] }, startsAt: { gt: new Date() } },
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
