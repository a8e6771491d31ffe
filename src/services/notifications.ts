/**
 * Notifications go through an outbox table written in the same transaction as
 * the change they report; the notifications worker delivers them. A dedupe key
 * makes a retried transaction or job write each message once.
 */
import type { Tx } from '../db.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface NotificationInput {
  dedupeKey: string;
  recipientRole: 'COORDINATOR' | 'PROVIDER' | 'FAMILY';
  recipientId: string;
  subject: string;
  body: string;
  payload?: Record<string, unknown>;
}

export async function notify(tx: Tx, n: NotificationInput): Promise<void> {
  await tx.notification.createMany({
    data: [{ ...n, payload: (n.payload ?? {}) as Prisma.InputJsonValue }],
    skipDuplicates: true,
  });
}
