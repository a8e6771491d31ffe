/**
 * Delivering the notification outbox, in two steps the workers' sweeper runs
 * every couple of seconds:
 *
 * 1. Routing: each new notification to a family, a provider or an
 *    authority's team becomes one delivery per member person per channel that
 *    person wants (their own preferences, else the organisation's, else the
 *    kind's default; required notices always, by at least one channel), with
 *    the address it goes to and, for SMS, not before the end of that person's
 *    quiet hours. An organisation with no member people yet is told on its
 *    shared contacts.
 * 2. Sending: each due delivery is claimed with a conditional update (two
 *    workers never send one twice), sent through the channel's transport, and
 *    recorded. A failure is retried with backoff; a permanent refusal, or the
 *    last attempt failing, marks it FAILED and tells the coordinators. A
 *    delivery claimed by a worker that died is taken up again after
 *    DELIVERY_LOCK_MS, and first checked with the transport (GOV.UK Notify
 *    is asked for its reference) so it is not sent twice.
 */
import { config } from '../config.js';
import { db, type Tx } from '../db.js';
import { channelsFor, fieldsSchema, kindSpec, NotificationKindSchema, renderMessage, type NotificationKind } from '../domain/notification-kinds.js';
import { afterQuietHours, retryDelayMs } from '../domain/notification-schedule.js';
import type { Notification, NotificationDelivery } from '../generated/prisma/client.js';
import { logger } from '../logger.js';
import { PermanentDeliveryError, transportFor, type OutgoingMessage } from './notification-transports/index.js';
import { preferencesOf, preferencesOfMembers, type Preferences } from './notification-preferences.js';
import { contactOf, membersOf, type RecipientContact } from './notification-recipients.js';
import { notify, type RecipientRole } from './notifications.js';
import { transaction } from './tx.js';

export { setChannelTransport } from './notification-transports/index.js';

/** Attempts before a delivery is given up as FAILED (with retryDelayMs that is about two hours of trying). */
export const MAX_DELIVERY_ATTEMPTS = 8;

export function publicBaseUrl(): string {
  return (config().PUBLIC_BASE_URL ?? `http://localhost:${config().PORT}`).replace(/\/$/, '');
}

const absolute = (path: string) => (/^https?:/.test(path) ? path : `${publicBaseUrl()}${path.startsWith('/') ? '' : '/'}${path}`);

const kindOf = (n: Notification): NotificationKind | null => {
  const parsed = NotificationKindSchema.safeParse(n.kind);
  return parsed.success ? parsed.data : null;
};

/** Whom one notification is delivered to, with the addresses and choices that apply to each. */
interface Addressee {
  /** A member person; null: the organisation's shared contacts. */
  personId: string | null;
  email: string | null;
  phone: string | null;
  prefs: Preferences;
}

/**
 * Each member person of the organisation on their own email and mobile and by
 * their own choices (over the organisation's); an organisation with no member
 * people on its shared contacts and its own choices. A member without a mobile
 * is texted on the organisation's number, as everyone was before people had one.
 */
async function addresseesOf(tx: Tx, role: RecipientRole, id: string, contact: RecipientContact | null): Promise<Addressee[]> {
  const organisation = await preferencesOf(tx, role, id);
  if (role === 'PERSON') return [{ personId: id, email: contact?.email ?? null, phone: null, prefs: organisation }];
  const members = await membersOf(tx, role, id);
  if (!members.length) return [{ personId: null, email: contact?.email ?? null, phone: contact?.phone ?? null, prefs: organisation }];
  const prefs = await preferencesOfMembers(tx, organisation, members.map((m) => m.personId));
  return members.map((m) => ({ personId: m.personId, email: m.email ?? contact?.email ?? null, phone: m.mobile ?? contact?.phone ?? null, prefs: prefs.get(m.personId)! }));
}

const sameAddress = (channel: string, address: string) => `${channel} ${address.replace(/[\s()-]/g, '').toLowerCase()}`;

