/**
 * Notifications go through an outbox table written in the same transaction as
 * the change they report; the notifications worker delivers them
 * (notification-delivery.ts). A dedupe key makes a retried transaction or job
 * write each message once. Each message is of a kind (domain/notification-kinds.ts)
 * and carries that kind's fields and the page where the person acts.
 */
import { config } from '../config.js';
import type { Tx } from '../db.js';
import { nightsOf } from '../domain/eligibility.js';
import { breaksInWords, fieldsSchema, renderMessage, type NotificationKind } from '../domain/notification-kinds.js';
import { UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';
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

/**
 * The shape written before messages had kinds; the allocation round still
 * writes it (src/services/allocation-rounds.ts is being rewritten elsewhere).
 * A round's result for a child becomes an ALLOCATION_RESULT from the round's
 * own records, so the family's preferences and templates apply to it.
 */
export interface UntypedNotificationInput {
  dedupeKey: string;
  recipientRole: RecipientRole;
  recipientId: string;
  subject: string;
  body: string;
  payload?: NotificationPayload;
}

async function typed(tx: Tx, n: UntypedNotificationInput): Promise<NotificationInput> {
  const { roundId, childId } = (n.payload ?? {}) as { roundId?: unknown; childId?: unknown };
  if (n.recipientRole !== 'FAMILY' || typeof roundId !== 'string' || typeof childId !== 'string') {
    throw new Error(`a notification without a kind (${n.dedupeKey}): give it one in src/domain/notification-kinds.ts`);
  }
  const child = await tx.child.findUniqueOrThrow({ where: { id: childId }, select: { firstName: true } });
  const allocated = await tx.booking.findMany({ where: { roundId, childId, status: { in: [...UPCOMING_BOOKING_STATUSES] } }, select: { slot: { select: { startsAt: true, endsAt: true } } } });
  const nights = allocated.reduce((sum, b) => sum + nightsOf({ start: b.slot.startsAt, end: b.slot.endsAt }), 0);
  const daySessions = allocated.filter((b) => nightsOf({ start: b.slot.startsAt, end: b.slot.endsAt }) === 0).length;
  return {
    kind: 'ALLOCATION_RESULT',
    dedupeKey: n.dedupeKey,
    recipientRole: 'FAMILY',
    recipientId: n.recipientId,
    fields: { child_name: child.firstName, breaks_allocated: breaksInWords(nights, daySessions), explanation: n.body },
    link: '/family',
    payload: n.payload,
  };
}

export async function notify(tx: Tx, input: NotificationInput | UntypedNotificationInput): Promise<void> {
  const n = 'kind' in input ? input : await typed(tx, input);
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
