/** BullMQ producers, one Queue per queue name, created on first use. */
import { Queue, type JobsOptions } from 'bullmq';
import { config } from '../config.js';
import { producerConnection } from '../redis.js';
import { logger } from '../logger.js';
import { JOBS, jobIdOf, type JobName, type JobPayload, type QueueName } from './registry.js';

/** Retried with exponential backoff; kept a day after completion so a re-add of the same jobId is a no-op. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const queues = new Map<QueueName, Queue>();

export function queue(name: QueueName): Queue {
  let q = queues.get(name);
  if (!q) {
    q = new Queue(name, { connection: producerConnection(), prefix: config().QUEUE_PREFIX, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    q.on('error', (err) => logger.warn('queue error', { queue: name, err }));
    queues.set(name, q);
  }
  return q;
}

/** Add a job directly (outside any transaction). Prefer the outbox when a DB change needs the job. */
export async function addJob<N extends JobName>(name: N, payload: JobPayload<N>, options: JobsOptions = {}): Promise<void> {
  const job = JOBS[name];
  const data = job.payload.parse(payload);
  await queue(job.queue).add(name, data, { jobId: jobIdOf(name, data as JobPayload<N>), ...options });
}

export async function closeQueues(): Promise<void> {
  await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
  queues.clear();
}
