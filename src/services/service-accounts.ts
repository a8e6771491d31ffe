/**
 * Named service accounts, for integrations (a council's case system, a home's
 * rota software): a person row marked as a service account, with memberships
 * of its own and tokens owned by it, so every audit event its tokens cause
 * names it. A coordinator makes them for their authority (acting as its
 * coordinator, or as manager or staff of a home the authority runs); a
 * platform administrator for anyone. Whoever made it — the authority's
 * coordinators, or an administrator — lists it, makes and revokes its tokens
 * (each scoped to a subset of its memberships, with an expiry) and disables
 * it, which revokes every token it has. A service account never makes
 * service accounts or tokens itself.
 */
import { db, type Tx } from '../db.js';
import type { Membership, Person } from '../generated/prisma/client.js';
import { conflict, forbidden, notFound, unprocessable } from '../errors.js';
import type { Principal } from './access.js';
import { audit } from './audit.js';
import { assertNotServiceAccount, mintOwnedToken, revokeOwnedToken, tokensOwnedBy } from './people.js';
import { transaction } from './tx.js';

export type ServiceAccountMembershipInput = { role: 'COORDINATOR'; authorityId: string } | { role: 'PROVIDER_MANAGER' | 'PROVIDER_STAFF'; providerId: string };

const view = async (a: Person & { memberships: Membership[] }) => ({
  id: a.id,
  name: a.name,
  authorityId: a.serviceAccountAuthorityId,
  createdAt: a.createdAt.toISOString(),
  disabledAt: a.disabledAt?.toISOString() ?? null,
  memberships: a.memberships.map((m) => ({ id: m.id, role: m.role, authorityId: m.authorityId, providerId: m.providerId })),
  tokens: await tokensOwnedBy(a.id),
});

/** Who may manage service accounts: a coordinator those made for their authority, an administrator all. */
function managedBy(p: Principal): { serviceAccount: true; serviceAccountAuthorityId?: string } {
  if (p.role === 'ADMIN') return { serviceAccount: true };
  if (p.role === 'COORDINATOR') return { serviceAccount: true, serviceAccountAuthorityId: p.authorityId };
  throw forbidden('Only coordinators (for their authority) and platform administrators manage service accounts');
}

/** The memberships a new service account may have, checked against what its maker may give. */
async function allowedMemberships(tx: Tx, p: Principal, wanted: ServiceAccountMembershipInput[] | undefined) {
  if (p.role === 'COORDINATOR') {
    const list = wanted ?? [{ role: 'COORDINATOR' as const, authorityId: p.authorityId }];
    for (const m of list) {
      if (m.role === 'COORDINATOR' && m.authorityId !== p.authorityId) throw forbidden('Coordinators make service accounts for their own authority only');
      if (m.role !== 'COORDINATOR') {
        const runs = await tx.provider.findFirst({ where: { id: m.providerId, operatorAuthorityId: p.authorityId }, select: { id: true } });
        if (!runs) throw notFound('Provider run by your authority');
      }
    }
    return list;
  }
  if (!wanted?.length) throw unprocessable('Name the memberships the service account acts through (memberships)');
  for (const m of wanted) {
    const exists = m.role === 'COORDINATOR' ? await tx.authority.findUnique({ where: { id: m.authorityId }, select: { id: true } }) : await tx.provider.findUnique({ where: { id: m.providerId }, select: { id: true } });
    if (!exists) throw notFound(m.role === 'COORDINATOR' ? 'Authority' : 'Provider');
  }
  return wanted;
}

