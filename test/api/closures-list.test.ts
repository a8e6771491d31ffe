/**
 * GET /v1/closures and POST /v1/closures/:id/retry (what the closures page shows):
 * each coordinator lists the closures its authority made and those that
 * affected its children, with counts of its own children only; a FAILED
 * closure goes back to the worker once per retry and finishes.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '../../src/config.js';
import { db } from '../../src/db.js';
import { flushOutbox } from '../../src/jobs/outbox.js';
import { queue } from '../../src/jobs/queues.js';
import { workerConnection } from '../../src/redis.js';
import { markClosureFailed, runClosure } from '../../src/services/closures.js';
import { processRehoming } from '../../workers/processors/rehoming.js';
import { expectProblem, get, post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { countsAddUp, waitForClosure, type ClosureView } from '../support/closure-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { waitFor } from '../support/workers.js';

// Jobs this file records stay in its own queue prefix; it runs each closure itself, as the worker would.
process.env.QUEUE_PREFIX = `sbclosurelist${uid()}`;

afterAll(closeConnections);

type Tenant = Awaited<ReturnType<typeof makeAuthority>>;
let a: Tenant;
let b: Tenant;
let c: Tenant;
let shared: { id: string; name: string };
let familyToken: string;
let providerToken: string;
let closureId: string;

/** A child of `authority` booked into `n` nights at `providerId` (needs only these tests' places could meet). */
async function bookedChild(authority: Tenant, slots: { id: string; startsAt: Date; endsAt: Date }[]) {
  const { family, familyToken } = await makeFamily(authority.authority.id);
  const child = await makeChild(family.id, authority.authority.id, { needs: ['TWO_TO_ONE_STAFFING'] });
  for (const slot of slots) await insertBooking(slot, child);
  return { child, familyToken };
}

const closeProvider = async (token: string, providerId: string) => {
  const res = await post<ClosureView>(`/v1/providers/${providerId}/closure`, token, { effectiveFrom: daysFromToday(1), confirm: true, reason: 'Registration suspended' });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
};

beforeAll(async () => {
  [a, b, c] = await Promise.all([makeAuthority(), makeAuthority(), makeAuthority()]);
  const made = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
  shared = made.provider;
  providerToken = made.providerToken;
  const { slots } = await makeSlots(shared.id, { startDate: daysFromToday(20), untilDate: daysFromToday(22), places: 2, capabilities: ['TWO_TO_ONE_STAFFING'] });
  // Authority A has two children there for three nights in all; authority B one child for one night.
  familyToken = (await bookedChild(a, slots.slice(0, 2))).familyToken;
  await bookedChild(a, slots.slice(2, 3));
  await bookedChild(b, slots.slice(0, 1));
  closureId = await closeProvider(a.coordinatorToken, shared.id);
  await runClosure(closureId);
  await waitForClosure(a.coordinatorToken, closureId);
});

type ClosurePage = { items: (Omit<ClosureView, 'outcomes'> & { providerName: string; retries: number; createdAt: string })[]; nextCursor: string | null };

const listed = async (token: string, query = '') => {
  const res = await get(`/v1/closures?limit=100${query}`, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as ClosurePage;
};

describe('GET /v1/closures', () => {
  it('lists a closure to the authority that made it and to one whose child it affected, each counting its own children only', async () => {
    const forA = (await listed(a.coordinatorToken)).items.find((k) => k.id === closureId);
    expect(forA).toMatchObject({ providerName: shared.name, status: 'COMPLETED', retries: 0, counts: { affected: 3, notYetPlanned: 0 } });
    expect(forA).not.toHaveProperty('outcomes');
    const forB = (await listed(b.coordinatorToken)).items.find((k) => k.id === closureId);
    expect(forB).toMatchObject({ counts: { affected: 1 } });
    // The counts are the detail view's, so they add up the same way.
    const detail = (await get(`/v1/closures/${closureId}`, b.coordinatorToken)).body as ClosureView;
    expect(countsAddUp(detail)).toBe(true);
    expect(forB!.counts).toEqual(detail.counts);
    expect((await listed(c.coordinatorToken)).items.map((k) => k.id)).not.toContain(closureId);
  });

  it('gives every closure on a page the counts its detail view has', async () => {
    // A second closure on the page, not yet planned, so the page's views are read together for closures in different states.
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(25), untilDate: daysFromToday(25), places: 1, capabilities: ['TWO_TO_ONE_STAFFING'] });
    await bookedChild(b, slots);
    const queued = await closeProvider(a.coordinatorToken, provider.id);
    for (const token of [a.coordinatorToken, b.coordinatorToken]) {
      const items = (await listed(token)).items;
      expect(items.map((k) => k.id)).toContain(token === a.coordinatorToken ? queued : closureId);
      for (const item of items) {
        const detail = (await get(`/v1/closures/${item.id}`, token)).body as ClosureView;
        expect(item.counts, item.id).toEqual(detail.counts);
        expect(countsAddUp(detail)).toBe(true);
      }
    }
  });

  it('refuses providers and families', async () => {
    expectProblem(await get('/v1/closures', providerToken), 403, 'FORBIDDEN');
    expectProblem(await get('/v1/closures', familyToken), 403, 'FORBIDDEN');
  });

  it('filters by status and pages newest first', async () => {
    expect((await listed(a.coordinatorToken, '&status=COMPLETED')).items.map((k) => k.id)).toContain(closureId);
    expect((await listed(a.coordinatorToken, '&status=FAILED')).items.map((k) => k.id)).not.toContain(closureId);
    const { provider: empty } = await makeProvider('COMMUNITY', { operatorAuthorityId: a.authority.id });
    const newer = await closeProvider(a.coordinatorToken, empty.id);
    const all = (await listed(a.coordinatorToken)).items;
    expect(all[0]!.id).toBe(newer);
    expect(all.map((k) => k.id)).toContain(closureId);
    expect(all.map((k) => k.createdAt)).toEqual(all.map((k) => k.createdAt).sort().reverse());
    // Pages of one, cursor after cursor, give the same closures in the same order, and end.
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ClosurePage = (await get(`/v1/closures?limit=1${cursor ? `&cursor=${cursor}` : ''}`, a.coordinatorToken)).body;
      expect(page.items).toHaveLength(1);
      walked.push(page.items[0]!.id);
      cursor = page.nextCursor;
    } while (cursor && walked.length <= all.length);
    expect(walked).toEqual(all.map((k) => k.id));
    expectProblem(await get('/v1/closures?status=LOST', a.coordinatorToken), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/v1/closures?cursor=nope', a.coordinatorToken), 400, 'VALIDATION_FAILED');
  });
});

