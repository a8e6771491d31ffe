/**
 * Staff sign in with OpenID Connect against a real identity provider run here
 * (the oidc-provider package, its development login and consent pages), the
 * whole redirect flow driven over HTTP with cookies: the app sends the browser
 * to the provider with a PKCE challenge, the person logs in and consents, the
 * provider sends them back with a code, and the app signs in the person it
 * knows by that verified email. Someone it does not know is refused.
 */
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { makeAuthority } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { addTestMembership, makePerson } from '../support/people.js';
import { freePort } from '../support/ports.js';
import { startTestServer } from '../support/server.js';

let app: { url: string; close(): Promise<void> };
let idp: Server;
let issuer: string;

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  // Read by src/config.ts on first use, which is after this.
  Object.assign(process.env, { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'shortbreaks', OIDC_CLIENT_SECRET: 'test-client-secret-long-enough' });
  app = await startTestServer();
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'shortbreaks', client_secret: 'test-client-secret-long-enough', redirect_uris: [`${app.url}/sign-in/oidc/callback`], post_logout_redirect_uris: [`${app.url}/`], grant_types: ['authorization_code'], response_types: ['code'] }],
    // Whoever logs in is the address they typed, verified (the organisation's directory would say so).
    findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, email: id, email_verified: true, name: id }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  idp = await new Promise((resolve) => {
    const s = provider.listen(port, () => resolve(s));
  });
});
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
  await closeConnections();
});

/** A browser: one cookie jar per origin, redirects followed by hand so each hop can be seen. */
function browser() {
  const jars = new Map<string, Map<string, string>>();
  async function request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const origin = new URL(url).origin;
    const jar = jars.get(origin) ?? new Map<string, string>();
    jars.set(origin, jar);
    const headers: Record<string, string> = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), Accept: 'text/html' };
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';');
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      if (attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim())) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, url).href : null, html: await res.text() };
  }
  return { request };
}

