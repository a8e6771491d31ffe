/**
 * A worker SIGKILLed in the middle of writing a round, then a fresh worker:
 * the round ends with every planned booking exactly once — none lost, none
 * doubled (DESIGN.md "safe to run twice").
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, londonDateOf } from '../../src/domain/london-time.js';
import { post } from '../support/api.js';
import { makeAuthority, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { invariantViolations } from '../support/invariants.js';
import { killHard, SHORT_RECOVERY, spawnWorker, waitFor } from '../support/workers.js';

// Its own queue prefix, so only the workers this test starts can take its job.
const env = { QUEUE_PREFIX: `sbkill${uid()}`, ...SHORT_RECOVERY, LOG_LEVEL: 'silent' };
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX;

const started: ReturnType<typeof spawnWorker>[] = [];
afterAll(async () => {
  await Promise.all(started.map(killHard));
});

describe('allocation worker killed mid-round', () => {
  it('leaves no partial round, and the retried job books each planned child exactly once', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const { provider } = await makeProvider('COMMUNITY');
    const day = addDays(londonDateOf(new Date()), 50);
    const { slots: popular } = await makeSlots(provider.id, { startDate: day, untilDate: day, startTime: '10:00', durationMinutes: 240, places: 10 });
    // Overlapping times: each child can hold only one of the two.
    const { slots: fallback } = await makeSlots(provider.id, { startDate: day, untilDate: day, startTime: '12:00', durationMinutes: 120, places: 100 });
    const childIds = Array.from({ length: 60 }, () => randomUUID());
    await db().child.createMany({ data: childIds.map((id) => ({ id, familyId: family.id, authorityId: authority.id, firstName: `K${uid()}`, lastName: 'Kill', dateOfBirth: new Date('2013-05-05') })) });
    await db().entitlement.createMany({ data: childIds.map((childId) => ({ childId, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 0, daySessions: 5 })) });
    await db().breakRequest.createMany({
      data: childIds.map((childId) => ({
        childId, authorityId: authority.id, periodStart: day, periodEnd: day, createdByRole: 'COORDINATOR' as const,
        preferences: [{ kind: 'SLOT', slotId: popular[0]!.id }, { kind: 'SLOT', slotId: fallback[0]!.id }],
      })),
    });

    // Hold the fallback slot's row lock: the round's write transaction gets part-way, then waits on it.
    const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM slot WHERE id = $1 FOR UPDATE', [fallback[0]!.id]);

    const round = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: day, periodEnd: day, seed: 'kill' });
    expect(round.status).toBe(202);
    // Named connections, to tell this worker's database sessions from those of test files running beside this one.
    const appName = `allocation-kill-${uid()}`;
    const url = process.env.DATABASE_URL!;
    const first = spawnWorker({ ...env, DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}application_name=${appName}` });
    started.push(first);
    const stderr: string[] = [];
    first.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    await waitFor('the round to be writing', async () => {
      const current = await db().allocationRound.findUniqueOrThrow({ where: { id: round.body.id } });
      if (current.status === 'FAILED') throw new Error(`the round failed before it was killed: ${current.error}`);
      if (first.exitCode !== null) throw new Error(`the worker exited (${first.exitCode}) before it was killed: ${stderr.join('')}`);
      if (current.status !== 'RUNNING') return false;
      // The round's write transaction is waiting on a row lock in lockSlot's query (known by its start:
      // pg_stat_activity keeps only the first 1 kB of the text, and the FOR UPDATE lies past it): directly on
      // the held slot, or queued behind the worker's own slot generation waiting on it (seen in the closure twin
      // of this test: lockSlot on a tuple lock held by generation's SELECT … FOR UPDATE, which waited on the blocker).
      const waiting = await db().$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE application_name = ${appName} AND wait_event_type = 'Lock' AND cardinality(pg_blocking_pids(pid)) > 0 AND query LIKE '%SELECT s.id, s."providerId", s."localDate", s."startsAt", s."endsAt", s.capacity, s.booked, s.held%'`;
      return waiting.length > 0;
    }, 600_000);
    await killHard(first);
    await blocker.query('ROLLBACK');
    await blocker.end();

    // The killed transaction is rolled back: nothing of the round exists.
    await waitFor('the killed transaction to end', async () => {
      const rows = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${appName}`;
      return Number(rows[0]?.n ?? 0) === 0;
    }, 60_000);
    expect(await db().booking.count({ where: { roundId: round.body.id } })).toBe(0);

    const second = spawnWorker(env);
    started.push(second);
    const done = await waitFor('the retried round', async () => {
      const r = await db().allocationRound.findUniqueOrThrow({ where: { id: round.body.id } });
      return r.status === 'COMPLETED' || r.status === 'FAILED' ? r : null;
    }, 600_000, 250);
    expect(done.status).toBe('COMPLETED');

    const result = done.result as { bookings: { childId: string; slotId: string }[]; skipped: unknown[] };
    const bookings = await db().booking.findMany({ where: { roundId: round.body.id } });
    expect(result.skipped).toEqual([]);
    expect(bookings).toHaveLength(result.bookings.length);
    expect(new Set(bookings.map((b) => `${b.childId}/${b.slotId}`)).size).toBe(bookings.length);
    expect(bookings.filter((b) => b.slotId === popular[0]!.id)).toHaveLength(10);
    expect(bookings).toHaveLength(60);
    const violations = await invariantViolations();
    expect(violations.overfilled).toEqual([]);
    expect(violations.overlapping).toEqual([]);
  }, 1_200_000);
});
