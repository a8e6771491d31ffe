/**
 * What people are told, for the messages test/api/notification-triggers.test.ts
 * does not follow from the change that causes them: a published allocation
 * round, a consultation on a closure, a closure applied (the family, the home
 * that takes the child, the home that closes), a coordinator's emergency
 * opening of a passport, and a person's invitation and sign-in link through
 * GOV.UK Notify. Each story acts through the API, reads the email the real
 * SMTP server received and the text the local Notify endpoint accepted, then
 * follows the message's link as its reader: the page it opens is theirs and
 * shows what the message is about.
 */
import { vi } from 'vitest';

// Nights beyond other files' slot horizons, so no other file's spare place joins these rounds and plans.
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { runRound } from '../../src/services/allocation-rounds.js';
import { runClosure } from '../../src/services/closures.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { setChannelTransport } from '../../src/services/notification-transports/index.js';
import { govukNotifyTransport } from '../../src/services/notification-transports/govuk-notify.js';
import { call, post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { useMessageTransports } from '../support/message-transports.js';
import type { ReceivedMail } from '../support/mail-server.js';
import { pageBrowser } from '../support/web-browser.js';

process.env.QUEUE_PREFIX = `sbstory${randomUUID().slice(0, 8)}`;

const transports = useMessageTransports();
const { deliverAll, mailOf, textsTo } = transports;

afterAll(closeConnections);
const base = () => delivery.publicBaseUrl();

/** The page a message sends its reader to (the "Open:" line), as a path on this app. */
function linkOf(m: ReceivedMail): string {
  const found = /^Open: (\S+)$/m.exec(m.mail.text ?? '');
  if (!found) throw new Error(`no link in: ${m.mail.text}`);
  expect(found[1]!.startsWith(base())).toBe(true);
  return found[1]!.slice(base().length);
}

/** Follow a link as its reader, signed in with their token: the page must open for them. */
async function openAs(token: string, path: string) {
  const b = pageBrowser();
  await b.signIn(token);
  const page = await b.request(path);
  expect(page.status, `${path}: ${page.html.slice(0, 300)}`).toBe(200);
  expect(page.contentType).toContain('text/html');
  return page.html;
}

let phoneSeq = 200000;
async function county() {
  const { authority, coordinatorToken } = await makeAuthority();
  const team = `team-${uid()}@downland.gov.uk`;
  await db().authority.update({ where: { id: authority.id }, data: { contactEmail: team } });
  const home = async (name: string, lat = 51.2) => {
    const { provider, providerToken } = await makeProvider('RESIDENTIAL', { name: `${name} ${uid()}`, operatorAuthorityId: authority.id, lat, lng: -1.4 });
    const email = `unit-${uid()}@example.org`;
    await db().provider.update({ where: { id: provider.id }, data: { email } });
    return { provider, providerToken, email };
  };
  const family = async (needs: ('VENTILATION' | 'HOIST')[] = []) => {
    const { family, familyToken } = await makeFamily(authority.id, { lat: 51.21, lng: -1.4 });
    const email = `parent-${uid()}@example.org`;
    const phone = `07700 ${phoneSeq++}`;
    await db().family.update({ where: { id: family.id }, data: { email, phone } });
    const child = await makeChild(family.id, authority.id, { needs, periodStart: daysFromToday(-10), periodEnd: daysFromToday(799) });
    return { family, familyToken, email, phone, child };
  };
  return { authority, coordinatorToken, team, home, family };
}

/** A night of this test's own, reserved for the authority, with a need no other file asks for together. */
const ownNight = () => daysFromToday(740 + Math.floor(Math.random() * 50));

describe('what people are told, followed to the page where they act', () => {
  it('a published allocation round tells the family what its child got; the link opens the family’s page with the break', async () => {
    const c = await county();
    const { provider } = await c.home('Birch House');
    const f = await c.family();
    const night = ownNight();
    const { slots } = await makeSlots(provider.id, { startDate: night, untilDate: night, reservedForAuthorityId: c.authority.id });
    const request = await post('/v1/requests', f.familyToken, { childId: f.child.id, periodStart: night, periodEnd: night, preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }], nightsWanted: 1 });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    const started = await post('/v1/allocation-rounds', c.coordinatorToken, { periodStart: night, periodEnd: night, seed: 'story' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(await runRound(started.body.id)).toMatchObject({ status: 'COMPLETED', bookings: 1 });
    await deliverAll();
    // Nothing is said before the coordinator publishes.
    expect(mailOf(f.email, 'ALLOCATION_RESULT')).toHaveLength(0);
    expect((await post(`/v1/allocation-rounds/${started.body.id}/publish`, c.coordinatorToken)).status).toBe(200);
    await deliverAll();

    const [result] = mailOf(f.email, 'ALLOCATION_RESULT');
    // The subject counts what the child got in the explanation's own unit: one night, as the text says.
    expect(result?.mail.subject).toBe(`Short-break allocation for ${f.child.firstName}: 1 night`);
    expect(result?.mail.text).toContain('Asked for 1 night, got 1');
    expect(textsTo(f.phone).filter((t) => t.personalisation.subject === result?.mail.subject)).toHaveLength(0); // email only, by default
    const page = await openAs(f.familyToken, linkOf(result!));
    expect(page).toContain(f.child.firstName);
    expect(page).toContain(provider.name);
  });

  it('a consultation on a closure invites the family by email and text; the link opens its ranking page with the homes to choose from', async () => {
    const c = await county();
    const closing = await c.home('Ash Lodge');
    const other = await c.home('Rowan House', 51.25);
    const f = await c.family(['VENTILATION', 'HOIST']);
    const night = ownNight();
    const place = (providerId: string) => makeSlots(providerId, { startDate: night, untilDate: night, places: 1, capabilities: ['VENTILATION', 'HOIST'], reservedForAuthorityId: c.authority.id }).then((r) => r.slots[0]!);
    await insertBooking(await place(closing.provider.id), f.child);
    await place(other.provider.id);
    const opened = await post(`/v1/providers/${closing.provider.id}/closure`, c.coordinatorToken, { effectiveFrom: daysFromToday(20), reason: 'The lease ends', confirm: true, consultUntil: daysFromToday(10) });
    expect(opened.status, JSON.stringify(opened.body)).toBe(202);
    await deliverAll();

    const [invite] = mailOf(f.email, 'CONSULTATION_INVITATION');
    expect(invite?.mail.subject).toContain(closing.provider.name);
    expect(textsTo(f.phone).some((t) => t.body.includes(closing.provider.name))).toBe(true);
    const path = linkOf(invite!);
    expect(path).toBe(`/family/consultations/${opened.body.id}`);
    const page = await openAs(f.familyToken, path);
    expect(page).toContain(other.provider.name);
    // Another family of the same council cannot follow it.
    const stranger = await c.family();
    const b = pageBrowser();
    await b.signIn(stranger.familyToken);
    expect((await b.request(path)).status).toBe(404);
  });

  it('a closure applied tells the family where its child goes, the new home of the child it takes, and the closing home that it is done', async () => {
    const c = await county();
    const closing = await c.home('Hazel Court');
    const taking = await c.home('Willow House', 51.22);
    const f = await c.family(['VENTILATION', 'HOIST']);
    const night = ownNight();
    const place = (providerId: string) => makeSlots(providerId, { startDate: night, untilDate: night, places: 1, capabilities: ['VENTILATION', 'HOIST'], reservedForAuthorityId: c.authority.id }).then((r) => r.slots[0]!);
    await insertBooking(await place(closing.provider.id), f.child);
    await place(taking.provider.id);
    const closure = await post(`/v1/providers/${closing.provider.id}/closure`, c.coordinatorToken, { effectiveFrom: daysFromToday(20), reason: 'Registration suspended', confirm: true });
    expect(closure.status, JSON.stringify(closure.body)).toBe(202);
    await runClosure(closure.body.id);
    const outcomes = await db().rehomingOutcome.findMany({ where: { closureId: closure.body.id }, select: { outcome: true, newBooking: { select: { slot: { select: { providerId: true } } } } } });
    expect(outcomes).toEqual([{ outcome: 'MOVED', newBooking: { slot: { providerId: taking.provider.id } } }]);
    await deliverAll();

    const [moved] = mailOf(f.email, 'REHOMING_OUTCOME');
    expect(moved?.mail.text).toContain(taking.provider.name);
    expect(textsTo(f.phone).some((t) => t.body.includes(closing.provider.name))).toBe(true);
    const familyPage = await openAs(f.familyToken, linkOf(moved!));
    expect(familyPage).toContain(taking.provider.name);

    const [newBooking] = mailOf(taking.email, 'NEW_BOOKING');
    expect(newBooking?.mail.text).toContain(f.child.firstName);
    const childPage = await openAs(taking.providerToken, linkOf(newBooking!));
    expect(childPage).toContain(f.child.firstName);

    // The closing home has nothing left to do but read the summary; its link is its own day page.
    const [done] = mailOf(closing.email, 'CLOSURE_COMPLETED');
    expect(done?.mail.text).toContain('1 booking(s) affected: 1 moved');
    expect(linkOf(done!)).toBe('/provider');
    await openAs(closing.providerToken, '/provider');
  });

  it('a coordinator’s emergency opening of the passport tells the family at once, with the reason; the link opens the passport page showing it', async () => {
    const c = await county();
    const { provider } = await c.home('Oak House');
    const f = await c.family();
    await insertBooking((await makeSlots(provider.id, { startDate: daysFromToday(5), untilDate: daysFromToday(5), reservedForAuthorityId: c.authority.id })).slots[0]!, f.child);
    const reason = `Taken to hospital from the unit; the doctors ask for the rescue plan ${uid()}`;
    const opened = await post(`/v1/children/${f.child.id}/passport/emergency-access`, c.coordinatorToken, { reason, providerId: provider.id, hours: 4 });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await deliverAll();

    const [told] = mailOf(f.email, 'PASSPORT_EMERGENCY_ACCESS');
    expect(told?.mail.text).toContain(reason);
    expect(told?.mail.text).toContain(provider.name);
    expect(textsTo(f.phone).some((t) => t.body.includes(f.child.firstName))).toBe(true);
    const path = linkOf(told!);
    expect(path).toBe(`/family/children/${f.child.id}/passport`);
    expect(await openAs(f.familyToken, path)).toContain(reason);
  });

  it('a change to a booked child’s passport links the provider to that child’s page, where it reads the change', async () => {
    const c = await county();
    const { provider, providerToken, email } = await c.home('Elm Lodge');
    const f = await c.family();
    // Three weeks on: beyond the fortnight the provider's day page shows, so only the child's page has it.
    await insertBooking((await makeSlots(provider.id, { startDate: daysFromToday(21), untilDate: daysFromToday(21), reservedForAuthorityId: c.authority.id })).slots[0]!, f.child);
    const calming = `The song about the bus ${uid()}`;
    expect((await call('PUT', `/v1/children/${f.child.id}/passport`, { token: f.familyToken, body: { passport: { communication: 'Talks', calming } } })).status).toBe(200);
    await deliverAll();
    const [changed] = mailOf(email, 'PASSPORT_CHANGED');
    expect(changed?.mail.text).not.toContain(calming);
    const path = linkOf(changed!);
    expect(path).toBe(`/provider/children/${f.child.id}`);
    expect(await openAs(providerToken, path)).toContain(calming);
  });

  it('a person’s invitation and sign-in link go through GOV.UK Notify by email too, and their links work', async () => {
    setChannelTransport('EMAIL', govukNotifyTransport(transports.notifySettings, 'EMAIL'));
    try {
      const c = await county();
      const f = await c.family();
      const email = `robin-${uid()}@example.org`;
      const invited = await call('POST', '/v1/invitations', { token: c.coordinatorToken, body: { email, name: 'Robin Carer', familyId: f.family.id } });
      expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      await deliverAll();
      const invitation = transports.notifyApi.accepted.find((n) => n.type === 'email' && n.to === email);
      expect(invitation).toMatchObject({ templateId: transports.notifySettings.emailTemplateId, personalisation: { name: 'Robin Carer', invited_as: expect.stringContaining(f.family.name) } });
      const invitePath = invitation!.personalisation.link!.slice(base().length);
      expect(invitePath).toMatch(/^\/invitations\/[A-Za-z0-9_-]{43}$/);
      expect(invitation!.body).toContain(invitation!.personalisation.link);

      const b = pageBrowser();
      const landing = await b.request(invitePath);
      expect(landing.status).toBe(200);
      const secret = /name="secret" value="([^"]+)"/.exec(landing.html)?.[1] ?? '';
      expect((await b.request('/invitations/accept', { method: 'POST', form: { _csrf: b.csrfOf(landing.html), secret } }))).toMatchObject({ status: 303, location: '/family' });

      const later = pageBrowser();
      const form = await later.request('/sign-in/email');
      expect((await later.request('/sign-in/email', { method: 'POST', form: { _csrf: later.csrfOf(form.html), email } })).status).toBe(200);
      await deliverAll();
      const signIn = transports.notifyApi.accepted.filter((n) => n.type === 'email' && n.to === email).at(-1)!;
      expect(signIn.personalisation).toMatchObject({ name: 'Robin Carer', minutes: '15' });
      const linkPath = signIn.personalisation.link!.slice(base().length);
      expect(linkPath).toMatch(/^\/sign-in\/link\/[A-Za-z0-9_-]{43}$/);
      const opened = await later.request(linkPath);
      expect(opened.status).toBe(200);
      const used = await later.request('/sign-in/link', { method: 'POST', form: { _csrf: later.csrfOf(opened.html), secret: /name="secret" value="([^"]+)"/.exec(opened.html)?.[1] ?? '' } });
      expect(used).toMatchObject({ status: 303, location: '/family' });
      expect((await later.request('/family')).html).toContain(f.child.firstName);
      expect(transports.notifyApi.refused.filter((r) => r.path.includes('notifications'))).toEqual([]);
    } finally {
      transports.useSmtpForEmail();
    }
  });
});