/** Go from the app's "sign in with your organisation" to the app's callback: log in as `login` and consent on the provider's pages. */
async function signInThroughProvider(b: ReturnType<typeof browser>, login: string) {
  let res = await b.request(`${app.url}/sign-in/oidc`);
  expect(res.status).toBe(302);
  const authorize = new URL(res.location!);
  expect(authorize.origin).toBe(issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const hops: string[] = [];
  let url = res.location!;
  for (let i = 0; i < 12; i++) {
    res = await b.request(url);
    hops.push(`${res.status} ${url}`);
    if (res.location) {
      url = res.location;
      if (url.startsWith(`${app.url}/sign-in/oidc/callback`)) return b.request(url);
      continue;
    }
    // A page of the provider's: the login form, then the consent form.
    const action = /<form[^>]*action="([^"]+)"/.exec(res.html)?.[1];
    if (!action) throw new Error(`stuck at ${url}: ${res.html.slice(0, 300)}`);
    const fields = Object.fromEntries([...res.html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const form = /name="login"/.test(res.html) ? { ...fields, login, password: 'any' } : fields;
    res = await b.request(new URL(action.replaceAll('&amp;', '&'), url).href, { method: 'POST', form });
    if (!res.location) throw new Error(`form at ${url} did not redirect: ${res.status} ${res.html.slice(0, 300)}`);
    url = res.location;
    if (url.startsWith(`${app.url}/sign-in/oidc/callback`)) return b.request(url);
  }
  throw new Error(`never came back to the app: ${hops.join(' -> ')}`);
}

/** Start a sign-in and follow the provider's redirects to the first page it shows, or back to the app. */
async function firstStop(b: ReturnType<typeof browser>) {
  let res = await b.request(`${app.url}/sign-in/oidc`);
  for (let i = 0; i < 8 && res.location; i++) {
    if (res.location.startsWith(`${app.url}/sign-in/oidc/callback`)) return { backAtApp: true, html: '' };
    res = await b.request(res.location);
  }
  return { backAtApp: false, html: res.html };
}

describe('staff sign-in with OpenID Connect', () => {
  it('signs a known coordinator in through the provider’s login and consent, with PKCE, and remembers their subject', async () => {
    const { authority } = await makeAuthority();
    const person = await makePerson('Robin Coordinator');
    await addTestMembership(person, { role: 'COORDINATOR', authorityId: authority.id });
    const b = browser();
    const start = await b.request(`${app.url}/`);
    expect(start.html).toContain('/sign-in/oidc');
    const back = await signInThroughProvider(b, person.email);
    expect(back).toMatchObject({ status: 303, location: `${app.url}/coordinator` });
    expect((await b.request(`${app.url}/coordinator/ledger`)).status).toBe(200);
    const row = await db().person.findUniqueOrThrow({ where: { email: person.email } });
    // oidc-provider's subject is the account id it logged in.
    expect(row.oidcSubject).toBe(`${issuer} ${person.email}`);
    const session = await db().webSession.findFirstOrThrow({ where: { personId: row.id }, orderBy: { createdAt: 'desc' } });
    expect(session.method).toBe('OIDC');
    // Audited as an OpenID Connect sign-in by that person, with that session.
    expect(await db().auditEvent.findFirstOrThrow({ where: { action: 'sign_in.succeeded', actorSessionId: session.id } })).toMatchObject({ actorPersonId: row.id, after: { method: 'OIDC' } });
    // While the provider's own session lives, a new sign-in goes straight back without a login form.
    expect((await firstStop(b)).backAtApp).toBe(true);
    const again = await db().webSession.findFirstOrThrow({ where: { personId: row.id, endedAt: null }, orderBy: { createdAt: 'desc' } });
    expect(again.oidcIdToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    // Signing out ends the session here, then sends the browser to the provider to end its session too.
    const page = await b.request(`${app.url}/coordinator/ledger`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const out = await b.request(`${app.url}/sign-out`, { method: 'POST', form: { _csrf: csrf } });
    expect(out.status).toBe(303);
    const endSession = new URL(out.location!);
    expect(endSession.origin).toBe(issuer);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${app.url}/`);
    // With the ID token the provider gave this session as the hint, so the provider knows whose session ends;
    // it is not kept here once signed out.
    const hint = endSession.searchParams.get('id_token_hint');
    expect(hint).toBeTruthy();
    const claims = JSON.parse(Buffer.from(hint!.split('.')[1]!, 'base64url').toString()) as { sub: string; aud: string; iss: string };
    expect(claims).toMatchObject({ iss: issuer, sub: person.email, aud: 'shortbreaks' });
    expect((await db().webSession.findUniqueOrThrow({ where: { id: again.id } })).oidcIdToken).toBeNull();
    expect((await db().webSession.findUniqueOrThrow({ where: { id: again.id } })).endedAt).not.toBeNull();
    expect((await b.request(`${app.url}/coordinator/ledger`)).location).toBe(`${app.url}/?expired=1`);
    // The provider asks to confirm, then sends the browser back to the start.
    const confirm = await b.request(endSession.href);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.html)?.[1];
    expect(action, confirm.html.slice(0, 300)).toBeTruthy();
    const fields = Object.fromEntries([...confirm.html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    let home = await b.request(new URL(action!, endSession).href, { method: 'POST', form: { ...fields, logout: 'yes' } });
    for (let i = 0; i < 4 && home.location && !home.location.startsWith(app.url); i++) home = await b.request(home.location);
    expect(home.location).toBe(`${app.url}/`);
    // The provider's session is over too: signing in again asks for the login.
    const next = await firstStop(b);
    expect(next.backAtApp).toBe(false);
    expect(next.html).toContain('name="login"');
  }, 60_000);

  it('refuses someone the service does not know, and a callback with no sign-in in progress', async () => {
    const started = new Date();
    const b = browser();
    const back = await signInThroughProvider(b, `stranger-${Date.now()}@example.org`);
    expect(back.status).toBe(403);
    expect(back.html).toContain('There is no short-breaks account for your email address');
    expect(await db().auditEvent.findFirst({ where: { action: 'sign_in.failed', at: { gte: started }, after: { path: ['reason'], equals: 'UNKNOWN_PERSON' } } })).toMatchObject({ actorRole: 'SIGN_IN', actorPersonId: null, after: { method: 'OIDC' } });
    expect((await b.request(`${app.url}/coordinator`)).location).toBe(`${app.url}/?expired=1`);
    const forged = await browser().request(`${app.url}/sign-in/oidc/callback?code=abc&state=def`);
    expect(forged.status).toBe(400);
  }, 60_000);
});
