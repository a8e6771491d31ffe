import type { Job } from 'bullmq';
import { JOBS } from '../../src/jobs/registry.js';
import { extendHorizonForAllRules, generateSlotsForRule } from '../../src/services/slot-generation.js';

export async function processSlotGeneration(job: Job): Promise<unknown> {
  switch (job.name) {
    case 'generateSlots': {
      const { ruleId } = JOBS.generateSlots.payload.parse(job.data);
      // Always generates from the rule's current version: an older job for an edited rule does the newest work.
      return generateSlotsForRule(ruleId);
    }
    case 'extendHorizon':
      JOBS.extendHorizon.payload.parse(job.data);
      return { rules: await extendHorizonForAllRules() };
    default:
      throw new Error(`unknown job ${job.name} on slot-generation`);
  }
}
