/**
 * Every kind of message, delivered through the real transports: nodemailer to
 * a real SMTP server this test starts (smtp-server), and the official GOV.UK
 * Notify client to a local endpoint that checks each request against Notify's
 * documented API (paths, JSON fields, template personalisation, JWT signed
 * with the key's secret). Then what goes wrong: a retry with backoff, a
 * permanent refusal shown to the coordinator, a send interrupted after Notify
 * accepted it (not sent twice), preferences and quiet hours.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { db } from '../../src/db.js';
import { KIND_NAMES as ALL_KIND_NAMES, NOTIFICATION_KINDS, renderMessage, type NotificationKind } from '../../src/domain/notification-kinds.js';
import { londonWallTimeToInstant } from '../../src/domain/london-time.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { setChannelTransport } from '../../src/services/notification-transports/index.js';
import { smtpTransport } from '../../src/services/notification-transports/smtp.js';
import { govukNotifyTransport } from '../../src/services/notification-transports/govuk-notify.js';
import { notify } from '../../src/services/notifications.js';
import { transaction } from '../../src/services/tx.js';
import { expectProblem, get, patch } from '../support/api.js';
import { makeAuthority, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { startMailServer } from '../support/mail-server.js';
import { GENERIC_EMAIL_TEMPLATE, GENERIC_SMS_TEMPLATE, startNotifyEndpoint } from '../support/notify-endpoint.js';

// This file's messages are its own deployment's (as with the job outbox), so files running in parallel never deliver them.
process.env.QUEUE_PREFIX = `sbnote${randomUUID().slice(0, 8)}`;

/**
 * The kinds sent to an organisation's contacts, which people choose channels for. Sign-in links and
 * invitations go to one person's own email and are covered by the sign-in stories (test/web/sign-in.test.ts).
 */
type OrganisationKind = Exclude<NotificationKind, 'INVITATION' | 'SIGN_IN_LINK'>;
const KIND_NAMES = ALL_KIND_NAMES.filter((k): k is OrganisationKind => NOTIFICATION_KINDS[k].audience !== 'PERSON');

type MailServer = Awaited<ReturnType<typeof startMailServer>>;
type NotifyEndpoint = Awaited<ReturnType<typeof startNotifyEndpoint>>;

const FROM = 'Downland short breaks <short-breaks@downland.gov.uk>';
let mail: MailServer;
let notifyApi: NotifyEndpoint;
let templates: { email: string; sms: string; reminderEmail: string };

interface Recipients {
  authorityId: string;
  coordinatorToken: string;
  familyId: string;
  familyToken: string;
  providerId: string;
  providerToken: string;
  email: Record<'FAMILY' | 'PROVIDER' | 'COORDINATOR', string>;
  phone: Record<'FAMILY' | 'PROVIDER' | 'COORDINATOR', string>;
}

async function recipients(): Promise<Recipients> {
  const tag = uid();
  const { authority, coordinatorToken } = await makeAuthority();
  const { family, familyToken } = await makeFamily(authority.id);
  const { provider, providerToken } = await makeProvider();
  const email = { FAMILY: `parent-${tag}@example.org`, PROVIDER: `unit-${tag}@example.org`, COORDINATOR: `team-${tag}@downland.gov.uk` };
  const phone = { FAMILY: '07700 900123', PROVIDER: '07700 900456', COORDINATOR: '+447700900789' };
  await db().family.update({ where: { id: family.id }, data: { email: email.FAMILY, phone: phone.FAMILY } });
  await db().provider.update({ where: { id: provider.id }, data: { email: email.PROVIDER, phone: phone.PROVIDER } });
  await db().authority.update({ where: { id: authority.id }, data: { contactEmail: email.COORDINATOR, contactPhone: phone.COORDINATOR } });
  return { authorityId: authority.id, coordinatorToken, familyId: family.id, familyToken, providerId: provider.id, providerToken, email, phone };
}

const recipientIdOf = (r: Recipients, audience: 'FAMILY' | 'PROVIDER' | 'COORDINATOR') =>
  audience === 'FAMILY' ? r.familyId : audience === 'PROVIDER' ? r.providerId : r.authorityId;

