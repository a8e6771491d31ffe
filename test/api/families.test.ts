/** Families, children (needs and medical passport) and entitlements through the API. */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { expectProblem, get, patch, post, type ApiResponse } from '../support/api.js';
import { makeAuthority, makeFamily } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

describe('families and children', () => {
  it('lets a coordinator register a family, a child and an entitlement, and read them back', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const family = await post('/v1/families', coordinatorToken, { name: 'The Okafors', postcode: 'bn11 4ab', email: 'okafor@example.org' });
    expect(family.status).toBe(201);
    expect(family.body).toMatchObject({ authorityId: authority.id, postcode: 'BN11 4AB' });

    const child = await post(`/v1/families/${family.body.id}/children`, coordinatorToken, {
      firstName: 'Ada',
      lastName: 'Okafor',
      dateOfBirth: '2014-09-12',
      needs: ['GASTROSTOMY', 'WHEELCHAIR'],
      needsTransport: true,
      passport: { communication: 'Uses a communication book', calming: 'Quiet room, music' },
    });
    expect(child.status).toBe(201);
    expect(child.body).toMatchObject({ authorityId: authority.id, familyId: family.body.id, needs: ['GASTROSTOMY', 'WHEELCHAIR'], needsTransport: true, needsEscort: false, entitlements: [] });

    const award = await post(`/v1/children/${child.body.id}/entitlements`, coordinatorToken, { periodStart: '2027-04-01', periodEnd: '2028-03-31', nights: 36, daySessions: 12 });
    expect(award.status).toBe(201);

    // The coordinator wrote the passport from the family's intake form but does not read it back (only in an emergency); the family does.
    const read = await get(`/v1/children/${child.body.id}`, coordinatorToken);
    expect(read.body).toMatchObject({ dateOfBirth: '2014-09-12', passport: null, entitlements: [{ id: award.body.id, nights: 36, daySessions: 12 }] });
    expect((await db().child.findUniqueOrThrow({ where: { id: child.body.id } })).passport).toEqual({ communication: 'Uses a communication book', calming: 'Quiet room, music' });
    expect(await db().auditEvent.count({ where: { entityId: { in: [family.body.id, child.body.id, award.body.id] } } })).toBe(3);
  });

  it('changes only the fields an edit names', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const created = await post(`/v1/families/${family.id}/children`, coordinatorToken, {
      firstName: 'Ben',
      lastName: 'Hale',
      dateOfBirth: '2013-01-20',
      needs: ['OXYGEN'],
      needsTransport: true,
      needsEscort: true,
      passport: { medical: 'Night-time oxygen' },
    });
    const id = created.body.id;

    // The family updates the passport; needs, transport and escort stay as they were.
    const byFamily = await patch(`/v1/children/${id}`, familyToken, { passport: { medical: 'Night-time oxygen', calming: 'Stories' } });
    expect(byFamily.status).toBe(200);
    expect(byFamily.body).toMatchObject({ needs: ['OXYGEN'], needsTransport: true, needsEscort: true, passport: { calming: 'Stories' } });

    // The coordinator changes needs; the passport stays (the family sees it; the coordinator may not overwrite it).
    const byCoordinator = await patch(`/v1/children/${id}`, coordinatorToken, { needs: ['OXYGEN', 'HOIST'] });
    expect(byCoordinator.body).toMatchObject({ needs: ['OXYGEN', 'HOIST'], needsTransport: true, passport: null });
    expect((await get(`/v1/children/${id}`, familyToken)).body.passport).toEqual({ medical: 'Night-time oxygen', calming: 'Stories' });
    expectProblem(await patch(`/v1/children/${id}`, coordinatorToken, { passport: {} }), 422, 'UNPROCESSABLE');

    // Needs decide which places fit, so only coordinators set them.
    expectProblem(await patch(`/v1/children/${id}`, familyToken, { needs: [] }), 422, 'UNPROCESSABLE');
    expect((await db().child.findUniqueOrThrow({ where: { id } })).needs).toEqual(['OXYGEN', 'HOIST']);
  });

  it('pages through an authority’s families with cursor', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    for (let i = 0; i < 5; i++) await makeFamily(authority.id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await get(`/v1/families?limit=2${cursor ? `&cursor=${cursor}` : ''}`, coordinatorToken);
      expect(res.status).toBe(200);
      sizes.push(res.body.items.length);
      seen.push(...res.body.items.map((f: { id: string }) => f.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses a child born in the future', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const res = await post(`/v1/families/${family.id}/children`, coordinatorToken, { firstName: 'C', lastName: 'D', dateOfBirth: '2099-01-01' });
    expectProblem(res, 422, 'UNPROCESSABLE');
    expect(await db().child.count({ where: { familyId: family.id } })).toBe(0);
  });
});
