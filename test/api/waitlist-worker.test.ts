/**
 * Waitlist promotion end to end through BullMQ (a freed place is
 * offered automatically, by a job): cancelling a booking records the job in
 * the outbox, the in-process worker offers the place, and an offer whose time is
 * up passes on through the expiry job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { queue } from '../../src/jobs/queues.js';
import { PROCESSORS, startWorkers, type WorkerHandle } from '../../workers/index.js';
import { get, post } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let workers: WorkerHandle;
beforeAll(async () => {
  workers = await startWorkers({ sweepMs: 200, processors: { waitlist: PROCESSORS.waitlist! } });
});
afterAll(async () => {
  await workers.stop();
  await closeConnections();
});

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('waitlist promotion through the worker', () => {
  it('offers a cancelled place, and passes an expired offer to the next child', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const slot = await makeSlot(provider.id, daysFromToday(45), { places: 1 });
    const holder = await makeFamilyWithChild(authority.id);
    const holding = await book(coordinatorToken, holder.child.id, slot.id);
    const first = await makeFamilyWithChild(authority.id);
    const second = await makeFamilyWithChild(authority.id);
    await db().allocationCredit.create({ data: { childId: first.child.id, authorityId: authority.id, credit: 3, history: {}, roundId: 'test' } });
    const firstEntry = (await post('/v1/waitlist', first.familyToken, { childId: first.child.id, slotId: slot.id })).body;
    const secondEntry = (await post('/v1/waitlist', second.familyToken, { childId: second.child.id, slotId: slot.id })).body;

    expect((await post(`/v1/bookings/${holding.id}/cancel`, holder.familyToken, { reason: 'Can no longer go' })).status).toBe(200);
    const offered = await until('the first offer', async () => {
      const e = await db().waitlistEntry.findUniqueOrThrow({ where: { id: firstEntry.id } });
      return e.status === 'OFFERED' && e;
    });
    expect((await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).held).toBe(1);
    expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: secondEntry.id } })).status).toBe('WAITING');

    // Time runs out: make the offer due and run its delayed expiry job now.
    await db().waitlistEntry.update({ where: { id: offered.id }, data: { offerExpiresAt: new Date(Date.now() - 1000) } });
    const expiry = await until('the expiry job', () => queue('waitlist').getJob(`expire-${offered.id}`));
    await expiry.promote();
    await until('the offer to pass on', async () => {
      const e = await db().waitlistEntry.findUniqueOrThrow({ where: { id: secondEntry.id } });
      return e.status === 'OFFERED';
    });
    expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: firstEntry.id } })).status).toBe('EXPIRED');

    const accepted = await post(`/v1/waitlist/${secondEntry.id}/accept`, second.familyToken);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const mine = await get(`/v1/bookings?slotId=${slot.id}&status=CONFIRMED`, second.familyToken);
    expect(mine.body.items.map((b: { id: string }) => b.id)).toEqual([accepted.body.bookingId]);
    expect(await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).toMatchObject({ booked: 1, held: 0 });
  });
});
