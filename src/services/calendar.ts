/**
 * Family calendar feeds. A family reads its feed with its token, or subscribes
 * a phone calendar to a secret URL (phones cannot send bearer tokens). Only a
 * SHA-256 of the secret is stored; making a new link revokes the old one.
 */
import { randomBytes } from 'node:crypto';
import { db } from '../db.js';
import { renderCalendar, type CalendarEvent } from '../domain/icalendar.js';
import { londonWallTimeOf } from '../domain/london-time.js';
import { notFound } from '../http/problem.js';
import { familyScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { hashSecret } from './tokens.js';

async function familyCalendar(familyId: string): Promise<string> {
  const family = await db().family.findUniqueOrThrow({ where: { id: familyId } });
  const bookings = await db().booking.findMany({
    where: { child: { familyId }, status: { in: ['CONFIRMED', 'ATTENDED'] } },
    include: {
      child: { select: { firstName: true } },
      slot: { select: { provider: { select: { name: true, addressLine: true, postcode: true, phone: true } } } },
      transportSeats: { include: { run: true } },
    },
    orderBy: { startsAt: 'asc' },
  });
  const events: CalendarEvent[] = bookings.map((b) => {
    const p = b.slot.provider;
    const pickup = b.transportSeats.find((s) => s.run.direction === 'TO_BREAK')?.run;
    const lines = [
      `${b.child.firstName}'s short break at ${p.name}.`,
      pickup ? `Transport: pick-up from home, leaving the depot at ${londonWallTimeOf(pickup.departAt)}.` : null,
      p.phone ? `Provider phone: ${p.phone}` : null,
    ].filter(Boolean);
    return {
      uid: `${b.id}@shortbreaks`,
      start: b.startsAt,
      end: b.endsAt,
      summary: `${b.child.firstName}: short break at ${p.name}`,
      location: `${p.addressLine}, ${p.postcode}`,
      description: lines.join('\n'),
      lastModified: b.updatedAt,
    };
  });
  return renderCalendar(`${family.name}: short breaks`, events);
}

export async function calendarForPrincipal(principal: Principal, familyId: string): Promise<string> {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const family = await db().family.findFirst({ where: { AND: [{ id: familyId }, familyScope(principal)] }, select: { id: true } });
  if (!family) throw notFound('Family');
  return familyCalendar(familyId);
}

export async function calendarForSecret(secret: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return null;
  const family = await db().family.findUnique({ where: { calendarSecretHash: hashSecret(secret) }, select: { id: true } });
  return family ? familyCalendar(family.id) : null;
}

/** A new subscription link; any earlier link stops working. */
export async function createCalendarLink(principal: Principal, familyId: string, baseUrl: string) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const family = await db().family.findFirst({ where: { AND: [{ id: familyId }, familyScope(principal)] } });
  if (!family) throw notFound('Family');
  const secret = randomBytes(24).toString('base64url');
  await db().$transaction(async (tx) => {
    await tx.family.update({ where: { id: familyId }, data: { calendarSecretHash: hashSecret(secret) } });
    await audit(tx, principal, { action: 'calendar.link_created', entityType: 'Family', entityId: familyId, authorityId: family.authorityId });
  });
  return { url: `${baseUrl}/calendar/${secret}.ics`, webcal: `${baseUrl.replace(/^https?:/, 'webcal:')}/calendar/${secret}.ics` };
}

export async function revokeCalendarLink(principal: Principal, familyId: string) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const family = await db().family.findFirst({ where: { AND: [{ id: familyId }, familyScope(principal)] } });
  if (!family) throw notFound('Family');
  await db().$transaction(async (tx) => {
    await tx.family.update({ where: { id: familyId }, data: { calendarSecretHash: null } });
    await audit(tx, principal, { action: 'calendar.link_revoked', entityType: 'Family', entityId: familyId, authorityId: family.authorityId });
  });
  return { revoked: true };
}
