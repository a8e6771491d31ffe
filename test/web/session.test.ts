/**
 * Web sessions end when their token does (issue 7): the cookie holds only the
 * signed token id, and every page looks the token up again. Driven in-process
 * through the app, as a browser would, without a browser.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { db } from '../../src/db.js';
import { resolveToken, revokeToken } from '../../src/services/tokens.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

const app = buildApp();

/** A tiny cookie jar over app.request. */
function browser() {
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

  it('a tampered or forged session cookie is no session', async () => {
    const { authority } = await makeAuthority();
    const { familyToken } = await makeFamily(authority.id);
    const b = browser();
    await b.signIn(familyToken);
    const [body, mac] = b.jar.get('sb_session')!.split('.');
    const other = Buffer.from(JSON.stringify({ t: (await resolveToken(familyToken))!.tokenId, exp: Date.now() + 10 * 24 * 3600_000 })).toString('base64url');
    b.jar.set('sb_session', `${other}.${mac}`);
    expect(await b.request('/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    b.jar.set('sb_session', `${body}.${mac}x`);
    expect(await b.request('/family')).toMatchObject({ status: 303, location: '/?expired=1' });
    b.jar.set('sb_session', `${body}.${mac}`);
    expect((await b.request('/family')).status).toBe(200);
  });
});
