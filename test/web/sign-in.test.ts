/**
 * Signing in as a person, as they would: a coordinator invites a parent by
 * email; the invitation arrives through a real SMTP server; the parent follows
 * the link, accepts, and lands on their family's pages — only theirs. Later
 * they ask for a one-time sign-in link, which arrives the same way and works
 * once; a reused or expired link is refused with a page saying so. Audit rows
 * name the person and the session.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { setChannelTransport } from '../../src/services/notification-transports/index.js';
import { smtpTransport } from '../../src/services/notification-transports/smtp.js';
import { hashSecret } from '../../src/services/tokens.js';
import { mintAdminToken } from '../../src/services/people.js';
import { call } from '../support/api.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { startMailServer, type MailServer } from '../support/mail-server.js';
import { addTestMembership, makePerson, personToken } from '../support/people.js';
import { pageBrowser } from '../support/web-browser.js';

// This file's messages are its own deployment's, so files running in parallel never deliver them.
process.env.QUEUE_PREFIX = `sbsign${randomUUID().slice(0, 8)}`;

let mail: MailServer;
beforeAll(async () => {
  mail = await startMailServer();
  setChannelTransport('EMAIL', smtpTransport(mail.url, 'Short breaks <short-breaks@example.gov.uk>'));
});
afterAll(async () => {
  await mail.close();
  await closeConnections();
});

/** Deliver the outbox (the workers' sweeper does this every couple of seconds) until a mail for `to` about `subject` has arrived. */
async function mailTo(to: string, subject: RegExp) {
  for (let i = 0; i < 20; i++) {
    await delivery.deliverPendingNotifications(500);
    const got = mail.to(to).filter((m) => subject.test(m.mail.subject ?? ''));
    if (got.length) return got.at(-1)!;
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}
const linkIn = (m: { mail: { text?: string } }, path: string) => {
  const found = new RegExp(`https?://[^\\s]+(${path}/[A-Za-z0-9_-]{43})`).exec(m.mail.text ?? '');
  if (!found) throw new Error(`no ${path} link in: ${m.mail.text}`);
  return found[1]!;
};
const formOf = (html: string, field: string) => new RegExp(`name="${field}" value="([^"]+)"`).exec(html)?.[1] ?? '';

describe('a parent invited by their coordinator', () => {
  it('is invited from the child record page: a wrong address is refused and sends nothing, a right one arrives and lets them in', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const email = `robin.carer-${uid()}@example.org`;
    const coordinator = pageBrowser();
    await coordinator.signIn(coordinatorToken);
    const record = await coordinator.request(`/coordinator/children/${child.id}`);
    expect(record.status).toBe(200);
    expect(record.html).toContain('Invite a parent or carer');

    const wrong = await coordinator.request(`/coordinator/children/${child.id}/invitations`, { method: 'POST', form: { _csrf: coordinator.csrfOf(record.html), name: 'Robin Carer', email: 'robin at example' } });
    // The form again, with the problem and the answers kept (a refused form answers 400, as the API does).
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('There is a problem');
    expect(wrong.html).toContain('value="Robin Carer"');
    expect(await db().invitation.count({ where: { familyId: family.id } })).toBe(0);

    const sent = await coordinator.request(`/coordinator/children/${child.id}/invitations`, { method: 'POST', form: { _csrf: coordinator.csrfOf(record.html), name: 'Robin Carer', email } });
    expect(sent).toMatchObject({ status: 303, location: `/coordinator/children/${child.id}?done=invited` });
    const invitation = await mailTo(email, /invites you/);
    expect(invitation.mail.text).toContain(`a parent or carer of the ${family.name} family`);
    const carer = pageBrowser();
    const landing = await carer.request(linkIn(invitation, '/invitations'));
    const accepted = await carer.request('/invitations/accept', { method: 'POST', form: { _csrf: carer.csrfOf(landing.html), secret: formOf(landing.html, 'secret') } });
    expect(accepted).toMatchObject({ status: 303, location: '/family' });
    expect((await carer.request('/family')).html).toContain(child.firstName);

    // The record lists who can sign in; the coordinator ends Robin's access there, and Robin is signed out.
    const listed = await coordinator.request(`/coordinator/children/${child.id}`);
    expect(listed.html).toContain('Parents and carers who can sign in');
    const endAction = new RegExp(`action="(/coordinator/children/${child.id}/carers/[0-9a-f-]{36}/end)"`).exec(listed.html)?.[1];
    expect(endAction).toBeTruthy();
    expect(listed.html).toContain('End access<span class="govuk-visually-hidden"> for Robin Carer');
    expect(await coordinator.request(endAction!, { method: 'POST', form: { _csrf: coordinator.csrfOf(listed.html) } })).toMatchObject({ status: 303, location: `/coordinator/children/${child.id}?done=carerEnded` });
    expect(await carer.request('/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    expect((await coordinator.request(`/coordinator/children/${child.id}`)).html).not.toContain('for Robin Carer');
  });

  it('gets the invitation by email, accepts it, sees only their family, signs in again with an emailed link that works once', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const other = await makeFamily(authority.id);
    const otherChild = await makeChild(other.family.id, authority.id);
    const email = `Sam.Parent-${uid()}@Example.org`;

    const invited = await call('POST', '/v1/invitations', { token: coordinatorToken, body: { email, name: 'Sam Parent', familyId: family.id } });
    expect(invited.status).toBe(201);
    const invitation = await mailTo(email.toLowerCase(), /invites you/);
    expect(invitation.mail.text).toContain(`a parent or carer of the ${family.name} family`);
    const invitePath = linkIn(invitation, '/invitations');
    // Only the hash is kept, and the outbox drops its copy of the link once sent.
    const secret = invitePath.split('/').at(-1)!;
    expect(await db().invitation.count({ where: { secretHash: hashSecret(secret) } })).toBe(1);
    expect(JSON.stringify(await db().notification.findMany({ where: { recipientRole: 'INVITATION', recipientId: invited.body.id } }))).not.toContain(secret);

    const b = pageBrowser();
    const landing = await b.request(invitePath);
    expect(landing.status).toBe(200);
    expect(landing.html).toContain('Accept and sign in');
    const accepted = await b.request('/invitations/accept', { method: 'POST', form: { _csrf: b.csrfOf(landing.html), secret: formOf(landing.html, 'secret') } });
    expect(accepted).toMatchObject({ status: 303, location: '/family' });
    const home = await b.request('/family');
    expect(home.status).toBe(200);
    expect(home.html).toContain(child.firstName);
    expect(home.html).not.toContain(otherChild.firstName);
    expect((await b.request(`/family/children/${otherChild.id}/passport`)).status).toBe(404);
    // The invitation is used up: the same link again is refused with a page saying so.
    const again = await b.request(invitePath);
    expect(again.status).toBe(410);
    expect(again.html).toContain('This invitation has already been used');

    // What the parent does is audited as them, through their session.
    const person = await db().person.findUniqueOrThrow({ where: { email: email.toLowerCase() } });
    const page = await b.request('/preferences');
    const saved = await b.request('/preferences', { method: 'POST', form: { _csrf: b.csrfOf(page.html), quietStart: '21:00', quietEnd: '07:00' } });
    expect(saved.status).toBeLessThan(500);
    const session = await db().webSession.findFirstOrThrow({ where: { personId: person.id, endedAt: null }, orderBy: { createdAt: 'desc' } });
    const events = await db().auditEvent.findMany({ where: { actorPersonId: person.id } });
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.action !== 'invitation.accepted' && !e.action.startsWith('sign_in.')).every((e) => e.actorSessionId === session.id && e.actorRole === 'FAMILY')).toBe(true);
    // Accepting the invitation was a sign-in, audited as one with the session it started.
    expect(events.find((e) => e.action === 'sign_in.succeeded')).toMatchObject({ actorSessionId: session.id, after: { method: 'INVITATION' } });
    const invitedEvent = await db().auditEvent.findFirstOrThrow({ where: { action: 'invitation.created', entityId: invited.body.id } });
    expect(invitedEvent.actorTokenId).toBe(invitedEvent.actorId);

    // Another day: a sign-in link by email.
    const later = pageBrowser();
    const form = await later.request('/sign-in/email');
    const asked = await later.request('/sign-in/email', { method: 'POST', form: { _csrf: later.csrfOf(form.html), email: `  ${email.toUpperCase()} ` } });
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('Check your email');
    const signInMail = await mailTo(email.toLowerCase(), /link to sign in/);
    expect(signInMail.mail.text).toContain('15 minutes');
    const linkPath = linkIn(signInMail, '/sign-in/link');
    const opened = await later.request(linkPath);
    expect(opened.status).toBe(200);
    const used = await later.request('/sign-in/link', { method: 'POST', form: { _csrf: later.csrfOf(opened.html), secret: formOf(opened.html, 'secret') } });
    expect(used).toMatchObject({ status: 303, location: '/family' });
    expect((await later.request('/family')).html).toContain(child.firstName);

    // The same link again, in another browser: refused, with a clear page.
    const thief = pageBrowser();
    const reopened = await thief.request(linkPath);
    expect(reopened.status).toBe(410);
    expect(reopened.html).toContain('This sign-in link has already been used');
    const thiefForm = await thief.request('/sign-in/email');
    const reused = await thief.request('/sign-in/link', { method: 'POST', form: { _csrf: thief.csrfOf(thiefForm.html), secret: linkPath.split('/').at(-1)! } });
    expect(reused.status).toBe(410);
    expect((await thief.request('/family')).location).toBe('/?expired=1');
  }, 60_000);

  it('refuses an expired link, answers an unknown address as a known one, and sends no link to it', async () => {
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const person = await makePerson('Kim Carer');
    await addTestMembership(person, { role: 'CARER', familyId: family.id });
    const b = pageBrowser();
    const form = await b.request('/sign-in/email');
    await b.request('/sign-in/email', { method: 'POST', form: { _csrf: b.csrfOf(form.html), email: person.email } });
    const linkPath = linkIn(await mailTo(person.email, /link to sign in/), '/sign-in/link');
    await db().signInLink.updateMany({ where: { secretHash: hashSecret(linkPath.split('/').at(-1)!) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await b.request(linkPath);
    expect(expired.status).toBe(410);
    expect(expired.html).toContain('This sign-in link has expired');

    const nobody = `nobody-${uid()}@example.org`;
    const answer = await b.request('/sign-in/email', { method: 'POST', form: { _csrf: b.csrfOf(form.html), email: nobody } });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('Check your email');
    await delivery.deliverPendingNotifications(500);
    expect(mail.to(nobody)).toHaveLength(0);
    const bad = await b.request('/sign-in/email', { method: 'POST', form: { _csrf: b.csrfOf(form.html), email: 'not an address' } });
    expect(bad.status, `${bad.location} ${bad.html.slice(0, 300)}`).toBe(400);
    expect((await b.request('/sign-in/link/short')).status).toBe(404);
  }, 60_000);

  it('a person with two memberships chooses which to act as', async () => {
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const person = await makePerson('Alex Both');
    await addTestMembership(person, { role: 'CARER', familyId: family.id });
    await addTestMembership(person, { role: 'COORDINATOR', authorityId: authority.id });
    const b = pageBrowser();
    const form = await b.request('/sign-in/email');
    await b.request('/sign-in/email', { method: 'POST', form: { _csrf: b.csrfOf(form.html), email: person.email } });
    const linkPath = linkIn(await mailTo(person.email, /link to sign in/), '/sign-in/link');
    const opened = await b.request(linkPath);
    expect(await b.request('/sign-in/link', { method: 'POST', form: { _csrf: b.csrfOf(opened.html), secret: formOf(opened.html, 'secret') } })).toMatchObject({ status: 303, location: '/choose' });
    expect(await b.request('/family')).toMatchObject({ status: 303, location: '/choose' });
    const choose = await b.request('/choose');
    expect(choose.html).toContain(`Parent or carer, ${family.name}`);
    expect(choose.html).toContain(`Coordinator, ${authority.name}`);
    const coordinatorId = /value="([0-9a-f-]{36})"[^>]*>\s*<label[^>]*>Coordinator/.exec(choose.html)?.[1] ?? (await db().membership.findFirstOrThrow({ where: { role: 'COORDINATOR', person: { email: person.email } } })).id;
    expect(await b.request('/choose', { method: 'POST', form: { _csrf: b.csrfOf(choose.html), membershipId: coordinatorId } })).toMatchObject({ status: 303, location: '/coordinator' });
    expect((await b.request('/coordinator/ledger')).status).toBe(200);
  }, 60_000);

  it('a provider’s manager withdraws an invitation from the staff page before it is accepted: its link no longer works', async () => {
    const { provider } = await makeProvider('RESIDENTIAL');
    const manager = pageBrowser();
    await manager.signIn(await personToken(await makePerson('Mo Manager'), { role: 'PROVIDER_MANAGER', providerId: provider.id }));
    const page = await manager.request('/provider/staff');
    const email = `wrong.person-${uid()}@example.org`;
    expect(await manager.request('/provider/staff/invitations', { method: 'POST', form: { _csrf: manager.csrfOf(page.html), name: 'Wrong Person', email, role: 'PROVIDER_STAFF' } })).toMatchObject({ status: 303, location: '/provider/staff?done=invited' });
    const invitePath = linkIn(await mailTo(email, /invites you/), '/invitations');

    const listed = await manager.request('/provider/staff');
    expect(listed.html).toContain('Withdraw<span class="govuk-visually-hidden"> the invitation for Wrong Person');
    const withdraw = /action="(\/provider\/staff\/invitations\/[0-9a-f-]{36}\/withdraw)"/.exec(listed.html)?.[1];
    expect(withdraw).toBeTruthy();
    expect(await manager.request(withdraw!, { method: 'POST', form: { _csrf: manager.csrfOf(listed.html) } })).toMatchObject({ status: 303, location: '/provider/staff?done=withdrawn' });
    const after = await manager.request('/provider/staff?done=withdrawn');
    expect(after.html).toContain('The invitation is withdrawn');
    expect(after.html).not.toContain('Wrong Person');

    // The person who got the email finds the link withdrawn, and accepting it anyway changes nothing.
    const invited = pageBrowser();
    const landing = await invited.request(invitePath);
    expect(landing.status).toBe(410);
    expect(landing.html).toContain('This invitation has been withdrawn');
    const form = await invited.request('/sign-in/email');
    expect((await invited.request('/invitations/accept', { method: 'POST', form: { _csrf: invited.csrfOf(form.html), secret: invitePath.split('/').at(-1)! } })).status).toBe(410);
    expect(await db().person.count({ where: { email } })).toBe(0);
    expect((await invited.request('/provider')).location).toBe('/?expired=1');
  }, 60_000);

  it('a coordinator withdraws an invitation to a family from the child record page', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const email = `typo-${uid()}@example.org`;
    const invited = await call('POST', '/v1/invitations', { token: coordinatorToken, body: { email, name: 'Typo Carer', familyId: family.id } });
    expect(invited.status).toBe(201);
    const coordinator = pageBrowser();
    await coordinator.signIn(coordinatorToken);
    const record = await coordinator.request(`/coordinator/children/${child.id}`);
    const action = `/coordinator/children/${child.id}/invitations/${invited.body.id}/withdraw`;
    expect(record.html).toContain(`action="${action}"`);
    expect(await coordinator.request(action, { method: 'POST', form: { _csrf: coordinator.csrfOf(record.html) } })).toMatchObject({ status: 303, location: `/coordinator/children/${child.id}?done=invitationWithdrawn` });
    expect((await coordinator.request(`/coordinator/children/${child.id}`)).html).not.toContain('Typo Carer');
    expect((await db().invitation.findUniqueOrThrow({ where: { id: invited.body.id } })).withdrawnAt).not.toBeNull();
  }, 60_000);
});

describe('a council joining the service', () => {
  it('is added by an administrator from the page, who invites its first coordinator; she accepts, works for that council only, and her access can be ended there', async () => {
    const admin = pageBrowser();
    await admin.signIn(await mintAdminToken('test'));
    const home = await admin.request('/admin');
    expect(home.status).toBe(200);
    expect(home.html).toContain('Add an authority');

    const name = `Riverside Borough Council ${uid()}`;
    const code = `RIV-${uid().toUpperCase()}`;
    const bad = await admin.request('/admin/authorities', { method: 'POST', form: { _csrf: admin.csrfOf(home.html), name, code: 'x', swapRequiresApproval: 'yes' } });
    expect(bad.status, `${bad.location} ${bad.html.slice(0, 300)}`).toBe(400);
    expect(bad.html).toContain('There is a problem');
    expect(bad.html).toContain(`value="${name}"`);
    expect(await db().authority.count({ where: { name } })).toBe(0);

    const added = await admin.request('/admin/authorities', { method: 'POST', form: { _csrf: admin.csrfOf(home.html), name, code: code.toLowerCase(), swapRequiresApproval: 'yes' } });
    expect(added.status).toBe(303);
    const authority = await db().authority.findFirstOrThrow({ where: { name } });
    expect(authority).toMatchObject({ code, swapRequiresApproval: true });
    expect(added.location).toBe(`/admin/authorities/${authority.id}?done=created`);
    // Until a coordinator accepts, nobody can use the service for the council, and the list says so.
    expect((await admin.request('/admin')).html).toMatch(new RegExp(`${name}</a></td><td[^>]*>${code}</td><td[^>]*>None yet`));

    const page = await admin.request(`/admin/authorities/${authority.id}`);
    expect(page.html).toContain('Nobody can sign in yet.');
    const email = `ada.coordinator-${uid()}@example.org`;
    const sent = await admin.request(`/admin/authorities/${authority.id}/invitations`, { method: 'POST', form: { _csrf: admin.csrfOf(page.html), name: 'Ada Coordinator', email } });
    expect(sent).toMatchObject({ status: 303, location: `/admin/authorities/${authority.id}?done=invited` });
    const invitation = await mailTo(email, /invites you/);
    expect(invitation.mail.text).toContain(`a short-breaks coordinator for ${name}`);

    const ada = pageBrowser();
    const landing = await ada.request(linkIn(invitation, '/invitations'));
    expect(landing.html).toContain(`a short-breaks coordinator for ${name}`);
    const accepted = await ada.request('/invitations/accept', { method: 'POST', form: { _csrf: ada.csrfOf(landing.html), secret: formOf(landing.html, 'secret') } });
    expect(accepted).toMatchObject({ status: 303, location: '/coordinator' });
    expect((await ada.request('/coordinator/rounds')).status).toBe(200);
    const membership = await db().membership.findFirstOrThrow({ where: { person: { email }, revokedAt: null } });
    expect(membership).toMatchObject({ role: 'COORDINATOR', authorityId: authority.id });

    const listed = await admin.request(`/admin/authorities/${authority.id}`);
    expect(listed.html).toContain('Ada Coordinator');
    expect((await admin.request('/admin')).html).toMatch(new RegExp(`${code}</td><td[^>]*>1</td>`));
    const ended = await admin.request(`/admin/authorities/${authority.id}/members/${membership.id}/end`, { method: 'POST', form: { _csrf: admin.csrfOf(listed.html) } });
    expect(ended).toMatchObject({ status: 303, location: `/admin/authorities/${authority.id}?done=ended` });
    expect((await ada.request('/coordinator/rounds')).status).not.toBe(200);
  });

  it('only administrators invite coordinators, and only to an authority that exists', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { providerToken } = await makeProvider('RESIDENTIAL');
    const adminToken = await mintAdminToken('test');
    const invite = (token: string, body: Record<string, unknown>) => call('POST', '/v1/invitations', { token, body: { name: 'Sam Someone', email: `sam-${uid()}@example.org`, ...body } });
    expect((await invite(coordinatorToken, { role: 'COORDINATOR' })).status).toBe(403);
    expect((await invite(coordinatorToken, { role: 'COORDINATOR', authorityId: authority.id })).status).toBe(403);
    expect((await invite(providerToken, { role: 'COORDINATOR', authorityId: authority.id })).status).toBe(403);
    expect((await invite(adminToken, { role: 'CARER', authorityId: authority.id })).status).toBe(403);
    const unnamed = await invite(adminToken, { role: 'COORDINATOR' });
    expect(unnamed.status, JSON.stringify(unnamed.body)).toBe(400);
    expect((await invite(adminToken, { role: 'COORDINATOR', authorityId: randomUUID() })).status).toBe(404);
    expect(await db().invitation.count({ where: { name: 'Sam Someone' } })).toBe(0);
    const made = await invite(adminToken, { role: 'COORDINATOR', authorityId: authority.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ role: 'COORDINATOR', authorityId: authority.id, familyId: null, providerId: null });
  });
});
