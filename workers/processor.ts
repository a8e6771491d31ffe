/**
 * How a worker turns a queue's jobs into calls: each processor file names a
 * handler for every job of its queue in the registry (src/jobs/registry.ts), and
 * this looks the job up, re-validates its payload and calls the handler (after
 * langfuse's workerManager.register()). A job name no handler knows will not get
 * better on retry, so it fails at once with UnrecoverableError; so does a payload
 * or stored data that does not parse (a ZodError). This is the one place that
 * says which failures are final (`isFinal`).
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { ZodError } from 'zod';
import { isJobName, JOBS, type JobOn, type JobPayload, type QueueName } from '../src/jobs/registry.js';

export type JobHandlers<Q extends QueueName> = { [N in JobOn<Q>]: (payload: JobPayload<N>, job: Job) => Promise<unknown> };

export function queueProcessor<Q extends QueueName>(queue: Q, handlers: JobHandlers<Q>): (job: Job) => Promise<unknown> {
  return async (job) => {
    const name = job.name;
    if (!isJobName(name) || JOBS[name].queue !== queue || !Object.hasOwn(handlers, name)) {
      throw new UnrecoverableError(`unknown job ${name} on ${queue}`);
    }
    const handler = handlers[name as JobOn<Q>] as (payload: unknown, job: Job) => Promise<unknown>;
    try {
      return await handler(JOBS[name].payload.parse(job.data), job);
    } catch (err) {
      if (err instanceof ZodError) throw new UnrecoverableError(`invalid payload: ${err.message}`);
      throw err;
    }
  };
}

/** Whether BullMQ will not try `job` again after `err`: it will not get better on retry, or this was the last attempt. */
export function isFinal(job: Job, err: unknown): boolean {
  return err instanceof UnrecoverableError || err instanceof ZodError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Runs `work`; when it fails on the job's last attempt, first records the error
 * with `markFailed`, so the person waiting sees why instead of a round, closure,
 * scenario or export stuck in RUNNING. Earlier attempts just throw, to be retried.
 * A failure that is never retried (see `isFinal`) is the last attempt whatever
 * the count says.
 */
export async function markFailedOnLastAttempt<T>(job: Job, markFailed: (message: string) => Promise<unknown>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isFinal(job, err)) await markFailed((err as Error).message);
    throw err;
  }
}
