/**
 * Platform administration, as the administrator and a coordinator would do it:
 * an administrator (`npm run --silent token -- admin`) creates a second
 * authority and hands a provider to it; a coordinator may do neither. Audit
 * rows name the person and the token it came through.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { call, get } from '../support/api.js';
import { makeAuthority, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { addTestMembership, makePerson, personToken } from '../support/people.js';
import { createOwnToken } from '../../src/services/people.js';

afterAll(closeConnections);

const problem = (res: { status: number; headers: Headers }) => ({ status: res.status, type: res.headers.get('content-type') });

describe('a platform administrator', () => {
  it('mints an administrator token from the command line, creates a second authority and sets who runs a provider; a coordinator gets 403 for both', async () => {
    const cli = spawnSync('npx', ['tsx', 'scripts/token.ts', 'admin'], { encoding: 'utf8', env: process.env });
    expect(cli.status, cli.stderr).toBe(0);
    const admin = cli.stdout.trim();
    expect(admin).toMatch(/^sba_[A-Za-z0-9_-]{43}$/);

    const { authority: first, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: first.id });
    const code = `WS${uid().toUpperCase()}`;
    const created = await call('POST', '/v1/authorities', { token: admin, body: { name: 'West Sussex County Council', code, contactEmail: 'Short.Breaks@WestSussex.example' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'West Sussex County Council', code, contactEmail: 'short.breaks@westsussex.example', swapRequiresApproval: true });
    const second = created.body.id as string;
    expect((await get('/v1/authorities', admin)).body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([first.id, second]));
    expect(problem(await call('POST', '/v1/authorities', { token: admin, body: { name: 'Again', code } }))).toMatchObject({ status: 409, type: expect.stringContaining('problem+json') });

    const handed = await call('PUT', `/v1/providers/${provider.id}/operator`, { token: admin, body: { authorityId: second } });
    expect(handed).toMatchObject({ status: 200, body: { providerId: provider.id, operatorAuthorityId: second } });
    expect((await db().provider.findUniqueOrThrow({ where: { id: provider.id } })).operatorAuthorityId).toBe(second);
    // The first authority's coordinators no longer run it, so may no longer change it.
    expect((await call('PATCH', `/v1/providers/${provider.id}`, { token: coordinatorToken, body: { phone: '01903 000000' } })).status).toBe(403);
    expect((await call('PUT', `/v1/providers/${provider.id}/operator`, { token: admin, body: { authorityId: null } })).body.operatorAuthorityId).toBeNull();

    // A coordinator may do neither, not even for a provider its own authority runs.
    expect(problem(await call('POST', '/v1/authorities', { token: coordinatorToken, body: { name: 'Rogue', code: `R${uid().toUpperCase()}` } }))).toMatchObject({ status: 403, type: expect.stringContaining('problem+json') });
    const own = await makeProvider('RESIDENTIAL', { operatorAuthorityId: first.id });
    expect((await call('PUT', `/v1/providers/${own.provider.id}/operator`, { token: coordinatorToken, body: { authorityId: second } })).status).toBe(403);
    // ...and the administrator sees no family's records.
    const { family } = await makeFamily(first.id);
    expect((await get(`/v1/families/${family.id}`, admin)).status).toBe(403);

    const events = await db().auditEvent.findMany({ where: { entityId: { in: [second, provider.id] }, action: { in: ['authority.created', 'provider.operator_set'] } }, orderBy: { at: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['authority.created', 'provider.operator_set', 'provider.operator_set']);
    const adminToken = await db().apiToken.findFirstOrThrow({ where: { role: 'ADMIN', id: events[0]!.actorId }, include: { person: true } });
    expect(adminToken.person).toMatchObject({ name: 'Platform administration', serviceAccount: true });
    expect(events.every((e) => e.actorPersonId === adminToken.personId && e.actorTokenId === adminToken.id && e.actorSessionId === null)).toBe(true);
  }, 60_000);

  it('refuses bad input with problem+json 4xx', async () => {
    const cliToken = await personToken(await makePerson(), { role: 'PLATFORM_ADMIN' });
    const { provider } = await makeProvider('RESIDENTIAL');
    for (const [method, path, body] of [
      ['POST', '/v1/authorities', { name: '', code: 'ok-lower' }],
      ['POST', '/v1/authorities', { name: 'A\u0000B', code: 'NUL1' }],
      ['POST', '/v1/authorities', { name: 'X', code: 'XX', extra: 1 }],
      ['POST', '/v1/authorities', { name: 'X', code: 'XY', contactEmail: 'not-an-email' }],
      ['PUT', `/v1/providers/${provider.id}/operator`, { authorityId: 'nope' }],
      ['PUT', `/v1/providers/${provider.id}/operator`, {}],
      ['PUT', '/v1/providers/00000000-0000-4000-8000-000000000000/operator', { authorityId: null }],
      ['PUT', `/v1/providers/${provider.id}/operator`, { authorityId: '00000000-0000-4000-8000-000000000000' }],
    ] as const) {
      const res = await call(method, path, { token: cliToken, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe('people and their tokens', () => {
  it('a person’s own integration token acts as their membership, expires, and dies with the membership', async () => {
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const person = await makePerson('Jo Parent');
    const token = await personToken(person, { role: 'CARER', familyId: family.id });
    const made = await call('POST', '/v1/me/tokens', { token, body: { label: 'Calendar sync', expiresInDays: 7 } });
    expect(made.status).toBe(201);
    const integration = made.body.token as string;
    expect((await get('/v1/me', integration)).body).toMatchObject({ person: { name: 'Jo Parent', email: person.email }, role: 'FAMILY', membershipId: made.body.membershipId });
    expect((await get(`/v1/families/${family.id}`, integration)).status).toBe(200);
    expect(Date.parse(made.body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await db().membership.update({ where: { id: made.body.membershipId }, data: { revokedAt: new Date() } });
    expect((await get(`/v1/families/${family.id}`, integration)).status).toBe(401);
    expect((await get(`/v1/families/${family.id}`, token)).status).toBe(401);
  });

  it('a carer signed in through a membership loses it, and every token acting through it, when the family is erased', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const token = await personToken(await makePerson('Sam Carer'), { role: 'CARER', familyId: family.id });
    const integration = (await call('POST', '/v1/me/tokens', { token, body: { label: 'Phone calendar', expiresInDays: 7 } })).body.token as string;
    expect((await get(`/v1/families/${family.id}`, token)).status).toBe(200);

    const erased = await call('POST', `/v1/families/${family.id}/erasure`, { token: coordinatorToken, body: { reason: 'Written request received 1 December 2026, reference DP-0099' } });
    expect(erased.status).toBeLessThan(300);

    expect((await get(`/v1/families/${family.id}`, token)).status).toBe(401);
    expect((await get(`/v1/families/${family.id}`, integration)).status).toBe(401);
    expect(await db().membership.count({ where: { familyId: family.id, revokedAt: null } })).toBe(0);
  });
});

describe('an integration token scoped to some of a person’s memberships', () => {
  it('acts through the first by default and another with Acting-As, never one outside its scope, is listed without its secret, expires, and loses a membership that ends while keeping the others', async () => {
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const { provider } = await makeProvider('RESIDENTIAL');
    const jo = await makePerson('Jo Both');
    const carerToken = await personToken(jo, { role: 'CARER', familyId: family.id });
    const { membershipId: carer } = await addTestMembership(jo, { role: 'CARER', familyId: family.id });
    const { membershipId: coordinator } = await addTestMembership(jo, { role: 'COORDINATOR', authorityId: authority.id });
    const { membershipId: staff } = await addTestMembership(jo, { role: 'PROVIDER_STAFF', providerId: provider.id });
    // Signed in as herself (not through a token), Jo may choose any of her memberships for a new token.
    const { personId } = await addTestMembership(jo, { role: 'CARER', familyId: family.id });
    const session = { tokenId: 'session', sessionId: 'session', personId, membershipId: carer, role: 'FAMILY' as const, familyId: family.id, authorityId: authority.id };
    const made = await createOwnToken(session, { label: 'Council and home sync', membershipIds: [carer, coordinator], expiresInDays: 30 });
    expect(made.membershipIds).toEqual([carer, coordinator]);
    const integration = made.token;

    expect((await get('/v1/me', integration)).body).toMatchObject({ role: 'FAMILY', membershipId: carer });
    const asCoordinator = await call('GET', '/v1/me', { token: integration, headers: { 'Acting-As': coordinator } });
    expect(asCoordinator.body).toMatchObject({ role: 'COORDINATOR', membershipId: coordinator });
    expect((await call('GET', `/v1/families/${family.id}`, { token: integration, headers: { 'Acting-As': coordinator } })).status).toBe(200);
    // Her staff membership is not in this token's scope, and a made-up one is nobody's.
    expect(problem(await call('GET', '/v1/me', { token: integration, headers: { 'Acting-As': staff } }))).toMatchObject({ status: 403, type: expect.stringContaining('problem+json') });
    expect((await call('GET', '/v1/me', { token: integration, headers: { 'Acting-As': 'nonsense' } })).status).toBe(403);
    // Nor may the token make a token that reaches further than itself.
    expect((await call('POST', '/v1/me/tokens', { token: integration, body: { label: 'Wider', membershipIds: [carer, staff], expiresInDays: 7 } })).status).toBe(403);
    expect((await call('POST', '/v1/me/tokens', { token: integration, body: { label: 'Both', membershipId: carer, membershipIds: [carer], expiresInDays: 7 } })).status).toBe(400);

    const listed = await get('/v1/me/tokens', carerToken);
    expect(listed.status).toBe(200);
    const row = listed.body.items.find((t: { id: string }) => t.id === made.id);
    expect(row).toMatchObject({ label: 'Council and home sync', membershipIds: [carer, coordinator], revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(integration);
    expect(Date.parse(row.expiresAt) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);

    // Past its expiry it stops.
    await db().apiToken.update({ where: { id: made.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await get('/v1/me', integration)).status).toBe(401);
    await db().apiToken.update({ where: { id: made.id }, data: { expiresAt: new Date(Date.now() + 86_400_000) } });
    expect((await get('/v1/me', integration)).status).toBe(200);

    // An administrator ends Jo's coordinator membership: the token no longer acts as coordinator, and keeps working as carer.
    const admin = await personToken(await makePerson('Ade Admin'), { role: 'PLATFORM_ADMIN' });
    expect((await call('DELETE', `/v1/memberships/${coordinator}`, { token: admin })).status).toBe(200);
    expect((await get('/v1/me', integration)).body).toMatchObject({ role: 'FAMILY', membershipId: carer });
    expect((await call('GET', '/v1/me', { token: integration, headers: { 'Acting-As': coordinator } })).status).toBe(403);
    // Her carer-only token is untouched, and she can revoke it herself.
    expect((await get('/v1/me', carerToken)).status).toBe(200);
    const own = (await get('/v1/me/tokens', carerToken)).body.items.find((t: { label: string; revokedAt: string | null }) => t.label === 'test' && t.revokedAt === null);
    expect((await call('DELETE', `/v1/me/tokens/${own.id}`, { token: carerToken })).status).toBe(200);
    expect((await get('/v1/me', carerToken)).status).toBe(401);
  });
});
