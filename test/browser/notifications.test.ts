/**
 * "How we contact you" and the coordinator's undeliverable messages, in
 * Chromium: a parent, signed in as themselves, is told the choices are their
 * own, chooses texts only for reminders, quiet hours and their own mobile,
 * cannot turn off a required notice, and the coordinator sees a message Notify
 * refused, with the reason. axe-core on each page, on a phone too.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.QUEUE_PREFIX = `sbnotepages${Math.random().toString(36).slice(2, 10)}`;
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { recipientOf } from '../../src/services/notification-preferences.js';
import { notify } from '../../src/services/notifications.js';
import { transaction } from '../../src/services/tx.js';
import { PHONE, go, see, shot, startBrowserSession } from '../support/browser.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { makePerson, personToken } from '../support/people.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession('notifications');
});

afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('notification pages in Chromium', { timeout: 90_000 }, () => {
  it('lets a parent choose how each message reaches them, and shows the coordinator what could not be delivered', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    await db().family.update({ where: { id: family.id }, data: { email: 'family@example.org', phone: '07700 900111' } });
    const parent = await makePerson('Robin Parent');
    const parentToken = await personToken(parent, { role: 'CARER', familyId: family.id });
    const parentId = (await db().person.findUniqueOrThrow({ where: { email: parent.email } })).id;
    const saved = () => db().personNotificationPreference.findUnique({ where: { personId: parentId } });

    const page = await session.signIn(parentToken);
    await go(page.getByRole('link', { name: 'How we contact you' }));
    await see(page.locator('main'), 'These are your own choices, Robin Parent');
    await see(page.locator('main'), parent.email);
    // Until they give their own mobile, texts go to the family's number.
    await see(page.locator('main'), 'your family’s number, 07700 900111');
    const reminders = page.getByRole('group', { name: 'A reminder before each break' });
    await reminders.getByLabel('Text message', { exact: true }).check();
    // A required notice offers no "Do not send".
    const cancelled = page.getByRole('group', { name: 'A break cancelled' });
    await see(cancelled, 'always sent');
    expect(await cancelled.getByLabel('Do not send').count()).toBe(0);
    await page.getByRole('group', { name: 'A family asks to swap a break with you' }).getByLabel('Do not send').check();
    await page.getByLabel('From').fill('21:00');
    await page.getByLabel('Until').fill('08:00');
    await page.getByLabel('Your mobile number').fill('07700 900222');
    await session.expectAccessible(page, 'family-preferences');
    await page.setViewportSize(PHONE);
    await session.expectAccessible(page, 'family-preferences-phone');
    await go(page.getByRole('button', { name: 'Save my choices' }));
    await see(page.locator('main'), 'Your choices are saved.');
    await shot(page, 'family-preferences');
    expect(await saved()).toMatchObject({ channels: expect.objectContaining({ BREAK_REMINDER: 'SMS', SWAP_PROPOSED: 'NONE' }), quietHoursStart: '21:00', quietHoursEnd: '08:00' });
    expect((await db().person.findUniqueOrThrow({ where: { id: parentId } })).mobile).toBe('07700 900222');
    // The family's own choices, which carers who have not chosen follow, are untouched.
    expect(await db().notificationPreference.findUnique({ where: { recipientRole_recipientId: { recipientRole: 'FAMILY', recipientId: family.id } } })).toBeNull();

    // A bad time is explained and changes nothing.
    await page.getByLabel('From').fill('9pm');
    await go(page.getByRole('button', { name: 'Save my choices' }));
    await see(page.locator('.govuk-error-summary'), 'HH:MM');
    expect((await saved())?.quietHoursStart).toBe('21:00');
    await session.expectAccessible(page, 'family-preferences-error');

    // A text Notify refused, as the delivery worker records it.
    const n = await transaction(async (tx) => {
      await notify(tx, { kind: 'BOOKING_CANCELLED', dedupeKey: `pages-${family.id}`, recipientRole: 'FAMILY', recipientId: family.id, fields: { child_name: 'Sam', provider_name: 'Seaview', break_date: 'Friday 8 January 2027', reason: 'Unit closed for repairs' }, link: '/family' });
      return tx.notification.findUniqueOrThrow({ where: { dedupeKey: `pages-${family.id}` } });
    });
    await db().notification.update({ where: { id: n.id }, data: { status: 'FAILED', authorityId: authority.id } });
    await db().notificationDelivery.create({ data: { notificationId: n.id, channel: 'SMS', address: '07700 900111', status: 'FAILED', attempts: 1, lastError: 'Notify 400: BadRequestError: Can\'t send to this recipient using a team-only API key' } });

    const coordinator = await session.signIn(coordinatorToken);
    await go(coordinator.getByRole('link', { name: 'Messages' }));
    const failed = coordinator.getByRole('region', { name: 'Messages that could not be delivered' });
    await see(failed.getByRole('row', { name: new RegExp(family.name) }), "Can't send to this recipient using a team-only API key");
    await see(failed, "Sam's short break on Friday 8 January 2027 is cancelled");
    await session.expectAccessible(coordinator, 'coordinator-messages');
    await shot(coordinator, 'coordinator-messages');
    expect(recipientOf({ tokenId: 'x', role: 'COORDINATOR', authorityId: authority.id })).toEqual({ role: 'COORDINATOR', id: authority.id });
  });
});
