/**
 * The real transports for stories about what people are told: nodemailer to
 * a real SMTP server (mail-server.ts) for email, and the official GOV.UK
 * Notify client to the local Notify endpoint (notify-endpoint.ts) for text
 * messages. `useMessageTransports()` starts both before the file's tests and
 * stops them after; `deliverAll` sweeps the outbox as the workers' sweeper
 * does, and `mailOf` / `textsTo` read what arrived.
 */
import { afterAll, beforeAll } from 'vitest';
import { db } from '../../src/db.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { setChannelTransport } from '../../src/services/notification-transports/index.js';
import { govukNotifyTransport, type NotifySettings } from '../../src/services/notification-transports/govuk-notify.js';
import { smtpTransport } from '../../src/services/notification-transports/smtp.js';
import { startMailServer, type MailServer, type ReceivedMail } from './mail-server.js';
import { GENERIC_EMAIL_TEMPLATE, GENERIC_SMS_TEMPLATE, startNotifyEndpoint, type AcceptedNotification, type NotifyEndpoint } from './notify-endpoint.js';

export const FROM_ADDRESS = 'short-breaks@downland.gov.uk';

export interface MessageTransports {
  mail: MailServer;
  notifyApi: NotifyEndpoint;
  /** The Notify client's settings (generic templates), to send email through Notify too. */
  notifySettings: NotifySettings;
  /** Email back through the SMTP server, after a story sent it through Notify. */
  useSmtpForEmail(): void;
  /**
   * Route and send until nothing of this file's deployment (QUEUE_PREFIX) is
   * due at `now` (the sweeper does the same every two seconds); a text held
   * by quiet hours beyond `now` stays waiting.
   */
  deliverAll(now?: Date): Promise<void>;
  /** Emails received for this address, of one kind of message. */
  mailOf(to: string, kind: string): ReceivedMail[];
  /** Text messages Notify accepted for this number. */
  textsTo(phone: string): AcceptedNotification[];
}

export function useMessageTransports(): MessageTransports {
  const t = {
    useSmtpForEmail: () => setChannelTransport('EMAIL', smtpTransport(t.mail.url, FROM_ADDRESS)),
    async deliverAll(now?: Date) {
      const prefix = process.env.QUEUE_PREFIX;
      for (let i = 0; i < 20; i++) {
        await delivery.routePendingNotifications(500, now);
        await delivery.sendDueDeliveries(500, now);
        const due = await db().notificationDelivery.count({ where: { notification: { prefix }, status: { in: ['PENDING', 'SENDING'] }, notBefore: { lte: now ?? new Date() } } });
        const unrouted = await db().notification.count({ where: { prefix, status: 'PENDING' } });
        if (!due && !unrouted) return;
      }
      throw new Error('messages still waiting to be sent after 20 sweeps');
    },
    mailOf: (to: string, kind: string) => t.mail.to(to).filter((m) => m.mail.headers.get('x-shortbreaks-kind') === kind),
    textsTo: (phone: string) => t.notifyApi.accepted.filter((n) => n.type === 'sms' && n.to === phone),
  } as MessageTransports;

  beforeAll(async () => {
    t.mail = await startMailServer();
    t.notifyApi = await startNotifyEndpoint();
    t.notifySettings = { apiKey: t.notifyApi.apiKey, baseUrl: t.notifyApi.baseUrl, emailTemplateId: t.notifyApi.addTemplate(GENERIC_EMAIL_TEMPLATE), smsTemplateId: t.notifyApi.addTemplate(GENERIC_SMS_TEMPLATE), templates: {} };
    t.useSmtpForEmail();
    setChannelTransport('SMS', govukNotifyTransport(t.notifySettings, 'SMS'));
  });

  afterAll(async () => {
    setChannelTransport('EMAIL', undefined);
    setChannelTransport('SMS', undefined);
    await t.mail?.close();
    await t.notifyApi?.close();
  });

  return t;
}
