/**
 * Who may end whose access, through the API (DELETE /v1/memberships/:id), as
 * each person would try it: a coordinator ends a carer of one of their
 * families, never another authority's carer nor a provider's staff; a
 * provider manager ends their staff, never another provider's, and staff end
 * nobody; a platform administrator may end any; a family may not. Ending a
 * membership ends every session and token acting through it, is audited with
 * the person who did it, and ending it again changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { startPersonSession } from '../../src/services/web-sessions.js';
import { resolveWebSession } from '../../src/services/web-sessions.js';
import { call, get } from '../support/api.js';
import { makeAuthority, makeFamily, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { mintMembershipToken } from '../../src/services/tokens.js';
import { transaction } from '../../src/services/tx.js';
import { acceptInvitation, invitationForLink } from '../../src/services/invitations.js';
import { hashSecret } from '../../src/services/tokens.js';
import { addTestMembership, makePerson, personToken } from '../support/people.js';

afterAll(closeConnections);

const end = (id: string, token: string) => call('DELETE', `/v1/memberships/${id}`, { token });

describe('ending someone’s access', () => {
  it('a coordinator ends a carer of their own family: the carer’s session and tokens stop at once, it is audited, and ending it again changes nothing', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const coordinator = await makePerson('Casey Coordinator');
    const personal = await personToken(coordinator, { role: 'COORDINATOR', authorityId: authority.id });
    const carer = await makePerson('Jo Carer');
    const carerToken = await personToken(carer, { role: 'CARER', familyId: family.id });
    const { personId, membershipId } = await addTestMembership(carer, { role: 'CARER', familyId: family.id });
    const secret = await startPersonSession(personId, 'EMAIL_LINK', membershipId);
    expect((await resolveWebSession(secret))?.principal).toMatchObject({ role: 'FAMILY', familyId: family.id });
    const integration = (await call('POST', '/v1/me/tokens', { token: carerToken, body: { label: 'Calendar', expiresInDays: 30 } })).body.token as string;

    const listed = await get(`/v1/memberships?familyId=${family.id}`, coordinatorToken);
    expect(listed.status).toBe(200);
    expect(listed.body.members).toEqual([expect.objectContaining({ membershipId, name: 'Jo Carer', email: carer.email, role: 'CARER' })]);

    const ended = await end(membershipId, personal);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ membershipId, endedAt: expect.any(String), sessionsEnded: 1, tokensRevoked: 2 });
    expect(await resolveWebSession(secret)).toBeNull();
    expect((await get(`/v1/families/${family.id}`, carerToken)).status).toBe(401);
    expect((await get(`/v1/families/${family.id}`, integration)).status).toBe(401);
    expect((await get(`/v1/memberships?familyId=${family.id}`, coordinatorToken)).body.members).toEqual([]);

    const event = await db().auditEvent.findFirstOrThrow({ where: { action: 'membership.ended', entityId: membershipId } });
    const coordinatorRow = await db().person.findUniqueOrThrow({ where: { email: coordinator.email } });
    expect(event).toMatchObject({ actorRole: 'COORDINATOR', actorPersonId: coordinatorRow.id, authorityId: authority.id });
    expect(event.actorTokenId).toBeTruthy();

    const again = await end(membershipId, personal);
    expect(again.status).toBe(200);
    expect(await db().auditEvent.count({ where: { action: 'membership.ended', entityId: membershipId } })).toBe(1);
  });

  it('refuses whoever may not: another authority’s coordinator, a provider, staff, a family; an administrator may', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const other = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const { provider } = await makeProvider('RESIDENTIAL');
    const { provider: otherProvider } = await makeProvider('RESIDENTIAL');
    const managerToken = await personToken(await makePerson('Mo Manager'), { role: 'PROVIDER_MANAGER', providerId: provider.id });
    const otherManagerToken = await personToken(await makePerson('Ola Manager'), { role: 'PROVIDER_MANAGER', providerId: otherProvider.id });
    const staffToken = await personToken(await makePerson('Pat Staff'), { role: 'PROVIDER_STAFF', providerId: provider.id });
    const alex = await makePerson('Alex Staff');
    const { membershipId: staffMembership } = await addTestMembership(alex, { role: 'PROVIDER_STAFF', providerId: provider.id });
    const { membershipId: carerMembership } = await addTestMembership(await makePerson('Kim Carer'), { role: 'CARER', familyId: family.id });
    const admin = await personToken(await makePerson('Ade Admin'), { role: 'PLATFORM_ADMIN' });

    expect((await end(carerMembership, other.coordinatorToken)).status).toBe(404);
    expect((await end(staffMembership, coordinatorToken)).status).toBe(404);
    expect((await end(carerMembership, managerToken)).status).toBe(404);
    expect((await end(staffMembership, otherManagerToken)).status).toBe(404);
    expect((await end(staffMembership, staffToken)).status).toBe(403);
    expect((await end(carerMembership, familyToken)).status).toBe(403);
    expect((await end('00000000-0000-4000-8000-000000000000', coordinatorToken)).status).toBe(404);
    expect((await end('not-a-uuid', coordinatorToken)).status).toBe(400);
    expect(await db().membership.count({ where: { id: { in: [carerMembership, staffMembership] }, revokedAt: { not: null } } })).toBe(0);

    // The manager sees and ends their own staff; a manager cannot end the membership they act through.
    const staff = await get('/v1/memberships', managerToken);
    expect(staff.body.members.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['Mo Manager', 'Pat Staff', 'Alex Staff']));
    expect(staff.body.members.every((m: { providerId: string }) => m.providerId === provider.id)).toBe(true);
    expect((await get('/v1/memberships', staffToken)).status).toBe(403);
    const own = (staff.body.members as { name: string; membershipId: string }[]).find((m) => m.name === 'Mo Manager')!;
    expect((await end(own.membershipId, managerToken)).status).toBe(409);
    expect((await end(staffMembership, managerToken)).status).toBe(200);
    // The administrator may end any (here the carer's).
    expect((await end(carerMembership, admin)).status).toBe(200);
    expect(await db().membership.count({ where: { id: { in: [carerMembership, staffMembership] }, revokedAt: null } })).toBe(0);
  });

  it('a provider manager invites a manager or staff; a coordinator cannot invite staff', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const { provider } = await makeProvider('RESIDENTIAL');
    const managerToken = await personToken(await makePerson('Mo Manager'), { role: 'PROVIDER_MANAGER', providerId: provider.id });
    const asManager = await call('POST', '/v1/invitations', { token: managerToken, body: { name: 'Nat Deputy', email: `nat-${Date.now()}@example.org`, role: 'PROVIDER_MANAGER' } });
    expect(asManager).toMatchObject({ status: 201, body: { role: 'PROVIDER_MANAGER', providerId: provider.id } });
    const asStaff = await call('POST', '/v1/invitations', { token: managerToken, body: { name: 'Sam Staff', email: `sam-${Date.now()}@example.org` } });
    expect(asStaff).toMatchObject({ status: 201, body: { role: 'PROVIDER_STAFF' } });
    expect((await call('POST', '/v1/invitations', { token: managerToken, body: { name: 'X', email: 'x@example.org', role: 'CARER' } })).status).toBe(403);
    expect((await call('POST', '/v1/invitations', { token: coordinatorToken, body: { name: 'X', email: 'x@example.org', familyId: family.id, role: 'PROVIDER_STAFF' } })).status).toBe(403);
    const open = await get('/v1/memberships', managerToken);
    expect(open.body.invitations.map((i: { name: string }) => i.name).sort()).toEqual(['Nat Deputy', 'Sam Staff']);
  });

  it('a token scoped to two memberships loses only the one that ends, keeps working for the other, and is revoked when both have ended', async () => {
    const { provider: first } = await makeProvider('RESIDENTIAL');
    const { provider: second } = await makeProvider('COMMUNITY');
    const firstManager = await personToken(await makePerson('Mo Manager'), { role: 'PROVIDER_MANAGER', providerId: first.id });
    const secondManager = await personToken(await makePerson('Ola Manager'), { role: 'PROVIDER_MANAGER', providerId: second.id });
    // Robin works at two homes, and has one token for the rota system at both.
    const robin = await makePerson('Robin Relief');
    const { membershipId: atFirst } = await addTestMembership(robin, { role: 'PROVIDER_STAFF', providerId: first.id });
    const { membershipId: atSecond } = await addTestMembership(robin, { role: 'PROVIDER_STAFF', providerId: second.id });
    const own = await transaction(async (tx) => (await mintMembershipToken(tx, atFirst, { label: 'own', alsoActsThrough: [atSecond] })).token);
    const made = await call('POST', '/v1/me/tokens', { token: own, body: { label: 'Rota', membershipIds: [atFirst, atSecond], expiresInDays: 30 } });
    expect(made).toMatchObject({ status: 201, body: { membershipId: atFirst, membershipIds: [atFirst, atSecond] } });
    const rota = made.body.token as string;
    expect((await get('/v1/providers', rota)).body.items.map((p: { id: string }) => p.id)).toEqual([first.id]);

    // The first home ends Robin's access there: the token now acts only at the second.
    const ended = await end(atFirst, firstManager);
    expect(ended.body).toMatchObject({ tokensNarrowed: 2, tokensRevoked: 0 });
    expect((await get('/v1/me', rota)).body).toMatchObject({ role: 'PROVIDER', membershipId: atSecond });
    expect((await get('/v1/providers', rota)).body.items.map((p: { id: string }) => p.id)).toEqual([second.id]);
    expect((await call('GET', '/v1/providers', { token: rota, headers: { 'Acting-As': atFirst } })).status).toBe(403);
    expect((await call('GET', '/v1/providers', { token: rota, headers: { 'Acting-As': atSecond } })).status).toBe(200);
    const listed = (await get('/v1/me/tokens', rota)).body.items.find((t: { label: string }) => t.label === 'Rota');
    expect(listed).toMatchObject({ membershipId: atSecond, membershipIds: [atSecond], revokedAt: null });

    // The second home ends it too: nothing is left, so the token stops.
    expect((await end(atSecond, secondManager)).body).toMatchObject({ tokensRevoked: 2, tokensNarrowed: 0 });
    expect((await get('/v1/me', rota)).status).toBe(401);
  });

  it('an invitation not yet accepted is withdrawn by whoever manages it: its link stops working, withdrawing again changes nothing, an accepted one cannot be', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const other = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const { provider } = await makeProvider('RESIDENTIAL');
    const managerToken = await personToken(await makePerson('Mo Manager'), { role: 'PROVIDER_MANAGER', providerId: provider.id });
    const staffToken = await personToken(await makePerson('Pat Staff'), { role: 'PROVIDER_STAFF', providerId: provider.id });
    const invite = async (token: string, body: object) => {
      const res = await call('POST', '/v1/invitations', { token, body: { name: 'Sam Invited', email: `sam-${Date.now()}-${Math.random()}@example.org`, ...body } });
      expect(res.status).toBe(201);
      // The secret only travels in the email: the test puts a known one in its place.
      const secret = randomBytes(32).toString('base64url');
      await db().invitation.update({ where: { id: res.body.id }, data: { secretHash: hashSecret(secret) } });
      return { id: res.body.id as string, secret };
    };
    const withdraw = (id: string, token: string) => call('DELETE', `/v1/invitations/${id}`, { token });

    const carer = await invite(coordinatorToken, { familyId: family.id });
    expect((await invitationForLink(carer.secret)).invitation).toBeTruthy();
    expect((await withdraw(carer.id, other.coordinatorToken)).status).toBe(404);
    expect((await withdraw(carer.id, managerToken)).status).toBe(404);
    expect((await withdraw(carer.id, familyToken)).status).toBe(403);
    expect((await withdraw('00000000-0000-4000-8000-000000000000', coordinatorToken)).status).toBe(404);
    const done = await withdraw(carer.id, coordinatorToken);
    expect(done).toMatchObject({ status: 200, body: { id: carer.id, withdrawnAt: expect.any(String), acceptedAt: null } });
    expect(await invitationForLink(carer.secret)).toEqual({ refused: 'WITHDRAWN' });
    expect(await acceptInvitation(carer.secret)).toEqual({ refused: 'WITHDRAWN' });
    expect((await get(`/v1/memberships?familyId=${family.id}`, coordinatorToken)).body.invitations).toEqual([]);
    expect((await withdraw(carer.id, coordinatorToken)).body.withdrawnAt).toBe(done.body.withdrawnAt);
    expect(await db().auditEvent.count({ where: { action: 'invitation.withdrawn', entityId: carer.id } })).toBe(1);

    // A provider's manager withdraws staff invitations; staff may not, and coordinators find none.
    const staff = await invite(managerToken, {});
    expect((await withdraw(staff.id, staffToken)).status).toBe(403);
    expect((await withdraw(staff.id, coordinatorToken)).status).toBe(404);
    expect((await withdraw(staff.id, managerToken)).status).toBe(200);
    expect(await acceptInvitation(staff.secret)).toEqual({ refused: 'WITHDRAWN' });

    // Once accepted it is a membership: that is ended instead.
    const accepted = await invite(managerToken, {});
    expect(await acceptInvitation(accepted.secret)).toMatchObject({ membershipId: expect.any(String) });
    expect((await withdraw(accepted.id, managerToken)).status).toBe(409);
  });
});
