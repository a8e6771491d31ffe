/**
 * Each person chooses how they are told, whoever else is in their family:
 * two carers of one family choose differently (Alex by email only; Bo by
 * text only, on Bo's own mobile, with quiet hours at night), and a third
 * (Cam) turns off everything that can be turned off. A place offered from the
 * waiting list and the reminders before a break reach each of them as they
 * chose, through the real SMTP server and the local GOV.UK Notify endpoint;
 * a break cancelled (a notice the authority must give) still reaches Cam.
 * Each person gets one delivery per channel however often the sweeper runs,
 * and the family's own shared address, which its carers have replaced, gets
 * nothing. A provider's manager and staff choose apart in the same way.
 */
import { vi } from 'vitest';

// The break lies beyond other files' slot horizons (and so out of their reminder scans' windows).
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { KIND_NAMES, NOTIFICATION_KINDS } from '../../src/domain/notification-kinds.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { sendDueReminders } from '../../src/services/scheduled-notifications.js';
import { promoteWaitlist } from '../../src/services/waitlist.js';
import { expectProblem, get, patch, post } from '../support/api.js';
import { book, makeSlot } from '../support/booking-helpers.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday, londonToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { useMessageTransports } from '../support/message-transports.js';
import { makePerson, personToken } from '../support/people.js';
import { pageBrowser } from '../support/web-browser.js';

process.env.QUEUE_PREFIX = `sbpeople${randomUUID().slice(0, 8)}`;

const { deliverAll, mailOf, textsTo } = useMessageTransports();

afterAll(closeConnections);

const familyKinds = KIND_NAMES.filter((k) => NOTIFICATION_KINDS[k].audience === 'FAMILY');
const every = (choice: string, only: (k: (typeof familyKinds)[number]) => boolean = () => true) => Object.fromEntries(familyKinds.filter(only).map((k) => [k, choice]));

