/**
 * Recovering jobs a Redis lost. The outbox covers the gap between a commit and
 * the queue; it cannot help once Redis has acknowledged a job and then restarts
 * empty (no persistence) or is flushed. The database still says what work is
 * unfinished, so the workers look for it now and then — a round still queued,
 * a closure still planning, a rule whose slots lag its version, an offer past
 * its expiry — and push the job this deployment recorded for it again. Job ids
 * are deterministic, so a job Redis still has is not duplicated (BullMQ ignores
 * the add), and every job checks state before acting, so a re-run is harmless.
 */
import { config } from '../config.js';
import { db } from '../db.js';
import { logger } from '../logger.js';
import { outboxJob } from './outbox.js';
import { queue } from './queues.js';
import { jobIdOf } from './registry.js';

/** Re-push the jobs of unfinished work older than `staleAfterMs` (RECONCILE_STALE_MS); returns how many were pushed (or already there). */
export async function reconcileLostJobs(options: { now?: Date; staleAfterMs?: number } = {}): Promise<number> {
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - (options.staleAfterMs ?? config().RECONCILE_STALE_MS));
  const [rounds, closures, rules, offers, exports, scenarios] = await Promise.all([
    db().allocationRound.findMany({ where: { status: { in: ['QUEUED', 'RUNNING'] }, createdAt: { lt: before } }, select: { id: true } }),
    db().closure.findMany({ where: { status: { in: ['QUEUED', 'PLANNING'] }, createdAt: { lt: before } }, select: { id: true, retries: true } }),
    db().$queryRaw<{ id: string; version: number }[]>`SELECT id, version FROM capacity_rule WHERE "generatedVersion" < version AND "updatedAt" < ${before}`,
    db().waitlistEntry.findMany({ where: { status: 'OFFERED', offerExpiresAt: { lt: before } }, select: { id: true } }),
    db().subjectAccessExport.findMany({ where: { status: 'QUEUED', createdAt: { lt: before } }, select: { id: true } }),
    db().scenario.findMany({ where: { status: { in: ['QUEUED', 'RUNNING'] }, createdAt: { lt: before } }, select: { id: true } }),
  ]);
  const jobIds = [
    ...rounds.map((r) => jobIdOf('runAllocationRound', { roundId: r.id })),
    ...closures.map((k) => jobIdOf('planClosure', { closureId: k.id, retry: k.retries || undefined })),
    ...rules.map((r) => jobIdOf('generateSlots', { ruleId: r.id, version: r.version })),
    ...offers.map((o) => jobIdOf('expireOffer', { entryId: o.id })),
    ...exports.map((e) => jobIdOf('exportFamilyData', { exportId: e.id })),
    ...scenarios.map((k) => jobIdOf('runScenario', { scenarioId: k.id })),
  ];
  if (!jobIds.length) return 0;
  // Only what this deployment (QUEUE_PREFIX) recorded and already handed to Redis; pending rows are the sweeper's.
  const rows = await db().jobOutbox.findMany({ where: { prefix: config().QUEUE_PREFIX, jobId: { in: jobIds }, enqueuedAt: { not: null } } });
  let pushed = 0;
  for (const row of rows) {
    const job = outboxJob(row);
    if (!job) continue;
    try {
      await queue(job.queue).add(row.name, job.data, { jobId: row.jobId });
      pushed++;
    } catch (err) {
      logger.warn('could not re-push a job', { jobId: row.jobId, err: (err as Error).message });
      break;
    }
  }
  if (pushed) logger.info('re-pushed jobs for unfinished work', { pushed });
  return pushed;
}