export async function createServiceAccount(p: Principal, input: { name: string; memberships?: ServiceAccountMembershipInput[] }) {
  managedBy(p);
  await assertNotServiceAccount(p, 'make service accounts');
  return transaction(async (tx) => {
    const memberships = await allowedMemberships(tx, p, input.memberships);
    const authorityId = p.role === 'COORDINATOR' ? p.authorityId : null;
    const account = await tx.person.create({ data: { name: input.name, serviceAccount: true, serviceAccountAuthorityId: authorityId, createdByPersonId: p.personId ?? null } });
    const seen = new Set<string>();
    for (const m of memberships) {
      const key = m.role === 'COORDINATOR' ? `${m.role}:${m.authorityId}` : `${m.role}:${m.providerId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await tx.membership.create({
        data: { personId: account.id, role: m.role, authorityId: m.role === 'COORDINATOR' ? m.authorityId : null, providerId: m.role === 'COORDINATOR' ? null : m.providerId },
      });
    }
    await audit(tx, p, { action: 'service_account.created', entityType: 'Person', entityId: account.id, authorityId, after: { name: input.name, serviceAccount: true, memberships } });
    return view(await tx.person.findUniqueOrThrow({ where: { id: account.id }, include: { memberships: { where: { revokedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } } }));
  });
}

export async function listServiceAccounts(p: Principal) {
  const where = managedBy(p);
  const rows = await db().person.findMany({ where, include: { memberships: { where: { revokedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 200 });
  return Promise.all(rows.map(view));
}

async function managedAccount(p: Principal, id: string) {
  const account = await db().person.findFirst({ where: { id, ...managedBy(p) } });
  if (!account) throw notFound('Service account');
  return account;
}

/** A token owned by the service account, acting through a subset of its memberships (default: its first), with an expiry. */
export async function createServiceAccountToken(p: Principal, id: string, input: { label: string; membershipId?: string; membershipIds?: string[]; expiresInDays: number }, now = new Date()) {
  const account = await managedAccount(p, id);
  await assertNotServiceAccount(p, 'make tokens');
  const first = input.membershipId ?? (await db().membership.findFirst({ where: { personId: account.id, revokedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true } }))?.id;
  const wanted = [...new Set(input.membershipIds ?? (first ? [first] : []))];
  if (!wanted.length) throw conflict('The service account has no memberships left to act through');
  return transaction(async (tx) => {
    // FOR UPDATE: the lock disabling takes, so no token is made for an account being disabled.
    const [locked] = await tx.$queryRaw<{ disabledAt: Date | null }[]>`SELECT "disabledAt" FROM person WHERE id = ${account.id} FOR UPDATE`;
    if (locked?.disabledAt) throw conflict('The service account is disabled');
    return mintOwnedToken(tx, p, account.id, wanted, input, now, { audited: { serviceAccountId: account.id, serviceAccount: account.name } });
  });
}

export async function revokeServiceAccountToken(p: Principal, id: string, tokenId: string, now = new Date()) {
  const account = await managedAccount(p, id);
  return revokeOwnedToken(p, account.id, tokenId, now);
}

/** Disable a service account: every token it has is revoked at once (and any session signed in with one); disabling it again changes nothing. */
export async function disableServiceAccount(p: Principal, id: string, now = new Date()) {
  const account = await managedAccount(p, id);
  return transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ disabledAt: Date | null }[]>`SELECT "disabledAt" FROM person WHERE id = ${id} FOR UPDATE`;
    if (locked && !locked.disabledAt) {
      await tx.person.update({ where: { id }, data: { disabledAt: now } });
      const revoked = await tx.apiToken.updateMany({ where: { personId: id, revokedAt: null }, data: { revokedAt: now } });
      await tx.webSession.updateMany({ where: { endedAt: null, apiToken: { personId: id } }, data: { endedAt: now } });
      await audit(tx, p, { action: 'service_account.disabled', entityType: 'Person', entityId: id, authorityId: account.serviceAccountAuthorityId, before: { disabledAt: null }, after: { disabledAt: now.toISOString(), tokensRevoked: revoked.count } });
    }
    return view(await tx.person.findUniqueOrThrow({ where: { id }, include: { memberships: { where: { revokedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } } }));
  });
}
