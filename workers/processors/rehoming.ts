import type { Job } from 'bullmq';
import { JOBS } from '../../src/jobs/registry.js';
import { markClosureFailed, recheckTraining, runClosure } from '../../src/services/closures.js';

export async function processRehoming(job: Job): Promise<unknown> {
  switch (job.name) {
    case 'planClosure': {
      const { closureId } = JOBS.planClosure.payload.parse(job.data);
      try {
        return await runClosure(closureId);
      } catch (err) {
        if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markClosureFailed(closureId, (err as Error).message);
        throw err;
      }
    }
    case 'recheckTraining': {
      const { closureId } = JOBS.recheckTraining.payload.parse(job.data);
      return recheckTraining(closureId);
    }
    default:
      throw new Error(`unknown job ${job.name} on rehoming`);
  }
}
