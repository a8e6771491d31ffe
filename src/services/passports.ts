/**
 * The medical passport: reading it (as much as src/services/access.ts grants,
 * every read by anyone but the family logged), the family's edits (audited, and
 * the providers of its booked breaks told), the family's per-provider consent
 * and a coordinator's emergency override.
 */
import { db, type Tx } from '../db.js';
import type { Child } from '../generated/prisma/client.js';
import { forbidden, notFound, unprocessable } from '../errors.js';
import {
  JOURNEY_SECTIONS,
  type EmergencyAccessInput,
  type Passport,
  type PutPassportInput,
} from '../schemas/passport.js';
import { childScope, passportGrants, requireRole, type PassportGrant, type Principal } from './access.js';
import { audit } from './audit.js';
import { notify } from './notifications.js';
import { iso, isoOrNull } from './serialize.js';
import { dayAndTimeText, dayText } from '../domain/notification-text.js';
import { transaction } from './tx.js';
import { LIVE_BOOKING_STATUSES, UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';
import { PassportColumn, toJson } from '../schemas/json-columns.js';

export type Channel = 'API' | 'PAGE';

/** The JSON column read back through the one schema (migrated rows always pass; anything else is a bug worth a 500). */
const readPassport = (json: unknown): Passport => PassportColumn.parse(json);

/** What a grant shows: everything, or the journey sections only. */
export function shownPassport(passport: Passport, grant: PassportGrant): Passport {
  if (grant.level === 'FULL') return passport;
  return Object.fromEntries(JOURNEY_SECTIONS.flatMap((k) => (passport[k] ? [[k, passport[k]]] : []))) as Passport;
}

/**
 * Record reads by anyone but the family (the family's own reads are not "who
 * has seen it"): the person, their organisation, how and when. Names are copied
 * in, so the log stays readable if a provider is renamed or a token revoked.
 */
export async function recordPassportReads(tx: Tx, p: Principal, reads: { childId: string; grant: PassportGrant }[], channel: Channel): Promise<void> {
  if (p.role === 'FAMILY' || !reads.length) return;
  const token = await tx.apiToken.findUnique({ where: { id: p.tokenId }, select: { label: true } });
  // A person signed in as themselves is named; an organisation's access key by its label.
  const person = p.personId ? await tx.person.findUnique({ where: { id: p.personId }, select: { name: true, serviceAccount: true } }) : null;
  const who = person && !person.serviceAccount ? person.name : (token?.label ?? person?.name ?? null);
  let organisation: { type: string; id: string; name: string };
  switch (p.role) {
    case 'PROVIDER': {
      const provider = await tx.provider.findUniqueOrThrow({ where: { id: p.providerId }, select: { name: true } });
      organisation = { type: 'PROVIDER', id: p.providerId, name: provider.name };
      break;
    }
    case 'COORDINATOR': {
      const authority = await tx.authority.findUniqueOrThrow({ where: { id: p.authorityId }, select: { name: true } });
      organisation = { type: 'AUTHORITY', id: p.authorityId, name: authority.name };
      break;
    }
    case 'TRANSPORT': {
      const vehicle = await tx.vehicle.findUniqueOrThrow({ where: { id: p.vehicleId }, select: { name: true, authority: { select: { name: true } } } });
      organisation = { type: 'VEHICLE', id: p.vehicleId, name: `${vehicle.name} (${vehicle.authority.name} transport)` };
      break;
    }
  }
  await tx.passportRead.createMany({
    data: reads.map((r) => ({
      childId: r.childId,
      actorRole: p.role,
      actorId: p.tokenId,
      actorLabel: who,
      organisationType: organisation.type,
      organisationId: organisation.id,
      organisationName: organisation.name,
      channel,
      level: r.grant.level,
      basis: r.grant.basis,
    })),
  });
}

/**
 * The passports a principal may see among these children, shown as granted and
 * logged as read. Callers showing a child record use this, so no path shows a
 * passport without the log knowing.
 */
export async function passportsFor(
  tx: Tx,
  p: Principal,
  children: Pick<Child, 'id' | 'familyId' | 'authorityId' | 'passport'>[],
  channel: Channel,
): Promise<Map<string, { passport: Passport; grant: PassportGrant }>> {
  const grants = await passportGrants(tx, p, children);
  const out = new Map<string, { passport: Passport; grant: PassportGrant }>();
  for (const c of children) {
    const grant = grants.get(c.id);
    if (grant) out.set(c.id, { passport: shownPassport(readPassport(c.passport), grant), grant });
  }
  await recordPassportReads(tx, p, [...out].map(([childId, v]) => ({ childId, grant: v.grant })), channel);
  return out;
}

/** GET /v1/children/:id/passport. */
export async function getPassport(p: Principal, childId: string, channel: Channel = 'API') {
  return transaction(async (tx) => {
    const child = await tx.child.findUnique({ where: { id: childId } });
    if (!child) throw notFound('Child');
    const shown = (await passportsFor(tx, p, [child], channel)).get(childId);
    if (!shown) {
      // Someone who may see the child but not its passport is told why; anyone else learns nothing.
      if (await tx.child.findFirst({ where: { AND: [{ id: childId }, childScope(p)] }, select: { id: true } })) {
        throw forbidden('The family has not shared this passport with you');
      }
      throw notFound('Child');
    }
    return {
      childId,
      firstName: child.firstName,
      lastName: child.lastName,
      supportFlag: child.supportFlag,
      level: shown.grant.level,
      basis: shown.grant.basis,
      passport: shown.passport,
      updatedAt: isoOrNull(child.passportUpdatedAt),
    };
  });
}

const sectionsChanged = (before: Passport, after: Passport) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(before[k as keyof Passport]) !== JSON.stringify(after[k as keyof Passport]),
  );

