/**
 * Hostile input: fast-check generates requests for every
 * operation in the OpenAPI document — valid-looking, boundary and invalid
 * bodies, parameters and headers — with real tokens of each role for a seeded
 * tenant and some bad ones, and sends them to a real HTTP server. Every answer
 * must be 2xx/3xx or a 4xx problem+json, never a 5xx; afterwards the
 * database's invariant queries find nothing (DESIGN.md invariants 1–3).
 *
 * FUZZ_SEED replays a run; FUZZ_REQUESTS and FUZZ_SECONDS bound it.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FuzzRequest, OpenApiDoc } from '../support/fuzz-openapi.js';

// Jobs the fuzzer causes (rounds, closures, slot generation) stay in this file's outbox; no worker serves it.
process.env.QUEUE_PREFIX = `sbfuzz${randomUUID().slice(0, 8)}`;
// The project's modules are imported after the environment is set: some read the configuration on import.
const { db } = await import('../../src/db.js');
const { hashSecret, mintToken, revokeToken } = await import('../../src/services/tokens.js');
const { book, makeCarer, makeSlot } = await import('../support/booking-helpers.js');
const { daysFromToday } = await import('../support/dates.js');
const { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } = await import('../support/factories.js');
const { countUnstorable, requestArbitrary, SchemaArbitraries } = await import('../support/fuzz-openapi.js');
const { invariantViolations } = await import('../support/invariants.js');
const { closeConnections } = await import('../support/lifecycle.js');
const { startTestServer } = await import('../support/server.js');

const TARGET_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const TIME_BUDGET_MS = Number(process.env.FUZZ_SECONDS ?? 65) * 1000;
const CONCURRENCY = 16;
/** Below this the run proves too little, however busy the machine. */
const MIN_REQUESTS = 1000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
  await closeConnections();
});

async function seedTenant() {
  const a = await makeAuthority();
  const b = await makeAuthority();
  // A runs both, so its coordinator's edits reach the handlers; B's are refused as a commissioner's.
  const { provider, providerToken } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
  const { provider: fostering, providerToken: fosteringToken } = await makeProvider('FAMILY_BASED', { operatorAuthorityId: a.authority.id });
  const { family, familyToken } = await makeFamily(a.authority.id);
  const { family: otherFamily, familyToken: otherFamilyToken } = await makeFamily(b.authority.id);
  const child = await makeChild(family.id, a.authority.id, { needs: ['GASTROSTOMY'] });
  const plainChild = await makeChild(family.id, a.authority.id);
  const otherChild = await makeChild(otherFamily.id, b.authority.id);
  const { rule, slots } = await makeSlots(provider.id, { rrule: 'FREQ=WEEKLY;BYDAY=FR,SA', startDate: daysFromToday(10), untilDate: daysFromToday(60), places: 2, capabilities: ['GASTROSTOMY'] });
  const single = await makeSlot(provider.id, daysFromToday(20), { places: 1 });
  const carer = await makeCarer(fostering.id, [{ need: 'GASTROSTOMY', completedOn: daysFromToday(-30), expiresOn: daysFromToday(300) }]);
  const booking = await book(a.coordinatorToken, plainChild.id, single.id);
  const revoked = await mintToken({ role: 'COORDINATOR', authorityId: a.authority.id });
  await revokeToken((await db().apiToken.findUniqueOrThrow({ where: { tokenHash: hashSecret(revoked) } })).id);
  const expired = await mintToken({ role: 'FAMILY', familyId: family.id }, { expiresAt: new Date(Date.now() - 60_000) });
  const ids = [
    a.authority.id, b.authority.id, provider.id, fostering.id, family.id, otherFamily.id, child.id, plainChild.id, otherChild.id,
    rule.id, single.id, carer.id, booking.id, ...slots.slice(0, 4).map((s) => s.id),
  ];
  return {
    ids,
    tokens: [a.coordinatorToken, b.coordinatorToken, providerToken, fosteringToken, familyToken, otherFamilyToken],
    badTokens: [revoked, expired, 'not-a-token', `${a.coordinatorToken}x`, a.coordinatorToken.slice(0, -2), ''],
  };
}

interface Tally {
  sent: number;
  byStatus: Map<number, number>;
  serverErrors: { req: FuzzRequest; status: number; body: string }[];
  badErrors: { req: FuzzRequest; status: number; contentType: string }[];
  operations: Set<string>;
  /** Ids the fuzzer created (from POST answers only: those belong to the seeded tenants). */
  learnt: string[];
  resent: number;
  /**
   * 431 with no body: Node's HTTP parser refusing a request head over 16 KiB
   * before the app sees it (a URL with a huge query). Counted, not failed: the
   * app cannot shape that answer; a 'clientError' handler on the server could.
   */
  headTooLarge: number;
  /** Requests carrying a NUL or an unpaired surrogate, how many such characters they held, and how they were answered. */
  unstorable: { requests: number; strings: number; byStatus: Map<number, number> };
}

