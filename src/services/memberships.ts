/**
 * Who has access, and ending it. A coordinator sees and ends the memberships of
 * the parents and carers of their authority's families; a provider's manager
 * those of the provider's staff and managers; a platform administrator any.
 * Ending a membership ends, in the same transaction, every web session acting
 * through it and every API token acting through it alone (and the sessions signed
 * in with those tokens); a token scoped to others too keeps working for those. The
 * next request on any replica sees it, because each replica reads sessions and
 * tokens from PostgreSQL on every request.
 */
import { db, type Tx } from '../db.js';
import type { Membership, MembershipRole, Prisma } from '../generated/prisma/client.js';
import { conflict, forbidden, notFound } from '../errors.js';
import type { Principal } from './access.js';
import { audit } from './audit.js';
import { tokenColumnsOf } from './tokens.js';
import { transaction } from './tx.js';

export interface MemberView {
  membershipId: string;
  personId: string;
  name: string;
  email: string | null;
  role: MembershipRole;
  familyId: string | null;
  providerId: string | null;
  since: string;
  endedAt: string | null;
}

export interface PendingInvitationView {
  id: string;
  name: string;
  email: string;
  role: MembershipRole;
  familyId: string | null;
  providerId: string | null;
  expiresAt: string;
}

type MembershipWithPerson = Membership & { person: { name: string; email: string | null } };

const memberView = (m: MembershipWithPerson): MemberView => ({
  membershipId: m.id,
  personId: m.personId,
  name: m.person.name,
  email: m.person.email,
  role: m.role,
  familyId: m.familyId,
  providerId: m.providerId,
  since: m.createdAt.toISOString(),
  endedAt: m.revokedAt?.toISOString() ?? null,
});

/** Whose access to list: a family's carers, a provider's staff, or (administrators) an authority's coordinators. */
export interface MemberFilter {
  familyId?: string;
  providerId?: string;
  coordinatorsOf?: string;
}

/** The memberships (and invitations) a principal may see and end, as a WHERE clause; also narrowed by the filter. */
export function manageable(p: Principal, filter: MemberFilter): { memberships: Prisma.MembershipWhereInput; invitations: Prisma.InvitationWhereInput } {
  if (filter.coordinatorsOf && p.role !== 'ADMIN') throw forbidden('Platform administrators manage a council’s coordinators');
  switch (p.role) {
    case 'COORDINATOR': {
      if (filter.providerId) throw forbidden('Coordinators manage the parents and carers of their families; a provider’s managers manage its staff');
      const where = { role: 'CARER' as const, authorityId: p.authorityId, ...(filter.familyId ? { familyId: filter.familyId } : {}) };
      return { memberships: { ...where, family: { erasedAt: null } }, invitations: where };
    }
    case 'PROVIDER': {
      if (p.staff) throw forbidden('Only a provider’s managers manage who has access');
      if (filter.familyId) throw forbidden('Providers manage their own staff, not families');
      if (filter.providerId && filter.providerId !== p.providerId) throw notFound('Provider');
      const where = { role: { in: ['PROVIDER_MANAGER', 'PROVIDER_STAFF'] as MembershipRole[] }, providerId: p.providerId };
      return { memberships: where, invitations: where };
    }
    case 'ADMIN': {
      const where = {
        ...(filter.familyId ? { familyId: filter.familyId } : {}),
        ...(filter.providerId ? { providerId: filter.providerId } : {}),
        ...(filter.coordinatorsOf ? { role: 'COORDINATOR' as const, authorityId: filter.coordinatorsOf } : {}),
      };
      return { memberships: where, invitations: where };
    }
    default:
      throw forbidden('Only coordinators, provider managers and platform administrators manage who has access');
  }
}