describe('POST /v1/closures/:id/retry', () => {
  it('sends a failed closure back to the worker as a new job, which finishes it; only the closing authority may, and only when failed', async () => {
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(30), untilDate: daysFromToday(30), places: 1, capabilities: ['TWO_TO_ONE_STAFFING'] });
    await bookedChild(a, slots);
    const failing = await closeProvider(a.coordinatorToken, provider.id);
    // The job's last attempt failed (the worker marks it so, see workers/processors/rehoming.ts).
    await db().closure.update({ where: { id: failing }, data: { status: 'FAILED', error: 'connection reset' } });
    expect((await listed(a.coordinatorToken, '&status=FAILED')).items.map((k) => k.id)).toContain(failing);

    expectProblem(await post(`/v1/closures/${failing}/retry`, b.coordinatorToken), 404, 'NOT_FOUND');
    // A provider token for another provider's closure learns nothing.
    expectProblem(await post(`/v1/closures/${failing}/retry`, providerToken), 404, 'NOT_FOUND');
    const retried = await post(`/v1/closures/${failing}/retry`, a.coordinatorToken, undefined, { 'Idempotency-Key': `retry-${uid()}` });
    expect(retried.status, JSON.stringify(retried.body)).toBe(202);
    expect(retried.body).toMatchObject({ status: 'QUEUED', error: null, retries: 1 });
    // A new job id: the failed job keeps the first one in BullMQ and the outbox.
    expect(await db().jobOutbox.count({ where: { jobId: `closure-${failing}-retry-1` } })).toBe(1);
    expectProblem(await post(`/v1/closures/${failing}/retry`, a.coordinatorToken), 409, 'CONFLICT');

    await runClosure(failing);
    const done = await waitForClosure(a.coordinatorToken, failing);
    expect(done).toMatchObject({ status: 'COMPLETED', counts: { affected: 1 } });
    expect(countsAddUp(done)).toBe(true);
    expectProblem(await post(`/v1/closures/${failing}/retry`, a.coordinatorToken), 409, 'CONFLICT');
    expectProblem(await post('/v1/closures/not-a-uuid/retry', a.coordinatorToken), 400, 'VALIDATION_FAILED');
    expect(await db().auditEvent.count({ where: { entityId: failing, action: 'closure.retried' } })).toBe(1);
  });

  it('runs again in BullMQ although the failed job still holds the first job id there', async () => {
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(31), untilDate: daysFromToday(31), places: 1, capabilities: ['TWO_TO_ONE_STAFFING'] });
    await bookedChild(a, slots);
    const crashing = await closeProvider(a.coordinatorToken, provider.id);
    await flushOutbox();
    // The real processor, except that this closure's first job fails for good, as a crash on its last attempt would.
    const worker = new Worker(
      'rehoming',
      async (job) => {
        if (job.id === `closure-${crashing}`) {
          await markClosureFailed(crashing, 'worker ran out of memory');
          throw new UnrecoverableError('worker ran out of memory');
        }
        return processRehoming(job);
      },
      { connection: workerConnection(), prefix: config().QUEUE_PREFIX },
    );
    try {
      const failed = await waitForClosure(a.coordinatorToken, crashing);
      expect(failed).toMatchObject({ status: 'FAILED', error: 'worker ran out of memory' });
      const rehoming = queue('rehoming');
      await waitFor('the first job to fail in BullMQ', async () => (await (await rehoming.getJob(`closure-${crashing}`))?.getState()) === 'failed');
      // Why a retry needs its own job id: adding the first id again is ignored while the failed job is kept.
      await rehoming.add('planClosure', { closureId: crashing }, { jobId: `closure-${crashing}` });
      expect(await (await rehoming.getJob(`closure-${crashing}`))!.getState()).toBe('failed');

      expect((await post(`/v1/closures/${crashing}/retry`, a.coordinatorToken)).status).toBe(202);
      const done = await waitForClosure(a.coordinatorToken, crashing);
      expect(done).toMatchObject({ status: 'COMPLETED', error: null, retries: 1, counts: { affected: 1 } });
      expect(countsAddUp(done)).toBe(true);
      expect(await (await rehoming.getJob(`closure-${crashing}-retry-1`))!.getState()).toBe('completed');
    } finally {
      await worker.close();
    }
  });
});
