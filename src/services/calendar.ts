/**
 * Family calendar feeds. A family reads its feed with its token, or subscribes
 * a phone calendar to a secret URL (phones cannot send bearer tokens). Only a
 * SHA-256 of the secret is stored; making a new link revokes the old one.
 */
import { randomBytes } from 'node:crypto';
import { config } from '../config.js';
import { db } from '../db.js';
import { renderCalendar, type CalendarEvent } from '../domain/icalendar.js';
import { londonWallTimeOf } from '../domain/london-time.js';
import { notFound } from '../errors.js';
import { familyScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { hashSecret } from './tokens.js';

/** Cancelled breaks stay in the feed this long after their end, so every subscriber sees the cancellation. */
const CANCELLED_KEPT_DAYS = 60;

async function familyCalendar(familyId: string, now = new Date()): Promise<string> {
  const family = await db().family.findUniqueOrThrow({ where: { id: familyId } });
  const bookings = await db().booking.findMany({
    where: {
      child: { familyId },
      OR: [
        { status: { in: ['CONFIRMED', 'ATTENDED'] } },
        // A break taken away (cancelled, swapped, moved by a closure) is sent as cancelled, never just dropped.
        { status: { in: ['CANCELLED', 'REHOMED'] }, endsAt: { gt: new Date(now.getTime() - CANCELLED_KEPT_DAYS * 864e5) } },
      ],
    },
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
    const cancelled = b.status === 'CANCELLED' || b.status === 'REHOMED';
    return {
      uid: `${b.id}@shortbreaks`,
      start: b.startsAt,
      end: b.endsAt,
      summary: `${cancelled ? 'Cancelled: ' : ''}${b.child.firstName}: short break at ${p.name}`,
      location: `${p.addressLine}, ${p.postcode}`,
      description: cancelled ? [`This break is cancelled${b.cancelReason ? `: ${b.cancelReason}` : '.'}`, ...lines].join('\n') : lines.join('\n'),
      lastModified: b.updatedAt,
      sequence: b.calendarSequence,
      status: cancelled ? ('CANCELLED' as const) : ('CONFIRMED' as const),
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
  return calendarLinks(config().PUBLIC_BASE_URL ?? baseUrl, secret);
}

/**
 * The same feed twice: the https address for calendars that take a URL
 * (Google, Outlook) and the webcal address phones open straight into a
 * subscription. PUBLIC_BASE_URL, when set, is the address people use.
 */
export function calendarLinks(baseUrl: string, secret: string) {
  const base = baseUrl.replace(/\/$/, '');
  const url = `${base}/calendar/${secret}.ics`;
  return { url, webcal: url.replace(/^https?:/, 'webcal:') };
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
