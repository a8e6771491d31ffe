/**
 * Sign-in events and the limits on asking for links, over real HTTP behind a
 * proxy (TRUST_PROXY=1, the client address in X-Forwarded-For), as an attacker
 * and the people sharing their address would meet them:
 * - someone sends 40 requests for Kim's address from one address: Kim gets
 *   5 links (the per-account limit), no more; Lee, behind the same address,
 *   still gets a link, but only one from there while it is flooded (one more
 *   from elsewhere); Kim is not locked out (a link she got works);
 * - each sign-in is audited by method with the person and session (or token),
 *   each failure with its reason and client address; each link sent is
 *   audited with the address that asked for it.
 */
import { randomUUID } from 'node:crypto';
import { vi } from 'vitest';

vi.hoisted(() => {
  // As behind one load balancer: read by src/config.ts on first use.
  process.env.TRUST_PROXY = '1';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { LINKS_PER_WINDOW } from '../../src/services/sign-in-links.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { setChannelTransport } from '../../src/services/notification-transports/index.js';
import { smtpTransport } from '../../src/services/notification-transports/smtp.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { startMailServer, type MailServer } from '../support/mail-server.js';
import { addTestMembership, makePerson, personToken } from '../support/people.js';
import { startTestServer } from '../support/server.js';
import { fetchBrowser } from '../support/web-browser.js';

// Its own deployment: its own outbox and its own rate-limit keys in Redis.
process.env.QUEUE_PREFIX = `sblimits${randomUUID().slice(0, 8)}`;

let mail: MailServer;
let app: { url: string; close(): Promise<void> };
beforeAll(async () => {
  mail = await startMailServer();
  setChannelTransport('EMAIL', smtpTransport(mail.url, 'Short breaks <short-breaks@example.gov.uk>'));
  app = await startTestServer();
});
afterAll(async () => {
  await app?.close();
  await mail?.close();
  await closeConnections();
});

/** A browser at one client address (as the proxy reports it). */
function browserAt(address: string) {
  const browser = fetchBrowser({ forwardedFor: address });
  const request = (path: string, form?: Record<string, string>) => browser.request(app.url, path, form);
  async function askForLink(email: string) {
    const form = await request('/sign-in/email');
    return request('/sign-in/email', { _csrf: form.csrf, email });
  }
  return { request, askForLink };
}

async function deliverAll() {
  for (let i = 0; i < 4; i++) await delivery.deliverPendingNotifications(500);
}
const linksTo = (email: string) => mail.to(email).filter((m) => /link to sign in/.test(m.mail.subject ?? ''));
const linkPath = (m: { mail: { text?: string } }) => /https?:\/\/[^\s]+(\/sign-in\/link\/[A-Za-z0-9_-]{43})/.exec(m.mail.text ?? '')![1]!;

describe('asking for sign-in links, and sign-in events', () => {
  it('a flood for Kim from one address sends Kim 5 links and no more, Lee behind the same address still gets one, and every sign-in is audited', { timeout: 120_000 }, async () => {
    // The test database outlives a run: only this run's rows from these addresses count.
    const started = new Date();
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const kim = await makePerson('Kim Carer');
    const lee = await makePerson('Lee Carer');
    const { personId: kimId } = await addTestMembership(kim, { role: 'CARER', familyId: family.id });
    const { personId: leeId } = await addTestMembership(lee, { role: 'CARER', familyId: family.id });
    const attacker = browserAt('203.0.113.9');

    for (let i = 0; i < 40; i++) {
      const answer = await attacker.askForLink(kim.email);
      // Every answer looks the same: the form tells nobody whether mail went out.
      expect(answer.status).toBe(200);
      expect(answer.html).toContain('Check your email');
    }
    const office = browserAt('203.0.113.9');
    expect((await office.askForLink(lee.email)).html).toContain('Check your email');
    // From the flooded address, only an account's first request goes through; from Lee's phone, a second does.
    expect((await office.askForLink(lee.email)).html).toContain('Check your email');
    await deliverAll();
    expect(linksTo(kim.email)).toHaveLength(LINKS_PER_WINDOW);
    expect(linksTo(lee.email)).toHaveLength(1);
    await browserAt('198.51.100.44').askForLink(lee.email);
    await deliverAll();
    expect(linksTo(lee.email)).toHaveLength(2);
    expect(await db().signInLink.count({ where: { personId: kimId } })).toBe(LINKS_PER_WINDOW);

    const sent = await db().auditEvent.findMany({ where: { action: 'sign_in.link_sent', entityId: { in: [kimId, leeId] } } });
    expect(sent.filter((e) => e.entityId === kimId)).toHaveLength(LINKS_PER_WINDOW);
    expect(sent.filter((e) => e.entityId === leeId).map((e) => (e.after as { address: string }).address).sort()).toEqual(['198.51.100.44', '203.0.113.9']);
    expect(sent.every((e) => e.actorRole === 'SIGN_IN')).toBe(true);

    // Kim is not locked out: a link she got signs her in, from her own address.
    const kimBrowser = browserAt('198.51.100.20');
    const path = linkPath(linksTo(kim.email).at(-1)!);
    const landing = await kimBrowser.request(path);
    const secret = /name="secret" value="([^"]+)"/.exec(landing.html)![1]!;
    expect(await kimBrowser.request('/sign-in/link', { _csrf: landing.csrf, secret })).toMatchObject({ status: 303, location: '/family' });
    const session = await db().webSession.findFirstOrThrow({ where: { personId: kimId, endedAt: null }, orderBy: { createdAt: 'desc' } });
    const ok = await db().auditEvent.findFirstOrThrow({ where: { action: 'sign_in.succeeded', actorSessionId: session.id } });
    expect(ok).toMatchObject({ actorRole: 'SIGN_IN', actorPersonId: kimId, entityType: 'Person', entityId: kimId });
    expect(ok.after).toEqual({ method: 'EMAIL_LINK', address: '198.51.100.20' });

    // The same link again, from elsewhere: refused and audited with why and from where.
    const thief = browserAt('192.0.2.66');
    const thiefForm = await thief.request('/sign-in/email');
    expect((await thief.request('/sign-in/link', { _csrf: thiefForm.csrf, secret })).status).toBe(410);
    const failed = await db().auditEvent.findMany({ where: { action: 'sign_in.failed', actorId: 'address:192.0.2.66', at: { gte: started } } });
    expect(failed.map((e) => e.after)).toEqual([{ method: 'EMAIL_LINK', address: '192.0.2.66', reason: 'USED' }]);
  });

  it('an access key typed into the sign-in page is audited when it works (with the token) and when it does not', async () => {
    const started = new Date();
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const jo = await makePerson('Jo Carer');
    const token = await personToken(jo, { role: 'CARER', familyId: family.id });
    const b = browserAt('198.51.100.31');
    const page = await b.request('/');
    expect(await b.request('/sign-in', { _csrf: page.csrf, token })).toMatchObject({ status: 303, location: '/family' });
    const row = await db().apiToken.findFirstOrThrow({ where: { person: { email: jo.email } } });
    const ok = await db().auditEvent.findFirstOrThrow({ where: { action: 'sign_in.succeeded', actorTokenId: row.id } });
    expect(ok).toMatchObject({ actorPersonId: row.personId, after: { method: 'TOKEN', address: '198.51.100.31' } });
    expect(ok.actorSessionId).toBeTruthy();

    const stranger = browserAt('198.51.100.32');
    const again = await stranger.request('/');
    expect((await stranger.request('/sign-in', { _csrf: again.csrf, token: 'sbf_not-a-real-token-at-all-000000' })).status).toBe(401);
    const failed = await db().auditEvent.findMany({ where: { action: 'sign_in.failed', actorId: 'address:198.51.100.32', at: { gte: started } } });
    expect(failed.map((e) => e.after)).toEqual([{ method: 'TOKEN', address: '198.51.100.32', reason: 'UNKNOWN_TOKEN' }]);
  });
});
