/**
 * The deployment story, tried for real (DESIGN.md "Tenancy and scale"): two API
 * processes and two worker processes — separate child processes sharing only
 * PostgreSQL and Redis. A browser session started on one API is honoured by the
 * other and signing out on either ends it on both, as does ending the member's
 * membership through the other API; authentication-failure limits
 * are shared, and never refuse a valid token; an allocation round posted to one
 * API and a closure posted to the other are completed by the workers and read
 * back through the opposite API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { book, makeFamilyWithChild } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { killHard, SHORT_RECOVERY, spawnWorker, waitFor } from '../support/workers.js';
import { freePort } from '../support/ports.js';
import { makePerson, personToken } from '../support/people.js';
import { fetchBrowser } from '../support/web-browser.js';

const LIMIT = 6;
// Its own queue prefix (and so its own rate-limit keys): only the processes this file starts serve it.
const env = {
  QUEUE_PREFIX: `sbreplicas${uid()}`,
  ...SHORT_RECOVERY,
  LOG_LEVEL: 'silent',
  AUTH_FAILURES_PER_MINUTE: String(LIMIT),
  // As behind one load balancer: the client address is the last X-Forwarded-For entry.
  TRUST_PROXY: '1',
};
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX;

const children: ChildProcess[] = [];
let apis: string[] = [];

async function startApi(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', () => undefined);
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the API on port ${port}`, async () => (await fetch(`${url}/health`).catch(() => null))?.ok, 90_000, 200);
  return url;
}

beforeAll(async () => {
  apis = await Promise.all([startApi(), startApi()]);
  children.push(spawnWorker(env), spawnWorker(env));
}, 180_000);

afterAll(async () => {
  await Promise.all(children.map(killHard));
  await closeConnections();
});

const api = (base: string, path: string, token: string, init: { method?: string; body?: unknown; forwardedFor?: string } = {}) =>
  fetch(base + path, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      ...(init.forwardedFor ? { 'X-Forwarded-For': init.forwardedFor } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });

describe('two API processes and two workers on one database and Redis', () => {
  it('a session started on one API is honoured by the other, and signing out on the other ends it on both', async () => {
    const [a, b] = apis as [string, string];
    const { coordinatorToken } = await makeAuthority();
    const browse = fetchBrowser();
    // The form comes from one replica and is posted to the other: the CSRF secret is shared too.
    const form = await browse.request(a, '/');
    expect(await browse.request(b, '/sign-in', { _csrf: form.csrf, token: coordinatorToken })).toMatchObject({ status: 303, location: '/coordinator' });
    expect((await browse.request(a, '/coordinator/ledger')).status).toBe(200);
    expect((await browse.request(b, '/coordinator/ledger')).status).toBe(200);
    const page = await browse.request(a, '/coordinator');
    const kept = browse.jar.get('sb_session')!;
    expect(await browse.request(b, '/sign-out', { _csrf: page.csrf })).toMatchObject({ status: 303, location: '/' });
    // A copy of the cookie kept from before signing out is dead on both replicas.
    for (const base of [a, b]) {
      browse.jar.set('sb_session', kept);
      expect(await browse.request(base, '/coordinator/ledger')).toMatchObject({ status: 303, location: '/?expired=1' });
    }
  });

  it('a membership ended through one API ends the member’s session and token on the other at once', async () => {
    const [a, b] = apis as [string, string];
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamilyWithChild(authority.id);
    const carerToken = await personToken(await makePerson('Rowan Carer'), { role: 'CARER', familyId: family.id });
    const browse = fetchBrowser();
    const form = await browse.request(a, '/');
    expect(await browse.request(a, '/sign-in', { _csrf: form.csrf, token: carerToken })).toMatchObject({ status: 303, location: '/family' });
    expect((await browse.request(b, '/family')).status).toBe(200);
    const listed = (await (await api(b, `/v1/memberships?familyId=${family.id}`, coordinatorToken)).json()) as { members: { membershipId: string; name: string }[] };
    const rowan = listed.members.find((m) => m.name === 'Rowan Carer')!;
    expect((await api(b, `/v1/memberships/${rowan.membershipId}`, coordinatorToken, { method: 'DELETE' })).status).toBe(200);
    expect(await browse.request(a, '/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    expect((await api(a, '/v1/me', carerToken)).status).toBe(401);
  });

  it('shares the failure limit between the APIs, and a valid token from the limited address is still served by both', async () => {
    const [a, b] = apis as [string, string];
    const { coordinatorToken } = await makeAuthority();
    const client = `203.0.113.${Math.floor(Math.random() * 250)}-${uid()}`;
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await api(i % 2 ? b : a, '/v1/vehicles', 'sbc_wrong-token-guess-0000', { forwardedFor: client })).status);
    expect(statuses).toEqual(Array(LIMIT).fill(401));
    // Each API saw only half of the failures; together they reached the limit.
    for (const base of [a, b]) {
      const refused = await api(base, '/v1/vehicles', 'sbc_wrong-token-guess-0000', { forwardedFor: client });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await api(base, '/v1/vehicles', coordinatorToken, { forwardedFor: client })).status).toBe(200);
    }
    // Another client behind the same load balancer is not affected.
    expect((await api(a, '/v1/vehicles', 'sbc_wrong-token-guess-0000', { forwardedFor: `198.51.100.1-${uid()}` })).status).toBe(401);
  });

  it('an allocation round posted to one API is completed by the workers and read through the other', async () => {
    const [a, b] = apis as [string, string];
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('COMMUNITY');
    const day = daysFromToday(40);
    const { slots } = await makeSlots(provider.id, { startDate: day, untilDate: day, startTime: '10:00', durationMinutes: 240, places: 3 });
    const families = await Promise.all(Array.from({ length: 5 }, () => makeFamilyWithChild(authority.id)));
    await db().breakRequest.createMany({
      data: families.map(({ child }) => ({
        childId: child.id, authorityId: authority.id, periodStart: day, periodEnd: day, createdByRole: 'COORDINATOR' as const,
        preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }],
      })),
    });
    const started = await api(a, '/v1/allocation-rounds', coordinatorToken, { method: 'POST', body: { periodStart: day, periodEnd: day, seed: `replicas-${randomUUID()}` } });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const round = await waitFor('the round to complete', async () => {
      const body = (await (await api(b, `/v1/allocation-rounds/${id}`, coordinatorToken)).json()) as { status: string };
      return body.status === 'COMPLETED' || body.status === 'FAILED' ? body : null;
    }, 120_000, 250);
    expect(round.status).toBe('COMPLETED');
    // Three places, five children: exactly three booked, once each.
    const bookings = await db().booking.findMany({ where: { slotId: slots[0]!.id, status: { in: ['ALLOCATED', 'CONFIRMED'] } } });
    expect(bookings).toHaveLength(3);
    expect(new Set(bookings.map((x) => x.childId)).size).toBe(3);
  });

  it('a closure posted to one API is planned and applied by the workers and read through the other', async () => {
    const [a, b] = apis as [string, string];
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider: closing } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, lat: 50.82, lng: -0.37 });
    const { provider: nearby } = await makeProvider('RESIDENTIAL', { lat: 50.83, lng: -0.36 });
    const day = daysFromToday(30);
    const { slots: closingSlots } = await makeSlots(closing.id, { startDate: day, untilDate: day, places: 2 });
    await makeSlots(nearby.id, { startDate: day, untilDate: day, places: 2 });
    const { child } = await makeFamilyWithChild(authority.id);
    const booking = await book(coordinatorToken, child.id, closingSlots[0]!.id);
    const started = await api(b, `/v1/providers/${closing.id}/closure`, coordinatorToken, { method: 'POST', body: { effectiveFrom: daysFromToday(10), confirm: true, reason: 'The home is closing' } });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const closure = await waitFor('the closure to complete', async () => {
      const body = (await (await api(a, `/v1/closures/${id}`, coordinatorToken)).json()) as { status: string; counts: { affected: number }; outcomes: { bookingId: string; outcome: string }[] };
      return body.status === 'COMPLETED' || body.status === 'FAILED' ? body : null;
    }, 120_000, 250);
    expect(closure.status).toBe('COMPLETED');
    expect(closure.counts.affected).toBe(1);
    expect(closure.outcomes).toEqual([expect.objectContaining({ bookingId: booking.id, outcome: 'MOVED' })]);
    // Nothing is left pointing at the closed home (invariant 8) and the child is booked at an open one — the
    // nearby home, or another test file's home on the same night, which the planner may find as suitable.
    expect(await db().booking.count({ where: { childId: child.id, status: { in: ['ALLOCATED', 'CONFIRMED'] }, slot: { providerId: closing.id } } })).toBe(0);
    const live = await db().booking.findMany({ where: { childId: child.id, status: { in: ['ALLOCATED', 'CONFIRMED'] } }, include: { slot: { include: { provider: true } } } });
    expect(live.map((b) => b.slot.provider.status)).toEqual(['ACTIVE']);
    expect(live[0]!.slot.localDate).toBe(day);
  });

  it('all four processes are still running', () => {
    expect(children.map((c) => c.exitCode ?? c.signalCode)).toEqual([null, null, null, null]);
  });
});
