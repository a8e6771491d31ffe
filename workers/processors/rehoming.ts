import { markClosureFailed, recheckTraining, runClosure } from '../../src/services/closures.js';
import { markFailedOnLastAttempt, queueProcessor } from '../processor.js';

export const processRehoming = queueProcessor('rehoming', {
  planClosure: ({ closureId }, job) => markFailedOnLastAttempt(job, (message) => markClosureFailed(closureId, message), () => runClosure(closureId)),
  recheckTraining: ({ closureId }) => recheckTraining(closureId),
});
