/**
 * Redis restarted mid-stream. The test runs its own
 * redis-server (never the machine's shared one), the API in-process and a real
 * worker process pointed at it. While Redis is away: reads answer, /health says
 * `degraded` (200) with redis not ok, and writes that need background work
 * still commit, their jobs waiting in the PostgreSQL outbox. When Redis is back
 * on the same port, the worker's sweeper pushes them and the work is done:
 * slots generated for the new capacity rule, the freed place offered — nothing
 * lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
// Only node:child_process inside: safe to import before the environment below is set.
import { SHORT_RECOVERY } from '../support/workers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stablePort } from '../support/ports.js';

const REDIS_PORT = await stablePort();
const env = { QUEUE_PREFIX: `sbredis${randomUUID().slice(0, 8)}`, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, ...SHORT_RECOVERY, LOG_LEVEL: 'silent' };
// Before anything reads the configuration: this process's producers and health probe use the same Redis.
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX;
process.env.REDIS_URL = env.REDIS_URL;
// The project's modules are imported after the environment is set: some read the configuration on import.
const { db } = await import('../../src/db.js');
const { call, get, post } = await import('../support/api.js');
const { book, makeFamilyWithChild, makeSlot } = await import('../support/booking-helpers.js');
const { daysFromToday } = await import('../support/dates.js');
const { makeAuthority, makeProvider, uid } = await import('../support/factories.js');
const { invariantViolations } = await import('../support/invariants.js');
const { closeConnections } = await import('../support/lifecycle.js');
const { killHard, spawnWorker, waitFor } = await import('../support/workers.js');
const { config } = await import('../../src/config.js');
const { flushOutbox } = await import('../../src/jobs/outbox.js');

let redis: ChildProcess | undefined;
let worker: ChildProcess | undefined;

async function startRedis(): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
  });
  return child;
}

const health = () => get<{ status: string; redis: { ok: boolean }; database: { ok: boolean } }>('/health');
const pendingOutbox = () => db().jobOutbox.count({ where: { prefix: env.QUEUE_PREFIX, enqueuedAt: null } });

beforeAll(async () => {
  expect(config().REDIS_URL).toBe(env.REDIS_URL);
  redis = await startRedis();
  worker = spawnWorker(env);
});
afterAll(async () => {
  if (worker) await killHard(worker);
  await closeConnections();
  if (redis) await killHard(redis);
});

describe('Redis stopped and started again mid-stream', () => {
  it('keeps answering reads, reports degraded health, keeps jobs in the outbox and resumes them', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id });
    const full = await makeSlot(provider.id, daysFromToday(40), { places: 1 });
    const holder = await makeFamilyWithChild(authority.id);
    const holding = await book(coordinatorToken, holder.child.id, full.id);
    const waiting = await makeFamilyWithChild(authority.id);
    const rule = (from: number) => ({ rrule: 'FREQ=WEEKLY;BYDAY=SA', startDate: daysFromToday(from), untilDate: daysFromToday(from + 27), startTime: '17:00', durationMinutes: 17 * 60, places: 2 });

    // Redis up: the pipeline works end to end (the worker generates a rule's slots).
    await waitFor('health ok', async () => (await health()).body.status === 'ok', 60_000);
    const before = await post(`/v1/providers/${provider.id}/capacity-rules`, coordinatorToken, rule(70));
    expect(before.status).toBe(201);
    await waitFor('slots of the first rule', async () => (await db().slot.count({ where: { capacityRuleId: before.body.id } })) === 4, 90_000);
    const joined = await post('/v1/waitlist', waiting.familyToken, { childId: waiting.child.id, slotId: full.id });
    expect(joined.status).toBe(201);
    await waitFor('the outbox to drain', async () => (await pendingOutbox()) === 0, 60_000);

    // Redis goes away.
    await killHard(redis!);
    redis = undefined;

    const down = await waitFor('degraded health', async () => {
      const h = await health();
      return h.body.status === 'degraded' && h;
    }, 60_000);
    expect(down.status).toBe(200);
    expect(down.body.redis.ok).toBe(false);
    expect(down.body.database.ok).toBe(true);

    // Reads answer, promptly.
    const t0 = performance.now();
    const slots = await get(`/v1/slots?from=${daysFromToday(39)}&to=${daysFromToday(41)}&providerId=${provider.id}`, coordinatorToken);
    expect(slots.status).toBe(200);
    expect(slots.body.items.map((s: { id: string }) => s.id)).toContain(full.id);
    expect((await get(`/v1/bookings?slotId=${full.id}`, coordinatorToken)).status).toBe(200);
    expect((await get(`/v1/children/${waiting.child.id}`, waiting.familyToken)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(5000);

    // Writes that need jobs commit; their jobs wait in the outbox.
    const during = await post(`/v1/providers/${provider.id}/capacity-rules`, coordinatorToken, rule(120));
    expect(during.status).toBe(201);
    const cancelled = await call('POST', `/v1/bookings/${holding.id}/cancel`, { token: holder.familyToken, body: { reason: 'Ill' }, headers: { 'Idempotency-Key': `cancel-${uid()}` } });
    expect(cancelled.status).toBe(200);
    // A sweep against the absent Redis (the worker's, run here so it surely happened) pushes nothing and keeps them.
    expect(await flushOutbox()).toBe(0);
    expect(await pendingOutbox()).toBeGreaterThanOrEqual(2);
    expect(await db().jobOutbox.count({ where: { prefix: env.QUEUE_PREFIX, enqueuedAt: null, name: 'generateSlots' } })).toBe(1);
    expect(await db().jobOutbox.count({ where: { prefix: env.QUEUE_PREFIX, enqueuedAt: null, name: 'promoteWaitlist' } })).toBe(1);
    expect(await db().slot.count({ where: { capacityRuleId: during.body.id } })).toBe(0);
    expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: joined.body.id } })).status).toBe('WAITING');

    // Redis is back on the same port (empty: no persistence): the sweeper pushes the outbox, the worker does the work.
    redis = await startRedis();
    await waitFor('health ok again', async () => (await health()).body.status === 'ok', 60_000);
    await waitFor('slots of the rule written while Redis was away', async () => (await db().slot.count({ where: { capacityRuleId: during.body.id } })) === 4, 90_000);
    const offered = await waitFor('the freed place offered', async () => {
      const e = await db().waitlistEntry.findUniqueOrThrow({ where: { id: joined.body.id } });
      return e.status === 'OFFERED' && e;
    }, 90_000);
    expect(offered.slotId).toBe(full.id);
    await waitFor('the outbox to drain again', async () => (await pendingOutbox()) === 0, 60_000);

    // Nothing lost, nothing doubled: the offer holds exactly the freed place, the cancelled booking keeps its history.
    const slot = await db().slot.findUniqueOrThrow({ where: { id: full.id } });
    expect({ booked: slot.booked, held: slot.held }).toEqual({ booked: 0, held: 1 });
    expect((await db().booking.findUniqueOrThrow({ where: { id: holding.id } })).status).toBe('CANCELLED');
    expect(await db().slot.count({ where: { capacityRuleId: before.body.id } })).toBe(4);
    const violations = await invariantViolations();
    expect(violations.overfilled.filter((s) => s.id === full.id)).toEqual([]);
  }, 480_000);
});
