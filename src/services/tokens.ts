/**
 * Bearer tokens. Only a SHA-256 of each token is stored: a leaked database does
 * not leak usable tokens, and 256 random bits need no slow hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { db, pool, type Tx } from '../db.js';
import type { ApiToken, Membership, MembershipRole } from '../generated/prisma/client.js';
import type { Principal, Role } from './access.js';
import { principalOfMembership } from './people.js';
import { cachedTokenRow } from './principal-cache.js';

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export type TokenScope =
  | { role: 'COORDINATOR'; authorityId: string }
  | { role: 'PROVIDER'; providerId: string }
  | { role: 'FAMILY'; familyId: string }
  | { role: 'TRANSPORT'; vehicleId: string };

const PREFIX: Record<Role, string> = { COORDINATOR: 'sbc', PROVIDER: 'sbp', FAMILY: 'sbf', TRANSPORT: 'sbt', ADMIN: 'sba' };

const newToken = (role: Role) => `${PREFIX[role]}_${randomBytes(32).toString('base64url')}`;

/**
 * Create a token with a scope of its own (vehicles' drivers, tests, and access keys from before
 * there were people) and return it; it is never retrievable again.
 */
export async function mintToken(scope: TokenScope, options: { label?: string; expiresAt?: Date } = {}): Promise<string> {
  const token = newToken(scope.role);
  let authorityId: string | null = null;
  if (scope.role === 'COORDINATOR') authorityId = scope.authorityId;
  if (scope.role === 'FAMILY') {
    const family = await db().family.findUniqueOrThrow({ where: { id: scope.familyId }, select: { authorityId: true } });
    authorityId = family.authorityId;
  }
  if (scope.role === 'PROVIDER') await db().provider.findUniqueOrThrow({ where: { id: scope.providerId } });
  if (scope.role === 'TRANSPORT') {
    const vehicle = await db().vehicle.findUniqueOrThrow({ where: { id: scope.vehicleId }, select: { authorityId: true } });
    authorityId = vehicle.authorityId;
  }
  await db().apiToken.create({
    data: {
      tokenHash: hashSecret(token),
      role: scope.role,
      authorityId,
      providerId: scope.role === 'PROVIDER' ? scope.providerId : null,
      familyId: scope.role === 'FAMILY' ? scope.familyId : null,
      vehicleId: scope.role === 'TRANSPORT' ? scope.vehicleId : null,
      label: options.label ?? null,
      expiresAt: options.expiresAt ?? null,
    },
  });
  return token;
}

/** The token role and scope columns of a membership (the token acts as that membership does). */
export function tokenColumnsOf(m: Pick<Membership, 'role' | 'authorityId' | 'providerId' | 'familyId'>): { role: Role; authorityId: string | null; providerId: string | null; familyId: string | null } {
  switch (m.role) {
    case 'COORDINATOR':
      return { role: 'COORDINATOR', authorityId: m.authorityId, providerId: null, familyId: null };
    case 'PROVIDER_MANAGER':
    case 'PROVIDER_STAFF':
      return { role: 'PROVIDER', authorityId: null, providerId: m.providerId, familyId: null };
    case 'CARER':
      return { role: 'FAMILY', authorityId: m.authorityId, providerId: null, familyId: m.familyId };
    case 'PLATFORM_ADMIN':
      return { role: 'ADMIN', authorityId: null, providerId: null, familyId: null };
  }
}

/**
 * A token for an integration, owned by a person or service account and acting through one of its
 * memberships (a subset of what its owner may do, never more). Ending a membership takes it out of the
 * token's scope; the token ends with the last (src/services/memberships.ts endAccessThrough).
 */
export async function mintMembershipToken(
  tx: Tx,
  membershipId: string,
  options: { label?: string | null; expiresAt?: Date | null; /** Further memberships of the same owner it may act through (Acting-As). */ alsoActsThrough?: string[] } = {},
): Promise<{ id: string; token: string }> {
  const m = await tx.membership.findUniqueOrThrow({ where: { id: membershipId } });
  const columns = tokenColumnsOf(m);
  const token = newToken(columns.role);
  const row = await tx.apiToken.create({
    data: { tokenHash: hashSecret(token), ...columns, personId: m.personId, membershipId: m.id, label: options.label ?? null, expiresAt: options.expiresAt ?? null },
  });
  const scope = [...new Set([m.id, ...(options.alsoActsThrough ?? [])])];
  await tx.apiTokenMembership.createMany({ data: scope.map((id) => ({ tokenId: row.id, membershipId: id })) });
  return { id: row.id, token };
}

