/**
 * People and what they may act as. A person has memberships (coordinator of an
 * authority, manager or staff of a provider, carer of a family, platform
 * administrator); every request runs as the principal derived from the one
 * membership the person acts through, so the access rules of src/services/access.ts
 * apply unchanged whoever signs in and however: a carer is a FAMILY principal,
 * a provider's manager or staff a PROVIDER one.
 */
import { db, type Tx } from '../db.js';
import type { Membership, MembershipRole, Person } from '../generated/prisma/client.js';
import { conflict, forbidden, notFound } from '../errors.js';
import { requireRole, type Credential, type Principal } from './access.js';
import { audit } from './audit.js';
import { mintMembershipToken } from './tokens.js';
import { transaction } from './tx.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

type MembershipScope = Pick<Membership, 'id' | 'role' | 'authorityId' | 'providerId' | 'familyId' | 'revokedAt'>;

/** The principal a person acts as through one membership (null once it is revoked or its scope is gone). */
export function principalOfMembership(m: MembershipScope, who: Credential): Principal | null {
  if (m.revokedAt) return null;
  const base = { ...who, membershipId: m.id };
  switch (m.role) {
    case 'COORDINATOR':
      return m.authorityId ? { ...base, role: 'COORDINATOR', authorityId: m.authorityId } : null;
    case 'PROVIDER_MANAGER':
    case 'PROVIDER_STAFF':
      return m.providerId ? { ...base, role: 'PROVIDER', providerId: m.providerId, staff: m.role === 'PROVIDER_STAFF' } : null;
    case 'CARER':
      return m.familyId && m.authorityId ? { ...base, role: 'FAMILY', familyId: m.familyId, authorityId: m.authorityId } : null;
    case 'PLATFORM_ADMIN':
      return { ...base, role: 'ADMIN' };
  }
}

export interface MembershipView {
  id: string;
  role: MembershipRole;
  /** In words, for the page where a person chooses what to act as. */
  label: string;
  authorityId: string | null;
  providerId: string | null;
  familyId: string | null;
}

/** A person's live memberships, each with a label, in a stable order. */
export async function membershipsOf(personId: string): Promise<MembershipView[]> {
  const rows = await db().membership.findMany({
    where: { personId, revokedAt: null },
    include: { authority: { select: { name: true } }, provider: { select: { name: true } }, family: { select: { name: true, erasedAt: true } } },
    orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
  });
  return rows
    .filter((m) => !m.family?.erasedAt)
    .map((m) => ({
      id: m.id,
      role: m.role,
      label:
        m.role === 'COORDINATOR' ? `Coordinator, ${m.authority?.name}`
        : m.role === 'PROVIDER_MANAGER' ? `Manager, ${m.provider?.name}`
        : m.role === 'PROVIDER_STAFF' ? `Staff, ${m.provider?.name}`
        : m.role === 'CARER' ? `Parent or carer, ${m.family?.name}`
        : 'Platform administrator',
      authorityId: m.authorityId,
      providerId: m.providerId,
      familyId: m.familyId,
    }));
}

export type NewMembership =
  | { role: 'COORDINATOR'; authorityId: string }
  | { role: 'PROVIDER_MANAGER' | 'PROVIDER_STAFF'; providerId: string }
  | { role: 'CARER'; familyId: string }
  | { role: 'PLATFORM_ADMIN' };

/** The person with this email (created when new) and a live membership of this kind (created when missing). */
export async function addMembership(tx: Tx, person: { name: string; email: string } | { serviceAccount: string }, m: NewMembership): Promise<{ person: Person; membership: Membership }> {
  const p =
    'email' in person
      ? await tx.person.upsert({ where: { email: normalizeEmail(person.email) }, create: { name: person.name, email: normalizeEmail(person.email) }, update: {} })
      : ((await tx.person.findFirst({ where: { serviceAccount: true, name: person.serviceAccount } })) ?? (await tx.person.create({ data: { name: person.serviceAccount, serviceAccount: true } })));
  let authorityId: string | null = null;
  if (m.role === 'COORDINATOR') authorityId = m.authorityId;
  if (m.role === 'CARER') authorityId = (await tx.family.findUniqueOrThrow({ where: { id: m.familyId }, select: { authorityId: true } })).authorityId;
  const scope = {
    role: m.role,
    authorityId,
    providerId: m.role === 'PROVIDER_MANAGER' || m.role === 'PROVIDER_STAFF' ? m.providerId : null,
    familyId: m.role === 'CARER' ? m.familyId : null,
  };
  const existing = await tx.membership.findFirst({ where: { personId: p.id, revokedAt: null, ...scope } });
  const membership = existing ?? (await tx.membership.create({ data: { personId: p.id, ...scope } }));
  return { person: p, membership };
}