/** Live memberships and invitations not yet accepted, for the people a principal manages. */
export async function listMembers(p: Principal, filter: MemberFilter = {}, now = new Date()): Promise<{ members: MemberView[]; invitations: PendingInvitationView[] }> {
  const where = manageable(p, filter);
  const [members, invitations] = await Promise.all([
    db().membership.findMany({ where: { ...where.memberships, revokedAt: null }, include: { person: { select: { name: true, email: true } } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 500 }),
    db().invitation.findMany({ where: { ...where.invitations, acceptedAt: null, withdrawnAt: null, expiresAt: { gt: now } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 500 }),
  ]);
  return {
    members: members.map(memberView),
    invitations: invitations.map((i) => ({ id: i.id, name: i.name, email: i.email, role: i.role, familyId: i.familyId, providerId: i.providerId, expiresAt: i.expiresAt.toISOString() })),
  };
}

/**
 * End every session and token acting through these memberships (for ending one, and for erasing a family).
 * A token scoped to several memberships loses only the ended ones and keeps working for the rest; when the
 * one it acted through by default ended, it acts through the next that is left (and the browser sessions
 * signed in with it, which were acting as the ended one, end). A token with nothing left is revoked.
 */
export async function endAccessThrough(tx: Tx, membershipIds: string[], now: Date): Promise<{ sessions: number; tokens: number; tokensNarrowed: number }> {
  if (!membershipIds.length) return { sessions: 0, tokens: 0, tokensNarrowed: 0 };
  const ending = new Set(membershipIds);
  const tokens = await tx.apiToken.findMany({
    where: { revokedAt: null, OR: [{ membershipId: { in: membershipIds } }, { scope: { some: { membershipId: { in: membershipIds } } } }] },
    select: { id: true, membershipId: true, scope: { select: { membership: true }, orderBy: { membership: { createdAt: 'asc' } } } },
  });
  const revoke: string[] = [];
  const narrowed: string[] = [];
  const sessionsOf: string[] = [];
  for (const t of tokens) {
    const left = t.scope.map((s) => s.membership).filter((m) => !ending.has(m.id) && !m.revokedAt);
    if (!left.length) {
      revoke.push(t.id);
      sessionsOf.push(t.id);
      continue;
    }
    narrowed.push(t.id);
    if (t.membershipId && ending.has(t.membershipId)) {
      await tx.apiToken.update({ where: { id: t.id }, data: { ...tokenColumnsOf(left[0]!), membershipId: left[0]!.id } });
      sessionsOf.push(t.id);
    }
  }
  if (narrowed.length) await tx.apiTokenMembership.deleteMany({ where: { tokenId: { in: narrowed }, membershipId: { in: membershipIds } } });
  const revoked = revoke.length ? await tx.apiToken.updateMany({ where: { id: { in: revoke }, revokedAt: null }, data: { revokedAt: now } }) : { count: 0 };
  const ended = await tx.webSession.updateMany({
    where: { endedAt: null, OR: [{ membershipId: { in: membershipIds } }, ...(sessionsOf.length ? [{ apiTokenId: { in: sessionsOf } }] : [])] },
    data: { endedAt: now },
  });
  return { sessions: ended.count, tokens: revoked.count, tokensNarrowed: narrowed.length };
}

/** End a membership, and with it every session and token acting through it, everywhere at once. */
export async function endMembership(p: Principal, membershipId: string, now = new Date()): Promise<MemberView & { sessionsEnded: number; tokensRevoked: number; tokensNarrowed: number }> {
  const where = manageable(p, {});
  return transaction(async (tx) => {
    // FOR UPDATE: two managers ending the same membership at once end it (and audit it) once.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM membership WHERE id = ${membershipId} FOR UPDATE`;
    if (!locked.length) throw notFound('Membership');
    const m = await tx.membership.findFirst({ where: { AND: [{ id: membershipId }, where.memberships] }, include: { person: { select: { name: true, email: true } } } });
    if (!m) throw notFound('Membership');
    if (m.id === p.membershipId) throw conflict('You cannot end the membership you are acting through; ask another manager or your administrator');
    if (m.revokedAt) return { ...memberView(m), sessionsEnded: 0, tokensRevoked: 0, tokensNarrowed: 0 };
    const updated = await tx.membership.update({ where: { id: m.id }, data: { revokedAt: now }, include: { person: { select: { name: true, email: true } } } });
    const ended = await endAccessThrough(tx, [m.id], now);
    await audit(tx, p, {
      action: 'membership.ended',
      entityType: 'Membership',
      entityId: m.id,
      authorityId: m.authorityId,
      before: { personId: m.personId, role: m.role, familyId: m.familyId, providerId: m.providerId, revokedAt: null },
      after: { revokedAt: now.toISOString(), sessionsEnded: ended.sessions, tokensRevoked: ended.tokens, tokensNarrowed: ended.tokensNarrowed },
    });
    return { ...memberView(updated), sessionsEnded: ended.sessions, tokensRevoked: ended.tokens, tokensNarrowed: ended.tokensNarrowed };
  });
}
