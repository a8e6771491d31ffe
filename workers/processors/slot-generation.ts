import { extendHorizonForAllRules, generateSlotsForRule } from '../../src/services/slot-generation.js';
import { queueProcessor } from '../processor.js';

export const processSlotGeneration = queueProcessor('slot-generation', {
  // Always generates from the rule's current version: an older job for an edited rule does the newest work.
  generateSlots: ({ ruleId }) => generateSlotsForRule(ruleId),
  extendHorizon: async () => ({ rules: await extendHorizonForAllRules() }),
});