/**
 * The principal a valid token acts as when the request names another of its memberships
 * (the Acting-As header): null when the token is not scoped to it or it has ended.
 */
export async function actingThrough(p: Principal, membershipId: string): Promise<Principal | null> {
  if (!p.apiTokenId || !/^[0-9a-f-]{36}$/i.test(membershipId)) return null;
  if (membershipId === p.membershipId) return p;
  const { rows } = await pool().query<Pick<Membership, 'id' | 'role' | 'authorityId' | 'providerId' | 'familyId' | 'revokedAt'>>({
    name: 'token-scope-membership',
    text: `SELECT m.id, m.role::text AS role, m."authorityId", m."providerId", m."familyId", m."revokedAt"
      FROM api_token_membership s JOIN membership m ON m.id = s."membershipId" WHERE s."tokenId" = $1 AND s."membershipId" = $2`,
    values: [p.apiTokenId, membershipId],
  });
  const m = rows[0];
  return m ? principalOfMembership(m, { tokenId: p.tokenId, apiTokenId: p.apiTokenId, personId: p.personId ?? null }) : null;
}

// Named columns, not *: a prepared SELECT * fails in running processes once a migration adds a column.
// TokenRow is what principalOfToken reads, so the compiler names a column missing here.
const TOKEN_COLUMNS = `SELECT t.id, t.role::text AS role, t."authorityId", t."providerId", t."familyId", t."vehicleId", t."expiresAt", t."revokedAt",
  t."personId", t."membershipId", m.role::text AS "membershipRole", m."revokedAt" AS "membershipRevokedAt"
  FROM api_token t LEFT JOIN membership m ON m.id = t."membershipId"`;
export type TokenRow = Pick<ApiToken, 'id' | 'role' | 'authorityId' | 'providerId' | 'familyId' | 'vehicleId' | 'expiresAt' | 'revokedAt' | 'personId' | 'membershipId'> & {
  membershipRole: MembershipRole | null;
  membershipRevokedAt: Date | null;
};

/**
 * The principal behind a token, or null when it is unknown, revoked or expired. Every API request
 * asks this, so it is one prepared statement on a pool connection rather than an ORM query, and
 * usually not even that (src/services/principal-cache.ts).
 */
export async function resolveToken(token: string, now = new Date()): Promise<Principal | null> {
  const tokenHash = hashSecret(token);
  const load = async () => {
    const { rows } = await pool().query<TokenRow>({ name: 'token-by-hash-with-membership', text: `${TOKEN_COLUMNS} WHERE t."tokenHash" = $1`, values: [tokenHash] });
    return rows[0] ?? null;
  };
  // Most requests are served from the process's cache of just-used tokens, which every revocation clears at commit.
  const row = await cachedTokenRow(tokenHash, load, (r) => principalOfToken(r, now) !== null);
  return principalOfToken(row, now);
}

/** The principal a token row stands for, or null when it, or the membership it acts through, is revoked or expired. */
export function principalOfToken(row: TokenRow | null, now: Date): Principal | null {
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  if (row.membershipId && (!row.membershipRole || row.membershipRevokedAt)) return null;
  const who = { tokenId: row.id, apiTokenId: row.id, personId: row.personId, membershipId: row.membershipId };
  switch (row.role) {
    case 'COORDINATOR':
      return row.authorityId ? { ...who, role: 'COORDINATOR', authorityId: row.authorityId } : null;
    case 'PROVIDER':
      return row.providerId ? { ...who, role: 'PROVIDER', providerId: row.providerId, staff: row.membershipRole === 'PROVIDER_STAFF' } : null;
    case 'FAMILY':
      return row.familyId && row.authorityId ? { ...who, role: 'FAMILY', familyId: row.familyId, authorityId: row.authorityId } : null;
    case 'TRANSPORT':
      return row.vehicleId && row.authorityId ? { ...who, role: 'TRANSPORT', vehicleId: row.vehicleId, authorityId: row.authorityId } : null;
    case 'ADMIN':
      // Only a platform administrator's membership makes an administrator.
      return row.membershipRole === 'PLATFORM_ADMIN' ? { ...who, role: 'ADMIN' } : null;
  }
}

export async function revokeToken(tokenId: string): Promise<void> {
  await db().apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
}
