/** The default transport: the message goes to the log (a locked-down test system has no relay). */
import { logger } from '../../logger.js';
import type { ChannelTransport } from './types.js';

export const logTransport: ChannelTransport = {
  name: 'log',
  async send(m) {
    logger.info('notification', { channel: m.channel, to: m.to, kind: m.kind, subject: m.subject, text: m.channel === 'SMS' ? m.sms : m.text });
    return { providerRef: null };
  },
};
