/**
 * Text PostgreSQL cannot store (NUL, unpaired surrogates) is refused at the edge
 * with a 422 naming the field, never a 500 from the database; names and
 * addresses refuse control characters; the OpenAPI patterns work in JavaScript;
 * wrong methods get 405 with Allow; an oversized body's 413 closes the
 * connection cleanly, and other early refusals leave it usable.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { buildApp } from '../../src/app.js';
import { MAX_BODY_BYTES } from '../../src/app.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { startTestServer } from '../support/server.js';

let coordinatorToken: string;
let authorityId: string;
let familyId: string;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  const a = await makeAuthority();
  coordinatorToken = a.coordinatorToken;
  authorityId = a.authority.id;
  familyId = (await makeFamily(authorityId)).family.id;
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  await closeConnections();
});

/** JSON as a client writes it by hand: `\u0000` and `\ud800` escapes survive exactly. */
const raw = (json: string) => ({ token: coordinatorToken, rawBody: json });

describe('text PostgreSQL cannot store', () => {
  it('a coordinator who pastes a NUL into a family name is told which field, and no family is created', async () => {
    const before = await db().family.count({ where: { authorityId } });
    const res = await call('POST', '/v1/families', raw('{"name":"a\\u0000b"}'));
    const problem = expectProblem(res, 422, 'UNACCEPTABLE_TEXT');
    expect(problem.errors).toEqual([{ path: 'body.name', message: expect.stringContaining('NUL') }]);
    expect(problem.detail).toContain('body.name');
    expect(await db().family.count({ where: { authorityId } })).toBe(before);
  });

  it('refuses an unpaired surrogate in a child’s first name and NUL deep in the medical passport, naming each', async () => {
    const res = await call(
      'POST',
      `/v1/families/${familyId}/children`,
      raw('{"firstName":"Sam\\ud800","lastName":"Lee","dateOfBirth":"2016-04-01","passport":{"medical":"ok","calming":"music\\u0000"}}'),
    );
    const problem = expectProblem(res, 422, 'UNACCEPTABLE_TEXT');
    expect(problem.errors!.map((e) => e.path).sort()).toEqual(['body.firstName', 'body.passport.calming']);
    expect(await db().child.count({ where: { familyId } })).toBe(0);
    // A low surrogate alone is as unstorable as a high one.
    expectProblem(await call('POST', '/v1/families', raw('{"name":"\\udc00x"}')), 422, 'UNACCEPTABLE_TEXT');
  });

  it('refuses such text in a field no schema names, in field names, in the query and in the path', async () => {
    const unknownField = expectProblem(await call('POST', '/v1/families', raw('{"name":"Ok","extra":["x","\\u0000"]}')), 422, 'UNACCEPTABLE_TEXT');
    expect(unknownField.errors).toEqual([{ path: 'body.extra.1', message: expect.any(String) }]);
    expectProblem(await call('POST', '/v1/families', raw('{"name":"Ok","a\\u0000":1}')), 422, 'UNACCEPTABLE_TEXT');
    const query = expectProblem(await get(`/v1/slots?from=2027-01-01&to=2027-01-02&providerId=%00`, coordinatorToken), 422, 'UNACCEPTABLE_TEXT');
    expect(query.errors).toEqual([{ path: 'query.providerId', message: expect.any(String) }]);
    expectProblem(await get(`/v1/children/abc%00def`, coordinatorToken), 422, 'UNACCEPTABLE_TEXT');
  });

  it('keeps accepting real text: emoji (paired surrogates), accents, tabs and newlines in free text', async () => {
    const family = await post('/v1/families', coordinatorToken, { name: 'Zoë Ødegaard 😀', addressLine: '1 Rue Émile' });
    expect(family.status).toBe(201);
    expect(family.body.name).toBe('Zoë Ødegaard 😀');
    const child = await post(`/v1/families/${family.body.id}/children`, coordinatorToken, {
      firstName: 'Ana',
      lastName: 'Brown',
      dateOfBirth: '2016-04-01',
      passport: { calming: 'Music\n\tand a quiet room' },
    });
    expect(child.status).toBe(201);
  });

  it('refuses control characters other than tab and newline in names and addresses', async () => {
    const bell = expectProblem(await post('/v1/families', coordinatorToken, { name: 'Smith\u0007' }), 422, 'UNACCEPTABLE_TEXT');
    expect(bell.errors).toEqual([{ path: 'body.name', message: 'must not contain control characters' }]);
    const address = expectProblem(await post('/v1/families', coordinatorToken, { name: 'Smith', addressLine: '1 High St\u001b[2J' }), 422, 'UNACCEPTABLE_TEXT');
    expect(address.errors).toEqual([{ path: 'body.addressLine', message: 'must not contain control characters' }]);
  });

  it('a web form with a NUL gets a readable 422 page naming the field, not a server error', async () => {
    const app = buildApp();
    const start = await app.request('/');
    const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await start.text())![1]!;
    const page = await app.request('/sign-in', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: `_csrf=${encodeURIComponent(csrf)}&token=abc%00defghijklmnop`,
    });
    expect(page.status).toBe(422);
    expect(await page.text()).toContain('token: must not contain NUL');
  });
});

