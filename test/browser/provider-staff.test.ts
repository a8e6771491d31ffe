/**
 * A provider manager's staff, as they would do it in the pages, on a 390 px
 * phone: the manager invites Sam as staff from the Staff page (a wrong address
 * shows the problem and sends nothing); the invitation arrives through a real
 * SMTP server; Sam follows the link, accepts, and sees the provider's arrivals;
 * the manager ends Sam's access from the same page; Sam's open session and
 * Sam's own API token stop working at once. Audit rows name the manager.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { setChannelTransport } from '../../src/services/notification-transports/index.js';
import { smtpTransport } from '../../src/services/notification-transports/smtp.js';
import { mintMembershipToken } from '../../src/services/tokens.js';
import { transaction } from '../../src/services/tx.js';
import { londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { insertBooking } from '../support/bookings.js';
import { go, nav, PHONE, see, shot, startBrowserSession } from '../support/browser.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { startMailServer, type MailServer } from '../support/mail-server.js';
import { makePerson, personToken } from '../support/people.js';

// This file's messages are its own deployment's, so files running in parallel never deliver them.
process.env.QUEUE_PREFIX = `sbstaff${randomUUID().slice(0, 8)}`;

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer();
  setChannelTransport('EMAIL', smtpTransport(mail.url, 'Short breaks <short-breaks@example.gov.uk>'));
  session = await startBrowserSession('provider-staff');
});
afterAll(async () => {
  await session?.close();
  await mail?.close();
  await closeConnections();
});

async function mailTo(to: string, subject: RegExp) {
  for (let i = 0; i < 20; i++) {
    await delivery.deliverPendingNotifications(500);
    const got = mail.to(to).filter((m) => subject.test(m.mail.subject ?? ''));
    if (got.length) return got.at(-1)!;
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

describe('a provider manager and their staff', { timeout: 180_000 }, () => {
  it('invites Sam from the Staff page; Sam accepts from the email and sees the arrivals; the manager ends Sam’s access and Sam’s session and token stop working', async () => {
    const { authority } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Seaview House ${uid()}` });
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id, { periodStart: daysFromToday(-30), periodEnd: daysFromToday(60) });
    // A child arriving today, at this provider only (its own place, reserved for its own authority). Slots are
    // generated from now on, so the place is made for tomorrow and moved to early today: at whatever time the
    // test runs, its break started today.
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(1), untilDate: daysFromToday(1), places: 1, reservedForAuthorityId: authority.id });
    const startsAt = londonWallTimeToInstant(daysFromToday(0), '00:30');
    const today = await db().slot.update({ where: { id: slots[0]!.id }, data: { localDate: daysFromToday(0), startsAt, endsAt: new Date(startsAt.getTime() + 10 * 3_600_000) } });
    await insertBooking(today, child);
    const manager = await makePerson('Morgan Manager');
    const managerToken = await personToken(manager, { role: 'PROVIDER_MANAGER', providerId: provider.id });
    const sam = { name: 'Sam Staff', email: `sam.staff-${uid()}@example.org` };

    const page = await session.signIn(managerToken, PHONE);
    await nav(page, 'Staff');
    const main = page.locator('main');
    await see(main, 'Morgan Manager');
    await page.getByLabel('Their name').fill(sam.name);
    await page.getByLabel('Their email address').fill('sam at example');
    await go(page.getByRole('button', { name: 'Send the invitation' }));
    await see(page.getByRole('alert'), 'There is a problem');
    expect(await page.getByLabel('Their name').inputValue()).toBe(sam.name);
    expect(await db().invitation.count({ where: { providerId: provider.id } })).toBe(0);
    await session.expectAccessible(page, 'provider-staff-invite-refused-phone');

    await page.getByLabel('Their email address').fill(sam.email);
    await page.getByLabel('Staff', { exact: true }).check();
    await go(page.getByRole('button', { name: 'Send the invitation' }));
    await see(page.getByRole('status'), 'The invitation is sent by email');
    await see(page.getByRole('region', { name: 'Who can sign in: invitations not yet accepted' }), sam.email);
    await session.expectAccessible(page, 'provider-staff-invited-phone');
    await shot(page, 'provider-staff-invited-phone');

    // Sam's email, through the real SMTP server.
    const invitation = await mailTo(sam.email, /invites you/);
    expect(invitation.mail.text).toContain(`staff of ${provider.name}`);
    const path = /https?:\/\/[^\s]+(\/invitations\/[A-Za-z0-9_-]{43})/.exec(invitation.mail.text ?? '')?.[1];
    expect(path).toBeTruthy();
    const samContext = await session.browser.newContext({ viewport: PHONE });
    const samPage = await samContext.newPage();
    await samPage.goto(`${session.server.url}${path}`);
    await see(samPage.locator('main'), `staff of ${provider.name}`);
    await session.expectAccessible(samPage, 'provider-staff-accept-phone');
    await go(samPage.getByRole('button', { name: 'Accept and sign in' }));
    await samPage.waitForURL((u) => u.pathname === '/provider');
    await see(samPage.locator('main'), 'Arriving (1)');
    await see(samPage.locator('main'), child.firstName);
    await session.expectAccessible(samPage, 'provider-staff-sam-arrivals-phone');
    await shot(samPage, 'provider-staff-sam-arrivals-phone');
    // Staff see who they work with, but may not invite or end anyone's access.
    await nav(samPage, 'Staff');
    await see(samPage.locator('main'), 'Your provider’s managers invite staff');
    expect(await samPage.getByRole('button', { name: 'Send the invitation' }).count()).toBe(0);

    // Sam's own integration token, through the same membership.
    const samMembership = await db().membership.findFirstOrThrow({ where: { providerId: provider.id, role: 'PROVIDER_STAFF', person: { email: sam.email } } });
    const samToken = await transaction(async (tx) => (await mintMembershipToken(tx, samMembership.id, { label: 'Rota sync' })).token);
    const asSam = (token: string) => fetch(`${session.server.url}/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect((await asSam(samToken)).status).toBe(200);

    // The manager ends Sam's access from the Staff page.
    await page.reload();
    await see(page.getByRole('region', { name: 'Who can sign in' }).first(), sam.name);
    await go(page.getByRole('button', { name: `End access for ${sam.name}` }));
    await see(page.getByRole('status'), 'Their access has ended');
    expect(await page.getByRole('button', { name: `End access for ${sam.name}` }).count()).toBe(0);
    await session.expectAccessible(page, 'provider-staff-ended-phone');
    await shot(page, 'provider-staff-ended-phone');

    // Sam's open page and token stop working on the next request.
    await samPage.goto(`${session.server.url}/provider`);
    await samPage.waitForURL((u) => u.pathname === '/');
    await see(samPage.locator('main'), 'Please sign in to continue');
    expect((await asSam(samToken)).status).toBe(401);
    const ended = await db().auditEvent.findFirstOrThrow({ where: { action: 'membership.ended', entityId: samMembership.id } });
    const managerRow = await db().person.findUniqueOrThrow({ where: { email: manager.email } });
    expect(ended).toMatchObject({ actorRole: 'PROVIDER', actorPersonId: managerRow.id });
    expect(ended.after).toMatchObject({ sessionsEnded: 1, tokensRevoked: 1 });
    await samContext.close();
    await page.context().close();
  });
});
