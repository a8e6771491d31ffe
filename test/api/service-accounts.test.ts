/**
 * Service accounts, as a coordinator would set one up for their council's case
 * system: named, acting as the authority's coordinator and as staff of a home
 * the authority runs; a token scoped to one or both, with an expiry; what the
 * token does is audited as the service account; disabling it stops every token
 * at once. Another authority's coordinator sees and touches none of it, and a
 * service account cannot make more of itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { mintAdminToken } from '../../src/services/people.js';
import { call, get } from '../support/api.js';
import { makeAuthority, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { makePerson, personToken } from '../support/people.js';

afterAll(closeConnections);

describe('service accounts for integrations', () => {
  it('a coordinator makes one for their authority, gives it a scoped token with an expiry, sees its work audited under its name, and disables it', async () => {
    const { authority } = await makeAuthority();
    const other = await makeAuthority();
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id });
    const { provider: elsewhere } = await makeProvider('RESIDENTIAL');
    const coordinator = await personToken(await makePerson('Casey Coordinator'), { role: 'COORDINATOR', authorityId: authority.id });

    const made = await call('POST', '/v1/service-accounts', {
      token: coordinator,
      body: { name: 'Case system', memberships: [{ role: 'COORDINATOR', authorityId: authority.id }, { role: 'PROVIDER_STAFF', providerId: home.id }] },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Case system', authorityId: authority.id, disabledAt: null, tokens: [] });
    const [asCoordinator, asStaff] = made.body.memberships as { id: string; role: string }[];
    expect([asCoordinator!.role, asStaff!.role]).toEqual(['COORDINATOR', 'PROVIDER_STAFF']);
    const account = made.body.id as string;

    // Only for what the coordinator's authority has: not another authority, not a home it does not run.
    expect((await call('POST', '/v1/service-accounts', { token: coordinator, body: { name: 'X', memberships: [{ role: 'COORDINATOR', authorityId: other.authority.id }] } })).status).toBe(403);
    expect((await call('POST', '/v1/service-accounts', { token: coordinator, body: { name: 'X', memberships: [{ role: 'PROVIDER_STAFF', providerId: elsewhere.id }] } })).status).toBe(404);

    // A token acting through both, expiring in 30 days; the default is the first.
    const issued = await call('POST', `/v1/service-accounts/${account}/tokens`, { token: coordinator, body: { label: 'Nightly sync', membershipIds: [asCoordinator!.id, asStaff!.id], expiresInDays: 30 } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ membershipId: asCoordinator!.id, membershipIds: [asCoordinator!.id, asStaff!.id] });
    const days = (Date.parse(issued.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const sync = issued.body.token as string;
    // Another token, scoped to the staff membership only.
    const staffOnly = (await call('POST', `/v1/service-accounts/${account}/tokens`, { token: coordinator, body: { label: 'Rota', membershipId: asStaff!.id, expiresInDays: 7 } })).body.token as string;

    const me = await get('/v1/me', sync);
    expect(me.body).toMatchObject({ person: { id: account, name: 'Case system', serviceAccount: true, email: null }, role: 'COORDINATOR', membershipId: asCoordinator!.id });
    expect((await call('GET', '/v1/providers', { token: sync, headers: { 'Acting-As': asStaff!.id } })).body.items.map((p: { id: string }) => p.id)).toEqual([home.id]);
    expect((await get('/v1/me', staffOnly)).body).toMatchObject({ role: 'PROVIDER', membershipId: asStaff!.id });
    expect((await call('GET', '/v1/me', { token: staffOnly, headers: { 'Acting-As': asCoordinator!.id } })).status).toBe(403);

    // What it does is audited as the service account, through that token.
    const family = await call('POST', '/v1/families', { token: sync, body: { name: `Synced ${uid()}` } });
    expect(family.status).toBe(201);
    const tokenRow = await db().apiToken.findFirstOrThrow({ where: { personId: account, label: 'Nightly sync' } });
    expect(await db().auditEvent.findFirstOrThrow({ where: { entityId: family.body.id } })).toMatchObject({ actorPersonId: account, actorTokenId: tokenRow.id, actorRole: 'COORDINATOR' });
    expect(await db().auditEvent.findFirstOrThrow({ where: { action: 'token.created', entityId: tokenRow.id } })).toMatchObject({ after: { serviceAccountId: account, serviceAccount: 'Case system' } });

    // It cannot make more of itself.
    expect((await call('POST', '/v1/service-accounts', { token: sync, body: { name: 'Shadow' } })).status).toBe(403);
    expect((await call('POST', `/v1/service-accounts/${account}/tokens`, { token: sync, body: { label: 'More', expiresInDays: 366 } })).status).toBe(403);
    expect((await call('POST', '/v1/me/tokens', { token: sync, body: { label: 'More', expiresInDays: 366 } })).status).toBe(403);

    // Listed for its authority (with its tokens, never their secrets), and for nobody else's.
    const listed = await get('/v1/service-accounts', coordinator);
    const mine = listed.body.items.find((a: { id: string }) => a.id === account);
    expect(mine.tokens.map((t: { label: string }) => t.label).sort()).toEqual(['Nightly sync', 'Rota']);
    expect(JSON.stringify(listed.body)).not.toContain(sync);
    expect((await get('/v1/service-accounts', other.coordinatorToken)).body.items.map((a: { id: string }) => a.id)).not.toContain(account);
    expect((await call('POST', `/v1/service-accounts/${account}/disable`, { token: other.coordinatorToken })).status).toBe(404);
    expect((await call('POST', `/v1/service-accounts/${account}/tokens`, { token: other.coordinatorToken, body: { label: 'X', expiresInDays: 1 } })).status).toBe(404);

    // One token revoked: only it stops.
    const rota = await db().apiToken.findFirstOrThrow({ where: { personId: account, label: 'Rota' } });
    expect((await call('DELETE', `/v1/service-accounts/${account}/tokens/${rota.id}`, { token: coordinator })).status).toBe(200);
    expect((await get('/v1/me', staffOnly)).status).toBe(401);
    expect((await get('/v1/me', sync)).status).toBe(200);

    // Disabled: every token stops, no new one is made, and disabling again changes nothing.
    const disabled = await call('POST', `/v1/service-accounts/${account}/disable`, { token: coordinator });
    expect(disabled.body).toMatchObject({ id: account, disabledAt: expect.any(String) });
    expect((await get('/v1/me', sync)).status).toBe(401);
    expect((await call('POST', `/v1/service-accounts/${account}/tokens`, { token: coordinator, body: { label: 'Again', expiresInDays: 1 } })).status).toBe(409);
    expect((await call('POST', `/v1/service-accounts/${account}/disable`, { token: coordinator })).body.disabledAt).toBe(disabled.body.disabledAt);
    expect(await db().auditEvent.count({ where: { action: 'service_account.disabled', entityId: account } })).toBe(1);
  });

  it('a platform administrator makes one for any authority and must say what it acts as; providers and families may not make any', async () => {
    const { authority } = await makeAuthority();
    const { provider, providerToken } = await makeProvider('COMMUNITY');
    const admin = await mintAdminToken('service accounts test');
    expect((await call('POST', '/v1/service-accounts', { token: admin, body: { name: 'Reporting' } })).status).toBe(422);
    const made = await call('POST', '/v1/service-accounts', { token: admin, body: { name: 'Reporting', memberships: [{ role: 'COORDINATOR', authorityId: authority.id }, { role: 'PROVIDER_MANAGER', providerId: provider.id }] } });
    expect(made).toMatchObject({ status: 201, body: { authorityId: null } });
    expect((await get('/v1/service-accounts', admin)).body.items.map((a: { id: string }) => a.id)).toContain(made.body.id);
    // Made by an administrator, so no authority's coordinator manages it.
    const { coordinatorToken } = await makeAuthority();
    expect((await call('POST', `/v1/service-accounts/${made.body.id}/disable`, { token: coordinatorToken })).status).toBe(404);
    expect((await call('POST', '/v1/service-accounts', { token: providerToken, body: { name: 'X' } })).status).toBe(403);
    expect((await call('POST', '/v1/service-accounts', { token: admin, body: { name: 'X', memberships: [{ role: 'COORDINATOR', authorityId: '00000000-0000-4000-8000-000000000000' }] } })).status).toBe(404);
  });
});