describe('the OpenAPI document’s patterns', () => {
  it('every pattern compiles in JavaScript (with and without the u flag) and accepts its own example', async () => {
    const doc = (await (await buildApp().request('/openapi.json')).json()) as unknown;
    const found: { at: string; pattern: string; examples: unknown[] }[] = [];
    const walk = (v: unknown, at: string) => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o.pattern === 'string') {
        found.push({ at, pattern: o.pattern, examples: [...(o.example !== undefined ? [o.example] : []), ...(Array.isArray(o.examples) ? o.examples : [])] });
      }
      for (const [k, child] of Object.entries(o)) walk(child, `${at}/${k}`);
    };
    walk(doc, '#');
    expect(found.length).toBeGreaterThan(10);
    for (const { at, pattern, examples } of found) {
      expect(() => new RegExp(pattern), at).not.toThrow();
      expect(() => new RegExp(pattern, 'u'), at).not.toThrow();
      expect(examples.length, `${at} has no example`).toBeGreaterThan(0);
      for (const example of examples) expect(new RegExp(pattern, 'u').test(String(example)), `${at}: ${pattern} vs ${String(example)}`).toBe(true);
    }
  });

  it('the postcode pattern accepts postcodes as people write them, in either case', async () => {
    const doc = (await (await buildApp().request('/openapi.json')).json()) as { components: { schemas: Record<string, any> } };
    const pattern = new RegExp(doc.components.schemas.CreateProvider.properties.postcode.pattern, 'u');
    for (const ok of ['RH12 1AB', 'rh12 1ab', 'SW1A 1AA', 'M1 1AE', 'BN111AA']) expect(pattern.test(ok), ok).toBe(true);
    for (const bad of ['RH12 1AB/i', '12345', 'RH12']) expect(pattern.test(bad), bad).toBe(false);
  });
});

describe('wrong methods', () => {
  it('answer 405 with Allow, as problem+json', async () => {
    const res = await call('DELETE', '/v1/families', { token: coordinatorToken });
    expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    const item = await call('PUT', `/v1/providers/${familyId}`, { token: coordinatorToken, body: {} });
    expectProblem(item, 405, 'METHOD_NOT_ALLOWED');
    expect(item.headers.get('allow')).toBe('GET, HEAD, PATCH');
    const health = await call('POST', '/health');
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    // A path no route has is still a 404.
    expectProblem(await call('GET', '/v1/nothing-here', { token: coordinatorToken }), 404, 'NOT_FOUND');
  });
});

/** Raw HTTP/1.1 over one socket: what a keep-alive client sees, answer by answer. */
function socketSession(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  let buffer = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    wake();
  });
  socket.on('close', () => {
    ended = true;
    wake();
  });
  socket.on('error', () => undefined);
  /** The next complete response (head and Content-Length body), or null once the server has closed. */
  async function nextResponse(): Promise<{ status: number; headers: Record<string, string>; body: string } | null> {
    for (;;) {
      const headEnd = buffer.indexOf('\r\n\r\n');
      if (headEnd >= 0) {
        const [statusLine, ...lines] = buffer.slice(0, headEnd).split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length'] ?? 0);
        if (buffer.length >= headEnd + 4 + length) {
          const body = buffer.slice(headEnd + 4, headEnd + 4 + length);
          buffer = buffer.slice(headEnd + 4 + length);
          return { status: Number(statusLine!.split(' ')[1]), headers, body };
        }
      }
      if (ended) return null;
      await new Promise<void>((r) => waiters.push(r));
    }
  }
  return {
    send: (text: string) => new Promise<void>((resolve) => socket.write(text, () => resolve())),
    nextResponse,
    closed: () => ended,
    whenClosed: () => new Promise<void>((r) => (ended ? r() : socket.once('close', () => r()))),
    destroy: () => socket.destroy(),
  };
}

describe('early refusals on a keep-alive connection', () => {
  it('an oversized body gets a 413 problem that says Connection: close, then the server closes; a new connection works', async () => {
    const s = socketSession(server.url);
    const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES + 10) });
    await s.send(
      `POST /v1/families HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${coordinatorToken}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const answer = await s.nextResponse();
    expect(answer).toMatchObject({ status: 413, headers: { connection: 'close', 'content-type': 'application/problem+json' } });
    expect(JSON.parse(answer!.body).code).toBe('PAYLOAD_TOO_LARGE');
    await s.whenClosed();
    expect(await s.nextResponse()).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBeLessThan(500);
  });

  it('a chunked body over the limit is refused the same way', async () => {
    const s = socketSession(server.url);
    const chunk = 'x'.repeat(64 * 1024);
    let request = `POST /v1/families HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${coordinatorToken}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    for (let i = 0; i < 5; i++) request += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    await s.send(`${request}0\r\n\r\n`);
    expect(await s.nextResponse()).toMatchObject({ status: 413, headers: { connection: 'close' } });
    await s.whenClosed();
  });

  it('a 401, a 405 and a 422 before the body is used leave the connection usable for the next request', async () => {
    const s = socketSession(server.url);
    const body = '{"name":"a\\u0000"}';
    await s.send(`POST /v1/families HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(await s.nextResponse()).toMatchObject({ status: 401, headers: { connection: 'keep-alive' } });
    await s.send(`DELETE /v1/families HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${coordinatorToken}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(await s.nextResponse()).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD, POST' } });
    await s.send(`POST /v1/families HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${coordinatorToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    expect(await s.nextResponse()).toMatchObject({ status: 422 });
    await s.send('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    expect((await s.nextResponse())?.status).toBeLessThan(500);
    expect(s.closed()).toBe(false);
    s.destroy();
  });
});
