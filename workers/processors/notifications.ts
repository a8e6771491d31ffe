import { sendArrivalDigests, sendBehindAwardAlerts, sendDueReminders } from '../../src/services/scheduled-notifications.js';
import { queueProcessor } from '../processor.js';

export const processNotifications = queueProcessor('notifications', {
  sendDueReminders: async () => ({ written: await sendDueReminders() }),
  sendArrivalDigests: async () => ({ written: await sendArrivalDigests() }),
  sendBehindAwardAlerts: async () => ({ written: await sendBehindAwardAlerts() }),
});
