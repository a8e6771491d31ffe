/**
 * Transactions with bounded retries of serialization failures and deadlocks
 * (STYLE.md rule 4). Callers keep transactions short and free of network I/O;
 * work for other systems goes through the job outbox written in the same
 * transaction.
 */
import { db, pool, SqlTx, type Tx } from '../db.js';
import { isRetryable } from './db-errors.js';
import { stampIdempotencyClaim, type IdempotencyClaim } from './idempotency-claim.js';

export interface TxOptions {
  isolationLevel?: 'ReadCommitted' | 'RepeatableRead' | 'Serializable';
  maxAttempts?: number;
  timeoutMs?: number;
}

export async function transaction<T>(fn: (tx: Tx) => Promise<T>, options: TxOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      let claim: IdempotencyClaim | undefined;
      const result = await db().$transaction(
        async (tx) => {
          const value = await fn(tx);
          claim = await stampIdempotencyClaim(tx);
          return value;
        },
        {
          // Read committed is PostgreSQL's default: naming it would cost a SET TRANSACTION round trip per transaction.
          ...(options.isolationLevel && options.isolationLevel !== 'ReadCommitted' ? { isolationLevel: options.isolationLevel } : {}),
          timeout: options.timeoutMs ?? 15_000,
          maxWait: 10_000,
        },
      );
      if (claim) claim.committed = true;
      return result;
    } catch (err) {
      if (!isRetryable(err) || attempt >= maxAttempts) throw err;
      // Jittered backoff so colliding transactions do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

/** How long a statement of the hot path may wait for a row lock before its transaction gives up (a retryable 503). */
const SQL_LOCK_TIMEOUT = '10s';

/**
 * The same contract as `transaction()` (bounded retries of serialization
 * failures and deadlocks, the idempotency claim stamped in the same commit) on
 * one pool connection with prepared statements, for the booking path. Read
 * committed; a statement waiting on a lock longer than 10 s ends the attempt.
 */
export async function sqlTransaction<T>(fn: (tx: SqlTx) => Promise<T>, options: { maxAttempts?: number } = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const connection = await pool().connect();
    let healthy = true;
    // A checked-out client's lost connection is emitted as 'error' on it (the pool listens only while it
    // is idle); unheard, that would crash the process. The failing query rejects as well, and is handled below.
    const lost = () => {
      healthy = false;
    };
    connection.on('error', lost);
    try {
      // One round trip: the simple protocol takes both statements at once.
      await connection.query(`BEGIN; SET LOCAL lock_timeout = '${SQL_LOCK_TIMEOUT}'`);
      const tx = new SqlTx(connection);
      const value = await fn(tx);
      const claim = await stampIdempotencyClaim(tx);
      await connection.query('COMMIT');
      if (claim) claim.committed = true;
      return value;
    } catch (err) {
      await connection.query('ROLLBACK').catch(() => {
        healthy = false; // the connection is gone (terminated, reset): the pool must not hand it out again
      });
      if (!isRetryable(err) || attempt >= maxAttempts) throw err;
    } finally {
      connection.off('error', lost);
      connection.release(healthy ? undefined : true);
    }
    await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
  }
}
