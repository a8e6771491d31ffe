/**
 * Authentication failures are rate limited per client address, shared by every
 * API process through Redis; a valid credential is never refused for others'
 * failures. Security headers are on every response.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { db } from '../../src/db.js';
import { mintAdminToken } from '../../src/services/people.js';
import { get } from '../support/api.js';
import { makeAuthority } from '../support/factories.js';
import { pageBrowser } from '../support/web-browser.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

/** A fresh client address per test, as the trusted proxy reports it: counts from other tests never reach it. */
const address = () => `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 250)).join('.')}-${randomUUID().slice(0, 6)}`;
const bad = (app: ReturnType<typeof buildApp>, forwardedFor: string) =>
  app.request('/v1/vehicles', { headers: { Authorization: 'Bearer sbc_not-a-real-token-at-all', 'X-Forwarded-For': forwardedFor } });

describe('authentication failures', () => {
  it('a bad bearer token is recorded as a failed sign-in (never the token itself) that administrators see; a flood from one address writes a bounded number of rows', async () => {
    const app = buildApp({ authFailuresPerMinute: 3, trustedProxies: 1 });
    const client = address();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await bad(app, client)).status);
    expect(statuses).toEqual([401, 401, 401, ...Array(9).fill(429)]);
    const rows = await db().auditEvent.findMany({ where: { action: 'sign_in.failed', actorId: `address:${client}` } });
    // Three within the limit, and one saying the address went over: not one per request.
    const reason = (r: { after: unknown }) => (r.after as { reason: string }).reason;
    expect(rows.map(reason).sort()).toEqual(['TOO_MANY_FAILURES', 'UNKNOWN_TOKEN', 'UNKNOWN_TOKEN', 'UNKNOWN_TOKEN']);
    expect(rows.every((r) => (r.after as { method: string; address: string }).method === 'API_TOKEN' && (r.after as { address: string }).address === client)).toBe(true);
    expect(rows.every((r) => r.actorRole === 'SIGN_IN' && r.actorPersonId === null)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('not-a-real-token');

    // A header that is not a bearer token is a failure too; sending none is only counted.
    const malformed = address();
    expect((await app.request('/v1/vehicles', { headers: { Authorization: 'Basic c2FtOnNlY3JldA==', 'X-Forwarded-For': malformed } })).status).toBe(401);
    const none = address();
    expect((await app.request('/v1/vehicles', { headers: { 'X-Forwarded-For': none } })).status).toBe(401);
    expect((await db().auditEvent.findFirstOrThrow({ where: { action: 'sign_in.failed', actorId: `address:${malformed}` } })).after).toMatchObject({ reason: 'MALFORMED_AUTHORIZATION' });
    expect(await db().auditEvent.count({ where: { actorId: `address:${none}` } })).toBe(0);

    // A platform administrator sees them, through the API and on the administration page; nobody else may.
    const admin = await mintAdminToken('rate-limit test');
    const listed = await get('/v1/sign-in-events?outcome=FAILED&limit=200', admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items.filter((e: { address: string }) => e.address === client).map((e: { reason: string }) => e.reason).sort()).toEqual(['TOO_MANY_FAILURES', 'UNKNOWN_TOKEN', 'UNKNOWN_TOKEN', 'UNKNOWN_TOKEN']);
    expect(listed.body.items.find((e: { address: string }) => e.address === client)).toMatchObject({ outcome: 'FAILED', method: 'API_TOKEN', personId: null });
    const { coordinatorToken } = await makeAuthority();
    expect((await get('/v1/sign-in-events', coordinatorToken)).status).toBe(403);
    const b = pageBrowser();
    await b.signIn(admin);
    const page = await b.request('/admin');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Failed sign-ins');
    expect(page.html).toContain(client);
    expect(page.html).toContain('Too many failures');
  });

  it('answers 429 with Retry-After once an address has failed too often, while a good token from the same address is served', async () => {
    const app = buildApp({ authFailuresPerMinute: 3, trustedProxies: 1 });
    const { coordinatorToken } = await makeAuthority();
    const client = address();
    for (let i = 0; i < 3; i++) expect((await bad(app, client)).status).toBe(401);
    const limited = await bad(app, client);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED');
    const good = await app.request('/v1/vehicles', { headers: { Authorization: `Bearer ${coordinatorToken}`, 'X-Forwarded-For': client } });
    expect(good.status).toBe(200);
    // Another address is not affected.
    expect((await bad(app, address())).status).toBe(401);
  });

  it('is shared between API instances: failures on one count on the other', async () => {
    const one = buildApp({ authFailuresPerMinute: 4, trustedProxies: 1 });
    const other = buildApp({ authFailuresPerMinute: 4, trustedProxies: 1 });
    const client = address();
    for (const app of [one, other, one, other]) expect((await bad(app, client)).status).toBe(401);
    expect((await bad(other, client)).status).toBe(429);
    expect((await bad(one, client)).status).toBe(429);
  });

  it('behind a trusted proxy, keys on the address the proxy saw, not on what the client wrote before it', async () => {
    const app = buildApp({ authFailuresPerMinute: 2, trustedProxies: 1 });
    const client = address();
    // A client rotating a forged left-hand entry is still one client.
    for (let i = 0; i < 2; i++) expect((await bad(app, `forged-${i}, ${client}`)).status).toBe(401);
    expect((await bad(app, `forged-9, ${client}`)).status).toBe(429);
    // Without a trusted proxy the header is ignored: these all come from the test's one in-process address.
    const direct = buildApp({ authFailuresPerMinute: 100_000, trustedProxies: 0 });
    expect((await bad(direct, client)).status).toBe(401);
  });

  it('does not count successful requests', async () => {
    const app = buildApp({ authFailuresPerMinute: 2, trustedProxies: 1 });
    const { coordinatorToken } = await makeAuthority();
    const client = address();
    for (let i = 0; i < 5; i++) {
      expect((await app.request('/v1/vehicles', { headers: { Authorization: `Bearer ${coordinatorToken}`, 'X-Forwarded-For': client } })).status).toBe(200);
    }
    expect((await bad(app, client)).status).toBe(401);
  });
});

describe('security headers', () => {
  it('sets them on API answers and errors alike', async () => {
    const app = buildApp();
    for (const path of ['/health', '/v1/vehicles', '/nowhere']) {
      const res = await app.request(path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toContain('max-age');
    }
  });
});
