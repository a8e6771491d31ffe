import { markRoundFailed, runRound } from '../../src/services/allocation-rounds.js';
import { markFailedOnLastAttempt, queueProcessor } from '../processor.js';

export const processAllocation = queueProcessor('allocation', {
  runAllocationRound: ({ roundId }, job) => markFailedOnLastAttempt(job, (message) => markRoundFailed(roundId, message), () => runRound(roundId)),
});
