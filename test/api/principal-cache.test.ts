/**
 * An API process reuses a bearer token it has just looked up, without asking the database again,
 * yet a revocation committed anywhere (another replica, a script, an erasure) holds at once:
 * every process hears it at commit and forgets what it held. A process that cannot hear does not
 * trust what it holds.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.hoisted(() => {
  process.env.PRINCIPAL_CACHE_MS = '60000';
});

import { db, pool } from '../../src/db.js';
import { nextPrincipalChange, principalCacheListening } from '../../src/services/principal-cache.js';
import { hashSecret, mintToken } from '../../src/services/tokens.js';
import { get } from '../support/api.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { makePerson, personToken } from '../support/people.js';

afterAll(closeConnections);

let familyPath: string;
let authorityId: string;

beforeAll(async () => {
  const { authority } = await makeAuthority();
  authorityId = authority.id;
  familyPath = `/v1/families/${(await makeFamily(authority.id)).family.id}`;
  expect(await principalCacheListening()).toBe(true);
});

/** How many times the token statement reaches the database while `fn` runs. */
async function tokenLookups(fn: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(pool(), 'query');
  try {
    await fn();
    return spy.mock.calls.filter(([q]) => typeof q === 'object' && q !== null && (q as { name?: string }).name === 'token-by-hash-with-membership').length;
  } finally {
    spy.mockRestore();
  }
}

const tokenRowOf = (token: string) => ({ tokenHash: hashSecret(token) });

describe('the principal cache', () => {
  it('a coordinator’s token is looked up once, and stops working as soon as another process revokes it', async () => {
    const { coordinatorToken } = await makeAuthorityWithToken();
    expect(await tokenLookups(async () => expect((await get(familyPath, coordinatorToken)).status).toBe(200))).toBe(1);
    expect(await tokenLookups(async () => expect((await get(familyPath, coordinatorToken)).status).toBe(200))).toBe(0);

    const heard = nextPrincipalChange();
    await db().apiToken.update({ where: tokenRowOf(coordinatorToken), data: { revokedAt: new Date() } });
    await heard;
    expect((await get(familyPath, coordinatorToken)).status).toBe(401);
  });

  it('ending a membership ends the tokens acting through it, cached or not', async () => {
    const person = await makePerson('Pat Coordinator');
    const token = await personToken(person, { role: 'COORDINATOR', authorityId });
    expect((await get(familyPath, token)).status).toBe(200);
    expect(await tokenLookups(async () => expect((await get(familyPath, token)).status).toBe(200))).toBe(0);

    const heard = nextPrincipalChange();
    const row = await db().apiToken.findUniqueOrThrow({ where: tokenRowOf(token) });
    await db().membership.update({ where: { id: row.membershipId! }, data: { revokedAt: new Date() } });
    await heard;
    expect((await get(familyPath, token)).status).toBe(401);
  });

  it('while the process cannot hear revocations it asks the database on every request', async () => {
    const { coordinatorToken } = await makeAuthorityWithToken();
    expect((await get(familyPath, coordinatorToken)).status).toBe(200);

    const lost = nextPrincipalChange();
    const { rows } = await pool().query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN principal_changed'`);
    expect(rows.length).toBeGreaterThan(0);
    await pool().query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [rows.map((r) => r.pid)]);
    await lost;
    // A revocation nobody announces to this process (it is not listening) still holds at once.
    await db().apiToken.update({ where: tokenRowOf(coordinatorToken), data: { revokedAt: new Date() } });
    expect(await tokenLookups(async () => expect((await get(familyPath, coordinatorToken)).status).toBe(401))).toBe(1);
    // The process listens again on its own, and the cache serves once more.
    await vi.waitFor(async () => expect(await principalCacheListening()).toBe(true), { timeout: 30_000, interval: 200 });
  });
});

/** A coordinator token of this file's authority (families of it are readable by it). */
async function makeAuthorityWithToken() {
  return { coordinatorToken: await mintToken({ role: 'COORDINATOR', authorityId }) };
}
