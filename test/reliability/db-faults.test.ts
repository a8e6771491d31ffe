/**
 * Database faults: a connection dropped in the middle of a
 * booking transaction answers a retryable 503 problem and leaves no partial
 * write; serialization failures inside `transaction()` are retried a bounded
 * number of times, then answered as a RETRYABLE problem (STYLE.md rule 4,
 * DESIGN.md "Bad input never … leaves a partial write").
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { toApiError } from '../../src/http/app.js';
import { toProblem } from '../../src/http/problem.js';
import { isRetryable, mapDatabaseError } from '../../src/services/db-errors.js';
import { transaction } from '../../src/services/tx.js';
import { expectProblem, post } from '../support/api.js';
import { makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { invariantViolations } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';
import { waitFor } from '../support/workers.js';

process.env.QUEUE_PREFIX = `sbdbfault${uid()}`;

afterAll(async () => {
  await closeConnections();
});

/** An error shaped like the one Prisma's pg adapter raises for a PostgreSQL error. */
function prismaLikeError(sqlState: string): Error {
  return Object.assign(new Error(`Transaction failed due to a write conflict or a deadlock (${sqlState})`), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2010',
    meta: { driverAdapterError: { cause: { originalCode: sqlState, originalMessage: 'could not serialize access', kind: 'postgres' } } },
  });
}

describe('a connection dropped mid-transaction', () => {
  it('answers a retryable 503 problem and writes nothing: no booking, no audit event, slot counts unchanged', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const { provider } = await makeProvider('RESIDENTIAL');
    const slot = await makeSlot(provider.id, daysFromToday(30), { places: 2 });

    // Hold the slot's row lock: the booking transaction gets part-way (child locked, rules read), then waits.
    const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM slot WHERE id = $1 FOR UPDATE', [slot.id]);
      const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

      const pending = post('/v1/bookings', coordinatorToken, { childId: child.id, slotId: slot.id }, { 'Idempotency-Key': `drop-${uid()}` });
      const waiting = await waitFor('the booking transaction to wait on the slot lock', async () => {
        const rows = await blocker.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))', [blockerPid]);
        return rows.rows[0]?.pid;
      });
      // The API's backend dies mid-transaction, as in a failover or an administrator's kill.
      await blocker.query('SELECT pg_terminate_backend($1)', [waiting]);
      const res = await pending;
      const problem = expectProblem(res, 503);
      expect(['SERVICE_UNAVAILABLE', 'RETRYABLE']).toContain(problem.code);
      await blocker.query('ROLLBACK');
    } finally {
      await blocker.end();
    }

    expect(await db().booking.count({ where: { childId: child.id } })).toBe(0);
    expect(await db().auditEvent.count({ where: { authorityId: authority.id, action: { startsWith: 'booking' } } })).toBe(0);
    const after = await db().slot.findUniqueOrThrow({ where: { id: slot.id } });
    expect({ booked: after.booked, held: after.held }).toEqual({ booked: slot.booked, held: slot.held });

    // The pool recovers: the client's retry books the child once.
    const retried = await post('/v1/bookings', coordinatorToken, { childId: child.id, slotId: slot.id });
    expect(retried.status).toBe(201);
    expect(await db().booking.count({ where: { childId: child.id } })).toBe(1);
    expect((await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).booked).toBe(slot.booked + 1);
    const violations = await invariantViolations();
    expect(violations.overfilled.filter((s) => s.id === slot.id)).toEqual([]);
  }, 30_000);
});

describe('serialization failures inside transaction()', () => {
  it('retries a 40001 from the driver adapter and succeeds, rolling back the failed attempt', async () => {
    const { authority } = await makeAuthority();
    let attempts = 0;
    const result = await transaction(async (tx) => {
      attempts++;
      // A write in the failed attempt must be rolled back with it.
      await tx.authority.update({ where: { id: authority.id }, data: { name: `attempt ${attempts}` } });
      if (attempts === 1) throw prismaLikeError('40001');
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(2);
    expect((await db().authority.findUniqueOrThrow({ where: { id: authority.id } })).name).toBe('attempt 2');
  });

  it('retries a real serialization failure raised by PostgreSQL', async () => {
    const { authority } = await makeAuthority();
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    let attempts = 0;
    try {
      await transaction(
        async (tx) => {
          attempts++;
          await tx.authority.findUniqueOrThrow({ where: { id: authority.id } }); // takes the snapshot
          // Another session changes the row and commits after our snapshot: updating it now fails with 40001.
          if (attempts === 1) await other.query('UPDATE authority SET name = $1 WHERE id = $2', ['changed elsewhere', authority.id]);
          await tx.authority.update({ where: { id: authority.id }, data: { name: `ours after ${attempts}` } });
        },
        { isolationLevel: 'RepeatableRead' },
      );
    } finally {
      await other.end();
    }
    expect(attempts).toBe(2);
    expect((await db().authority.findUniqueOrThrow({ where: { id: authority.id } })).name).toBe('ours after 2');
  });

  it('gives up after the bounded attempts, and the error is answered as a RETRYABLE 503 problem', async () => {
    let attempts = 0;
    const failure = await transaction(async () => {
      attempts++;
      throw prismaLikeError('40P01');
    }).catch((err: unknown) => err);
    expect(attempts).toBe(5);
    expect(isRetryable(failure)).toBe(true);
    expect(mapDatabaseError(failure)?.code).toBe('RETRYABLE');
    const problem = toProblem(toApiError(failure), '/v1/bookings');
    expect(problem).toMatchObject({ status: 503, code: 'RETRYABLE' });

    // A bug is not retried.
    attempts = 0;
    await expect(
      transaction(async () => {
        attempts++;
        throw new Error('a genuine bug');
      }),
    ).rejects.toThrow('a genuine bug');
    expect(attempts).toBe(1);
  });
});
