/**
 * Server-side browser sessions (DESIGN.md "Tenancy and scale": sessions live in
 * PostgreSQL, so any replica serves any request). The browser holds a random
 * 256-bit secret; only its SHA-256 is stored. A session ends when it is signed
 * out, when it expires, or when what it came from ends — the access key it was
 * signed in with, or the membership the person acts through — checked on every
 * page, on whichever replica serves it.
 *
 * A person signed in by emailed link or OpenID Connect with several
 * memberships has a session without a membership until they choose one.
 */
import { randomBytes } from 'node:crypto';
import { db, pool } from '../db.js';
import type { Membership, MembershipRole } from '../generated/prisma/client.js';
import { forbidden } from '../errors.js';
import type { Principal } from './access.js';
import { principalOfMembership } from './people.js';
import { recordSignIn } from './sign-in-events.js';
import { hashSecret, principalOfToken, type TokenRow } from './tokens.js';
import { transaction } from './tx.js';

export const SESSION_HOURS = 8;

export type SignInMethod = 'TOKEN' | 'EMAIL_LINK' | 'OIDC';

export interface WebSessionView {
  sessionId: string;
  /** Null while a person with several memberships has not chosen which to act as. */
  principal: Principal | null;
  person: { id: string; name: string } | null;
}

const newSecret = () => randomBytes(32).toString('base64url');
const expiry = (now: Date) => new Date(now.getTime() + SESSION_HOURS * 3600_000);

/** Where a sign-in came from, for its audit row. */
export interface SignInContext {
  address: string;
  /** An accepted invitation signs in as an emailed link does, but is recorded as what it was. */
  via?: 'INVITATION';
  /** OpenID Connect: the provider's ID token, for its sign-out (oidcSignOutUrl). */
  oidcIdToken?: string | null;
}

/** Start a session for an access key that has just been checked; returns the cookie's secret. The sign-in is audited with it. */
export async function startWebSession(principal: Principal, now = new Date(), context: SignInContext = { address: 'unknown' }): Promise<string> {
  const secret = newSecret();
  const apiTokenId = principal.apiTokenId ?? principal.tokenId;
  await transaction(async (tx) => {
    const row = await tx.webSession.create({
      data: { secretHash: hashSecret(secret), apiTokenId, personId: principal.personId ?? null, method: 'TOKEN', expiresAt: expiry(now) },
    });
    await recordSignIn({ method: 'TOKEN', outcome: 'SUCCEEDED', address: context.address, personId: principal.personId ?? null, sessionId: row.id, tokenId: apiTokenId }, tx);
  });
  return secret;
}

/** Start a session for a person who has just proved who they are; acting through `membershipId` when there is only one to choose. The sign-in is audited with it. */
export async function startPersonSession(personId: string, method: SignInMethod, membershipId: string | null, now = new Date(), context: SignInContext = { address: 'unknown' }): Promise<string> {
  const secret = newSecret();
  await transaction(async (tx) => {
    const row = await tx.webSession.create({ data: { secretHash: hashSecret(secret), personId, membershipId, method, oidcIdToken: context.oidcIdToken ?? null, expiresAt: expiry(now) } });
    await recordSignIn({ method: context.via ?? method, outcome: 'SUCCEEDED', address: context.address, personId, sessionId: row.id }, tx);
  });
  return secret;
}

/** The person of a session chooses which of their live memberships to act as; answers the membership chosen. */
export async function chooseMembership(secret: string, membershipId: string, now = new Date()): Promise<Membership> {
  const row = await db().webSession.findUnique({ where: { secretHash: hashSecret(secret) } });
  if (!row || row.endedAt || row.expiresAt <= now || !row.personId) throw forbidden('Sign in first');
  const m = await db().membership.findFirst({ where: { id: membershipId, personId: row.personId, revokedAt: null } });
  if (!m) throw forbidden('That is not one of your memberships');
  await db().webSession.update({ where: { id: row.id }, data: { membershipId: m.id } });
  return m;
}

