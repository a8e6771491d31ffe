/**
 * The job outbox. A service that needs background work writes the job in the
 * same transaction as its change; after commit the row is pushed to BullMQ.
 * If Redis is down at that moment the row stays pending and the worker's
 * sweeper pushes it later — the job can never vanish between the database
 * commit and the queue (STYLE.md rule 4; documenso's lesson).
 */
import type { JobsOptions } from 'bullmq';
import { config } from '../config.js';
import { db, type Tx } from '../db.js';
import { logger } from '../logger.js';
import { queue } from './queues.js';
import type { JobOutbox } from '../generated/prisma/client.js';
import { OutboxPayloadSchema } from '../schemas/json-columns.js';
import { isQueueName, JOBS, jobIdOf, type JobName, type JobPayload, type QueueName } from './registry.js';

export async function recordJob<N extends JobName>(
  tx: Tx,
  name: N,
  payload: JobPayload<N>,
  options: { delayUntil?: Date } = {},
): Promise<void> {
  const job = JOBS[name];
  const data = job.payload.parse(payload);
  await tx.jobOutbox.createMany({
    data: [
      {
        prefix: config().QUEUE_PREFIX,
        queue: job.queue,
        name,
        jobId: jobIdOf(name, data as JobPayload<N>),
        payload: { data, delayUntil: options.delayUntil?.toISOString() ?? null },
      },
    ],
    skipDuplicates: true,
  });
}

/**
 * An outbox row as the job to push, parsed as recordJob wrote it; a row no code
 * of this version wrote (an unknown queue, another payload shape) is logged and
 * left pending instead of stopping the sweep.
 */
export function outboxJob(row: JobOutbox): { queue: QueueName; data: unknown; delayUntil: string | null } | null {
  const payload = OutboxPayloadSchema.safeParse(row.payload);
  if (!isQueueName(row.queue) || !payload.success) {
    logger.warn('outbox row not understood; left pending', { jobId: row.jobId, queue: row.queue });
    return null;
  }
  return { queue: row.queue, data: payload.data.data, delayUntil: payload.data.delayUntil ?? null };
}

/** Push pending outbox rows to BullMQ. Safe to run concurrently: BullMQ dedupes by jobId. */
export async function flushOutbox(limit = 200): Promise<number> {
  const pending = await db().jobOutbox.findMany({ where: { prefix: config().QUEUE_PREFIX, enqueuedAt: null }, orderBy: { createdAt: 'asc' }, take: limit });
  let pushed = 0;
  for (const row of pending) {
    const job = outboxJob(row);
    if (!job) continue;
    const options: JobsOptions = { jobId: row.jobId };
    if (job.delayUntil) options.delay = Math.max(0, Date.parse(job.delayUntil) - Date.now());
    try {
      await queue(job.queue).add(row.name, job.data, options);
    } catch (err) {
      logger.warn('outbox push failed; will retry', { jobId: row.jobId, err: (err as Error).message });
      return pushed;
    }
    await db().jobOutbox.update({ where: { id: row.id }, data: { enqueuedAt: new Date() } });
    pushed++;
  }
  return pushed;
}

/** After a commit: push now, but never fail the request because Redis is away. */
export function flushOutboxSoon(): void {
  flushOutbox().catch((err) => logger.warn('outbox flush failed', { err: (err as Error).message }));
}

/** Rows pushed this long ago have done their work (every job finishes or fails within hours); the table would otherwise only grow. */
export const OUTBOX_KEEP_DAYS = 30;

/** Delete this deployment's outbox rows pushed more than `keepDays` ago. */
export async function pruneOutbox(now = new Date(), keepDays = OUTBOX_KEEP_DAYS): Promise<number> {
  const { count } = await db().jobOutbox.deleteMany({
    where: { prefix: config().QUEUE_PREFIX, enqueuedAt: { lt: new Date(now.getTime() - keepDays * 864e5) } },
  });
  return count;
}
