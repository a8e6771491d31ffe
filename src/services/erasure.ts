/**
 * Erasing a family's personal data, on a valid request or when retention runs
 * out (src/services/retention.ts). Names, contact details, dates of birth (the
 * year stays), passports, support flags, free-text notes, consents, the access
 * log, messages and exports go; tokens are revoked and sessions ended. Every
 * booking, award and request row stays with its counts and dates, and audit
 * events stay with their personal fields scrubbed, so every report (ledger,
 * capacity, looked-after, costs, funding review) adds up exactly as before.
 * The child's care-need categories stay with the pseudonym: spend and unmet
 * demand are reported per need from them, and without them an erased child's
 * nights would move from "gastrostomy" to "no particular need".
 */
import type { Tx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import { pseudonymOf, scrubPersonalData, yearOnly } from '../domain/personal-data.js';
import { ApiError, notFound } from '../errors.js';
import { familyScope, requireRole, type Principal } from './access.js';
import { audit, type Actor } from './audit.js';
import { endAccessThrough } from './memberships.js';
import { iso } from './serialize.js';
import { transaction } from './tx.js';
import { UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';
import { AuditValueColumn, toJson } from '../schemas/json-columns.js';

export interface ErasureSummary {
  familyId: string;
  erasedAt: string;
  children: number;
  bookingsKept: number;
  auditEventsPseudonymised: number;
}

/** Erase within the caller's transaction; the family row is locked first so two erasures cannot interleave. */
export async function eraseFamilyData(tx: Tx, actor: Actor, familyId: string, reason: string, now = new Date()): Promise<ErasureSummary> {
  await tx.$queryRaw`SELECT id FROM family WHERE id = ${familyId} FOR UPDATE`;
  const family = await tx.family.findUnique({ where: { id: familyId }, include: { children: true, tokens: { select: { id: true } } } });
  if (!family) throw notFound('Family');
  if (family.erasedAt) throw new ApiError('CONFLICT', `This family's personal data was already erased on ${iso(family.erasedAt).slice(0, 10)}`);
  const childIds = family.children.map((c) => c.id);
  const bookings = await tx.booking.findMany({ where: { childId: { in: childIds } }, select: { id: true } });
  const bookingIds = bookings.map((b) => b.id);
  const requestIds = (await tx.breakRequest.findMany({ where: { childId: { in: childIds } }, select: { id: true } })).map((r) => r.id);
  const entitlementIds = (await tx.entitlement.findMany({ where: { childId: { in: childIds } }, select: { id: true } })).map((e) => e.id);
  const tokenIds = family.tokens.map((t) => t.id);

  for (const c of family.children) {
    await tx.child.update({
      where: { id: c.id },
      data: { ...pseudonymOf(c.id), dateOfBirth: yearOnly(c.dateOfBirth), passport: {}, supportFlag: null, passportUpdatedAt: null },
    });
  }
  await tx.family.update({
    where: { id: familyId },
    data: { name: 'Erased family', email: null, phone: null, addressLine: null, postcode: null, lat: null, lng: null, calendarSecretHash: null, erasedAt: now },
  });
  await tx.entitlement.updateMany({ where: { childId: { in: childIds } }, data: { notes: null } });
  await tx.entitlementChange.updateMany({ where: { childId: { in: childIds } }, data: { reason: null } });
  await tx.breakRequest.updateMany({ where: { childId: { in: childIds } }, data: { notes: null } });
  await tx.booking.updateMany({ where: { id: { in: bookingIds }, cancelReason: { not: null } }, data: { cancelReason: null } });
  await tx.passportConsent.deleteMany({ where: { childId: { in: childIds } } });
  await tx.passportEmergencyAccess.deleteMany({ where: { childId: { in: childIds } } });
  await tx.passportRead.deleteMany({ where: { childId: { in: childIds } } });
  await tx.subjectAccessExport.deleteMany({ where: { familyId } });
  // Messages to the family, and those to providers about its children or their bookings.
  await tx.$executeRaw`
    DELETE FROM notification
    WHERE ("recipientRole" = 'FAMILY' AND "recipientId" = ${familyId})
       OR payload->>'childId' = ANY(${childIds}::text[])
       OR payload->>'bookingId' = ANY(${bookingIds}::text[])`;
  await tx.notificationPreference.deleteMany({ where: { recipientRole: 'FAMILY', recipientId: familyId } });
  await tx.apiToken.updateMany({ where: { id: { in: tokenIds }, revokedAt: null }, data: { revokedAt: now } });
  await tx.webSession.updateMany({ where: { apiTokenId: { in: tokenIds }, endedAt: null }, data: { endedAt: now } });
  // The family's carers act through memberships of it: those end too, with every token and session that
  // acts through them, so nobody already signed in keeps reading what is left of the family.
  const memberships = await tx.membership.findMany({ where: { familyId, revokedAt: null }, select: { id: true } });
  const membershipIds = memberships.map((membership) => membership.id);
  await tx.membership.updateMany({ where: { id: { in: membershipIds } }, data: { revokedAt: now } });
  await endAccessThrough(tx, membershipIds, now);

  // Audit events keep who did what to which booking, without the personal fields.
  const entityIds = [familyId, ...childIds, ...bookingIds, ...requestIds, ...entitlementIds];
  const events = await tx.auditEvent.findMany({
    where: { OR: [{ entityId: { in: entityIds } }, { bookingId: { in: bookingIds } }] },
    select: { id: true, before: true, after: true },
  });
  for (const e of events) {
    await tx.auditEvent.update({
      where: { id: e.id },
      data: {
        before: e.before === null ? Prisma.DbNull : toJson(AuditValueColumn, AuditValueColumn.parse(scrubPersonalData(e.before))),
        after: e.after === null ? Prisma.DbNull : toJson(AuditValueColumn, AuditValueColumn.parse(scrubPersonalData(e.after))),
      },
    });
  }
  // The reason is the request's reference ("letter of 1 December"), kept as the record that erasure was lawful.
  await audit(tx, actor, { action: 'family.erased', entityType: 'Family', entityId: familyId, authorityId: family.authorityId, after: { reason, children: childIds.length, bookingsKept: bookingIds.length } });
  return { familyId, erasedAt: iso(now), children: childIds.length, bookingsKept: bookingIds.length, auditEventsPseudonymised: events.length };
}

/**
 * POST /v1/families/:id/erasure: a coordinator acting on a valid request. A
 * family with breaks still to come is refused: cancel them first, so no
 * provider expects a child it can no longer name.
 */
export async function requestErasure(p: Principal, familyId: string, input: { reason: string }) {
  requireRole(p, 'COORDINATOR');
  return transaction(async (tx) => {
    const family = await tx.family.findFirst({ where: { AND: [{ id: familyId }, familyScope(p)] }, select: { id: true } });
    if (!family) throw notFound('Family');
    const upcoming = await tx.booking.count({ where: { child: { familyId }, status: { in: [...UPCOMING_BOOKING_STATUSES] }, endsAt: { gt: new Date() } } });
    if (upcoming) throw new ApiError('CONFLICT', `The family has ${upcoming} break(s) booked that have not ended; cancel them before erasing its data`);
    return eraseFamilyData(tx, p, familyId, input.reason);
  });
}
