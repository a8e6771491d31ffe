/** A closure whose job failed: marked FAILED with the error, and queued again when whoever recorded it retries. */
import { ApiError, notFound } from '../../errors.js';
import { flushOutboxSoon, recordJob } from '../../jobs/outbox.js';
import { requireRole, type Principal } from '../access.js';
import { audit } from '../audit.js';
import { db } from '../../db.js';
import { transaction } from '../tx.js';
import { getClosure } from './view.js';

/**
 * Send a FAILED closure back to the worker. Both phases are idempotent (the
 * plan is written once; applied outcomes are stamped), so a retry carries on
 * from where the failed job stopped.
 */
export async function retryClosure(principal: Principal, closureId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM closure WHERE id = ${closureId} FOR UPDATE`;
    const closure = await tx.closure.findUnique({ where: { id: closureId } });
    // Only whoever recorded the closure runs it; other authorities follow their children's outcomes.
    const recordedIt = principal.role === 'COORDINATOR' ? closure?.authorityId === principal.authorityId : closure?.authorityId === null && closure.providerId === principal.providerId;
    if (!closure || !recordedIt) throw notFound('Closure');
    if (closure.status !== 'FAILED') throw new ApiError('CONFLICT', `Only a failed closure can be retried; this one is ${closure.status.toLowerCase()}`);
    const retried = await tx.closure.update({ where: { id: closureId }, data: { status: 'QUEUED', error: null, retries: { increment: 1 } } });
    await recordJob(tx, 'planClosure', { closureId, retry: retried.retries });
    await audit(tx, principal, { action: 'closure.retried', entityType: 'Closure', entityId: closureId, authorityId: closure.authorityId, before: { status: 'FAILED', error: closure.error }, after: { status: 'QUEUED', retries: retried.retries } });
  });
  flushOutboxSoon();
  return getClosure(principal, closureId);
}

export async function markClosureFailed(closureId: string, error: string) {
  await db().closure.updateMany({ where: { id: closureId, status: { not: 'COMPLETED' } }, data: { status: 'FAILED', error } });
}
