/**
 * Web sessions end when their token does: the cookie holds only the
 * signed token id, and every page looks the token up again. Driven in-process
 * through the app, as a browser would, without a browser.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/services/tokens.js';
import { buildApp } from '../../src/app.js';
import { db } from '../../src/db.js';
import { resolveToken, revokeToken } from '../../src/services/tokens.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

let shared: ReturnType<typeof buildApp> | undefined;
const buildAppOnce = () => (shared ??= buildApp());

/** A tiny cookie jar over app.request (by default this file's app; pass another to play a second replica). */
function browser(app = buildAppOnce()) {
  const jar = new Map<string, string>();
  async function request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await app.request(path, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attrs.some((a) => /max-age=0/i.test(a.trim())) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  }
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  async function signIn(token: string) {
    const page = await request('/');
    return request('/sign-in', { method: 'POST', form: { _csrf: csrfOf(page.html), token } });
  }
  return { jar, request, signIn };
}

describe('web sessions', () => {
  it('a revoked token ends its open browser sessions on the next page, and signing in with it again fails', async () => {
    const { authority } = await makeAuthority();
    const { familyToken } = await makeFamily(authority.id);
    const b = browser();
    expect(await b.signIn(familyToken)).toMatchObject({ status: 303, location: '/family' });
    expect(b.jar.has('sb_session')).toBe(true);
    expect(b.jar.get('sb_session')).not.toContain(familyToken);
    expect((await b.request('/family')).status).toBe(200);

    await revokeToken((await resolveToken(familyToken))!.tokenId);
    expect(await b.request('/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    expect(b.jar.has('sb_session')).toBe(false);
    expect(await b.signIn(familyToken)).toMatchObject({ status: 401 });
  });

  it('an expired token ends its sessions too', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const b = browser();
    expect(await b.signIn(coordinatorToken)).toMatchObject({ status: 303, location: '/coordinator' });
    expect((await b.request('/coordinator/ledger')).status).toBe(200);
    await db().apiToken.updateMany({ where: { authorityId: authority.id, role: 'COORDINATOR' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await b.request('/coordinator/ledger')).toMatchObject({ status: 303, location: '/?expired=1' });
  });

  it('an altered or guessed session cookie is no session, and the database never holds the cookie itself', async () => {
    const { authority } = await makeAuthority();
    const { familyToken } = await makeFamily(authority.id);
    const b = browser();
    await b.signIn(familyToken);
    const cookie = b.jar.get('sb_session')!;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await db().webSession.findUniqueOrThrow({ where: { secretHash: hashSecret(cookie) } });
    expect(JSON.stringify(row)).not.toContain(cookie);
    b.jar.set('sb_session', `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`);
    expect(await b.request('/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    b.jar.set('sb_session', 'x'.repeat(43));
    expect(await b.request('/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    b.jar.set('sb_session', cookie);
    expect((await b.request('/family')).status).toBe(200);
  });

  it('a session started on one app instance is honoured by another, and signing out on either ends it on both', async () => {
    const { coordinatorToken } = await makeAuthority();
    const first = browser(buildApp());
    expect(await first.signIn(coordinatorToken)).toMatchObject({ status: 303, location: '/coordinator' });
    // The same browser reaching a second app instance with the same cookies (separate processes: test/reliability/replicas.test.ts).
    const second = browser(buildApp());
    for (const [k, v] of first.jar) second.jar.set(k, v);
    expect((await second.request('/coordinator/ledger')).status).toBe(200);
    const page = await second.request('/coordinator');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    expect(await second.request('/sign-out', { method: 'POST', form: { _csrf: csrf } })).toMatchObject({ status: 303, location: '/' });
    expect(await first.request('/coordinator/ledger')).toMatchObject({ status: 303, location: '/?expired=1' });
  });

  it('signing in again replaces the browser’s previous session', async () => {
    const { coordinatorToken } = await makeAuthority();
    const b = browser();
    await b.signIn(coordinatorToken);
    const before = b.jar.get('sb_session')!;
    const home = await b.request('/coordinator');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.html)?.[1] ?? '';
    expect(await b.request('/sign-in', { method: 'POST', form: { _csrf: csrf, token: coordinatorToken } })).toMatchObject({ status: 303 });
    expect(b.jar.get('sb_session')).not.toBe(before);
    const old = await db().webSession.findUniqueOrThrow({ where: { secretHash: hashSecret(before) } });
    expect(old.endedAt).not.toBeNull();
  });
});
