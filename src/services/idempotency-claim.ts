/**
 * The Idempotency-Key claim of the request being served, if any, carried with
 * AsyncLocalStorage so the HTTP layer need not thread it through every service.
 * Each transaction committed while serving the request stamps the claim in
 * that same transaction, so if the process dies after commit but before the
 * answer is stored, a retry learns that the first attempt acted instead of
 * acting twice (DESIGN.md invariant 6).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { executeSql, type AnyTx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';

export interface IdempotencyClaim {
  principalId: string;
  key: string;
  /** Set once a transaction stamped with this claim has committed. */
  committed: boolean;
}

const claims = new AsyncLocalStorage<IdempotencyClaim>();

export const withIdempotencyClaim = <T>(claim: IdempotencyClaim, fn: () => Promise<T>): Promise<T> => claims.run(claim, fn);

/** Inside a transaction: record that this request's effects commit with it. A no-op outside a claimed request. */
export async function stampIdempotencyClaim(tx: AnyTx): Promise<IdempotencyClaim | undefined> {
  const claim = claims.getStore();
  if (!claim) return undefined;
  await executeSql(tx, 'stamp-idempotency-claim', Prisma.sql`UPDATE idempotency_record SET "effectCommittedAt" = coalesce("effectCommittedAt", now())
    WHERE "principalId" = ${claim.principalId} AND key = ${claim.key}`);
  return claim;
}
