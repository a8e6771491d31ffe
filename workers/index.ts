/**
 * The worker process: one BullMQ Worker per queue, the outbox sweeper, and the
 * daily horizon extension. On SIGTERM it stops taking jobs, lets in-flight ones
 * finish (BullMQ returns unfinished ones to the queue on close), then quits
 * Redis and disconnects Prisma.
 */
import { Worker, type Processor } from 'bullmq';
import { config } from '../src/config.js';
import { disconnectDb } from '../src/db.js';
import { flushOutbox, pruneOutbox } from '../src/jobs/outbox.js';
import { reconcileLostJobs } from '../src/jobs/reconcile.js';
import { addJob, closeQueues, queue } from '../src/jobs/queues.js';
import type { QueueName } from '../src/jobs/registry.js';
import { logger } from '../src/logger.js';
import { closeRedis, workerConnection } from '../src/redis.js';
import { processSlotGeneration } from './processors/slot-generation.js';
import { processWaitlist } from './processors/waitlist.js';
import { processAllocation } from './processors/allocation.js';
import { processRehoming } from './processors/rehoming.js';
import { processDataProtection } from './processors/data-protection.js';
import { processScenario } from './processors/scenarios.js';
import { processNotifications } from './processors/notifications.js';
import { deliverPendingNotifications } from '../src/services/notification-delivery.js';

type QueueProcessors = Partial<Record<QueueName, { processor: Processor; concurrency: number }>>;

export const PROCESSORS: Record<QueueName, { processor: Processor; concurrency: number }> = {
  'slot-generation': { processor: processSlotGeneration, concurrency: 2 },
  waitlist: { processor: processWaitlist, concurrency: 4 },
  // One round at a time per worker: a round is one big transaction.
  allocation: { processor: processAllocation, concurrency: 1 },
  rehoming: { processor: processRehoming, concurrency: 1 },
  // Subject-access exports and the daily retention run.
  'data-protection': { processor: processDataProtection, concurrency: 1 },
  // A what-if runs the allocator twice on a copy of a period: CPU-bound, one at a time.
  scenarios: { processor: processScenario, concurrency: 1 },
  notifications: { processor: processNotifications, concurrency: 1 },
};

/**
 * Reminders, arrival lists and award alerts run from BullMQ job schedulers:
 * one job at a time across all workers, kept in Redis, so a worker restart
 * (or all of them) loses no run — an overdue one runs when a worker is back.
 */
async function scheduleNotificationJobs() {
  const [hh, mm] = config().ARRIVALS_DIGEST_AT.split(':').map(Number);
  const q = queue('notifications');
  await q.upsertJobScheduler('break-reminders', { every: config().REMINDER_SCAN_MS }, { name: 'sendDueReminders', data: {} });
  await q.upsertJobScheduler('arrivals-digest', { pattern: `${mm} ${hh} * * *`, tz: 'Europe/London' }, { name: 'sendArrivalDigests', data: {} });
  await q.upsertJobScheduler('behind-award', { pattern: '0 9 1 * *', tz: 'Europe/London' }, { name: 'sendBehindAwardAlerts', data: {} });
}

export interface WorkerHandle {
  stop(): Promise<void>;
}

export async function startWorkers(options: { sweepMs?: number; processors?: QueueProcessors } = {}): Promise<WorkerHandle> {
  const processors = options.processors ?? PROCESSORS;
  const workers = Object.entries(processors).map(([name, { processor, concurrency }]) => {
    const worker = new Worker(name, processor, {
      connection: workerConnection(),
      prefix: config().QUEUE_PREFIX,
      concurrency,
      // A killed worker's job is picked up again after its lock expires, at the next stalled-job check.
      lockDuration: config().JOB_LOCK_MS,
      stalledInterval: config().JOB_STALLED_CHECK_MS,
      maxStalledCount: config().JOB_MAX_STALLED,
    });
    worker.on('error', (err) => logger.warn('worker error', { queue: name, err: err.message }));
    worker.on('failed', (job, err) => logger.warn('job failed', { queue: name, job: job?.id, attempt: job?.attemptsMade, err: err.message }));
    return worker;
  });

  // The outbox sweeper pushes jobs Redis never acknowledged and delivers notifications;
  // every RECONCILE_EVERY_MS it also re-pushes jobs for work Redis lost (src/jobs/reconcile.ts) and prunes old outbox rows.
  let sweeping = false;
  let lastReconcile = 0;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      await flushOutbox();
      await deliverPendingNotifications();
      if (Date.now() - lastReconcile >= config().RECONCILE_EVERY_MS) {
        lastReconcile = Date.now();
        await reconcileLostJobs();
        await pruneOutbox();
      }
    } catch (err) {
      logger.warn('outbox sweep failed', { err: (err as Error).message });
    } finally {
      sweeping = false;
    }
  };
  const sweeper = setInterval(() => void sweep(), options.sweepMs ?? 2000);
  void sweep();

  // The rolling horizon moves daily; a job scheduler makes exactly one such job per day across all workers.
  await queue('slot-generation')
    .upsertJobScheduler('extend-horizon-daily', { pattern: '15 2 * * *', tz: 'Europe/London' }, { name: 'extendHorizon', data: { day: 'scheduled' } })
    .catch((err: Error) => logger.warn('could not schedule the daily horizon job', { err: err.message }));
  // Retention (src/services/retention.ts) runs once a night across all workers, the same way.
  await queue('data-protection')
    .upsertJobScheduler('retention-daily', { pattern: '45 2 * * *', tz: 'Europe/London' }, { name: 'applyRetention', data: { day: 'scheduled' } })
    .catch((err: Error) => logger.warn('could not schedule the daily retention job', { err: err.message }));
  await scheduleNotificationJobs().catch((err: Error) => logger.warn('could not schedule the notification jobs', { err: err.message }));

  return {
    async stop() {
      clearInterval(sweeper);
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

async function main() {
  config();
  const handle = await startWorkers();
  logger.info('workers started', { queues: Object.keys(PROCESSORS) });
  // Slots for rules published while no worker ran, and a fresh horizon at start.
  await addJob('extendHorizon', { day: new Date().toISOString().slice(0, 10) }).catch(() => undefined);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('workers shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 30_000).unref();
    await handle.stop();
    await closeQueues();
    await closeRedis();
    await disconnectDb();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
