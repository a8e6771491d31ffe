import { markScenarioFailed, runScenario } from '../../src/services/scenarios.js';
import { markFailedOnLastAttempt, queueProcessor } from '../processor.js';

export const processScenario = queueProcessor('scenarios', {
  runScenario: ({ scenarioId }, job) => markFailedOnLastAttempt(job, (message) => markScenarioFailed(scenarioId, message), () => runScenario(scenarioId)),
});
