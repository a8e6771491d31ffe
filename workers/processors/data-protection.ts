import { applyRetention } from '../../src/services/retention.js';
import { markExportFailed, runExport } from '../../src/services/subject-access.js';
import { markFailedOnLastAttempt, queueProcessor } from '../processor.js';

export const processDataProtection = queueProcessor('data-protection', {
  exportFamilyData: ({ exportId }, job) =>
    markFailedOnLastAttempt(job, (message) => markExportFailed(exportId, message), async () => ({ outcome: await runExport(exportId) })),
  applyRetention: () => applyRetention(),
});
