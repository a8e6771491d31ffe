/**
 * Delivering the notification outbox. The transport is pluggable: the log by
 * default (a locked-down council test system has no mail relay), SMTP when
 * NOTIFY_TRANSPORT=smtp.
 */
import { config } from '../config.js';
import { db } from '../db.js';
import type { Notification } from '../generated/prisma/client.js';
import { logger } from '../logger.js';

export interface NotificationTransport {
  send(n: Notification, to: string | null): Promise<void>;
}

const logTransport: NotificationTransport = {
  async send(n, to) {
    logger.info('notification', { to: to ?? `${n.recipientRole.toLowerCase()}:${n.recipientId}`, subject: n.subject, body: n.body });
  },
};

let transport: NotificationTransport | undefined;
export function setNotificationTransport(t: NotificationTransport | undefined): void {
  transport = t;
}

async function currentTransport(): Promise<NotificationTransport> {
  if (!transport) {
    if (config().NOTIFY_TRANSPORT === 'smtp') {
      const { smtpTransport } = await import('./smtp-transport.js');
      transport = smtpTransport(config().SMTP_URL!, config().NOTIFY_FROM);
    } else {
      transport = logTransport;
    }
  }
  return transport;
}

async function addressOf(n: Notification): Promise<string | null> {
  if (n.recipientRole === 'FAMILY') return (await db().family.findUnique({ where: { id: n.recipientId } }))?.email ?? null;
  if (n.recipientRole === 'PROVIDER') return (await db().provider.findUnique({ where: { id: n.recipientId } }))?.email ?? null;
  return null;
}

const MAX_ATTEMPTS = 5;

/** Send pending notifications; each is claimed with a conditional update so two workers never send one twice. */
export async function deliverPendingNotifications(limit = 100): Promise<number> {
  const pending = await db().notification.findMany({ where: { status: 'PENDING', attempts: { lt: MAX_ATTEMPTS } }, orderBy: { createdAt: 'asc' }, take: limit });
  const t = await currentTransport();
  let sent = 0;
  for (const n of pending) {
    const claimed = await db().notification.updateMany({ where: { id: n.id, status: 'PENDING', attempts: n.attempts }, data: { attempts: { increment: 1 } } });
    if (claimed.count === 0) continue;
    try {
      await t.send(n, await addressOf(n));
      await db().notification.update({ where: { id: n.id }, data: { status: 'SENT', sentAt: new Date() } });
      sent++;
    } catch (err) {
      const failed = n.attempts + 1 >= MAX_ATTEMPTS;
      await db().notification.update({ where: { id: n.id }, data: { lastError: (err as Error).message, status: failed ? 'FAILED' : 'PENDING' } });
    }
  }
  return sent;
}
