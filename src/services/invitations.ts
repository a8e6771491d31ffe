/**
 * Invitations by email: a coordinator invites a parent or carer of a family of
 * their authority, a provider's manager invites staff. The invitation is a row
 * with the SHA-256 of a random secret and an expiry; the secret travels only in
 * the emailed link (through the notification outbox). Accepting it, once,
 * creates the person (or finds them by email) and the membership.
 */
import { randomBytes } from 'node:crypto';
import { db } from '../db.js';
import { londonDateOf } from '../domain/london-time.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import type { Principal } from './access.js';
import { audit } from './audit.js';
import { manageable } from './memberships.js';
import { notify } from './notifications.js';
import { addMembership, normalizeEmail, principalOfMembership } from './people.js';
import { hashSecret } from './tokens.js';
import { transaction } from './tx.js';

export const INVITATION_DAYS = 7;
/** What an invitation or sign-in link secret looks like (32 random bytes, base64url): anything else is not looked up. */
export const LINK_SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface InvitationInput {
  email: string;
  name: string;
  familyId?: string;
  providerId?: string;
  authorityId?: string;
  /** Provider managers invite staff (the default) or another manager; coordinators invite carers; administrators invite a council's coordinators. */
  role?: InvitedRole;
}

export type InvitedRole = 'CARER' | 'PROVIDER_MANAGER' | 'PROVIDER_STAFF' | 'COORDINATOR';
const invitedAs = (role: string, names: { family?: string | undefined; provider?: string | undefined; authority?: string | undefined }) =>
  role === 'CARER'
    ? `a parent or carer of the ${names.family} family`
    : role === 'COORDINATOR'
      ? `a short-breaks coordinator for ${names.authority}`
      : role === 'PROVIDER_MANAGER'
        ? `a manager of ${names.provider}`
        : `staff of ${names.provider}`;

const view = (i: { id: string; email: string; name: string; role: string; authorityId: string | null; familyId: string | null; providerId: string | null; expiresAt: Date; acceptedAt: Date | null; withdrawnAt: Date | null }) => ({
  id: i.id,
  email: i.email,
  name: i.name,
  role: i.role as InvitedRole,
  authorityId: i.authorityId,
  familyId: i.familyId,
  providerId: i.providerId,
  expiresAt: i.expiresAt.toISOString(),
  acceptedAt: i.acceptedAt?.toISOString() ?? null,
  withdrawnAt: i.withdrawnAt?.toISOString() ?? null,
});

export async function createInvitation(p: Principal, input: InvitationInput, now = new Date()) {
  return transaction(async (tx) => {
    let target: { role: InvitedRole; authorityId: string | null; familyId: string | null; providerId: string | null; invitedAs: string; organisation: string };
    if (p.role === 'COORDINATOR') {
      if (!input.familyId) throw forbidden('Coordinators invite parents and carers: name the family (familyId)');
      if (input.role && input.role !== 'CARER') throw forbidden('Coordinators invite parents and carers; a provider’s managers invite its staff');
      const family = await tx.family.findFirst({ where: { id: input.familyId, authorityId: p.authorityId, erasedAt: null }, select: { id: true, name: true, authority: { select: { name: true } } } });
      if (!family) throw notFound('Family');
      target = { role: 'CARER', authorityId: p.authorityId, familyId: family.id, providerId: null, invitedAs: invitedAs('CARER', { family: family.name }), organisation: family.authority.name };
    } else if (p.role === 'PROVIDER') {
      if (p.staff) throw forbidden('Only a provider’s managers may invite staff');
      if (input.familyId) throw forbidden('Providers invite their own staff, not families');
      if (input.providerId && input.providerId !== p.providerId) throw notFound('Provider');
      if (input.role === 'CARER') throw forbidden('Providers invite their own staff, not families');
      const role = input.role ?? 'PROVIDER_STAFF';
      const provider = await tx.provider.findUniqueOrThrow({ where: { id: p.providerId }, select: { name: true } });
      target = { role, authorityId: null, familyId: null, providerId: p.providerId, invitedAs: invitedAs(role, { provider: provider.name }), organisation: provider.name };
    } else if (p.role === 'ADMIN') {
      // A council joins with its first coordinators; they invite its families, and the providers their own staff.
      if ((input.role ?? 'COORDINATOR') !== 'COORDINATOR' || input.familyId || input.providerId) throw forbidden('Administrators invite a council’s coordinators; coordinators invite families and providers their staff');
      if (!input.authorityId) throw invalid([{ path: 'authorityId', message: 'name the authority the coordinator is to work for' }], 'Name the authority');
      const authority = await tx.authority.findUnique({ where: { id: input.authorityId }, select: { id: true, name: true } });
      if (!authority) throw notFound('Authority');
      target = { role: 'COORDINATOR', authorityId: authority.id, familyId: null, providerId: null, invitedAs: invitedAs('COORDINATOR', { authority: authority.name }), organisation: 'The short-breaks service' };
    } else {
      throw forbidden('Only coordinators (for families), provider managers (for staff) and administrators (for coordinators) may invite people');
    }
    if (p.role !== 'ADMIN' && input.authorityId) throw forbidden('Only administrators invite a council’s coordinators');
    const inviter = p.personId ? await tx.person.findUnique({ where: { id: p.personId }, select: { name: true } }) : null;
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
    const row = await tx.invitation.create({
      data: {
        email: normalizeEmail(input.email),
        name: input.name,
        role: target.role,
        authorityId: target.authorityId,
        familyId: target.familyId,
        providerId: target.providerId,
        secretHash: hashSecret(secret),
        invitedByPersonId: p.personId ?? null,
        invitedVia: p.sessionId ? `session:${p.sessionId}` : `token:${p.apiTokenId ?? p.tokenId}`,
        expiresAt,
      },
    });
    await notify(tx, {
      kind: 'INVITATION',
      dedupeKey: `invitation-${row.id}`,
      recipientRole: 'INVITATION',
      recipientId: row.id,
      fields: { name: input.name, invited_by: inviter ? `${inviter.name} (${target.organisation})` : target.organisation, invited_as: target.invitedAs, expires: londonDateOf(expiresAt) },
      link: `/invitations/${secret}`,
      ...(target.authorityId ? { authorityId: target.authorityId } : {}),
      payload: { invitationId: row.id },
    });
    await audit(tx, p, { action: 'invitation.created', entityType: 'Invitation', entityId: row.id, authorityId: target.authorityId, after: { email: row.email, name: row.name, role: row.role, familyId: row.familyId, providerId: row.providerId, expiresAt: expiresAt.toISOString() } });
    return view(row);
  });
}

