/**
 * Bearer tokens. Only a SHA-256 of each token is stored: a leaked database does
 * not leak usable tokens, and 256 random bits need no slow hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { db } from '../db.js';
import type { ApiToken } from '../generated/prisma/client.js';
import type { Principal, Role } from './access.js';

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export type TokenScope =
  | { role: 'COORDINATOR'; authorityId: string }
  | { role: 'PROVIDER'; providerId: string }
  | { role: 'FAMILY'; familyId: string };

const PREFIX: Record<Role, string> = { COORDINATOR: 'sbc', PROVIDER: 'sbp', FAMILY: 'sbf' };

/** Create a token and return it; it is never retrievable again. */
export async function mintToken(scope: TokenScope, options: { label?: string; expiresAt?: Date } = {}): Promise<string> {
  const token = `${PREFIX[scope.role]}_${randomBytes(32).toString('base64url')}`;
  let authorityId: string | null = null;
  if (scope.role === 'COORDINATOR') authorityId = scope.authorityId;
  if (scope.role === 'FAMILY') {
    const family = await db().family.findUniqueOrThrow({ where: { id: scope.familyId }, select: { authorityId: true } });
    authorityId = family.authorityId;
  }
  if (scope.role === 'PROVIDER') await db().provider.findUniqueOrThrow({ where: { id: scope.providerId } });
  await db().apiToken.create({
    data: {
      tokenHash: hashSecret(token),
      role: scope.role,
      authorityId,
      providerId: scope.role === 'PROVIDER' ? scope.providerId : null,
      familyId: scope.role === 'FAMILY' ? scope.familyId : null,
      label: options.label ?? null,
      expiresAt: options.expiresAt ?? null,
    },
  });
  return token;
}

/** The principal behind a token, or null when it is unknown, revoked or expired. */
export async function resolveToken(token: string, now = new Date()): Promise<Principal | null> {
  return principalOfRow(await db().apiToken.findUnique({ where: { tokenHash: hashSecret(token) } }), now);
}

/**
 * The same by the token's id: web sessions hold only the id, and look it up on
 * every page, so revoking or expiring a token ends its browser sessions at once.
 */
export async function resolveTokenId(tokenId: string, now = new Date()): Promise<Principal | null> {
  return principalOfRow(await db().apiToken.findUnique({ where: { id: tokenId } }), now);
}

function principalOfRow(row: ApiToken | null, now: Date): Principal | null {
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  switch (row.role) {
    case 'COORDINATOR':
      return row.authorityId ? { tokenId: row.id, role: 'COORDINATOR', authorityId: row.authorityId } : null;
    case 'PROVIDER':
      return row.providerId ? { tokenId: row.id, role: 'PROVIDER', providerId: row.providerId } : null;
    case 'FAMILY':
      return row.familyId && row.authorityId
        ? { tokenId: row.id, role: 'FAMILY', familyId: row.familyId, authorityId: row.authorityId }
        : null;
  }
}

export async function revokeToken(tokenId: string): Promise<void> {
  await db().apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
}