/** Write the deliveries of one notification, once: one per person per channel they are told by. */
async function routeOne(notificationId: string, now: Date): Promise<void> {
  await transaction(async (tx) => {
    const taken = await tx.notification.updateMany({ where: { id: notificationId, status: 'PENDING' }, data: { status: 'ROUTED' } });
    if (taken.count === 0) return;
    const n = await tx.notification.findUniqueOrThrow({ where: { id: notificationId } });
    const role = n.recipientRole as RecipientRole;
    const contact = await contactOf(tx, role, n.recipientId);
    const kind = kindOf(n);
    const smsOff = transportFor('SMS') === null;
    // Two carers sharing the family's number get one text, and one email to a shared inbox.
    const used = new Set<string>();
    const rows = (await addresseesOf(tx, role, n.recipientId, contact)).flatMap((a) => {
      // Rows written before messages had kinds go by email, as they always did.
      const channels = kind ? channelsFor(kind, a.prefs.channels[kind], { email: Boolean(a.email), sms: Boolean(a.phone) }) : (['EMAIL'] as const);
      return channels.flatMap((channel) => {
        const address = channel === 'EMAIL' ? a.email : a.phone;
        if (address) {
          if (used.has(sameAddress(channel, address))) return [];
          used.add(sameAddress(channel, address));
        }
        const skipped = !address ? `no ${channel === 'EMAIL' ? 'email address' : 'mobile number'} on record` : channel === 'SMS' && smsOff ? 'text messages are switched off (SMS_TRANSPORT=none)' : null;
        return [
          {
            notificationId,
            personId: a.personId,
            channel,
            address,
            status: skipped ? ('SKIPPED' as const) : ('PENDING' as const),
            lastError: skipped,
            notBefore: channel === 'SMS' ? afterQuietHours(now, a.prefs.quietHoursStart, a.prefs.quietHoursEnd) : now,
          },
        ];
      });
    });
    if (rows.length) await tx.notificationDelivery.createMany({ data: rows, skipDuplicates: true });
    const authorityId = n.authorityId ?? contact?.authorityId ?? null;
    if (authorityId !== n.authorityId) await tx.notification.update({ where: { id: n.id }, data: { authorityId } });
    const required = kind ? kindSpec(kind).required : false;
    if (required && !rows.some((r) => r.status === 'PENDING')) {
      const secret = SECRET_LINK_KINDS.includes(n.kind) ? { link: null, body: '(the link could not be sent and is not kept)' } : {};
      await tx.notification.update({ where: { id: n.id }, data: { status: 'FAILED', lastError: rows.map((r) => r.lastError).join('; ') || 'no way to reach them', ...secret } });
      await tellCoordinators(tx, n, authorityId, contact?.label ?? `${role.toLowerCase()} ${n.recipientId}`, 'message', rows.map((r) => r.lastError).join('; ') || 'no email address or mobile number on record', `unreachable-${n.id}`);
    }
  });
}

/** A person must follow up what did not reach its recipient; failures about failures are only shown in the pages. */
async function tellCoordinators(tx: Tx, n: Notification, authorityId: string | null, recipient: string, channel: string, error: string, dedupeKey: string) {
  if (!authorityId || n.kind === 'DELIVERY_FAILED') return;
  await notify(tx, {
    kind: 'DELIVERY_FAILED',
    dedupeKey,
    recipientRole: 'COORDINATOR',
    recipientId: authorityId,
    fields: { recipient, message_subject: n.subject, channel, error: error.slice(0, 300) },
    link: '/coordinator/messages',
    payload: { notificationId: n.id },
  });
}

export function messageFor(n: Notification, d: NotificationDelivery): OutgoingMessage {
  const kind = kindOf(n);
  const link = absolute(n.link ?? '/');
  const preferences = absolute('/preferences');
  if (!kind) {
    return { reference: d.id, channel: d.channel, to: d.address!, kind: 'BREAK_NOT_DELIVERED', subject: n.subject, text: n.body, sms: n.subject, personalisation: { subject: n.subject, body: n.body, link, text_message: n.subject } };
  }
  const fields = fieldsSchema(kind).parse(n.fields);
  const r = renderMessage(kind, fields, link, preferences);
  return { reference: d.id, channel: d.channel, to: d.address!, kind, subject: r.subject, text: r.text, sms: r.sms, personalisation: { ...r.personalisation, text_message: r.sms } };
}

/** Messages whose link is a credential (a sign-in link, an invitation): the outbox keeps it only until it is sent. */
const SECRET_LINK_KINDS: readonly string[] = ['SIGN_IN_LINK', 'INVITATION'] satisfies NotificationKind[];

async function settle(notificationId: string): Promise<void> {
  const ds = await db().notificationDelivery.findMany({ where: { notificationId }, select: { status: true, sentAt: true, lastError: true } });
  let settled = false;
  if (ds.some((d) => d.status === 'SENT')) {
    const sentAt = ds.map((d) => d.sentAt).filter((x): x is Date => Boolean(x)).sort((a, b) => a.getTime() - b.getTime())[0];
    await db().notification.updateMany({ where: { id: notificationId, status: { not: 'SENT' } }, data: { status: 'SENT', sentAt } });
    settled = true;
  } else if (ds.length && ds.every((d) => d.status === 'FAILED' || d.status === 'SKIPPED') && ds.some((d) => d.status === 'FAILED')) {
    await db().notification.updateMany({ where: { id: notificationId }, data: { status: 'FAILED', lastError: ds.map((d) => d.lastError).filter(Boolean).join('; ') } });
    settled = true;
  }
  // Only the hash of a link's secret is kept anywhere else; once it has gone, the copy in the outbox goes too.
  if (settled) await db().notification.updateMany({ where: { id: notificationId, kind: { in: [...SECRET_LINK_KINDS] } }, data: { link: null, body: '(the link was sent and is not kept)' } });
}