/**
 * The family replaces the passport (and, if sent, the support flag). The audit
 * records which sections changed, not their content: the log must not become a
 * second copy of the child's medical record. Every provider holding a booked
 * break still to come, and allowed to see the passport, is told before it.
 */
export async function writePassport(tx: Tx, p: Principal, child: Child, input: { passport?: Passport; supportFlag?: string | null }): Promise<void> {
  const before = readPassport(child.passport);
  const changed = input.passport ? sectionsChanged(before, input.passport) : [];
  const flagChanged = input.supportFlag !== undefined && input.supportFlag !== child.supportFlag;
  if (!changed.length && !flagChanged) return;
  const now = new Date();
  await tx.child.update({
    where: { id: child.id },
    data: {
      passport: input.passport ? toJson(PassportColumn, input.passport) : undefined,
      supportFlag: input.supportFlag,
      passportUpdatedAt: now,
    },
  });
  const what = [...changed, ...(flagChanged ? ['supportFlag'] : [])];
  await audit(tx, p, { action: 'passport.updated', entityType: 'Child', entityId: child.id, authorityId: child.authorityId, after: { sections: what } });
  const upcoming = await tx.booking.findMany({
    where: { childId: child.id, status: { in: [...UPCOMING_BOOKING_STATUSES] }, startsAt: { gt: now } },
    select: { startsAt: true, slot: { select: { providerId: true } } },
    orderBy: { startsAt: 'asc' },
  });
  const firstByProvider = new Map<string, Date>();
  for (const b of upcoming) if (!firstByProvider.has(b.slot.providerId)) firstByProvider.set(b.slot.providerId, b.startsAt);
  for (const [providerId, startsAt] of firstByProvider) {
    const grant = (await passportGrants(tx, { tokenId: 'notice', role: 'PROVIDER', providerId }, [child], now)).get(child.id);
    if (!grant) continue; // the family has not shared it with this provider: not even that it changed
    await notify(tx, {
      kind: 'PASSPORT_CHANGED',
      dedupeKey: `passport-${child.id}-${now.getTime()}-${providerId}`,
      recipientRole: 'PROVIDER',
      recipientId: providerId,
      authorityId: child.authorityId,
      fields: { child_name: child.firstName, next_break: dayText(startsAt), changed: what.join(', ') },
      // The child's page is where the provider reads what changed (its day page shows only the next fortnight).
      link: `/provider/children/${child.id}`,
      payload: { childId: child.id, sections: what, breakStartsAt: iso(startsAt) },
    });
  }
}