/** Every field gets a value the test can find again in what arrives. */
const sampleFields = (kind: NotificationKind, tag: string) =>
  Object.fromEntries(NOTIFICATION_KINDS[kind].fields.map((f) => [f, `${f.replaceAll('_', ' ')} ${tag}`]));

async function writeEveryKind(r: Recipients, tag: string) {
  // Both channels for every kind, so each kind is seen on email and on SMS.
  for (const role of ['FAMILY', 'PROVIDER', 'COORDINATOR'] as const) {
    const channels = Object.fromEntries(KIND_NAMES.map((k) => [k, 'BOTH']));
    await db().notificationPreference.create({ data: { recipientRole: role, recipientId: recipientIdOf(r, role), channels } });
  }
  await transaction(async (tx) => {
    for (const kind of KIND_NAMES) {
      const audience = NOTIFICATION_KINDS[kind].audience;
      await notify(tx, { kind, dedupeKey: `${tag}-${kind}`, recipientRole: audience, recipientId: recipientIdOf(r, audience), fields: sampleFields(kind, tag), link: `/act/${kind.toLowerCase()}`, authorityId: r.authorityId });
    }
  });
}

/** Sweep until nothing of this file is left to send (the workers' sweeper does the same every two seconds). */
async function deliverAll(now?: Date) {
  for (let i = 0; i < 20; i++) {
    await delivery.routePendingNotifications(500, now);
    await delivery.sendDueDeliveries(500, now);
    const left = await db().notificationDelivery.count({ where: { notification: { prefix: process.env.QUEUE_PREFIX }, status: { in: ['PENDING', 'SENDING'] }, notBefore: { lte: now ?? new Date() } } });
    const unrouted = await db().notification.count({ where: { prefix: process.env.QUEUE_PREFIX, status: 'PENDING' } });
    if (!left && !unrouted) return;
  }
  throw new Error('deliveries still pending after 20 sweeps');
}

const deliveriesOf = (dedupeKey: string) => db().notificationDelivery.findMany({ where: { notification: { dedupeKey } }, orderBy: { channel: 'asc' } });
const base = () => delivery.publicBaseUrl();

function useNotify(channels: ('EMAIL' | 'SMS')[], extra: Record<string, { email?: string; sms?: string }> = {}) {
  const settings = { apiKey: notifyApi.apiKey, baseUrl: notifyApi.baseUrl, emailTemplateId: templates.email, smsTemplateId: templates.sms, templates: extra };
  for (const c of channels) setChannelTransport(c, govukNotifyTransport(settings, c));
}

beforeAll(async () => {
  mail = await startMailServer();
  notifyApi = await startNotifyEndpoint();
  templates = {
    email: notifyApi.addTemplate(GENERIC_EMAIL_TEMPLATE),
    sms: notifyApi.addTemplate(GENERIC_SMS_TEMPLATE),
    // A kind with a template of its own, using the kind's fields as Notify placeholders.
    reminderEmail: notifyApi.addTemplate({ type: 'email', subject: 'Reminder: ((child_name)) ((when))', body: '((child_name)) goes to ((provider_name)) on ((break_date)) at ((start_time)). ((pickup)) ((link))' }),
  };
});

afterAll(async () => {
  setChannelTransport('EMAIL', undefined);
  setChannelTransport('SMS', undefined);
  await mail.close();
  await notifyApi.close();
  await closeConnections();
});