// ---- Platform administration ------------------------------------------------------

const authorityView = (a: { id: string; name: string; code: string; swapRequiresApproval: boolean; contactEmail: string | null; contactPhone: string | null; createdAt: Date }) => ({
  id: a.id,
  name: a.name,
  code: a.code,
  swapRequiresApproval: a.swapRequiresApproval,
  contactEmail: a.contactEmail,
  contactPhone: a.contactPhone,
  createdAt: a.createdAt.toISOString(),
});

export async function createAuthority(p: Principal, input: { name: string; code: string; swapRequiresApproval: boolean; contactEmail?: string; contactPhone?: string }) {
  requireRole(p, 'ADMIN');
  return transaction(async (tx) => {
    if (await tx.authority.findUnique({ where: { code: input.code } })) throw conflict(`An authority with code ${input.code} already exists`);
    const a = await tx.authority.create({ data: { ...input, contactEmail: input.contactEmail ?? null, contactPhone: input.contactPhone ?? null } });
    await audit(tx, p, { action: 'authority.created', entityType: 'Authority', entityId: a.id, authorityId: a.id, after: input });
    return authorityView(a);
  });
}

export async function listAuthorities(p: Principal) {
  requireRole(p, 'ADMIN');
  return (await db().authority.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(authorityView);
}

/** One authority for its administrators' page, or not found. */
export async function getAuthority(p: Principal, authorityId: string) {
  requireRole(p, 'ADMIN');
  const a = await db().authority.findUnique({ where: { id: authorityId } });
  if (!a) throw notFound('Authority');
  return authorityView(a);
}

/** How many people can sign in as each authority's coordinators: a council with none cannot use the service yet. */
export async function coordinatorCounts(p: Principal): Promise<Map<string, number>> {
  requireRole(p, 'ADMIN');
  const rows = await db().membership.groupBy({ by: ['authorityId'], where: { role: 'COORDINATOR', revokedAt: null, person: { serviceAccount: false } }, _count: { _all: true } });
  return new Map(rows.flatMap((r) => (r.authorityId ? [[r.authorityId, r._count._all] as const] : [])));
}

/** Who runs a provider (DESIGN.md, Tenancy): an authority (a council-run home), or null for the organisation itself. */
export async function setProviderOperator(p: Principal, providerId: string, authorityId: string | null) {
  if (p.role !== 'ADMIN') throw forbidden('Only a platform administrator may set who runs a provider');
  return transaction(async (tx) => {
    const provider = await tx.provider.findUnique({ where: { id: providerId }, select: { id: true, operatorAuthorityId: true } });
    if (!provider) throw notFound('Provider');
    if (authorityId && !(await tx.authority.findUnique({ where: { id: authorityId }, select: { id: true } }))) throw notFound('Authority');
    await tx.provider.update({ where: { id: providerId }, data: { operatorAuthorityId: authorityId } });
    await audit(tx, p, {
      action: 'provider.operator_set',
      entityType: 'Provider',
      entityId: providerId,
      authorityId,
      before: { operatorAuthorityId: provider.operatorAuthorityId },
      after: { operatorAuthorityId: authorityId },
    });
    return { providerId, operatorAuthorityId: authorityId };
  });
}

// ---- The caller and its tokens ----------------------------------------------------

export async function me(p: Principal) {
  const person = p.personId ? await db().person.findUnique({ where: { id: p.personId } }) : null;
  return {
    person: person && { id: person.id, name: person.name, email: person.email, serviceAccount: person.serviceAccount },
    role: p.role,
    membershipId: p.membershipId ?? null,
    memberships: person ? await membershipsOf(person.id) : [],
  };
}

/**
 * Make a token owned by `ownerPersonId`, acting through `wanted` (its live memberships; the first is the
 * default), expiring in `expiresInDays`; audited as made by `p`. For a person's own tokens and for the
 * tokens of a service account made by whoever manages it.
 */
export async function mintOwnedToken(
  tx: Tx,
  p: Principal,
  ownerPersonId: string,
  wanted: string[],
  input: { label: string; expiresInDays: number },
  now: Date,
  options: { audited?: Record<string, unknown>; /** Further checks, once the memberships are known to be the owner's. */ authorize?: () => Promise<void> } = {},
) {
  const live = await tx.membership.findMany({ where: { id: { in: wanted }, personId: ownerPersonId, revokedAt: null } });
  if (live.length !== wanted.length) throw notFound('Membership');
  await options.authorize?.();
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
  const first = live.find((m) => m.id === wanted[0])!;
  const { id, token } = await mintMembershipToken(tx, first.id, { label: input.label, expiresAt, alsoActsThrough: wanted.slice(1) });
  await audit(tx, p, { action: 'token.created', entityType: 'ApiToken', entityId: id, authorityId: first.authorityId, after: { ...options.audited, label: input.label, membershipIds: wanted, expiresAt: expiresAt.toISOString() } });
  return { id, token, membershipId: first.id, membershipIds: wanted, expiresAt: expiresAt.toISOString() };
}

/** Refused for a service account acting through its own token: its tokens are made and ended by whoever manages it. */
export async function assertNotServiceAccount(p: Principal, what: string): Promise<void> {
  // The platform's own administration account (npm run token -- admin) is the one service account that
  // acts as an administrator: service accounts made through the API never have that membership.
  if (!p.personId || p.role === 'ADMIN') return;
  const person = await db().person.findUnique({ where: { id: p.personId }, select: { serviceAccount: true } });
  if (person?.serviceAccount) throw forbidden(`A service account may not ${what}; whoever manages it does (/v1/service-accounts)`);
}

/**
 * An API token for an integration: acting through a subset of the caller's own live memberships
 * (the first is the default; a request chooses another with the Acting-As header), with an expiry.
 * A caller acting through a token may give the new one only memberships its own token has, so a
 * token never makes one that reaches further than itself.
 */
export async function createOwnToken(p: Principal, input: { label: string; membershipId?: string; membershipIds?: string[]; expiresInDays: number }, now = new Date()) {
  if (!p.personId) throw forbidden('Only a person signed in, or a person’s own token, may create tokens; access keys without an owner may not');
  await assertNotServiceAccount(p, 'make tokens for itself');
  const wanted = [...new Set(input.membershipIds ?? [input.membershipId ?? p.membershipId].filter((id): id is string => Boolean(id)))];
  if (!wanted.length) throw forbidden('Choose which memberships the token acts through');
  return transaction(async (tx) =>
    mintOwnedToken(tx, p, p.personId!, wanted, input, now, {
      authorize: async () => {
        if (!p.apiTokenId) return;
        const reach = await tx.apiTokenMembership.findMany({ where: { tokenId: p.apiTokenId }, select: { membershipId: true } });
        const mine = new Set([...reach.map((r) => r.membershipId), ...(p.membershipId ? [p.membershipId] : [])]);
        if (wanted.some((id) => !mine.has(id))) throw forbidden('A token may make tokens only for the memberships it acts through itself; sign in to choose others');
      },
    }),
  );
}

/** The tokens a person or service account owns, newest first (never the tokens themselves: only their hashes are kept). */
export async function tokensOwnedBy(personId: string) {
  const rows = await db().apiToken.findMany({ where: { personId }, include: { scope: { select: { membershipId: true } } }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: 200 });
  return rows.map((t) => ({
    id: t.id,
    label: t.label,
    membershipId: t.membershipId,
    membershipIds: t.scope.length ? [t.membershipId!, ...t.scope.map((s) => s.membershipId).filter((id) => id !== t.membershipId)] : t.membershipId ? [t.membershipId] : [],
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  }));
}

/** The caller's own API tokens. */
export async function listOwnTokens(p: Principal) {
  if (!p.personId) throw forbidden('Access keys without an owner have no tokens of their own');
  return tokensOwnedBy(p.personId);
}

/** Revoke a token `ownerPersonId` owns, and every web session signed in with it; audited as done by `p`. */
export async function revokeOwnedToken(p: Principal, ownerPersonId: string, tokenId: string, now = new Date()) {
  return transaction(async (tx) => {
    const t = await tx.apiToken.findFirst({ where: { id: tokenId, personId: ownerPersonId } });
    if (!t) throw notFound('Token');
    if (!t.revokedAt) {
      await tx.apiToken.update({ where: { id: t.id }, data: { revokedAt: now } });
      await tx.webSession.updateMany({ where: { apiTokenId: t.id, endedAt: null }, data: { endedAt: now } });
      await audit(tx, p, { action: 'token.revoked', entityType: 'ApiToken', entityId: t.id, authorityId: t.authorityId, before: { revokedAt: null }, after: { revokedAt: now.toISOString() } });
    }
    return { id: t.id, revokedAt: (t.revokedAt ?? now).toISOString() };
  });
}

/** Revoke one of the caller's own tokens, and every web session signed in with it. */
export async function revokeOwnToken(p: Principal, tokenId: string, now = new Date()) {
  if (!p.personId) throw forbidden('Access keys without an owner have no tokens of their own');
  return revokeOwnedToken(p, p.personId, tokenId, now);
}

/** The platform administrator service account's token, for the demo and tests (`npm run --silent token -- admin`). */
export async function mintAdminToken(label = 'cli'): Promise<string> {
  return transaction(async (tx) => {
    const { membership } = await addMembership(tx, { serviceAccount: 'Platform administration' }, { role: 'PLATFORM_ADMIN' });
    return (await mintMembershipToken(tx, membership.id, { label })).token;
  });
}
