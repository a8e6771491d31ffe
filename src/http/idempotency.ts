/**
 * Idempotency-Key for every POST (DESIGN.md invariant 6): a retry with the same
 * key and body replays the first response and creates nothing; the same key with
 * a different body is a 422. A placeholder row claims the key before the handler
 * runs, so two concurrent retries cannot both create.
 */
import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { db } from '../db.js';
import { ApiError } from './problem.js';
import type { AppEnv } from './app.js';

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
  const body = await c.req.raw.clone().text();
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
      // A claim this old belongs to a process that died mid-request: nothing was committed
      // with it (the handler's own transaction either committed and stored its answer, or not).
      if (Date.now() - existing.createdAt.getTime() > ABANDONED_AFTER_MS) {
        await db().idempotencyRecord.deleteMany({ where: { ...scopedKey, status: IN_PROGRESS, createdAt: existing.createdAt } });
      }
      throw new ApiError('IDEMPOTENCY_KEY_IN_USE', 'Retry shortly');
    }
    const stored = existing.response as { body: string; contentType: string };
    c.header('Idempotent-Replayed', 'true');
    return c.body(stored.body, existing.status as ContentfulStatusCode, { 'Content-Type': stored.contentType });
  }

  try {
    await next();
  } catch (err) {
    await db().idempotencyRecord.delete({ where: { principalId_key: scopedKey } }).catch(() => undefined);
    throw err;
  }
  const res = c.res;
  // A server failure is not an answer worth replaying: release the key for a retry.
  if (res.status >= 500) {
    await db().idempotencyRecord.delete({ where: { principalId_key: scopedKey } }).catch(() => undefined);
    return;
  }
  const responseBody = await res.clone().text();
  await db().idempotencyRecord.update({
    where: { principalId_key: scopedKey },
    data: { status: res.status, response: { body: responseBody, contentType: res.headers.get('Content-Type') ?? 'application/json' } },
  });
});