describe('every kind of message, through the real transports', () => {
  it('reaches each person by email through SMTP and by text through GOV.UK Notify, with the facts and the link to act', async () => {
    const r = await recipients();
    const tag = uid();
    setChannelTransport('EMAIL', smtpTransport(mail.url, FROM));
    useNotify(['SMS']);
    await writeEveryKind(r, tag);
    await deliverAll();

    for (const kind of KIND_NAMES) {
      const audience = NOTIFICATION_KINDS[kind].audience;
      const fields = sampleFields(kind, tag);
      const expected = renderMessage(kind, fields, `${base()}/act/${kind.toLowerCase()}`, `${base()}/preferences`);
      const [emailDelivery, smsDelivery] = await deliveriesOf(`${tag}-${kind}`);
      expect(emailDelivery).toMatchObject({ channel: 'EMAIL', status: 'SENT', address: r.email[audience] });
      expect(smsDelivery).toMatchObject({ channel: 'SMS', status: 'SENT', address: r.phone[audience] });

      // SMTP: the server received it, addressed and headed as sent.
      const got = mail.to(r.email[audience]).filter((m) => m.mail.headers.get('x-shortbreaks-kind') === kind);
      expect(got, kind).toHaveLength(1);
      const m = got[0]!.mail;
      expect(got[0]!.from).toBe('short-breaks@downland.gov.uk');
      expect(m.from?.value).toEqual([{ name: 'Downland short breaks', address: 'short-breaks@downland.gov.uk' }]);
      expect(m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : null).toEqual([r.email[audience]]);
      expect(m.subject).toBe(expected.subject);
      expect(m.messageId).toBe(`<${emailDelivery!.id}@downland.gov.uk>`);
      expect(emailDelivery!.providerRef).toBe(m.messageId);
      expect(m.headers.get('auto-submitted')).toBe('auto-generated');
      expect(m.text?.trim()).toBe(expected.text.trim());
      for (const value of Object.values(fields)) expect(`${m.subject}\n${m.text}`, `${kind} states ${value}`).toContain(value);
      expect(m.text).toContain(`Open: ${base()}/act/${kind.toLowerCase()}`);
      expect(m.text).toContain(`${base()}/preferences`);

      // Notify: the generic SMS template, personalised with the kind's fields and the rendered text.
      const sms = notifyApi.accepted.find((n) => n.reference === smsDelivery!.id);
      expect(sms, kind).toBeDefined();
      expect(sms).toMatchObject({ type: 'sms', templateId: templates.sms, to: r.phone[audience], jwt: { iss: notifyApi.serviceId } });
      expect(sms!.body).toBe(expected.sms);
      expect(sms!.body).toContain(`${base()}/act/${kind.toLowerCase()}`);
      expect(sms!.personalisation).toMatchObject({ ...fields, subject: expected.subject, link: `${base()}/act/${kind.toLowerCase()}` });
      expect(smsDelivery!.providerRef).toBe(sms!.id);
    }
    expect(notifyApi.refused.filter((x) => x.path.includes('notifications'))).toEqual([]);
    // Every kind is a notification that says it was sent.
    const notes = await db().notification.findMany({ where: { dedupeKey: { startsWith: `${tag}-` } } });
    expect(notes).toHaveLength(KIND_NAMES.length);
    expect(notes.every((n) => n.status === 'SENT' && n.sentAt)).toBe(true);
  });

  it('goes by email through GOV.UK Notify too: the generic template, or the kind’s own with its fields as placeholders', async () => {
    const r = await recipients();
    const tag = uid();
    useNotify(['EMAIL', 'SMS'], { BREAK_REMINDER: { email: templates.reminderEmail } });
    await writeEveryKind(r, tag);
    await deliverAll();
    for (const kind of KIND_NAMES) {
      const audience = NOTIFICATION_KINDS[kind].audience;
      const fields = sampleFields(kind, tag);
      const link = `${base()}/act/${kind.toLowerCase()}`;
      const expected = renderMessage(kind, fields, link, `${base()}/preferences`);
      const [emailDelivery] = await deliveriesOf(`${tag}-${kind}`);
      expect(emailDelivery, kind).toMatchObject({ status: 'SENT' });
      const sent = notifyApi.accepted.find((n) => n.reference === emailDelivery!.id)!;
      expect(sent, kind).toBeDefined();
      expect(sent).toMatchObject({ type: 'email', to: r.email[audience], jwt: { iss: notifyApi.serviceId } });
      expect(sent.personalisation).toMatchObject(fields);
      if (kind === 'BREAK_REMINDER') {
        expect(sent.templateId).toBe(templates.reminderEmail);
        expect(sent.subject).toBe(`Reminder: ${fields.child_name} ${fields.when}`);
        expect(sent.body).toBe(`${fields.child_name} goes to ${fields.provider_name} on ${fields.break_date} at ${fields.start_time}. ${fields.pickup} ${link}`);
      } else {
        expect(sent.templateId).toBe(templates.email);
        expect(sent.subject).toBe(expected.subject);
        expect(sent.body).toBe(`${expected.personalisation.body}\n\n${link}`);
      }
    }
  });
});

