/**
 * Every queue and job in one registry, each with a zod schema for its payload
 * (after langfuse's worker): producers and workers share the names, and workers
 * re-validate what they take off the queue. Job ids are deterministic from
 * domain keys (no ':' — BullMQ reserves it), so the same work is never queued twice.
 */
import { z } from 'zod';

export const JOBS = {
  generateSlots: {
    queue: 'slot-generation',
    payload: z.object({ ruleId: z.string().uuid(), version: z.number().int().min(1) }),
    jobId: (p: { ruleId: string; version: number }) => `rule-${p.ruleId}-v${p.version}`,
  },
  extendHorizon: {
    queue: 'slot-generation',
    payload: z.object({ day: z.string() }),
    jobId: (p: { day: string }) => `horizon-${p.day}`,
  },
  runAllocationRound: {
    queue: 'allocation',
    payload: z.object({ roundId: z.string().uuid() }),
    jobId: (p: { roundId: string }) => `round-${p.roundId}`,
  },
  planClosure: {
    queue: 'rehoming',
    // A coordinator's retry of a FAILED closure is a new job: the failed one keeps its id in BullMQ (and the outbox) for days.
    payload: z.object({ closureId: z.string().uuid(), retry: z.number().int().min(1).optional() }),
    jobId: (p: { closureId: string; retry?: number }) => (p.retry ? `closure-${p.closureId}-retry-${p.retry}` : `closure-${p.closureId}`),
  },
  recheckTraining: {
    queue: 'rehoming',
    payload: z.object({ closureId: z.string().uuid(), at: z.string() }),
    jobId: (p: { closureId: string; at: string }) => `training-${p.closureId}-${p.at}`,
  },
  promoteWaitlist: {
    queue: 'waitlist',
    payload: z.object({ slotId: z.string().uuid(), reason: z.string() }),
    jobId: (p: { slotId: string; reason: string }) => `promote-${p.slotId}-${p.reason}`,
  },
  runScenario: {
    queue: 'scenarios',
    payload: z.object({ scenarioId: z.string().uuid() }),
    jobId: (p: { scenarioId: string }) => `scenario-${p.scenarioId}`,
  },
  expireOffer: {
    queue: 'waitlist',
    payload: z.object({ entryId: z.string().uuid() }),
    jobId: (p: { entryId: string }) => `expire-${p.entryId}`,
  },
  exportFamilyData: {
    queue: 'data-protection',
    payload: z.object({ exportId: z.string().uuid() }),
    jobId: (p: { exportId: string }) => `export-${p.exportId}`,
  },
  applyRetention: {
    queue: 'data-protection',
    payload: z.object({ day: z.string() }),
    jobId: (p: { day: string }) => `retention-${p.day}`,
  },
  // Clock-driven messages (src/services/scheduled-notifications.ts), run by job schedulers in workers/index.ts.
  sendDueReminders: {
    queue: 'notifications',
    payload: z.object({}).strict(),
    jobId: () => 'reminders-now',
  },
  sendArrivalDigests: {
    queue: 'notifications',
    payload: z.object({}).strict(),
    jobId: () => 'arrivals-now',
  },
  sendBehindAwardAlerts: {
    queue: 'notifications',
    payload: z.object({}).strict(),
    jobId: () => 'behind-now',
  },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
export type QueueName = (typeof JOBS)[JobName]['queue'];
/** The jobs that run on queue `Q`. */
export type JobOn<Q extends QueueName> = { [N in JobName]: (typeof JOBS)[N]['queue'] extends Q ? N : never }[JobName];
export const QUEUE_NAMES: QueueName[] = [...new Set(Object.values(JOBS).map((j) => j.queue))];

export const isJobName = (name: string): name is JobName => Object.hasOwn(JOBS, name);
export const isQueueName = (name: string): name is QueueName => (QUEUE_NAMES as string[]).includes(name);

/** The deterministic BullMQ job id of a job (no ':' in it). */
export const jobIdOf = <N extends JobName>(name: N, payload: JobPayload<N>): string => (JOBS[name].jobId as (p: JobPayload<N>) => string)(payload);
