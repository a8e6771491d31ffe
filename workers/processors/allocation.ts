import type { Job } from 'bullmq';
import { JOBS } from '../../src/jobs/registry.js';
import { markRoundFailed, runRound } from '../../src/services/allocation-rounds.js';

export async function processAllocation(job: Job): Promise<unknown> {
  const { roundId } = JOBS.runAllocationRound.payload.parse(job.data);
  try {
    return await runRound(roundId);
  } catch (err) {
    // After the last attempt the coordinator must see why, not a round stuck in RUNNING.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markRoundFailed(roundId, (err as Error).message);
    throw err;
  }
}