describe('when delivery goes wrong', () => {
  async function oneMessage(r: Recipients, kind: NotificationKind = 'SWAP_PROPOSED', channels = 'BOTH') {
    const tag = uid();
    await db().notificationPreference.upsert({
      where: { recipientRole_recipientId: { recipientRole: 'FAMILY', recipientId: r.familyId } },
      create: { recipientRole: 'FAMILY', recipientId: r.familyId, channels: { [kind]: channels } },
      update: { channels: { [kind]: channels } },
    });
    await transaction((tx) => notify(tx, { kind, dedupeKey: `${tag}-one`, recipientRole: 'FAMILY', recipientId: r.familyId, fields: sampleFields(kind, tag), link: '/family#swaps' }));
    await delivery.routePendingNotifications(500);
    return `${tag}-one`;
  }

  it('retries a Notify 500 with backoff and sends it once', async () => {
    const r = await recipients();
    useNotify(['EMAIL', 'SMS']);
    const key = await oneMessage(r, 'SWAP_PROPOSED', 'SMS');
    notifyApi.failNext(500, 'Exception', 'Internal server error');
    const before = Date.now();
    await delivery.sendDueDeliveries(500);
    const [sms] = await deliveriesOf(key);
    expect(sms).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(sms!.lastError).toContain('Notify 500: Exception: Internal server error');
    // Not before the first backoff (30 s).
    expect(sms!.notBefore.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    await delivery.sendDueDeliveries(500);
    expect((await deliveriesOf(key))[0]!.status).toBe('PENDING');
    await delivery.sendDueDeliveries(500, new Date(Date.now() + 31_000));
    const [after] = await deliveriesOf(key);
    expect(after).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(notifyApi.accepted.filter((n) => n.reference === after!.id)).toHaveLength(1);
  });

  it('records a permanent refusal (Notify 400), stops retrying, and tells the coordinators by email and in the pages', async () => {
    const r = await recipients();
    await db().family.update({ where: { id: r.familyId }, data: { phone: '01273 000000' } }); // a landline: Notify refuses it
    useNotify(['SMS']);
    setChannelTransport('EMAIL', smtpTransport(mail.url, FROM));
    const key = await oneMessage(r, 'BOOKING_CANCELLED', 'SMS');
    await delivery.sendDueDeliveries(500);
    const [sms] = await deliveriesOf(key);
    expect(sms).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(sms!.lastError).toBe('Notify 400: ValidationError: phone_number Not a UK mobile number');
    expect((await db().notification.findUniqueOrThrow({ where: { dedupeKey: key } })).status).toBe('FAILED');
    // Never tried again.
    await delivery.sendDueDeliveries(500, new Date(Date.now() + 3 * 3600_000));
    expect((await deliveriesOf(key))[0]!.attempts).toBe(1);

    await deliverAll();
    const alert = mail.to(r.email.COORDINATOR).find((m) => m.mail.headers.get('x-shortbreaks-kind') === 'DELIVERY_FAILED');
    expect(alert?.mail.subject).toMatch(/^Undeliverable text message: .+ is cancelled$/);
    expect(alert?.mail.text).toContain('phone_number Not a UK mobile number');
    expect(alert?.mail.text).toContain('(01273 000000)');
    expect(alert?.mail.text).toContain(`${base()}/coordinator/messages`);

    const failed = await get(`/v1/notifications?status=FAILED`, r.coordinatorToken);
    expect(failed.status).toBe(200);
    const row = failed.body.items.find((n: { subject: string; recipientId: string }) => n.recipientId === r.familyId);
    expect(row).toMatchObject({ kind: 'BOOKING_CANCELLED', status: 'FAILED', deliveries: [{ channel: 'SMS', status: 'FAILED', address: '01273 000000' }] });
    // Another authority's coordinators see none of it.
    const other = await makeAuthority();
    const theirs = await get(`/v1/notifications?status=FAILED`, other.coordinatorToken);
    expect(theirs.body.items.some((n: { recipientId: string }) => n.recipientId === r.familyId)).toBe(false);
  });

  it('treats an SMTP 5xx as permanent and a 4xx as worth retrying', async () => {
    const r = await recipients();
    setChannelTransport('EMAIL', smtpTransport(mail.url, FROM));
    const permanent = await oneMessage(r, 'SWAP_PROPOSED', 'EMAIL');
    mail.refuseNext(550, 'Mailbox unavailable', r.email.FAMILY);
    await delivery.sendDueDeliveries(500);
    expect((await deliveriesOf(permanent))[0]).toMatchObject({ status: 'FAILED' });
    expect((await deliveriesOf(permanent))[0]!.lastError).toMatch(/^SMTP 550/);

    const transient = await oneMessage(r, 'SWAP_ANSWERED', 'EMAIL');
    mail.refuseNext(451, 'Try again later', r.email.FAMILY);
    await delivery.sendDueDeliveries(500);
    expect((await deliveriesOf(transient))[0]).toMatchObject({ status: 'PENDING', attempts: 1 });
    await delivery.sendDueDeliveries(500, new Date(Date.now() + 31_000));
    expect((await deliveriesOf(transient))[0]).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(mail.to(r.email.FAMILY).filter((m) => m.mail.headers.get('x-shortbreaks-kind') === 'SWAP_ANSWERED')).toHaveLength(1);
  });

  it('does not send again a message Notify accepted before the sender died: it asks Notify by reference', async () => {
    const r = await recipients();
    useNotify(['SMS']);
    const key = await oneMessage(r, 'SWAP_PROPOSED', 'SMS');
    await delivery.sendDueDeliveries(500);
    const [sent] = await deliveriesOf(key);
    expect(sent!.status).toBe('SENT');
    const posts = notifyApi.posts;
    // As a worker that died after Notify's 201 and before recording it leaves the row.
    await db().notificationDelivery.update({ where: { id: sent!.id }, data: { status: 'SENDING', claimedAt: new Date(Date.now() - 10 * 60_000), providerRef: null, sentAt: null } });
    await delivery.sendDueDeliveries(500);
    const [again] = await deliveriesOf(key);
    expect(again).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(again!.providerRef).toBe(notifyApi.accepted.find((n) => n.reference === sent!.id)!.id);
    expect(notifyApi.posts).toBe(posts);
    expect(notifyApi.accepted.filter((n) => n.reference === sent!.id)).toHaveLength(1);
  });
});

describe('preferences', () => {
  it('lets a family choose per kind, refuses to turn off a required notice, and keeps texts out of quiet hours', async () => {
    const r = await recipients();
    const initial = await get('/v1/notification-preferences', r.familyToken);
    expect(initial.status).toBe(200);
    const kinds = initial.body.kinds.map((k: { kind: string }) => k.kind);
    expect(kinds).toContain('BREAK_REMINDER');
    expect(kinds).not.toContain('ARRIVALS_TOMORROW');
    expect(initial.body.kinds.find((k: { kind: string }) => k.kind === 'BOOKING_CANCELLED')).toMatchObject({ required: true, channel: 'BOTH' });

    const refused = expectProblem(await patch('/v1/notification-preferences', r.familyToken, { channels: { BOOKING_CANCELLED: 'NONE', BREAK_REMINDER: 'SMS' } }), 400, 'VALIDATION_FAILED');
    expect(refused.errors).toEqual([{ path: 'channels.BOOKING_CANCELLED', message: expect.stringContaining('always sent') }]);
    expectProblem(await patch('/v1/notification-preferences', r.familyToken, { channels: { ARRIVALS_TOMORROW: 'EMAIL' } }), 400, 'VALIDATION_FAILED');
    expectProblem(await patch('/v1/notification-preferences', r.familyToken, { quietHours: { start: '25:00', end: '08:00' } }), 400);
    expectProblem(await patch('/v1/notification-preferences', r.familyToken, { channels: { BREAK_REMINDER: 'PIGEON' } }), 400);
    // Nothing was changed by the refusals.
    expect((await get('/v1/notification-preferences', r.familyToken)).body).toEqual(initial.body);

    const saved = await patch('/v1/notification-preferences', r.familyToken, { channels: { BREAK_REMINDER: 'SMS', SWAP_PROPOSED: 'NONE' }, quietHours: { start: '21:00', end: '08:00' } });
    expect(saved.status).toBe(200);
    expect(saved.body.quietHours).toEqual({ start: '21:00', end: '08:00' });
    expect(saved.body.kinds.find((k: { kind: string }) => k.kind === 'BREAK_REMINDER').channel).toBe('SMS');

    const tag = uid();
    const write = (kind: NotificationKind) =>
      transaction((tx) => notify(tx, { kind, dedupeKey: `${tag}-${kind}`, recipientRole: 'FAMILY', recipientId: r.familyId, fields: sampleFields(kind, tag), link: '/family' }));
    await write('BREAK_REMINDER');
    await write('SWAP_PROPOSED');
    await write('BOOKING_CANCELLED');
    // Routed at 22:30 London: texts wait for 08:00 the next morning; email goes at once.
    const lateEvening = londonWallTimeToInstant('2027-03-10', '22:30');
    await delivery.routePendingNotifications(500, lateEvening);
    const reminder = await deliveriesOf(`${tag}-BREAK_REMINDER`);
    expect(reminder.map((d) => d.channel)).toEqual(['SMS']);
    expect(reminder[0]!.notBefore).toEqual(londonWallTimeToInstant('2027-03-11', '08:00'));
    expect(await deliveriesOf(`${tag}-SWAP_PROPOSED`)).toEqual([]);
    const cancelled = await deliveriesOf(`${tag}-BOOKING_CANCELLED`);
    expect(cancelled.map((d) => [d.channel, d.notBefore.getTime()])).toEqual([
      ['EMAIL', lateEvening.getTime()],
      ['SMS', londonWallTimeToInstant('2027-03-11', '08:00').getTime()],
    ]);
  });

  it('sends a required notice to whoever has no address for the chosen channel by the other one, and tells the coordinator when there is none', async () => {
    const r = await recipients();
    setChannelTransport('EMAIL', smtpTransport(mail.url, FROM));
    await db().family.update({ where: { id: r.familyId }, data: { phone: null } });
    await patch('/v1/notification-preferences', r.familyToken, { channels: { BOOKING_CANCELLED: 'SMS' } });
    const tag = uid();
    await transaction((tx) => notify(tx, { kind: 'BOOKING_CANCELLED', dedupeKey: `${tag}-a`, recipientRole: 'FAMILY', recipientId: r.familyId, fields: sampleFields('BOOKING_CANCELLED', tag), link: '/family' }));
    await deliverAll();
    expect((await deliveriesOf(`${tag}-a`)).map((d) => [d.channel, d.status])).toEqual([['EMAIL', 'SENT']]);

    await db().family.update({ where: { id: r.familyId }, data: { email: null } });
    await transaction((tx) => notify(tx, { kind: 'BOOKING_CANCELLED', dedupeKey: `${tag}-b`, recipientRole: 'FAMILY', recipientId: r.familyId, fields: sampleFields('BOOKING_CANCELLED', tag), link: '/family' }));
    await deliverAll();
    expect((await deliveriesOf(`${tag}-b`)).map((d) => [d.channel, d.status])).toEqual([['SMS', 'SKIPPED']]);
    expect((await db().notification.findUniqueOrThrow({ where: { dedupeKey: `${tag}-b` } })).status).toBe('FAILED');
    const alert = mail.to(r.email.COORDINATOR).find((m) => m.mail.headers.get('x-shortbreaks-kind') === 'DELIVERY_FAILED');
    expect(alert?.mail.text).toContain('no mobile number on record');
  });
});
