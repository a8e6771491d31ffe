/** Invariant 3 for bookings already made: needs cannot change under a booked place that cannot meet them. */
import { describe, expect, it } from 'vitest';
import { addDays, londonDateOf } from '../../src/domain/london-time.js';
import { expectProblem, patch, post } from '../support/api.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';

describe('changing a child’s needs', () => {
  it('is refused while an upcoming booking’s place cannot meet the new needs, and allowed once it is cancelled', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const { provider } = await makeProvider('RESIDENTIAL');
    const day = addDays(londonDateOf(new Date()), 25);
    const { slots } = await makeSlots(provider.id, { startDate: day, untilDate: day, capabilities: ['WHEELCHAIR'] });
    const booked = await post('/v1/bookings', coordinatorToken, { childId: child.id, slotId: slots[0]!.id });
    expect(booked.status).toBe(201);

    const refused = expectProblem(await patch(`/v1/children/${child.id}`, coordinatorToken, { needs: ['EPILEPSY_RESCUE_MEDICATION'] }), 409, 'CONFLICT');
    expect(refused.detail).toContain('1 upcoming booking');
    // A need the place does meet is fine.
    expect((await patch(`/v1/children/${child.id}`, coordinatorToken, { needs: ['WHEELCHAIR'] })).status).toBe(200);

    await post(`/v1/bookings/${booked.body.id}/cancel`, coordinatorToken, { reason: 'moving' });
    const changed = await patch(`/v1/children/${child.id}`, coordinatorToken, { needs: ['EPILEPSY_RESCUE_MEDICATION'] });
    expect(changed.status).toBe(200);
    expect(changed.body.needs).toEqual(['EPILEPSY_RESCUE_MEDICATION']);
  });

  it('refuses a date of birth in the future', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    expectProblem(await patch(`/v1/children/${child.id}`, coordinatorToken, { dateOfBirth: '2099-01-01' }), 422);
  });
});