export type LinkRefusal = 'UNKNOWN' | 'USED' | 'EXPIRED' | 'WITHDRAWN';

/** What an invitation link is, for the page a person lands on (nothing is changed by looking). */
export async function invitationForLink(secret: string, now = new Date()) {
  if (!LINK_SECRET_SHAPE.test(secret)) return { refused: 'UNKNOWN' as const };
  const i = await db().invitation.findUnique({ where: { secretHash: hashSecret(secret) }, include: { family: { select: { name: true } }, provider: { select: { name: true } } } });
  if (!i) return { refused: 'UNKNOWN' as const };
  if (i.acceptedAt) return { refused: 'USED' as const };
  if (i.withdrawnAt) return { refused: 'WITHDRAWN' as const };
  if (i.expiresAt <= now) return { refused: 'EXPIRED' as const };
  const authority = i.role === 'COORDINATOR' && i.authorityId ? await db().authority.findUnique({ where: { id: i.authorityId }, select: { name: true } }) : null;
  return { invitation: { name: i.name, email: i.email, invitedAs: invitedAs(i.role, { family: i.family?.name, provider: i.provider?.name, authority: authority?.name }) } };
}

/** Accept an invitation, once: the person (found by email, or new) gets the membership. */
export async function acceptInvitation(secret: string, now = new Date()): Promise<{ personId: string; membershipId: string } | { refused: LinkRefusal }> {
  if (!LINK_SECRET_SHAPE.test(secret)) return { refused: 'UNKNOWN' };
  return transaction(async (tx) => {
    const i = await tx.invitation.findUnique({ where: { secretHash: hashSecret(secret) } });
    if (!i) return { refused: 'UNKNOWN' as const };
    // Claimed with a condition, so two clicks at once accept it once.
    // Withdrawing takes the same row, so a withdrawal and an acceptance at once cannot both happen.
    const claimed = await tx.invitation.updateMany({ where: { id: i.id, acceptedAt: null, withdrawnAt: null, expiresAt: { gt: now } }, data: { acceptedAt: now } });
    if (claimed.count === 0) return { refused: i.acceptedAt ? ('USED' as const) : i.withdrawnAt ? ('WITHDRAWN' as const) : ('EXPIRED' as const) };
    const { person, membership } = await addMembership(
      tx,
      { name: i.name, email: i.email },
      i.role === 'CARER'
        ? { role: 'CARER', familyId: i.familyId! }
        : i.role === 'COORDINATOR'
          ? { role: 'COORDINATOR', authorityId: i.authorityId! }
          : { role: i.role === 'PROVIDER_MANAGER' ? 'PROVIDER_MANAGER' : 'PROVIDER_STAFF', providerId: i.providerId! },
    );
    await tx.invitation.update({ where: { id: i.id }, data: { acceptedPersonId: person.id } });
    // The person acts through the membership just made: the audit names it as any other act of theirs would.
    await audit(tx, principalOfMembership(membership, { tokenId: `invitation:${i.id}`, personId: person.id })!, {
      action: 'invitation.accepted',
      entityType: 'Invitation',
      entityId: i.id,
      authorityId: i.authorityId,
      after: { personId: person.id, membershipId: membership.id },
    });
    return { personId: person.id, membershipId: membership.id };
  });
}

/**
 * Withdraw an invitation not yet accepted (whoever may end the access it would give: the family's
 * coordinators, the provider's managers, an administrator): its link no longer works. Withdrawing it
 * again changes nothing; an accepted one has become a membership, which is ended instead.
 */
export async function withdrawInvitation(p: Principal, invitationId: string, now = new Date()) {
  const where = manageable(p, {}).invitations;
  return transaction(async (tx) => {
    // FOR UPDATE: the same row lock an acceptance takes, so one of the two wins.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM invitation WHERE id = ${invitationId} FOR UPDATE`;
    if (!locked.length) throw notFound('Invitation');
    const i = await tx.invitation.findFirst({ where: { AND: [{ id: invitationId }, where] } });
    if (!i) throw notFound('Invitation');
    if (i.acceptedAt) throw conflict('The invitation has been accepted: end the membership it became instead (DELETE /v1/memberships/{id})');
    if (i.withdrawnAt) return view(i);
    const row = await tx.invitation.update({ where: { id: i.id }, data: { withdrawnAt: now } });
    await audit(tx, p, { action: 'invitation.withdrawn', entityType: 'Invitation', entityId: i.id, authorityId: i.authorityId, before: { withdrawnAt: null }, after: { withdrawnAt: now.toISOString(), email: i.email, role: i.role } });
    return view(row);
  });
}
