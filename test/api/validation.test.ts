/**
 * Bad input gets an RFC 9457 problem with field paths, and never reaches the
 * database (DESIGN.md, "Conventions"); tokens are checked before anything else;
 * a retried POST with the same Idempotency-Key creates nothing new (invariant 6).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { hashSecret, mintToken, revokeToken } from '../../src/services/tokens.js';
import { call, expectProblem, get, patch, post } from '../support/api.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { daysFromToday } from '../support/dates.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

let coordinatorToken: string;
let authorityId: string;
let providerId: string;
let familyId: string;
let childId: string;
let ruleId: string;

beforeAll(async () => {
  const a = await makeAuthority();
  coordinatorToken = a.coordinatorToken;
  authorityId = a.authority.id;
  providerId = (await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId })).provider.id;
  familyId = (await makeFamily(authorityId)).family.id;
  childId = (await makeChild(familyId, authorityId)).id;
  // A second provider's rule for the PATCH cases, so POST cases can count this provider's rules from zero.
  const other = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authorityId });
  ruleId = (await makeSlots(other.provider.id, { startDate: daysFromToday(30), untilDate: daysFromToday(31) })).rule.id;
});

const validRule = () => ({
  rrule: 'FREQ=WEEKLY;BYDAY=FR,SA',
  startDate: daysFromToday(7),
  untilDate: daysFromToday(60),
  startTime: '17:00',
  durationMinutes: 17 * 60,
  places: 2,
  capabilities: ['WHEELCHAIR'],
});

/** Everything the requests below could write, counted within this file's own tenant. */
async function rowsWritten() {
  const [rules, slots, families, children, entitlements, audits, rule] = await Promise.all([
    db().capacityRule.count({ where: { providerId } }),
    db().slot.count({ where: { providerId } }),
    db().family.count({ where: { authorityId } }),
    db().child.count({ where: { familyId } }),
    db().entitlement.count({ where: { childId } }),
    db().auditEvent.count({ where: { OR: [{ authorityId }, { entityId: { in: [providerId, ruleId, childId, familyId] } }] } }),
    db().capacityRule.findUniqueOrThrow({ where: { id: ruleId }, select: { version: true, places: true } }),
  ]);
  return { rules, slots, families, children, entitlements, audits, rule };
}

interface BadRequest {
  name: string;
  method: 'POST' | 'PATCH';
  path: () => string;
  body: unknown;
  /** The field path the problem must name. */
  field: string;
}

