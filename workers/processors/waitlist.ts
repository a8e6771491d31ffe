import type { Job } from 'bullmq';
import { JOBS } from '../../src/jobs/registry.js';
import { expireOffer, promoteWaitlist } from '../../src/services/waitlist.js';

export async function processWaitlist(job: Job): Promise<unknown> {
  switch (job.name) {
    case 'promoteWaitlist': {
      const { slotId } = JOBS.promoteWaitlist.payload.parse(job.data);
      return { offered: await promoteWaitlist(slotId) };
    }
    case 'expireOffer': {
      const { entryId } = JOBS.expireOffer.payload.parse(job.data);
      const outcome = await expireOffer(entryId);
      // Delayed jobs can fire a little early on clock skew; retry until the offer is due.
      if (outcome === 'NOT_DUE') throw new Error('offer not yet due to expire');
      return { outcome };
    }
    default:
      throw new Error(`unknown job ${job.name} on waitlist`);
  }
}
