/**
 * The reminders before a break, on the default timetable (two days before at
 * 18:00 and the morning of the break, London time), as the family's phone and
 * inbox see them: nothing early, each reminder once however often the scan
 * runs, with the pick-up time, and none for a break cancelled in between. The
 * scan is what the BullMQ job scheduler runs (test/reliability/notification-kill.test.ts
 * runs it from the scheduler across a worker restart); here the clock is moved
 * by hand so the whole timetable fits in a test.
 */
import { vi } from 'vitest';

// The break lies beyond other files' slot horizons (and so out of their reminder scans' windows).
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { config, loadConfig } from '../../src/config.js';
import { db } from '../../src/db.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { afterQuietHours, parseReminderOffsets, reminderTimes, retryDelayMs } from '../../src/domain/notification-schedule.js';
import { sendDueReminders } from '../../src/services/scheduled-notifications.js';
import { post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { useMessageTransports } from '../support/message-transports.js';

process.env.QUEUE_PREFIX = `sbremind${randomUUID().slice(0, 8)}`;

const transports = useMessageTransports();
const { deliverAll, mailOf, textsTo } = transports;

afterAll(closeConnections);

describe('reminders before a break', () => {
  it('come two days before at 18:00 and on the morning of the break, once each, with the pick-up time; a cancelled break gets no more', async () => {
    expect(config().BREAK_REMINDERS).toBe('2d@18:00,0d@07:30');
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Seaview ${uid()}` });
    const { family } = await makeFamily(authority.id);
    const email = `parent-${uid()}@example.org`;
    const phone = '07700 900777';
    await db().family.update({ where: { id: family.id }, data: { email, phone } });
    const child = await makeChild(family.id, authority.id, { needsTransport: true, periodEnd: daysFromToday(800) });
    const sibling = await makeChild(family.id, authority.id, { periodEnd: daysFromToday(800) });
    // A day of this test's own, far enough out that no other file's breaks are in the scan's window at these times.
    const day = daysFromToday(500 + Math.floor(Math.random() * 60));
    const slot = await makeSlot(provider.id, day, { startTime: '17:00' });
    const booking = await insertBooking(slot, child);
    const vehicle = await db().vehicle.create({ data: { authorityId: authority.id, name: 'Minibus', seats: 6, wheelchairSpaces: 1, baseLat: 50.83, baseLng: -0.14 } });
    const run = await db().transportRun.create({ data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt: londonWallTimeToInstant(day, '15:40'), returnAt: slot.startsAt } });
    await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: child.id } });
    const other = await insertBooking(slot, sibling);

    const at = (d: string, time: string) => londonWallTimeToInstant(d, time);
    const remindersOf = (bookingId: string) => db().notification.findMany({ where: { dedupeKey: { startsWith: `reminder-${bookingId}-` } }, orderBy: { createdAt: 'asc' } });
    const mails = () => mailOf(email, 'BREAK_REMINDER');

    // Three days before, and two days before at 17:59: nothing yet.
    for (const now of [at(addDays(day, -3), '12:00'), at(addDays(day, -2), '17:59')]) {
      await sendDueReminders(now);
      expect(await remindersOf(booking.id)).toHaveLength(0);
    }

    // Two days before at 18:00: the first reminder, for both children; scanning again sends nothing more.
    const evening = at(addDays(day, -2), '18:00');
    await sendDueReminders(evening);
    await sendDueReminders(new Date(evening.getTime() + 60_000));
    await sendDueReminders(at(addDays(day, -1), '09:00'));
    expect((await remindersOf(booking.id)).map((n) => n.dedupeKey)).toEqual([`reminder-${booking.id}-2d1800`]);
    expect(await remindersOf(other.id)).toHaveLength(1);
    await deliverAll(evening);
    expect(mails().map((m) => m.mail.subject)).toEqual(expect.arrayContaining([`Reminder: ${child.firstName}'s short break in 2 days`]));
    const first = mails().find((m) => m.mail.subject?.includes(child.firstName))!;
    expect(first.mail.text).toContain(`${child.firstName}'s break at ${provider.name} starts`);
    expect(first.mail.text).toContain('at 17:00');
    expect(first.mail.text).toContain('15:40');
    expect(textsTo(phone).filter((t) => t.body.includes(`${child.firstName}'s short break`)).map((t) => t.body)).toEqual([expect.stringContaining('starts in 2 days at 17:00')]);

    // The sibling's break is cancelled the day before.
    expect((await post(`/v1/bookings/${other.id}/cancel`, coordinatorToken, { reason: 'Poorly' })).status).toBe(200);

    // The morning of the break at 07:30: the second reminder, "today", for the break still on.
    await sendDueReminders(at(day, '07:29'));
    expect(await remindersOf(booking.id)).toHaveLength(1);
    const morning = at(day, '07:30');
    await sendDueReminders(morning);
    await sendDueReminders(at(day, '12:00'));
    expect((await remindersOf(booking.id)).map((n) => n.dedupeKey)).toEqual([`reminder-${booking.id}-2d1800`, `reminder-${booking.id}-0d0730`]);
    expect(await remindersOf(other.id)).toHaveLength(1);
    await deliverAll(morning);
    const today = mails().filter((m) => m.mail.subject === `Reminder: ${child.firstName}'s short break today`);
    expect(today).toHaveLength(1);
    expect(today[0]!.mail.text).toContain('15:40');
    expect(mails().filter((m) => m.mail.subject?.includes(sibling.firstName))).toHaveLength(1);

    // Once the break has started there is nothing to remind.
    await sendDueReminders(at(day, '18:00'));
    expect(await remindersOf(booking.id)).toHaveLength(2);
  });

  it('follow the timetable a council sets in BREAK_REMINDERS, keep to London time across the clock change, and a break booked late gets one reminder, not every one it missed', () => {
    expect(loadConfig({}).BREAK_REMINDERS).toBe('2d@18:00,0d@07:30');
    expect(loadConfig({ BREAK_REMINDERS: '1d@19:00' }).BREAK_REMINDERS).toBe('1d@19:00');
    expect(() => loadConfig({ BREAK_REMINDERS: 'two days before' })).toThrow(/BREAK_REMINDERS/);

    const offsets = parseReminderOffsets('7d@10:00,1d@19:00,0d@07:30');
    // 29 March 2027 is the Monday after the clocks go forward: 7 days before was still GMT.
    const start = londonWallTimeToInstant('2027-03-29', '17:00');
    expect(reminderTimes(start, offsets).map((r) => [r.key, r.dueAt.toISOString()])).toEqual([
      ['7d1000', '2027-03-22T10:00:00.000Z'],
      ['1d1900', '2027-03-28T18:00:00.000Z'],
      ['0d0730', '2027-03-29T06:30:00.000Z'],
    ]);
    // A break starting at 07:00 gets no "morning of" reminder after it has begun.
    expect(reminderTimes(londonWallTimeToInstant('2027-03-29', '07:00'), offsets).map((r) => r.key)).toEqual(['7d1000', '1d1900']);
    expect(parseReminderOffsets('')).toEqual([]);
  });

  it('hold texts in quiet hours until they end, and retry a failure after 30 s, doubling, at most an hour', () => {
    const q = (t: string) => afterQuietHours(londonWallTimeToInstant('2027-07-10', t), '21:00', '08:00').toISOString();
    expect(q('20:59')).toBe(londonWallTimeToInstant('2027-07-10', '20:59').toISOString());
    expect(q('21:00')).toBe(londonWallTimeToInstant('2027-07-11', '08:00').toISOString());
    expect(q('03:00')).toBe(londonWallTimeToInstant('2027-07-10', '08:00').toISOString());
    expect(q('08:00')).toBe(londonWallTimeToInstant('2027-07-10', '08:00').toISOString());
    // A daytime window (a parent at work) does not cross midnight.
    expect(afterQuietHours(londonWallTimeToInstant('2027-07-10', '10:00'), '09:00', '17:00')).toEqual(londonWallTimeToInstant('2027-07-10', '17:00'));
    expect(afterQuietHours(londonWallTimeToInstant('2027-07-10', '18:00'), '09:00', '17:00')).toEqual(londonWallTimeToInstant('2027-07-10', '18:00'));
    expect([1, 2, 3, 4, 8, 20].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000, 3600_000]);
  });
});