const rulesPath = () => `/v1/providers/${providerId}/capacity-rules`;
const badRequests: BadRequest[] = [
  { name: 'an unknown field', method: 'POST', path: rulesPath, body: { ...validRule(), colour: 'red' }, field: 'body.colour' },
  { name: 'a string for a number', method: 'POST', path: rulesPath, body: { ...validRule(), places: '2' }, field: 'body.places' },
  { name: 'a number out of range', method: 'POST', path: rulesPath, body: { ...validRule(), places: 0 }, field: 'body.places' },
  { name: 'an unknown capability', method: 'POST', path: rulesPath, body: { ...validRule(), capabilities: ['FLYING'] }, field: 'body.capabilities.0' },
  { name: 'a date that does not exist', method: 'POST', path: rulesPath, body: { ...validRule(), startDate: '2027-02-30' }, field: 'body.startDate' },
  { name: 'a badly written date', method: 'POST', path: rulesPath, body: { ...validRule(), startDate: '1/3/2027' }, field: 'body.startDate' },
  { name: 'an exdate that does not exist', method: 'POST', path: rulesPath, body: { ...validRule(), exdates: ['2027-13-01'] }, field: 'body.exdates.0' },
  { name: 'a time past 23:59', method: 'POST', path: rulesPath, body: { ...validRule(), startTime: '25:00' }, field: 'body.startTime' },
  { name: 'a garbage RRULE', method: 'POST', path: rulesPath, body: { ...validRule(), rrule: 'every other tuesday' }, field: 'body.rrule' },
  { name: 'FREQ=SECONDLY', method: 'POST', path: rulesPath, body: { ...validRule(), rrule: 'FREQ=SECONDLY' }, field: 'body.rrule' },
  { name: 'DTSTART inside the RRULE', method: 'POST', path: rulesPath, body: { ...validRule(), rrule: 'DTSTART:20270101T170000Z\nRRULE:FREQ=DAILY' }, field: 'body.rrule' },
  { name: 'DTSTART as a rule part', method: 'POST', path: rulesPath, body: { ...validRule(), rrule: 'FREQ=DAILY;DTSTART=20270101' }, field: 'body.rrule' },
  { name: 'a COUNT above the limit', method: 'POST', path: rulesPath, body: { ...validRule(), rrule: 'FREQ=DAILY;COUNT=100000' }, field: 'body.rrule' },
  { name: 'BYHOUR (the time comes from startTime)', method: 'POST', path: rulesPath, body: { ...validRule(), rrule: 'FREQ=DAILY;BYHOUR=9' }, field: 'body.rrule' },
  { name: 'untilDate before startDate', method: 'POST', path: rulesPath, body: { ...validRule(), untilDate: daysFromToday(1) }, field: 'body.untilDate' },
  { name: 'a non-uuid carerId', method: 'POST', path: rulesPath, body: { ...validRule(), carerId: 'carer-1' }, field: 'body.carerId' },
  { name: 'a rule edit with a bad time', method: 'PATCH', path: () => `/v1/capacity-rules/${ruleId}`, body: { startTime: '7pm' }, field: 'body.startTime' },
  { name: 'a rule edit with an unknown field', method: 'PATCH', path: () => `/v1/capacity-rules/${ruleId}`, body: { places: 4, providerId: randomUUID() }, field: 'body.providerId' },
  { name: 'a rule edit with until before start', method: 'PATCH', path: () => `/v1/capacity-rules/${ruleId}`, body: { startDate: '2027-05-02', untilDate: '2027-05-01' }, field: 'body.untilDate' },
  { name: 'a provider edit changing kind', method: 'PATCH', path: () => `/v1/providers/${providerId}`, body: { kind: 'COMMUNITY' }, field: 'body.kind' },
  { name: 'a family without a name', method: 'POST', path: () => '/v1/families', body: { email: 'a@example.org' }, field: 'body.name' },
  { name: 'a family with a bad email', method: 'POST', path: () => '/v1/families', body: { name: 'Smith', email: 'not-an-email' }, field: 'body.email' },
  { name: 'a family with a foreign postcode', method: 'POST', path: () => '/v1/families', body: { name: 'Smith', postcode: '75001' }, field: 'body.postcode' },
  { name: 'a child with an unknown need', method: 'POST', path: () => `/v1/families/${familyId}/children`, body: { firstName: 'A', lastName: 'B', dateOfBirth: '2016-04-01', needs: ['FLYING'] }, field: 'body.needs.0' },
  { name: 'a child with repeated needs', method: 'POST', path: () => `/v1/families/${familyId}/children`, body: { firstName: 'A', lastName: 'B', dateOfBirth: '2016-04-01', needs: ['OXYGEN', 'OXYGEN'] }, field: 'body.needs' },
  { name: 'an unknown passport field', method: 'POST', path: () => `/v1/families/${familyId}/children`, body: { firstName: 'A', lastName: 'B', dateOfBirth: '2016-04-01', passport: { shoeSize: '3' } }, field: 'body.passport.shoeSize' },
  { name: 'an entitlement ending before it starts', method: 'POST', path: () => `/v1/children/${childId}/entitlements`, body: { periodStart: '2027-04-01', periodEnd: '2027-03-31', nights: 10, daySessions: 0 }, field: 'body.periodEnd' },
  { name: 'an entitlement of nothing', method: 'POST', path: () => `/v1/children/${childId}/entitlements`, body: { periodStart: '2027-04-01', periodEnd: '2028-03-31', nights: 0, daySessions: 0 }, field: 'body.nights' },
  { name: 'a fractional entitlement', method: 'POST', path: () => `/v1/children/${childId}/entitlements`, body: { periodStart: '2027-04-01', periodEnd: '2028-03-31', nights: 1.5, daySessions: 0 }, field: 'body.nights' },
];

