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
// Only node:child_process inside: safe to import before the environment below is set.
import { SHORT_RECOVERY } from '../support/workers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stablePort } from '../support/ports.js';

const REDIS_PORT = await stablePort();
const env = { QUEUE_PREFIX: `sblost${randomUUID().slice(0, 8)}`, REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`, ...SHORT_RECOVERY, LOG_LEVEL: 'silent' };
// Before anything reads the configuration: this process's producers use the same Redis and prefix.
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX;
process.env.REDIS_URL = env.REDIS_URL;
// Fresh work is left alone for an hour in this process, however long the setup takes on a busy machine.
process.env.RECONCILE_STALE_MS = String(3_600_000);
const { db } = await import('../../src/db.js');
const { flushOutbox, pruneOutbox } = await import('../../src/jobs/outbox.js');
const { queue } = await import('../../src/jobs/queues.js');
const { QUEUE_NAMES } = await import('../../src/jobs/registry.js');
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

/**
 * Kill Redis and start it again empty, then wait until every queue's producer connection is back:
 * each Queue has its own connection, reconnecting on its own back-off, and a push through one still
 * reconnecting fails (the reconciler then stops and tries again next time).
 */
async function restartRedisEmpty(): Promise<void> {
  await killHard(redis!);
  redis = await startRedis();
  for (const name of QUEUE_NAMES) await waitFor(`the ${name} producer reconnected`, async () => (await queue(name).getJobCounts().catch(() => null)) !== null, 60_000);
}

/** The ids of this file's jobs in Redis, in any state. */
async function jobIdsInRedis(): Promise<string[]> {
  const ids: string[] = [];
  for (const name of QUEUE_NAMES) for (const job of await queue(name).getJobs()) ids.push(job.id!);
  return ids.sort();
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
    const { provider: closing } = await makeProvider('COMMUNITY', { operatorAuthorityId: authority.id });
    const { rule } = await makeSlots(provider.id, { startDate: daysFromToday(50), untilDate: daysFromToday(53), places: 2 });

    // Four kinds of work, each waiting on a job this file's queues accepted.
    const round = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: daysFromToday(50), periodEnd: daysFromToday(53), seed: 'lost' });
    expect(round.status).toBe(202);
    const closure = await post(`/v1/providers/${closing.id}/closure`, coordinatorToken, { effectiveFrom: daysFromToday(1), confirm: true, reason: 'Lease ended' });
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
    await restartRedisEmpty();
    expect(await queue('allocation').getJob(roundJob)).toBeFalsy();

    // Work younger than RECONCILE_STALE_MS is left to its queued job: nothing is pushed yet. (Asked of the
    // reconciler itself, not of a worker left alone for a while, so a slow machine cannot make this vacuous.)
    expect(await reconcileLostJobs()).toBe(0);
    // Once stale, the reconciler finds the unfinished work and pushes its four jobs again — before any worker
    // runs, since a worker's start-up horizon job regenerates every rule and would finish the lagging one itself.
    expect(await reconcileLostJobs({ staleAfterMs: 0 })).toBe(4);
    // Running it again pushes nothing twice: the same four jobs, by their deterministic ids.
    expect(await reconcileLostJobs({ staleAfterMs: 0 })).toBe(4);
    expect(await jobIdsInRedis()).toEqual([roundJob, `closure-${closure.body.id}`, `rule-${rule.id}-v2`, `expire-${entry.id}`].sort());

    worker = spawnWorker(env);
    await waitFor('the round done', async () => (await db().allocationRound.findUniqueOrThrow({ where: { id: round.body.id } })).status === 'COMPLETED', 90_000);
    await waitFor('the closure done', async () => (await db().closure.findUniqueOrThrow({ where: { id: closure.body.id } })).status === 'COMPLETED', 90_000);
    await waitFor('the rule regenerated', async () => (await db().capacityRule.findUniqueOrThrow({ where: { id: rule.id } })).generatedVersion === 2, 90_000);
    await waitFor('the offer expired', async () => (await db().waitlistEntry.findUniqueOrThrow({ where: { id: entry.id } })).status === 'EXPIRED', 90_000);
    expect(await db().slot.count({ where: { capacityRuleId: rule.id, status: 'ACTIVE', capacity: 3 } })).toBe(4);
    expect((await db().slot.findUniqueOrThrow({ where: { id: full.id } })).held).toBe(0);
    expect(await db().auditEvent.count({ where: { entityId: entry.id, action: 'waitlist.expired' } })).toBe(1);
  }, 120_000);
});

describe('a worker on its own, with short reconciler settings', () => {
  it('re-pushes a lost round job by itself and the round is run once', async () => {
    if (worker) await killHard(worker);
    worker = undefined;
    const { coordinatorToken } = await makeAuthority();
    const round = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: daysFromToday(70), periodEnd: daysFromToday(71), seed: 'lost-alone' });
    expect(round.status).toBe(202);
    await flushOutbox();
    expect(await queue('allocation').getJob(`round-${round.body.id}`)).toBeTruthy();
    await restartRedisEmpty();

    // The same worker process as in production, looking every 500 ms for work unfinished after a second.
    worker = spawnWorker({ ...env, RECONCILE_EVERY_MS: '500', RECONCILE_STALE_MS: '1000' });
    const done = await waitFor('the round run after its job was re-pushed', async () => {
      const r = await db().allocationRound.findUniqueOrThrow({ where: { id: round.body.id } });
      return r.status === 'COMPLETED' && r;
    }, 90_000, 250);
    expect(done.status).toBe('COMPLETED');
    // Run once, though the worker looked for lost work many times while it ran.
    expect(await db().auditEvent.count({ where: { entityId: round.body.id, action: 'round.completed' } })).toBe(1);
  }, 180_000);
});