async function send(url: string, req: FuzzRequest, tally: Tally) {
  const res = await fetch(url + req.path, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' });
  const text = await res.text();
  tally.sent++;
  tally.operations.add(req.operation);
  tally.byStatus.set(res.status, (tally.byStatus.get(res.status) ?? 0) + 1);
  const unstorable = countUnstorable(`${req.path}\n${req.body ?? ''}`);
  if (unstorable) {
    tally.unstorable.requests++;
    tally.unstorable.strings += unstorable;
    tally.unstorable.byStatus.set(res.status, (tally.unstorable.byStatus.get(res.status) ?? 0) + 1);
  }
  if (req.method === 'POST' && (res.status === 201 || res.status === 202) && tally.learnt.length < 300) {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    if (typeof id === 'string') tally.learnt.push(id);
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (res.status >= 500) tally.serverErrors.push({ req, status: res.status, body: text.slice(0, 500) });
  else if (res.status === 431 && text === '') tally.headTooLarge++;
  else if (res.status >= 400 && !contentType.includes('application/problem+json')) tally.badErrors.push({ req, status: res.status, contentType });
}

/**
 * The server may close a keep-alive socket after refusing an oversized request
 * (413/431), and a request that raced onto that socket never reached the app:
 * send it again a few times. One that never gets an answer counts as a failure.
 */
async function sendWithRetries(url: string, req: FuzzRequest, tally: Tally) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(url, req, tally);
    } catch (err) {
      if (attempt >= 4) return void tally.serverErrors.push({ req, status: 0, body: `${(err as Error).message}: ${String((err as { cause?: unknown }).cause ?? '')}` });
      tally.resent++;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

describe('API fuzzing from the OpenAPI document', () => {
  it(`answers up to ${TARGET_REQUESTS} hostile requests (bounded in time) with 2xx or 4xx problem+json, never 5xx, and breaks no invariant`, async () => {
    const seeded = await seedTenant();
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDoc;
    const tally: Tally = { sent: 0, byStatus: new Map(), serverErrors: [], badErrors: [], operations: new Set(), learnt: [], resent: 0, headTooLarge: 0, unstorable: { requests: 0, strings: 0, byStatus: new Map() } };
    const learnt = tally.learnt;
    const gen = new SchemaArbitraries(doc, () => (learnt.length && Math.random() < 0.3 ? learnt : seeded.ids));
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => requestArbitrary(doc, gen, method, path, op, seeded)),
    );
    expect(operations.length).toBeGreaterThan(40);
    const anyRequest = fc.oneof(...operations);

    const started = Date.now();
    let batch = 0;
    // Batches of samples from one seeded stream: a failing run is replayed with FUZZ_SEED.
    while (tally.sent < TARGET_REQUESTS && Date.now() - started < TIME_BUDGET_MS) {
      const requests = fc.sample(anyRequest, { numRuns: 400, seed: SEED + batch++ });
      // Each operation at least once in the first batch, whatever the sampling did.
      if (batch === 1) requests.push(...operations.map((op, i) => fc.sample(op, { numRuns: 1, seed: SEED + i })[0]!));
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) {
            const req = requests[next++]!;
            await sendWithRetries(server.url, req, tally);
          }
        }),
      );
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const fiveXX = [...tally.byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(
      `fuzz: seed ${SEED}, ${tally.sent} requests over ${tally.operations.size} operations in ${seconds} s; 5xx: ${fiveXX}; resent after a closed socket: ${tally.resent}; 431 from the HTTP parser: ${tally.headTooLarge}; ` +
        `statuses ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort(([x], [y]) => x - y)))}`,
    );
    const unstorable5xx = [...tally.unstorable.byStatus].filter(([st]) => st >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(
      `fuzz: ${tally.unstorable.strings} NUL or unpaired-surrogate characters in ${tally.unstorable.requests} requests; 5xx among them: ${unstorable5xx}; ` +
        `statuses ${JSON.stringify(Object.fromEntries([...tally.unstorable.byStatus].sort(([x], [y]) => x - y)))}`,
    );
    for (const e of tally.serverErrors.slice(0, 5)) console.log('5xx', e.status, e.req.operation, e.req.method, e.req.path.slice(0, 200), (e.req.body ?? '').slice(0, 300), e.body);
    for (const e of tally.badErrors.slice(0, 5)) console.log('non-problem', e.status, e.contentType, e.req.operation, e.req.path.slice(0, 200));

    // The time bound wins over the count on a starved machine (the CI suite shares 2 cores with worker
    // processes being killed and restarted); say so loudly, and still demand a substantial run.
    if (tally.sent < TARGET_REQUESTS) console.warn(`fuzz: time bound reached after ${tally.sent} of ${TARGET_REQUESTS} requests (machine too busy)`);
    expect(tally.sent).toBeGreaterThanOrEqual(Math.min(TARGET_REQUESTS, MIN_REQUESTS));
    expect(tally.operations.size).toBe(operations.length);
    expect(tally.serverErrors).toEqual([]);
    // The generators must actually have sent such text, or the line above proves nothing about it.
    expect(tally.unstorable.requests).toBeGreaterThan(tally.sent / 100);
    expect(tally.unstorable.byStatus.get(422) ?? 0).toBeGreaterThan(0);
    expect(tally.badErrors).toEqual([]);
    // Some requests must get through validation, or the fuzzer proves nothing about the services.
    expect([...tally.byStatus].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(tally.sent / 30);

    const violations = await invariantViolations();
    expect(violations.overfilled).toEqual([]);
    expect(violations.overlapping).toEqual([]);
    expect(violations.unsuitable).toEqual([]);
  }, TIME_BUDGET_MS + 90_000);
});
