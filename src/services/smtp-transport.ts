/** SMTP delivery through nodemailer (loaded only when NOTIFY_TRANSPORT=smtp). */
import nodemailer from 'nodemailer';
import type { NotificationTransport } from './notification-delivery.js';

export function smtpTransport(smtpUrl: string, from: string): NotificationTransport {
  const mailer = nodemailer.createTransport(smtpUrl);
  return {
    async send(n, to) {
      if (!to) throw new Error(`no email address for ${n.recipientRole.toLowerCase()} ${n.recipientId}`);
      await mailer.sendMail({ from, to, subject: n.subject, text: n.body });
    },
  };
}