describe('each carer is told as they chose', () => {
  it('two carers of one family: one by email only, one by text only with quiet hours; a required notice still reaches the carer who turned everything off', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Seaview ${uid()}`, operatorAuthorityId: authority.id });
    const unit = `unit-${uid()}@example.org`;
    await db().provider.update({ where: { id: provider.id }, data: { email: unit } });
    const { family, familyToken } = await makeFamily(authority.id);
    // The family's shared contacts from before it had carers of its own.
    const familyEmail = `family-${uid()}@example.org`;
    const familyPhone = `07700 7${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    await db().family.update({ where: { id: family.id }, data: { email: familyEmail, phone: familyPhone } });
    const child = await makeChild(family.id, authority.id, { periodEnd: daysFromToday(800) });

    const alex = await makePerson(`Alex ${uid()}`);
    const bo = await makePerson(`Bo ${uid()}`);
    const cam = await makePerson(`Cam ${uid()}`);
    const carer = { role: 'CARER', familyId: family.id } as const;
    const [alexToken, boToken, camToken] = [await personToken(alex, carer), await personToken(bo, carer), await personToken(cam, carer)];
    const boMobile = `07700 6${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;

    // Alex: email for everything. Bo: texts for everything, on Bo's own mobile, none between 21:00 and 08:00.
    expect((await patch('/v1/notification-preferences', alexToken, { channels: every('EMAIL') })).status).toBe(200);
    const boPrefs = await patch('/v1/notification-preferences', boToken, { channels: every('SMS'), quietHours: { start: '21:00', end: '08:00' }, mobile: boMobile });
    expect(boPrefs.status, JSON.stringify(boPrefs.body)).toBe(200);
    expect(boPrefs.body).toMatchObject({ person: { name: bo.name, email: bo.email, mobile: boMobile }, quietHours: { start: '21:00', end: '08:00' } });
    expect(boPrefs.body.kinds.find((k: { kind: string }) => k.kind === 'BREAK_REMINDER')).toMatchObject({ channel: 'SMS' });
    // Cam turns off what can be turned off; a required notice cannot be.
    expectProblem(await patch('/v1/notification-preferences', camToken, { channels: { BOOKING_CANCELLED: 'NONE' } }), 400);
    expect((await patch('/v1/notification-preferences', camToken, { channels: every('NONE', (k) => !NOTIFICATION_KINDS[k].required) })).status).toBe(200);
    // Each carer's choices are their own: Alex's are untouched by Bo's and Cam's.
    const alexPrefs = await get('/v1/notification-preferences', alexToken);
    expect(alexPrefs.body).toMatchObject({ person: { name: alex.name, mobile: null }, quietHours: null });
    expect(alexPrefs.body.kinds.every((k: { channel: string }) => k.channel === 'EMAIL')).toBe(true);
    // A credential without a person sets the family's defaults, and has no mobile of its own.
    expect((await get('/v1/notification-preferences', familyToken)).body.person).toBeNull();
    expectProblem(await patch('/v1/notification-preferences', familyToken, { mobile: '07700 900000' }), 400);
    expectProblem(await patch('/v1/notification-preferences', boToken, { mobile: 'call me' }), 400);

    // A place frees up and is offered (delivered at midday, outside Bo's quiet hours).
    const midday = londonWallTimeToInstant(londonToday(), '12:00');
    const holder = await makeFamily(authority.id);
    const holderChild = await makeChild(holder.family.id, authority.id);
    const slot = await makeSlot(provider.id, daysFromToday(15), { places: 1 });
    const held = await book(coordinatorToken, holderChild.id, slot.id);
    expect((await post('/v1/waitlist', coordinatorToken, { childId: child.id, slotId: slot.id })).status).toBe(201);
    expect((await post(`/v1/bookings/${held.id}/cancel`, holder.familyToken, { reason: 'Away' })).status).toBe(200);
    expect(await promoteWaitlist(slot.id)).toHaveLength(1);
    await deliverAll(midday);
    await deliverAll(midday);
    expect(mailOf(alex.email, 'PLACE_OFFERED').map((m) => m.mail.subject)).toEqual([`A short-break place is available for ${child.firstName}`]);
    expect(textsTo(boMobile).map((t) => t.body)).toEqual([expect.stringContaining(`is held for ${child.firstName} until`)]);
    expect(textsTo(boMobile)[0]!.body).toContain('/family#offers');
    expect(mailOf(bo.email, 'PLACE_OFFERED')).toHaveLength(0);
    expect(mailOf(cam.email, 'PLACE_OFFERED')).toHaveLength(0);
    expect(mailOf(familyEmail, 'PLACE_OFFERED')).toHaveLength(0);
    expect(textsTo(familyPhone)).toHaveLength(0);

    // The reminders before a break of the child's, on the default timetable (two days before at 18:00, the morning at 07:30).
    const day = daysFromToday(600 + Math.floor(Math.random() * 60));
    const breakSlot = await makeSlot(provider.id, day, { startTime: '17:00' });
    const booking = await insertBooking(breakSlot, child);
    const at = (d: string, time: string) => londonWallTimeToInstant(d, time);
    const evening = at(addDays(day, -2), '18:00');
    await sendDueReminders(evening);
    await deliverAll(evening);
    expect(mailOf(alex.email, 'BREAK_REMINDER').map((m) => m.mail.subject)).toEqual([`Reminder: ${child.firstName}'s short break in 2 days`]);
    const remindersToBo = () => textsTo(boMobile).filter((t) => t.body.startsWith('Reminder:'));
    expect(remindersToBo().map((t) => t.body)).toEqual([expect.stringContaining('starts in 2 days at 17:00')]);

    // 07:30 on the day is inside Bo's quiet hours: Alex's email goes, Bo's text waits until 08:00, and goes once.
    const morning = at(day, '07:30');
    await sendDueReminders(morning);
    await deliverAll(morning);
    expect(mailOf(alex.email, 'BREAK_REMINDER').map((m) => m.mail.subject)).toContain(`Reminder: ${child.firstName}'s short break today`);
    expect(remindersToBo()).toHaveLength(1);
    const held0730 = await db().notificationDelivery.findFirstOrThrow({ where: { personId: (await db().person.findUniqueOrThrow({ where: { email: bo.email } })).id, notification: { dedupeKey: `reminder-${booking.id}-0d0730` } } });
    expect(held0730).toMatchObject({ channel: 'SMS', status: 'PENDING', notBefore: at(day, '08:00') });
    await deliverAll(at(day, '08:00'));
    await deliverAll(at(day, '08:05'));
    expect(remindersToBo().map((t) => t.body)).toEqual([expect.stringContaining('in 2 days'), expect.stringContaining('today')]);
    for (const p of [bo, cam]) expect(mailOf(p.email, 'BREAK_REMINDER')).toHaveLength(0);
    expect(mailOf(familyEmail, 'BREAK_REMINDER')).toHaveLength(0);

    // The coordinator cancels the break: a notice every carer gets, Cam too, by email and (Cam has no mobile) on the family's number.
    const daytime = at(addDays(day, -1), '12:00');
    expect((await post(`/v1/bookings/${booking.id}/cancel`, coordinatorToken, { reason: 'Staff shortage at the unit' })).status).toBe(200);
    await deliverAll(daytime);
    await deliverAll(daytime);
    const subject = `${child.firstName}'s short break on `;
    expect(mailOf(cam.email, 'BOOKING_CANCELLED').map((m) => m.mail.subject)).toEqual([expect.stringContaining(subject)]);
    expect(textsTo(familyPhone).map((t) => t.body)).toEqual([expect.stringContaining('is cancelled')]);
    expect(mailOf(alex.email, 'BOOKING_CANCELLED')).toHaveLength(1);
    expect(mailOf(bo.email, 'BOOKING_CANCELLED')).toHaveLength(0);
    expect(textsTo(boMobile).filter((t) => t.body.includes('is cancelled'))).toHaveLength(1);
    expect(mailOf(familyEmail, 'BOOKING_CANCELLED')).toHaveLength(0);
    // The provider has no member people: its shared address is told, as before.
    expect(mailOf(unit, 'PROVIDER_BOOKING_CANCELLED').filter((m) => m.mail.text?.includes('cancelled by the coordinator'))).toHaveLength(1);

    // One delivery per person per channel, all sent; the database refuses a second one.
    const cancelled = await db().notification.findFirstOrThrow({ where: { dedupeKey: `cancelled-${booking.id}-family` }, include: { deliveries: { include: { person: { select: { name: true } } } } } });
    expect(cancelled.deliveries.map((d) => `${d.person?.name} ${d.channel} ${d.address} ${d.status}`).sort()).toEqual(
      [`${alex.name} EMAIL ${alex.email} SENT`, `${bo.name} SMS ${boMobile} SENT`, `${cam.name} EMAIL ${cam.email} SENT`, `${cam.name} SMS ${familyPhone} SENT`].sort(),
    );
    const again = cancelled.deliveries[0]!;
    await expect(db().notificationDelivery.create({ data: { notificationId: cancelled.id, personId: again.personId, channel: again.channel, address: again.address } })).rejects.toThrow();

    // Each carer reads the family's messages with their own deliveries only.
    const mine = await get('/v1/notifications?limit=50', alexToken);
    const alexId = (await db().person.findUniqueOrThrow({ where: { email: alex.email } })).id;
    expect(mine.body.items.flatMap((n: { deliveries: { personId: string | null }[] }) => n.deliveries.map((d) => d.personId)).every((id: string | null) => id === alexId || id === null)).toBe(true);

    // The preferences page says whose choices it edits.
    const b = pageBrowser();
    await b.signIn(boToken);
    const page = await b.request('/preferences');
    expect(page.status).toBe(200);
    expect(page.html).toContain(`These are your own choices, ${bo.name}`);
    expect(page.html).toContain('Other parents and carers of your family choose their own.');
    expect(page.html).toContain(`value="${boMobile}"`);
  });

  it('a provider’s manager and staff each choose: the manager by email, a staff member by text on their own mobile; the unit’s shared inbox gets nothing once it has people', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Birch ${uid()}`, operatorAuthorityId: authority.id });
    const unit = `unit-${uid()}@example.org`;
    await db().provider.update({ where: { id: provider.id }, data: { email: unit } });
    const manager = await makePerson(`Manager ${uid()}`);
    const staff = await makePerson(`Staff ${uid()}`);
    await personToken(manager, { role: 'PROVIDER_MANAGER', providerId: provider.id });
    const staffToken = await personToken(staff, { role: 'PROVIDER_STAFF', providerId: provider.id });
    const staffMobile = `07700 5${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    expect((await patch('/v1/notification-preferences', staffToken, { channels: { PROVIDER_BOOKING_CANCELLED: 'SMS' }, mobile: staffMobile })).status).toBe(200);

    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const booking = await book(coordinatorToken, child.id, (await makeSlot(provider.id, daysFromToday(20))).id);
    expect((await post(`/v1/bookings/${booking.id}/cancel`, coordinatorToken, { reason: 'Unit closed for repairs' })).status).toBe(200);
    await deliverAll(londonWallTimeToInstant(londonToday(), '12:00'));

    expect(mailOf(manager.email, 'PROVIDER_BOOKING_CANCELLED').map((m) => m.mail.text)).toEqual([expect.stringContaining('cancelled by the coordinator')]);
    expect(textsTo(staffMobile).map((t) => t.body)).toEqual([expect.stringContaining(child.firstName)]);
    expect(mailOf(staff.email, 'PROVIDER_BOOKING_CANCELLED')).toHaveLength(0);
    expect(mailOf(unit, 'PROVIDER_BOOKING_CANCELLED')).toHaveLength(0);
    const page = pageBrowser();
    await page.signIn(staffToken);
    expect((await page.request('/preferences')).html).toContain('Your colleagues choose their own.');
  });
});
