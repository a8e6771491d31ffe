/**
 * Transactions with bounded retries of serialization failures and deadlocks
 * (STYLE.md rule 4). Callers keep transactions short and free of network I/O;
 * work for other systems goes through the job outbox written in the same
 * transaction.
 */
import { db, type Tx } from '../db.js';
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
          isolationLevel: options.isolationLevel ?? 'ReadCommitted',
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