/** The live session behind a cookie's secret, or null (unknown, signed out, expired, or what it came from ended). */
export async function resolveWebSession(secret: string, now = new Date()): Promise<WebSessionView | null> {
  // Every page asks this: one prepared statement on a pool connection (as resolveToken does), not the ORM's
  // nested include, which cost about 3 ms of CPU per page in query planning and row mapping.
  const { rows } = await pool().query<SessionRow>({ name: 'web-session-by-hash', text: SESSION_QUERY, values: [hashSecret(secret)] });
  const row = rows[0];
  if (!row || row.endedAt || row.expiresAt <= now) return null;
  const person = row.personId ? { id: row.personId, name: row.personName! } : null;
  if (row.apiTokenId) {
    const token: TokenRow = {
      id: row.apiTokenId,
      role: row.tokenRole!,
      authorityId: row.tokenAuthorityId,
      providerId: row.tokenProviderId,
      familyId: row.tokenFamilyId,
      vehicleId: row.tokenVehicleId,
      expiresAt: row.tokenExpiresAt,
      revokedAt: row.tokenRevokedAt,
      personId: row.tokenPersonId,
      membershipId: row.tokenMembershipId,
      membershipRole: row.tokenMembershipRole,
      membershipRevokedAt: row.tokenMembershipRevokedAt,
    };
    const principal = principalOfToken(token, now);
    return principal ? { sessionId: row.id, principal: { ...principal, sessionId: row.id }, person } : null;
  }
  if (!person) return null;
  if (!row.membershipId) return { sessionId: row.id, principal: null, person };
  const membership = { id: row.membershipId, role: row.membershipRole!, authorityId: row.membershipAuthorityId, providerId: row.membershipProviderId, familyId: row.membershipFamilyId, revokedAt: row.membershipRevokedAt };
  const principal = principalOfMembership(membership, { tokenId: row.id, sessionId: row.id, personId: person.id });
  return principal ? { sessionId: row.id, principal, person } : null;
}

// Named columns, not *: a prepared SELECT * fails in running processes once a migration adds a column.
// The session's access key with the membership that key acts through, and the session's person and chosen membership.
const SESSION_QUERY = `SELECT w.id, w."expiresAt", w."endedAt", w."apiTokenId",
    t.role::text AS "tokenRole", t."authorityId" AS "tokenAuthorityId", t."providerId" AS "tokenProviderId", t."familyId" AS "tokenFamilyId",
    t."vehicleId" AS "tokenVehicleId", t."expiresAt" AS "tokenExpiresAt", t."revokedAt" AS "tokenRevokedAt", t."personId" AS "tokenPersonId",
    t."membershipId" AS "tokenMembershipId", tm.role::text AS "tokenMembershipRole", tm."revokedAt" AS "tokenMembershipRevokedAt",
    p.id AS "personId", p.name AS "personName",
    m.id AS "membershipId", m.role::text AS "membershipRole", m."authorityId" AS "membershipAuthorityId", m."providerId" AS "membershipProviderId",
    m."familyId" AS "membershipFamilyId", m."revokedAt" AS "membershipRevokedAt"
  FROM web_session w
  LEFT JOIN api_token t ON t.id = w."apiTokenId"
  LEFT JOIN membership tm ON tm.id = t."membershipId"
  LEFT JOIN person p ON p.id = w."personId"
  LEFT JOIN membership m ON m.id = w."membershipId"
  WHERE w."secretHash" = $1`;

interface SessionRow {
  id: string;
  expiresAt: Date;
  endedAt: Date | null;
  apiTokenId: string | null;
  tokenRole: TokenRow['role'] | null;
  tokenAuthorityId: string | null;
  tokenProviderId: string | null;
  tokenFamilyId: string | null;
  tokenVehicleId: string | null;
  tokenExpiresAt: Date | null;
  tokenRevokedAt: Date | null;
  tokenPersonId: string | null;
  tokenMembershipId: string | null;
  tokenMembershipRole: TokenRow['membershipRole'];
  tokenMembershipRevokedAt: Date | null;
  personId: string | null;
  personName: string | null;
  membershipId: string | null;
  membershipRole: MembershipRole | null;
  membershipAuthorityId: string | null;
  membershipProviderId: string | null;
  membershipFamilyId: string | null;
  membershipRevokedAt: Date | null;
}

/**
 * Sign out: the session ends for every replica at once. Answers how it was signed in, with the
 * provider's ID token when it was OpenID Connect (null when it had already ended); the ID token is
 * not kept after.
 */
export async function endWebSession(secret: string, now = new Date()): Promise<{ method: SignInMethod; oidcIdToken: string | null } | null> {
  const rows = await db().$queryRaw<{ method: SignInMethod; oidcIdToken: string | null }[]>`
    UPDATE web_session w SET "endedAt" = ${now}, "oidcIdToken" = NULL
    FROM (SELECT id, "oidcIdToken" FROM web_session WHERE "secretHash" = ${hashSecret(secret)} AND "endedAt" IS NULL FOR UPDATE) old
    WHERE w.id = old.id RETURNING w.method, old."oidcIdToken"`;
  return rows[0] ?? null;
}
