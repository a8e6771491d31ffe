/**
 * Notifications go through an outbox table written in the same transaction as
 * the change they report; the notifications worker delivers them
 * (notification-delivery.ts). A dedupe key makes a retried transaction or job
 * write each message once. Each message is of a kind (domain/notification-kinds.ts)
 * and carries that kind's fields and the page where the person acts.
 */
import { config } from '../config.js';
import type { Tx } from '../db.js';
import { fieldsSchema, renderMessage, type NotificationKind } from '../domain/notification-kinds.js';
import { NotificationPayloadColumn, toJson, type NotificationPayload } from '../schemas/json-columns.js';

/** An organisation's shared contacts (a family, a provider, an authority's coordinators), or one person by their own email. */
export type RecipientRole = 'COORDINATOR' | 'PROVIDER' | 'FAMILY' | 'PERSON' | 'INVITATION';

export interface NotificationInput {
  kind: NotificationKind;
  dedupeKey: string;
  recipientRole: RecipientRole;
  /** A family id, a provider id, (for coordinators) the authority id, a person's id, or an invitation's id. */
  recipientId: string;
  fields: Record<string, string>;
  /** The page where the person acts, as a path: `/family`, `/coordinator/closures/<id>`. */
  link: string;
  /** The authority that answers for the message if it cannot be delivered (a family's own authority is found by itself). */
  authorityId?: string;
  payload?: NotificationPayload;
}

export async function notify(tx: Tx, n: NotificationInput): Promise<void> {
  const fields = fieldsSchema(n.kind).parse(n.fields);
  // Subject and body are kept as written, for the pages and the log; the transports render again with the person's links.
  const { subject, text } = renderMessage(n.kind, fields, n.link, '/preferences');
  await tx.notification.createMany({
    data: [
      {
        dedupeKey: n.dedupeKey,
        recipientRole: n.recipientRole,
        recipientId: n.recipientId,
        kind: n.kind,
        fields,
        link: n.link,
        authorityId: n.authorityId ?? (n.recipientRole === 'COORDINATOR' ? n.recipientId : null),
        prefix: config().QUEUE_PREFIX,
        subject,
        body: text,
        payload: toJson(NotificationPayloadColumn, n.payload ?? {}),
      },
    ],
    skipDuplicates: true,
  });
}
