/**
 * Email through an SMTP relay (nodemailer). The Message-ID is the delivery's
 * id, so a message sent again after a worker died mid-send carries the same
 * id and mail systems that deduplicate on it show it once.
 */
import nodemailer from 'nodemailer';
import { PermanentDeliveryError, type ChannelTransport } from './types.js';

const domainOf = (from: string) => /@([^>\s]+)/.exec(from)?.[1] ?? 'shortbreaks.local';

export function smtpTransport(smtpUrl: string, from: string): ChannelTransport {
  const mailer = nodemailer.createTransport(smtpUrl);
  return {
    name: 'smtp',
    async send(m) {
      const messageId = `<${m.reference}@${domainOf(from)}>`;
      try {
        await mailer.sendMail({
          from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          messageId,
          headers: { 'X-Shortbreaks-Kind': m.kind, 'Auto-Submitted': 'auto-generated' },
        });
      } catch (err) {
        // RFC 5321 4.2.1: a 5yz reply is a permanent negative completion; 4yz and lost connections are worth retrying.
        const code = (err as { responseCode?: number }).responseCode;
        if (code && code >= 500) throw new PermanentDeliveryError(`SMTP ${code}: ${(err as Error).message}`);
        throw err;
      }
      return { providerRef: messageId };
    },
  };
}
