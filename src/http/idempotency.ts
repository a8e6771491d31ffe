/**
 * Idempotency-Key for every POST (DESIGN.md invariant 6): a retry with the same
 * key and body replays the first response and creates nothing; the same key with
 * a different body is a 422. A placeholder row claims the key before the handler
 * runs, so two concurrent retries cannot both create; the handler's transactions
 * stamp that row as they commit (src/services/idempotency-claim.ts), so a claim
 * whose process died after committing is never run a second time.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { db } from '../db.js';
import { ApiError } from '../errors.js';
import { toProblem } from './problem.js';
import { withIdempotencyClaim, type IdempotencyClaim } from '../services/idempotency-claim.js';
import type { AppEnv } from './app.js';
import { IdempotentResponseColumn, toJson, type IdempotentResponse } from '../schemas/json-columns.js';

const IN_PROGRESS = 0;
/** Longer than any request may take (transactions time out well before). */
const ABANDONED_AFTER_MS = 120_000;
const KEY_PATTERN = /^[A-Za-z0-9_\-.:]{1,200}$/;

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header('Idempotency-Key');
  if (c.req.method !== 'POST' || key === undefined) return next();
  if (!KEY_PATTERN.test(key)) {
    throw new ApiError('VALIDATION_FAILED', 'Idempotency-Key must be 1-200 letters, digits or - _ . :', {
      errors: [{ path: 'header.Idempotency-Key', message: 'invalid format' }],
    });
  }
  const principalId = c.get('principal').tokenId;
  // Hono's cached text (read once; the route's validator reads the same cache), not a clone of the raw request.
  const body = await c.req.text();
  const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');
  const scopedKey = { principalId, key };

  const claimed = await db().idempotencyRecord.createMany({
    data: [{ ...scopedKey, requestHash, status: IN_PROGRESS, response: {} }],
    skipDuplicates: true,
  });
  if (claimed.count === 0) {
    const existing = await db().idempotencyRecord.findUnique({ where: { principalId_key: scopedKey } });
    if (!existing) throw new ApiError('IDEMPOTENCY_KEY_IN_USE', 'Retry shortly');
    if (existing.requestHash !== requestHash) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was first used with a different request');
    }
    if (existing.status === IN_PROGRESS) {
      if (Date.now() - existing.createdAt.getTime() > ABANDONED_AFTER_MS) {
        // A claim this old belongs to a process that died mid-request. If none of its
        // transactions committed, the key is free again; if one did, the first attempt
        // acted and its answer was lost, and repeating it could act twice.
        if (existing.effectCommittedAt) {
          await storeAnswer(scopedKey, ACTED_ANSWER_LOST);
          return replay(c, ACTED_ANSWER_LOST.status, ACTED_ANSWER_LOST.response);
        }
        await db().idempotencyRecord.deleteMany({ where: { ...scopedKey, status: IN_PROGRESS, createdAt: existing.createdAt, effectCommittedAt: null } });
      }
      throw new ApiError('IDEMPOTENCY_KEY_IN_USE', 'Retry shortly');
    }
    return replay(c, existing.status, IdempotentResponseColumn.parse(existing.response));
  }

  const claim: IdempotencyClaim = { ...scopedKey, committed: false };
  try {
    await withIdempotencyClaim(claim, () => next());
  } catch (err) {
    if (claim.committed) await storeAnswer(scopedKey, ACTED_THEN_FAILED);
    else await release(scopedKey);
    throw err;
  }
  const res = c.res;
  // A server failure is not an answer worth replaying: release the key for a retry,
  // unless part of the work had already committed; then a retry must not redo it.
  if (res.status >= 500) {
    if (claim.committed) await storeAnswer(scopedKey, ACTED_THEN_FAILED);
    else await release(scopedKey);
    return;
  }
  const responseBody = await res.clone().text();
  await storeAnswer(scopedKey, { status: res.status, response: { body: responseBody, contentType: res.headers.get('Content-Type') ?? 'application/json' } });
});

function replay(c: Context, status: number, stored: IdempotentResponse) {
  c.header('Idempotent-Replayed', 'true');
  return c.body(stored.body, status as ContentfulStatusCode, { 'Content-Type': stored.contentType });
}

const storeAnswer = (scopedKey: { principalId: string; key: string }, answer: { status: number; response: IdempotentResponse }) =>
  db().idempotencyRecord.update({ where: { principalId_key: scopedKey }, data: { status: answer.status, response: toJson(IdempotentResponseColumn, answer.response) } });

const release = (scopedKey: { principalId: string; key: string }) => db().idempotencyRecord.delete({ where: { principalId_key: scopedKey } }).catch(() => undefined);

const conflictAnswer = (detail: string) => ({
  status: 409,
  response: {
    contentType: 'application/problem+json',
    body: JSON.stringify(toProblem(new ApiError('CONFLICT', detail))),
  },
});
/** The process serving the first attempt stopped after it committed changes but before it answered. */
const ACTED_ANSWER_LOST = conflictAnswer(
  'The first request with this Idempotency-Key made its changes, but its answer was lost when the server stopped. It will not be repeated: look up the current state instead.',
);
/** The first attempt committed part of its work and then failed. */
const ACTED_THEN_FAILED = conflictAnswer(
  'The first request with this Idempotency-Key made some of its changes and then failed. It will not be repeated: look up the current state, then send a new request with a new key if needed.',
);
