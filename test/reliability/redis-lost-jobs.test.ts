/**
 * A Redis that restarts empty after it accepted jobs (no persistence): the
 * outbox rows are already marked pushed, so the sweeper has nothing to resend.
 * The workers' reconciler (src/jobs/reconcile.ts) finds the unfinished work in
 * PostgreSQL — a queued round, a queued closure, a rule whose slots lag its
 * version, an offer past its expiry — and pushes those jobs again; a worker
 * then does the work. The test runs its own redis-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIS_PORT = 20_000 + Math.floor(Math.random() * 20_000);
const env = { QUEUE_PREFIX: `sblost${randomUUID().slice(0, 8)}`, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, JOB_LOCK_MS: '2000', LOG_LEVEL: 'silent' };
// Before anything reads the configuration: this process's producers use the same Redis and prefix.
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX;
process.env.REDIS_URL = env.REDIS_URL;
const { db } = await import('../../src/db.js');
const { flushOutbox, pruneOutbox } = await import('../../src/jobs/outbox.js');
const { queue } = await import('../../src/jobs/queues.js');
const { reconcileLostJobs } = await import('../../src/jobs/reconcile.js');
const { joinWaitlist, promoteWaitlist } = await import('../../src/services/waitlist.js');
const { resolveToken } = await import('../../src/services/tokens.js');
const { patch, post } = await import('../support/api.js');
const { book, makeFamilyWithChild, makeSlot } = await import('../support/booking-helpers.js');
const { daysFromToday } = await import('../support/dates.js');
const { makeAuthority, makeProvider, makeSlots } = await import('../support/factories.js');
const { closeConnections } = await import('../support/lifecycle.js');
const { killHard, spawnWorker, waitFor } = await import('../support/workers.js');

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

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  if (worker) await killHard(worker);
  await closeConnections();
  if (redis) await killHard(redis);
});

describe('the outbox', () => {
  it('prunes rows pushed over 30 days ago, never pending ones or another deployment\'s', async () => {
    const old = new Date(Date.now() - 31 * 864e5);
    const key = randomUUID();
    const rows = [
      { prefix: env.QUEUE_PREFIX, jobId: `old-${key}`, enqueuedAt: old },
      { prefix: env.QUEUE_PREFIX, jobId: `recent-${key}`, enqueuedAt: new Date() },
      { prefix: env.QUEUE_PREFIX, jobId: `pending-${key}`, enqueuedAt: null },
      { prefix: `other${key.slice(0, 8)}`, jobId: `theirs-${key}`, enqueuedAt: old },
    ];
    await db().jobOutbox.createMany({ data: rows.map((r) => ({ ...r, queue: 'waitlist', name: 'expireOffer', payload: {}, createdAt: old })) });
    expect(await pruneOutbox()).toBeGreaterThanOrEqual(1);
    const left = (await db().jobOutbox.findMany({ where: { jobId: { endsWith: key } } })).map((r) => r.jobId.split('-')[0]).sort();
    expect(left).toEqual(['pending', 'recent', 'theirs']);
    await db().jobOutbox.deleteMany({ where: { jobId: { endsWith: key } } });
  });
});

describe('Redis restarted empty after accepting jobs', () => {
  it('re-pushes the jobs of unfinished work from PostgreSQL, and a worker finishes it', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider, providerToken } = await makeProvider('RESIDENTIAL');
    const { provider: closing } = await makeProvider('COMMUNITY');
    const { rule } = await makeSlots(provider.id, { startDate: daysFromToday(50), untilDate: daysFromToday(53), places: 2 });

    // Four kinds of work, each waiting on a job this file's queues accepted.
    const round = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: daysFromToday(50), periodEnd: daysFromToday(53), seed: 'lost' });
    expect(round.status).toBe(202);
    const closure = await post(`/v1/providers/${closing.id}/closure`, coordinatorToken, { effectiveFrom: daysFromToday(1), reason: 'Lease ended' });
    expect(closure.status).toBe(202);
    const edited = await patch(`/v1/capacity-rules/${rule.id}`, providerToken, { places: 3 });
    expect(edited.body.version).toBe(2);
    const full = await makeSlot(provider.id, daysFromToday(60), { places: 1 });
    await book(coordinatorToken, (await makeFamilyWithChild(authority.id)).child.id, full.id);
    const waiting = await makeFamilyWithChild(authority.id);
    const entry = await joinWaitlist((await resolveToken(waiting.familyToken))!, { childId: waiting.child.id, slotId: full.id });
    await db().slot.update({ where: { id: full.id }, data: { capacity: 2 } });
    expect(await promoteWaitlist(full.id)).toEqual([entry.id]);
    // The offer ran out a minute ago; its delayed expiry job was in Redis.
    await db().waitlistEntry.update({ where: { id: entry.id }, data: { offerExpiresAt: new Date(Date.now() - 60_000) } });

    await flushOutbox();
    expect(await db().jobOutbox.count({ where: { prefix: env.QUEUE_PREFIX, enqueuedAt: null } })).toBe(0);
    const roundJob = `round-${round.body.id}`;
    expect(await queue('allocation').getJob(roundJob)).toBeTruthy();

    // Redis restarts with nothing: every accepted job is gone, and the outbox thinks them delivered.
    await killHard(redis!);
    redis = await startRedis();
    await waitFor('producers reconnected', async () => (await queue('allocation').getJobCounts().catch(() => null)) !== null, 15_000);
    expect(await queue('allocation').getJob(roundJob)).toBeFalsy();

    // A worker alone does nothing for them (its own reconciler waits until work is 10 minutes stale).
    worker = spawnWorker(env);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await db().allocationRound.findUniqueOrThrow({ where: { id: round.body.id } })).status).toBe('QUEUED');

    // The reconciler finds the unfinished work and pushes its jobs again; running it twice pushes nothing twice.
    expect(await reconcileLostJobs({ staleAfterMs: 0 })).toBe(4);
    await reconcileLostJobs({ staleAfterMs: 0 });
    await waitFor('the round done', async () => (await db().allocationRound.findUniqueOrThrow({ where: { id: round.body.id } })).status === 'COMPLETED', 30_000);
    await waitFor('the closure done', async () => (await db().closure.findUniqueOrThrow({ where: { id: closure.body.id } })).status === 'COMPLETED', 30_000);
    await waitFor('the rule regenerated', async () => (await db().capacityRule.findUniqueOrThrow({ where: { id: rule.id } })).generatedVersion === 2, 30_000);
    await waitFor('the offer expired', async () => (await db().waitlistEntry.findUniqueOrThrow({ where: { id: entry.id } })).status === 'EXPIRED', 30_000);
    expect(await db().slot.count({ where: { capacityRuleId: rule.id, status: 'ACTIVE', capacity: 3 } })).toBe(4);
    expect((await db().slot.findUniqueOrThrow({ where: { id: full.id } })).held).toBe(0);
    expect(await db().auditEvent.count({ where: { entityId: entry.id, action: 'waitlist.expired' } })).toBe(1);
  }, 120_000);
});