describe('invalid bodies', () => {
  it.each(badRequests)('refuses $name with a 400 naming $field, writing nothing', async ({ method, path, body, field }) => {
    const before = await rowsWritten();
    const res = await call(method, path(), { token: coordinatorToken, body });
    const problem = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem).toMatchObject({ type: expect.stringMatching(/^https?:\/\//), title: expect.any(String), status: 400, detail: expect.any(String) });
    expect(problem.errors?.map((e) => e.path)).toContain(field);
    expect(problem.errors?.every((e) => e.message.length > 0)).toBe(true);
    expect(await rowsWritten()).toEqual(before);
  });

  it('refuses malformed JSON, a missing body and a non-object body', async () => {
    const before = await rowsWritten();
    const malformed = expectProblem(await call('POST', rulesPath(), { token: coordinatorToken, rawBody: '{"rrule": "FREQ=DAILY",' }), 400, 'VALIDATION_FAILED');
    expect(malformed.errors?.[0]?.path).toBe('body');
    const missing = expectProblem(await call('POST', rulesPath(), { token: coordinatorToken }), 400, 'VALIDATION_FAILED');
    expect(missing.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['body.rrule', 'body.startDate', 'body.places']));
    expectProblem(await post(rulesPath(), coordinatorToken, [validRule()]), 400, 'VALIDATION_FAILED');
    expect(await rowsWritten()).toEqual(before);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const before = await rowsWritten();
    const res = await call('POST', '/v1/families', { token: coordinatorToken, rawBody: 'name=Smith', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await rowsWritten()).toEqual(before);
  });

  it('refuses a body over 256 KiB with 413', async () => {
    const before = await rowsWritten();
    expectProblem(await post('/v1/families', coordinatorToken, { name: 'x'.repeat(300 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    expect(await rowsWritten()).toEqual(before);
  });
});

describe('invalid paths and queries', () => {
  it.each([
    ['GET', '/v1/providers/not-a-uuid'],
    ['PATCH', '/v1/capacity-rules/123'],
    ['GET', '/v1/children/00000000-0000-0000-0000-00000000000g'],
    ['POST', '/v1/carers/1/training'],
  ])('refuses %s %s: a non-uuid id is a 400 on path.id', async (method, path) => {
    const problem = expectProblem(await call(method, path, { token: coordinatorToken, body: method === 'GET' ? undefined : {} }), 400, 'VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.path)).toContain('path.id');
  });

  it('answers 404 for an id that does not exist', async () => {
    expectProblem(await get(`/v1/providers/${randomUUID()}`, coordinatorToken), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/capacity-rules/${randomUUID()}`, coordinatorToken), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/children/${randomUUID()}`, coordinatorToken), 404, 'NOT_FOUND');
  });

  it('refuses slot queries without a window, with a reversed or over-long window, or a bad limit', async () => {
    const paths = (res: Awaited<ReturnType<typeof get>>) => expectProblem(res, 400, 'VALIDATION_FAILED').errors?.map((e) => e.path);
    expect(paths(await get('/v1/slots', coordinatorToken))).toEqual(['query.from', 'query.to']);
    expect(paths(await get('/v1/slots?from=2027-03-10&to=2027-03-01', coordinatorToken))).toEqual(['query.to']);
    expect(paths(await get('/v1/slots?from=2027-01-01&to=2029-01-01', coordinatorToken))).toEqual(['query.to']);
    expect(paths(await get('/v1/slots?from=2027-01-01&to=2027-01-31&limit=0', coordinatorToken))).toEqual(['query.limit']);
    expect(paths(await get('/v1/slots?from=2027-01-01&to=2027-01-31&capability=FLYING', coordinatorToken))).toEqual(['query.capability']);
    expect(paths(await get('/v1/slots?from=2027-01-01&to=2027-01-31&cursor=page-2', coordinatorToken))).toEqual(['query.cursor']);
  });

  it('answers an unknown route with a 404 problem', async () => {
    expect(expectProblem(await get('/v1/nothing-here', coordinatorToken), 404, 'NOT_FOUND').detail).toContain('/v1/nothing-here');
    expectProblem(await get('/nothing-here'), 404, 'NOT_FOUND');
  });
});

describe('authentication', () => {
  const tokenId = async (token: string) => (await db().apiToken.findUniqueOrThrow({ where: { tokenHash: hashSecret(token) } })).id;

  it('refuses a missing, malformed or unknown token with 401 before validating anything', async () => {
    expectProblem(await get('/v1/providers'), 401, 'UNAUTHENTICATED');
    expectProblem(await call('GET', '/v1/providers', { headers: { Authorization: `Basic ${btoa('a:b')}` } }), 401, 'UNAUTHENTICATED');
    expectProblem(await call('GET', '/v1/providers', { headers: { Authorization: 'Bearer' } }), 401, 'UNAUTHENTICATED');
    expectProblem(await get('/v1/providers', `sbc_${'A'.repeat(43)}`), 401, 'UNAUTHENTICATED');
    // Bad input from an unauthenticated caller is still a 401, not a 400 that describes the API.
    expectProblem(await post(rulesPath(), undefined, { colour: 'red' }), 401, 'UNAUTHENTICATED');
    expect(await db().capacityRule.count({ where: { providerId } })).toBe(0);
  });

  it('refuses a revoked token', async () => {
    const token = await mintToken({ role: 'COORDINATOR', authorityId });
    expect((await get('/v1/providers', token)).status).toBe(200);
    await revokeToken(await tokenId(token));
    expectProblem(await get('/v1/providers', token), 401, 'UNAUTHENTICATED');
  });

  it('refuses an expired token', async () => {
    const token = await mintToken({ role: 'FAMILY', familyId }, { expiresAt: new Date(Date.now() - 1000) });
    expectProblem(await get(`/v1/families/${familyId}`, token), 401, 'UNAUTHENTICATED');
    const live = await mintToken({ role: 'FAMILY', familyId }, { expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await get(`/v1/families/${familyId}`, live)).status).toBe(200);
  });

  it('stores only a hash of each token', async () => {
    const token = await mintToken({ role: 'COORDINATOR', authorityId });
    const row = await db().apiToken.findUniqueOrThrow({ where: { tokenHash: hashSecret(token) } });
    expect(JSON.stringify(row)).not.toContain(token);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response to a retry with the same key and body, creating one row', async () => {
    const { authority, coordinatorToken: token } = await makeAuthority();
    const body = { name: `Family ${uid()}`, postcode: 'bn11 3xx' };
    const key = `create-family-${uid()}`;
    const first = await post('/v1/families', token, body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    const retry = await post('/v1/families', token, body, { 'Idempotency-Key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await db().family.count({ where: { authorityId: authority.id } })).toBe(1);

    const reused = await post('/v1/families', token, { ...body, name: 'Someone else' }, { 'Idempotency-Key': key });
    expectProblem(reused, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await db().family.count({ where: { authorityId: authority.id } })).toBe(1);

    // Without a key, or with a new one, the same body creates again.
    expect((await post('/v1/families', token, body, { 'Idempotency-Key': `${key}-2` })).body.id).not.toBe(first.body.id);
    expect(await db().family.count({ where: { authorityId: authority.id } })).toBe(2);
  });

  it('creates one rule when concurrent retries race', async () => {
    const { authority, coordinatorToken: token } = await makeAuthority();
    const { provider } = await makeProvider('COMMUNITY', { operatorAuthorityId: authority.id });
    const key = `rule-${uid()}`;
    const responses = await Promise.all(
      [1, 2, 3].map(() => post(`/v1/providers/${provider.id}/capacity-rules`, token, validRule(), { 'Idempotency-Key': key })),
    );
    // Each is either the one creation, its replay, or "still in progress, retry" — never a second rule.
    for (const res of responses) expect([201, 409]).toContain(res.status);
    expect(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    expect(await db().capacityRule.count({ where: { providerId: provider.id } })).toBe(1);
  });

  it('scopes keys to the token: another caller’s same key is a new request', async () => {
    const a = await makeAuthority();
    const b = await makeAuthority();
    const key = `shared-${uid()}`;
    const body = { name: 'Same name' };
    const fromA = await post('/v1/families', a.coordinatorToken, body, { 'Idempotency-Key': key });
    const fromB = await post('/v1/families', b.coordinatorToken, body, { 'Idempotency-Key': key });
    expect([fromA.status, fromB.status]).toEqual([201, 201]);
    expect(fromB.headers.get('Idempotent-Replayed')).toBeNull();
    expect(fromB.body.authorityId).toBe(b.authority.id);
  });

  it('refuses a malformed key', async () => {
    const before = await rowsWritten();
    const res = await post('/v1/families', coordinatorToken, { name: 'Smith' }, { 'Idempotency-Key': 'has spaces in it' });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors?.map((e) => e.path)).toEqual(['header.Idempotency-Key']);
    expect(await rowsWritten()).toEqual(before);
  });
});

describe('edits that are valid JSON but cannot apply', () => {
  it('refuses a rule edit that puts untilDate before the stored startDate, changing nothing', async () => {
    const before = await rowsWritten();
    const res = await patch(`/v1/capacity-rules/${ruleId}`, coordinatorToken, { untilDate: '2020-01-01' });
    expectProblem(res, 422, 'UNPROCESSABLE');
    expect(await rowsWritten()).toEqual(before);
  });
});
