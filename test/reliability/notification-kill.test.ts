/**
 * Notifications survive their worker being killed (SIGKILL, no goodbye):
 *
 * - Reminders come from a BullMQ job scheduler kept in Redis: a worker is
 *   killed, a break is booked while none runs, and the next worker sends the
 *   family its reminder (email through a real SMTP server, text through the
 *   GOV.UK Notify client to a local Notify endpoint), once, with the pick-up time.
 * - A worker killed after Notify accepted a text but before it recorded that:
 *   the next worker asks Notify by reference and does not send it again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { queue } from '../../src/jobs/queues.js';
import { notify } from '../../src/services/notifications.js';
import { transaction } from '../../src/services/tx.js';
import { makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { startMailServer } from '../support/mail-server.js';
import { GENERIC_EMAIL_TEMPLATE, GENERIC_SMS_TEMPLATE, startNotifyEndpoint } from '../support/notify-endpoint.js';
import { killHard, spawnWorker, waitFor } from '../support/workers.js';
import { insertBooking } from '../support/bookings.js';

const prefix = `sbnkill${randomUUID().slice(0, 8)}`;
process.env.QUEUE_PREFIX = prefix;

let mail: Awaited<ReturnType<typeof startMailServer>>;
let notifyApi: Awaited<ReturnType<typeof startNotifyEndpoint>>;
let env: Record<string, string>;
const started: ReturnType<typeof spawnWorker>[] = [];

beforeAll(async () => {
  mail = await startMailServer();
  notifyApi = await startNotifyEndpoint();
  env = {
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    JOB_LOCK_MS: '2000',
    DELIVERY_LOCK_MS: '2000',
    REMINDER_SCAN_MS: '1000',
    PUBLIC_BASE_URL: 'https://breaks.downland.gov.uk',
    NOTIFY_TRANSPORT: 'smtp',
    SMTP_URL: mail.url,
    NOTIFY_FROM: 'short-breaks@downland.gov.uk',
    SMS_TRANSPORT: 'govuk-notify',
    GOVUK_NOTIFY_API_KEY: notifyApi.apiKey,
    GOVUK_NOTIFY_BASE_URL: notifyApi.baseUrl,
    GOVUK_NOTIFY_EMAIL_TEMPLATE_ID: notifyApi.addTemplate(GENERIC_EMAIL_TEMPLATE),
    GOVUK_NOTIFY_SMS_TEMPLATE_ID: notifyApi.addTemplate(GENERIC_SMS_TEMPLATE),
  };
});

afterAll(async () => {
  await Promise.all(started.map(killHard));
  const q = queue('notifications');
  for (const id of ['break-reminders', 'arrivals-digest', 'behind-award']) await q.removeJobScheduler(id).catch(() => undefined);
  await q.obliterate({ force: true }).catch(() => undefined);
  await mail.close();
  await notifyApi.close();
  await closeConnections();
});

const start = () => {
  const w = spawnWorker(env);
  started.push(w);
  return w;
};

describe('notifications and a killed worker', { timeout: 420_000 }, () => {
  it('sends a break’s reminder from the job scheduler after the worker was killed and another started', async () => {
    const first = start();
    await waitFor('the reminder scheduler in Redis', async () => (await queue('notifications').getJobSchedulers()).some((s) => s.key === 'break-reminders'), 180_000);
    await killHard(first);

    // Booked while no worker runs: a break tomorrow at 17:00 with the minibus leaving at 15:30.
    const { authority } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Seaview ${uid()}` });
    const { family } = await makeFamily(authority.id);
    const email = `parent-${uid()}@example.org`;
    await db().family.update({ where: { id: family.id }, data: { email, phone: '07700 900321' } });
    const child = await makeChild(family.id, authority.id, { needsTransport: true });
    const slot = await makeSlot(provider.id, daysFromToday(1), { startTime: '17:00' });
    const booking = await insertBooking(slot, child);
    const vehicle = await db().vehicle.create({ data: { authorityId: authority.id, name: 'Minibus', seats: 6, wheelchairSpaces: 1, baseLat: 50.83, baseLng: -0.14 } });
    const run = await db().transportRun.create({ data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt: new Date(slot.startsAt.getTime() - 90 * 60_000), returnAt: slot.startsAt } });
    await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: child.id } });

    start();
    const received = await waitFor('the reminder email', async () => mail.to(email).find((m) => m.mail.headers.get('x-shortbreaks-kind') === 'BREAK_REMINDER'), 180_000);
    expect(received.mail.subject).toBe(`Reminder: ${child.firstName}'s short break tomorrow`);
    expect(received.mail.text).toContain(`${child.firstName}'s break at ${provider.name} starts`);
    expect(received.mail.text).toContain('at 17:00');
    expect(received.mail.text).toContain('the minibus leaves the depot at 15:30');
    expect(received.mail.text).toContain('Open: https://breaks.downland.gov.uk/family');
    const sms = await waitFor('the reminder text', async () => notifyApi.accepted.find((n) => n.type === 'sms' && n.to === '07700 900321'), 180_000);
    expect(sms.body).toContain(`${child.firstName}'s short break at ${provider.name} starts tomorrow at 17:00`);
    expect(sms.body).toContain('15:30');

    // The scheduler keeps running; the reminder is not sent again.
    const q = queue('notifications');
    const done = await q.getCompletedCount();
    await waitFor('two more reminder scans', async () => (await q.getCompletedCount()) >= done + 2, 180_000);
    expect(mail.to(email).filter((m) => m.mail.headers.get('x-shortbreaks-kind') === 'BREAK_REMINDER')).toHaveLength(1);
    expect(notifyApi.accepted.filter((n) => n.to === '07700 900321')).toHaveLength(1);
    expect(await db().notification.count({ where: { dedupeKey: { startsWith: `reminder-${booking.id}-` } } })).toBe(1);
  });

  it('does not text twice when the worker dies after Notify accepted the message', async () => {
    for (const w of started) await killHard(w);
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const phone = '07700 900654';
    await db().family.update({ where: { id: family.id }, data: { phone } });
    await db().notificationPreference.create({ data: { recipientRole: 'FAMILY', recipientId: family.id, channels: { SWAP_ANSWERED: 'SMS' } } });
    const key = `kill-${uid()}`;
    await transaction((tx) =>
      notify(tx, { kind: 'SWAP_ANSWERED', dedupeKey: key, recipientRole: 'FAMILY', recipientId: family.id, fields: { child_name: 'Sam', your_break: 'Friday', answer: 'declined' }, link: '/family#swaps' }),
    );

    const hold = notifyApi.hold();
    const doomed = start();
    await hold.arrived; // Notify has the message; its answer is held back
    await killHard(doomed);
    hold.release();
    const row = await db().notificationDelivery.findFirstOrThrow({ where: { notification: { dedupeKey: key } } });
    expect(row.status).toBe('SENDING');

    start();
    const sent = await waitFor('the delivery recorded as sent', async () => {
      const d = await db().notificationDelivery.findFirstOrThrow({ where: { notification: { dedupeKey: key } } });
      return d.status === 'SENT' && d;
    }, 180_000);
    const accepted = notifyApi.accepted.filter((n) => n.reference === row.id);
    expect(accepted).toHaveLength(1);
    expect(sent.providerRef).toBe(accepted[0]!.id);
    expect(sent.attempts).toBe(2);
  });
});
