/**
 * Killed workers under a stream of mixed jobs (DESIGN.md "a
 * worker killed at any point and restarted leaves no duplicate and no lost
 * booking"). Allocation rounds, a closure's re-homing and waitlist promotions
 * from cancellations are all queued at once; two real worker processes take
 * them and are SIGKILLed at random moments and replaced, a bounded number of
 * times. Then a ledger of effects is checked: every round COMPLETED with its
 * planned bookings minus the skipped ones, exactly once; the closure COMPLETED
 * with one outcome per affected booking and each booking re-homed at most once;
 * each freed place offered once (slot.held matches the OFFERED entries); no
 * duplicate bookings; the invariants hold.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
// Only node:child_process inside: safe to import before the environment below is set.
import { SHORT_RECOVERY } from '../support/workers.js';
import { afterAll, describe, expect, it } from 'vitest';

const env = { QUEUE_PREFIX: `sbstream${randomUUID().slice(0, 8)}`, ...SHORT_RECOVERY, LOG_LEVEL: 'silent' };
// Its own queue prefix, so only the workers this test starts take its jobs.
process.env.QUEUE_PREFIX = env.QUEUE_PREFIX;
// The project's modules are imported after the environment is set: some read the configuration on import.
const { db } = await import('../../src/db.js');
const { call, post } = await import('../support/api.js');
const { book, makeFamilyWithChild, makeSlot } = await import('../support/booking-helpers.js');
const { closeProvider, countsAddUp, waitForClosure } = await import('../support/closure-helpers.js');
const { daysFromToday } = await import('../support/dates.js');
const { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } = await import('../support/factories.js');
const { invariantViolations } = await import('../support/invariants.js');
const { closeConnections } = await import('../support/lifecycle.js');
const { killHard, spawnWorker, waitFor } = await import('../support/workers.js');

const KILLS = 4;
const started: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map(killHard));
  await closeConnections();
});

const live = ['ALLOCATED', 'CONFIRMED', 'ATTENDED', 'NO_SHOW'] as const;

describe('a stream of jobs with workers SIGKILLed at random points', () => {
  it('completes every job exactly once: nothing lost, nothing done twice', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family } = await makeFamily(authority.id);

    // Allocation rounds: three periods, each with more requests for its popular slot than places.
    const rounds: { id: string; day: string }[] = [];
    const { provider: club } = await makeProvider('COMMUNITY');
    for (const offset of [50, 52, 54]) {
      const day = daysFromToday(offset);
      const { slots: popular } = await makeSlots(club.id, { startDate: day, untilDate: day, startTime: '10:00', durationMinutes: 240, places: 8 });
      const { slots: fallback } = await makeSlots(club.id, { startDate: day, untilDate: day, startTime: '12:00', durationMinutes: 120, places: 50 });
      const childIds = Array.from({ length: 40 }, () => randomUUID());
      await db().child.createMany({ data: childIds.map((id) => ({ id, familyId: family.id, authorityId: authority.id, firstName: `S${uid()}`, lastName: 'Stream', dateOfBirth: new Date('2013-05-05') })) });
      await db().entitlement.createMany({ data: childIds.map((childId) => ({ childId, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 0, daySessions: 5 })) });
      await db().breakRequest.createMany({
        data: childIds.map((childId) => ({
          childId, authorityId: authority.id, periodStart: day, periodEnd: day, createdByRole: 'COORDINATOR' as const,
          preferences: [{ kind: 'SLOT', slotId: popular[0]!.id }, { kind: 'SLOT', slotId: fallback[0]!.id }],
        })),
      });
      rounds.push({ id: '', day });
    }

    // A closure: six children booked at a home that closes, a second home nearby with room.
    const { provider: home } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: authority.id, lat: 54.2, lng: -1.5, name: `Closing ${uid()}` });
    const { provider: near } = await makeProvider('RESIDENTIAL', { lat: 54.21, lng: -1.5, name: `Near ${uid()}` });
    const homeSlot = await makeSlot(home.id, daysFromToday(70), { places: 6, reservedForAuthorityId: authority.id });
    await makeSlot(near.id, daysFromToday(70), { places: 6, reservedForAuthorityId: authority.id });
    const closureBookings: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { family: f } = await makeFamily(authority.id, { lat: 54.205, lng: -1.5 });
      const child = await makeChild(f.id, authority.id);
      closureBookings.push((await book(coordinatorToken, child.id, homeSlot.id)).id);
    }

    // Waitlist: three full slots, each with two children waiting; cancelling frees one place in each.
    const { provider: unit } = await makeProvider('RESIDENTIAL');
    const waitlisted: { slotId: string; cancel: () => Promise<unknown> }[] = [];
    for (const offset of [80, 81, 82]) {
      const slot = await makeSlot(unit.id, daysFromToday(offset), { places: 1 });
      const holder = await makeFamilyWithChild(authority.id);
      const holding = await book(coordinatorToken, holder.child.id, slot.id);
      for (let i = 0; i < 2; i++) {
        const waiter = await makeFamilyWithChild(authority.id);
        expect((await post('/v1/waitlist', waiter.familyToken, { childId: waiter.child.id, slotId: slot.id })).status).toBe(201);
      }
      waitlisted.push({
        slotId: slot.id,
        cancel: () => call('POST', `/v1/bookings/${holding.id}/cancel`, { token: holder.familyToken, body: { reason: 'Ill' }, headers: { 'Idempotency-Key': `c-${holding.id}` } }),
      });
    }

    // The stream: jobs submitted while two workers run; each cycle waits until a round or the
    // closure is mid-way (or a short while passes), then SIGKILLs a worker at a random moment and starts another.
    const workers: ChildProcess[] = [spawnWorker(env), spawnWorker(env)];
    started.push(...workers);
    let closureId = '';
    const submit = [
      async () => startRound(rounds[0]!),
      async () => {
        closureId = (await closeProvider(coordinatorToken, home.id, { effectiveFrom: daysFromToday(1), maxDateShiftDays: 2, seed: 'stream' })).id;
        await startRound(rounds[1]!);
      },
      async () => {
        for (const w of waitlisted) expect(((await w.cancel()) as { status: number }).status).toBe(200);
        await startRound(rounds[2]!);
      },
      async () => undefined,
    ];
    async function startRound(r: { id: string; day: string }) {
      const res = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: r.day, periodEnd: r.day, seed: `stream-${r.day}` });
      expect(res.status).toBe(202);
      r.id = res.body.id;
    }
    const inFlight = async () =>
      (await db().allocationRound.count({ where: { id: { in: rounds.map((r) => r.id).filter(Boolean) }, status: 'RUNNING' } })) +
      (closureId ? await db().closure.count({ where: { id: closureId, status: { not: 'COMPLETED' } }, }) : 0);
    let killedMidJob = 0;
    for (let k = 0; k < KILLS; k++) {
      await submit[k]!();
      await waitFor('a job in flight', async () => (await inFlight()) > 0, 6000, 25).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      killedMidJob += await inFlight();
      const victim = Math.floor(Math.random() * workers.length);
      await killHard(workers[victim]!);
      workers[victim] = spawnWorker(env);
      started.push(workers[victim]!);
    }
    const closure = { id: closureId };

    // Everything finishes.
    const done = await waitFor('every round to finish', async () => {
      const rs = await db().allocationRound.findMany({ where: { id: { in: rounds.map((r) => r.id) } } });
      return rs.every((r) => r.status === 'COMPLETED' || r.status === 'FAILED') && rs;
    }, 180_000, 250);
    const closed = await waitForClosure(coordinatorToken, closure.id, 180_000);
    await waitFor('every freed place offered', async () => (await db().waitlistEntry.count({ where: { slotId: { in: waitlisted.map((w) => w.slotId) }, status: 'OFFERED' } })) === 3, 120_000);
    console.log(`worker-kill-stream: ${KILLS} SIGKILLs, ${killedMidJob} round/closure jobs unfinished at a kill; ${rounds.length} rounds, 1 closure, ${waitlisted.length} promotions recovered`);

    // Rounds: completed, with the planned bookings minus the skipped ones, each exactly once.
    for (const round of done) {
      expect(round.status).toBe('COMPLETED');
      const result = round.result as { bookings: { childId: string; slotId: string }[]; skipped: { childId: string; slotId: string }[] };
      const skipped = new Set(result.skipped.map((s) => `${s.childId}/${s.slotId}`));
      const planned = result.bookings.map((b) => `${b.childId}/${b.slotId}`).filter((key) => !skipped.has(key));
      const written = (await db().booking.findMany({ where: { roundId: round.id } })).map((b) => `${b.childId}/${b.slotId}`);
      expect(written.sort()).toEqual(planned.sort());
      expect(new Set(written).size).toBe(written.length);
      expect(written.length).toBe(40);
    }

    // The closure: completed, one outcome per affected booking, each old booking replaced at most once.
    expect(closed.status).toBe('COMPLETED');
    expect(countsAddUp(closed)).toBe(true);
    expect(closed.counts.affected).toBe(6);
    expect(new Set(closed.outcomes.map((o) => o.bookingId))).toEqual(new Set(closureBookings));
    const rehomed = await db().booking.findMany({ where: { replacesBookingId: { in: closureBookings } } });
    expect(new Set(rehomed.map((b) => b.replacesBookingId)).size).toBe(rehomed.length);
    expect(rehomed.length).toBe(closed.counts.MOVED);
    expect(await db().booking.count({ where: { id: { in: closureBookings } } })).toBe(6); // history kept

    // Waitlist: each freed place offered once, and held exactly as often as offered.
    for (const w of waitlisted) {
      const slot = await db().slot.findUniqueOrThrow({ where: { id: w.slotId } });
      const offered = await db().waitlistEntry.count({ where: { slotId: w.slotId, status: 'OFFERED' } });
      expect(offered).toBe(1);
      expect({ booked: slot.booked, held: slot.held }).toEqual({ booked: 0, held: 1 });
    }

    // No duplicate bookings anywhere in the tenant, and the invariants hold for it.
    const all = await db().booking.findMany({ where: { authorityId: authority.id, status: { in: [...live] } } });
    expect(new Set(all.map((b) => `${b.childId}/${b.slotId}`)).size).toBe(all.length);
    const mine = new Set(all.map((b) => b.id));
    const slots = new Set(all.map((b) => b.slotId));
    const violations = await invariantViolations();
    expect(violations.overfilled.filter((s) => slots.has(s.id))).toEqual([]);
    expect(violations.overlapping.filter((p) => mine.has(p.a) || mine.has(p.b))).toEqual([]);
    expect(violations.unsuitable.filter((b) => mine.has(b.id))).toEqual([]);
    // Jobs the workers recorded last (an offer's expiry) reach Redis with a later sweep: none stays behind.
    await waitFor('the outbox to drain', async () => (await db().jobOutbox.count({ where: { prefix: env.QUEUE_PREFIX, enqueuedAt: null } })) === 0, 60_000);
  }, 600_000);
});
