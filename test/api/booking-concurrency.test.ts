/**
 * Invariants 1 and 2 under real concurrency: hundreds of booking requests over
 * real HTTP connections at once. Exactly the free places may succeed; a child
 * may win only one of several overlapping slots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, londonDateOf } from '../../src/domain/london-time.js';
import { makeAuthority, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { invariantViolations } from '../support/invariants.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/workers.js';
import { loadChildContext, placeChild } from '../../src/services/placement.js';
import { transaction } from '../../src/services/tx.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const future = addDays(londonDateOf(new Date()), 40);

async function makeChildren(authorityId: string, familyId: string, n: number) {
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  await db().child.createMany({
    data: ids.map((id) => ({ id, familyId, authorityId, firstName: `C${uid()}`, lastName: 'Load', dateOfBirth: new Date('2014-01-01') })),
  });
  await db().entitlement.createMany({
    data: ids.map((childId) => ({ childId, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 50, daySessions: 50 })),
  });
  return ids;
}

function book(token: string, childId: string, slotId: string) {
  return fetch(`${server.url}/v1/bookings`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ childId, slotId }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as { code?: string; reasons?: { reason: string }[] } }));
}

describe('booking under concurrency', () => {
  it('200 concurrent requests for a 3-place slot: exactly 3 succeed', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const { provider } = await makeProvider();
    const { slots } = await makeSlots(provider.id, { startDate: future, untilDate: future, places: 3 });
    const slot = slots[0]!;
    const children = await makeChildren(authority.id, family.id, 200);

    const results = await Promise.all(children.map((childId) => book(coordinatorToken, childId, slot.id)));

    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(197);
    for (const r of refused) expect(r.body.reasons?.map((x) => x.reason)).toContain('SLOT_FULL');
    const after = await db().slot.findUniqueOrThrow({ where: { id: slot.id } });
    expect(after.booked).toBe(3);
    expect(await db().booking.count({ where: { slotId: slot.id } })).toBe(3);
    const violations = await invariantViolations();
    expect(violations.overfilled).toEqual([]);
  });

  it('200 concurrent requests for one child across overlapping slots: exactly one succeeds', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const slotIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { provider } = await makeProvider();
      // Start times staggered by 30 minutes: every pair overlaps.
      const { slots } = await makeSlots(provider.id, { startDate: future, untilDate: future, startTime: `1${5 + Math.floor(i / 2)}:${i % 2 ? '30' : '00'}`, places: 5 });
      slotIds.push(slots[0]!.id);
    }
    const [childId] = await makeChildren(authority.id, family.id, 1);

    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => book(coordinatorToken, childId!, slotIds[i % slotIds.length]!)));

    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 422)).toBe(true);
    expect(await db().booking.count({ where: { childId, status: 'CONFIRMED' } })).toBe(1);
    const violations = await invariantViolations();
    expect(violations.overlapping).toEqual([]);
  });

  it('a child with one night left, asked for on 40 different nights at once, gets exactly one', async () => {
    // Each request waits for the child's lock; the one after the winner must see the winner's night.
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const { provider } = await makeProvider();
    const { slots } = await makeSlots(provider.id, { startDate: future, untilDate: addDays(future, 39), places: 5 });
    expect(slots).toHaveLength(40);
    const [childId] = await makeChildren(authority.id, family.id, 1);
    await db().entitlement.updateMany({ where: { childId }, data: { nights: 1 } });

    const results = await Promise.all(slots.map((slot) => book(coordinatorToken, childId!, slot.id)));

    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 422 && r.body.reasons?.some((x) => x.reason === 'ENTITLEMENT_EXCEEDED'))).toBe(true);
    expect(await db().booking.count({ where: { childId, status: 'CONFIRMED' } })).toBe(1);
  });
});

describe('a check that waits for the child', () => {
  it('sees the stay booked by the transaction it waited for (swaps, training holds and closures check under this lock)', async () => {
    const { authority } = await makeAuthority();
    const { family } = await makeFamily(authority.id);
    const { provider } = await makeProvider();
    const { slots } = await makeSlots(provider.id, { startDate: addDays(future, 3), untilDate: addDays(future, 3), places: 1 });
    const [childId] = await makeChildren(authority.id, family.id, 1);

    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let booked!: () => void;
    const placed = new Promise<void>((resolve) => (booked = resolve));
    const booking = transaction(async (tx) => {
      await placeChild(tx, { role: 'SYSTEM', job: 'test' }, { childId: childId!, slotId: slots[0]!.id, source: 'MANUAL' });
      booked();
      await held;
    });
    await Promise.race([placed, booking]);
    const check = transaction((tx) => loadChildContext(tx, childId!));
    // Commit only once the check is waiting on the child's row lock.
    await waitFor('the check to wait for the child lock', async () => {
      const rows = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM child c%'`;
      return (rows[0]?.n ?? 0) > 0 || null;
    });
    commit();
    await booking;
    const ctx = await check;
    expect(ctx.stays.map((stay) => stay.slotId)).toEqual([slots[0]!.id]);
  });
});