/** PUT /v1/children/:id/passport: only the family edits its child's passport. */
export async function putPassport(p: Principal, childId: string, input: PutPassportInput) {
  requireRole(p, 'FAMILY');
  await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM child WHERE id = ${childId} FOR UPDATE`;
    const child = await tx.child.findFirst({ where: { AND: [{ id: childId }, childScope(p)] } });
    if (!child) throw notFound('Child');
    await writePassport(tx, p, child, input);
  });
  return getPassport(p, childId);
}

// ---- Consent --------------------------------------------------------------------

async function ownChild(tx: Tx, p: Principal, childId: string) {
  const child = await tx.child.findFirst({ where: { AND: [{ id: childId }, childScope(p)] } });
  if (!child) throw notFound('Child');
  return child;
}

/** GET /v1/children/:id/passport/consent: every provider the family chose about, or that holds a live booking. */
export async function getConsent(p: Principal, childId: string, now = new Date()) {
  requireRole(p, 'FAMILY');
  return transaction(async (tx) => {
    const child = await ownChild(tx, p, childId);
    const consents = await tx.passportConsent.findMany({ where: { childId }, include: { provider: { select: { name: true } } } });
    const live = await tx.booking.findMany({ where: { childId, status: { in: [...LIVE_BOOKING_STATUSES] } }, select: { slot: { select: { providerId: true, provider: { select: { name: true } } } } } });
    const overrides = await tx.passportEmergencyAccess.findMany({ where: { childId }, orderBy: { createdAt: 'desc' }, take: 50 });
    const providers = new Map<string, { providerId: string; providerName: string; decision: 'ALLOW' | 'DENY' | null; hasLiveBooking: boolean }>();
    for (const b of live) providers.set(b.slot.providerId, { providerId: b.slot.providerId, providerName: b.slot.provider.name, decision: null, hasLiveBooking: true });
    for (const c of consents) {
      const entry = providers.get(c.providerId) ?? { providerId: c.providerId, providerName: c.provider.name, decision: null, hasLiveBooking: false };
      entry.decision = c.decision;
      providers.set(c.providerId, entry);
    }
    const activeFor = new Set(overrides.filter((o) => o.expiresAt > now && o.providerId).map((o) => o.providerId));
    return {
      childId: child.id,
      default: 'PROVIDERS_WITH_A_LIVE_BOOKING' as const,
      providers: [...providers.values()]
        .map((e) => ({ ...e, canSee: activeFor.has(e.providerId) || (e.decision === 'DENY' ? false : e.decision === 'ALLOW' || e.hasLiveBooking) }))
        .sort((a, b) => a.providerName.localeCompare(b.providerName)),
      emergencyAccess: overrides.map((o) => ({ id: o.id, providerId: o.providerId, reason: o.reason, createdAt: iso(o.createdAt), expiresAt: iso(o.expiresAt), active: o.expiresAt > now })),
    };
  });
}

/** PUT /v1/children/:id/passport/consent/:providerId (decision) or DELETE it (back to the default). */
export async function setConsent(p: Principal, childId: string, providerId: string, decision: 'ALLOW' | 'DENY' | null) {
  requireRole(p, 'FAMILY');
  await transaction(async (tx) => {
    const child = await ownChild(tx, p, childId);
    if (!(await tx.provider.findUnique({ where: { id: providerId }, select: { id: true } }))) throw notFound('Provider');
    const before = await tx.passportConsent.findUnique({ where: { childId_providerId: { childId, providerId } } });
    if (decision) {
      await tx.passportConsent.upsert({ where: { childId_providerId: { childId, providerId } }, create: { childId, providerId, decision }, update: { decision } });
    } else if (before) {
      await tx.passportConsent.delete({ where: { childId_providerId: { childId, providerId } } });
    }
    await audit(tx, p, {
      action: 'passport.consent_set',
      entityType: 'Child',
      entityId: childId,
      authorityId: child.authorityId,
      before: { providerId, decision: before?.decision ?? 'DEFAULT' },
      after: { providerId, decision: decision ?? 'DEFAULT' },
    });
  });
  return getConsent(p, childId);
}

/**
 * POST /v1/children/:id/passport/emergency-access: a coordinator opens the
 * passport against the family's choice, for a few hours, only with a reason.
 * Audited, and the family is told at once (through the notification outbox).
 */
export async function grantEmergencyAccess(p: Principal, childId: string, input: EmergencyAccessInput) {
  requireRole(p, 'COORDINATOR');
  return transaction(async (tx) => {
    const child = await ownChild(tx, p, childId);
    let providerName: string | null = null;
    if (input.providerId) {
      const provider = await tx.provider.findUnique({ where: { id: input.providerId }, select: { name: true } });
      if (!provider) throw unprocessable('providerId names no provider');
      providerName = provider.name;
    }
    const now = new Date();
    const row = await tx.passportEmergencyAccess.create({
      data: {
        childId,
        authorityId: child.authorityId,
        providerId: input.providerId ?? null,
        reason: input.reason,
        grantedBy: p.tokenId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + input.hours * 3600_000),
      },
    });
    await audit(tx, p, {
      action: 'passport.emergency_access',
      entityType: 'Child',
      entityId: childId,
      authorityId: child.authorityId,
      after: { reason: input.reason, providerId: input.providerId ?? null, expiresAt: iso(row.expiresAt) },
    });
    await notify(tx, {
      kind: 'PASSPORT_EMERGENCY_ACCESS',
      dedupeKey: `passport-emergency-${row.id}`,
      recipientRole: 'FAMILY',
      recipientId: child.familyId,
      fields: { child_name: child.firstName, opened_to: providerName ?? 'the short-breaks team', until: dayAndTimeText(row.expiresAt), reason: input.reason },
      link: `/family/children/${childId}/passport`,
      payload: { childId, emergencyAccessId: row.id },
    });
    return { id: row.id, childId, providerId: row.providerId, reason: row.reason, createdAt: iso(row.createdAt), expiresAt: iso(row.expiresAt) };
  });
}

/** GET /v1/children/:id/passport/access-log: who has seen it, newest first; only the family asks. */
/** The access log: the family's own, and the coordinators' of the child's council (who reads it for the child record, never the passport itself). */
export async function listPassportReads(p: Principal, childId: string, q: { limit: number; cursor?: string }) {
  requireRole(p, 'FAMILY', 'COORDINATOR');
  const child = await db().child.findFirst({ where: { AND: [{ id: childId }, childScope(p)] }, select: { id: true } });
  if (!child) throw notFound('Child');
  const cursor = q.cursor ? await db().passportRead.findFirst({ where: { id: q.cursor, childId }, select: { at: true, id: true } }) : null;
  const rows = await db().passportRead.findMany({
    where: { childId, ...(cursor ? { OR: [{ at: { lt: cursor.at } }, { at: cursor.at, id: { lt: cursor.id } }] } : {}) },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  return rows.map((r) => ({
    id: r.id,
    at: iso(r.at),
    role: r.actorRole,
    who: r.actorLabel ?? `${r.actorRole.toLowerCase()} access key ${r.actorId.slice(0, 8)}`,
    organisationType: r.organisationType,
    organisationId: r.organisationId,
    organisationName: r.organisationName,
    channel: r.channel as Channel,
    level: r.level,
    basis: r.basis as PassportGrant['basis'],
  }));
}

/** Providers a family may share the passport with: any that is not closed (names and ids only; providers are shared across authorities). */
/**
 * Providers to offer when sharing (or opening in an emergency) a child's
 * passport: those whose names contain `search`, or without one the child's own
 * (any booking, past or to come) and the council's homes. The country has
 * thousands: a list of "the first 500 by name" left out the one the family was
 * about to visit.
 */
export async function providersToShareWith(child: { id: string; authorityId: string }, search?: string) {
  const find = search?.trim();
  return db().provider.findMany({
    where: {
      status: { not: 'CLOSED' },
      ...(find
        ? { name: { contains: find, mode: 'insensitive' as const } }
        : { OR: [{ operatorAuthorityId: child.authorityId }, { slots: { some: { bookings: { some: { childId: child.id } } } } }] }),
    },
    select: { id: true, name: true },
    orderBy: { name: 'asc' },
    take: 100,
  });
}