async function markSent(d: NotificationDelivery, providerRef: string | null, claimedAt: Date) {
  await db().notificationDelivery.updateMany({ where: { id: d.id, status: 'SENDING', claimedAt }, data: { status: 'SENT', providerRef, sentAt: new Date(), lastError: null } });
  await settle(d.notificationId);
}

async function markFailed(n: Notification, d: NotificationDelivery, error: string, claimedAt: Date) {
  await transaction(async (tx) => {
    const done = await tx.notificationDelivery.updateMany({ where: { id: d.id, status: 'SENDING', claimedAt }, data: { status: 'FAILED', lastError: error } });
    if (done.count === 0) return;
    const contact = await contactOf(tx, n.recipientRole as RecipientRole, n.recipientId);
    const person = d.personId && n.recipientRole !== 'PERSON' ? await tx.person.findUnique({ where: { id: d.personId }, select: { name: true } }) : null;
    const label = `${[person?.name, contact?.label ?? n.recipientRole.toLowerCase()].filter(Boolean).join(', ')} (${d.address})`;
    await tellCoordinators(tx, n, n.authorityId ?? contact?.authorityId ?? null, label, d.channel === 'EMAIL' ? 'email' : 'text message', error, `undeliverable-${d.id}`);
  });
  await settle(d.notificationId);
}

/** Route new notifications; returns how many. */
export async function routePendingNotifications(limit = 100, now = new Date()): Promise<number> {
  const pending = await db().notification.findMany({ where: { prefix: config().QUEUE_PREFIX, status: 'PENDING' }, orderBy: { createdAt: 'asc' }, take: limit, select: { id: true } });
  for (const n of pending) await routeOne(n.id, now);
  return pending.length;
}

/** Send the deliveries that are due; returns how many were sent. */
export async function sendDueDeliveries(limit = 100, now = new Date()): Promise<number> {
  const staleBefore = new Date(now.getTime() - config().DELIVERY_LOCK_MS);
  const due = await db().notificationDelivery.findMany({
    where: { notification: { prefix: config().QUEUE_PREFIX }, OR: [{ status: 'PENDING', notBefore: { lte: now } }, { status: 'SENDING', claimedAt: { lt: staleBefore } }] },
    include: { notification: true },
    orderBy: { notBefore: 'asc' },
    take: limit,
  });
  let sent = 0;
  for (const { notification: n, ...d } of due) {
    const claimedAt = new Date();
    const claim = await db().notificationDelivery.updateMany({
      where: { id: d.id, status: d.status, attempts: d.attempts },
      data: { status: 'SENDING', claimedAt, attempts: { increment: 1 } },
    });
    if (claim.count === 0) continue;
    const transport = transportFor(d.channel);
    if (!transport) {
      await db().notificationDelivery.update({ where: { id: d.id }, data: { status: 'SKIPPED', lastError: 'text messages are switched off (SMS_TRANSPORT=none)' } });
      await settle(d.notificationId);
      continue;
    }
    const message = messageFor(n, d);
    try {
      // A claim that went stale was a worker dying mid-send: the transport may have the message already.
      if (d.status === 'SENDING' && transport.alreadySent) {
        const ref = await transport.alreadySent(message);
        if (ref) {
          logger.info('delivery found already sent; not sending again', { deliveryId: d.id, providerRef: ref });
          await markSent(d, ref, claimedAt);
          sent++;
          continue;
        }
      }
      const { providerRef } = await transport.send(message);
      await markSent(d, providerRef, claimedAt);
      sent++;
    } catch (err) {
      const error = (err as Error).message;
      const attempts = d.attempts + 1;
      if (err instanceof PermanentDeliveryError || attempts >= MAX_DELIVERY_ATTEMPTS) {
        logger.warn('delivery failed for good', { deliveryId: d.id, channel: d.channel, error });
        await markFailed(n, d, err instanceof PermanentDeliveryError ? error : `gave up after ${attempts} attempts: ${error}`, claimedAt);
      } else {
        logger.warn('delivery failed; will retry', { deliveryId: d.id, channel: d.channel, attempts, error });
        await db().notificationDelivery.updateMany({
          where: { id: d.id, status: 'SENDING', claimedAt },
          data: { status: 'PENDING', lastError: error, notBefore: new Date(Date.now() + retryDelayMs(attempts)) },
        });
      }
    }
  }
  return sent;
}

/** One sweep: route what is new, then send what is due. */
export async function deliverPendingNotifications(limit = 100): Promise<number> {
  await routePendingNotifications(limit);
  return sendDueDeliveries(limit);
}
