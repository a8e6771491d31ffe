/**
 * A round end to end: requests filed through the API, the round started through
 * the API, run by a real BullMQ worker against real PostgreSQL and Redis,
 * results polled, then published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, londonDateOf } from '../../src/domain/london-time.js';
import { startWorkers, type WorkerHandle } from '../../workers/index.js';
import { expectProblem, get, post } from '../support/api.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { invariantViolations } from '../support/invariants.js';
import { loadRoundInput } from '../../src/services/allocation-rounds.js';
import { ENGLAND_CALENDAR } from '../../src/domain/calendar-england.js';
import { waitFor } from '../support/workers.js';
import { pageBrowser } from '../support/web-browser.js';

let workers: WorkerHandle;
beforeAll(async () => {
  workers = await startWorkers({ sweepMs: 200 });
});
afterAll(async () => {
  await workers.stop();
});

const friday = (() => {
  let d = addDays(londonDateOf(new Date()), 30);
  while (new Date(`${d}T12:00:00Z`).getUTCDay() !== 5) d = addDays(d, 1);
  return d;
})();

async function pollRound(id: string, token: string) {
  return waitFor('round to finish', async () => {
    const res = await get(`/v1/allocation-rounds/${id}`, token);
    return ['COMPLETED', 'FAILED'].includes(res.body.status) ? res.body : null;
  });
}

describe('allocation rounds through the API and the worker', () => {
  it('allocates scarce Friday places, explains every child, publishes to families', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const { slots } = await makeSlots(provider.id, { startDate: friday, untilDate: addDays(friday, 21), rrule: 'FREQ=WEEKLY;BYDAY=FR', places: 2 });
    const families = await Promise.all(Array.from({ length: 5 }, () => makeFamily(authority.id)));
    const children = await Promise.all(families.map((f) => makeChild(f.family.id, authority.id, { nights: 10 })));
    for (const [i, child] of children.entries()) {
      const res = await post('/v1/requests', families[i]!.familyToken, {
        childId: child.id,
        periodStart: friday,
        periodEnd: addDays(friday, 27),
        preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }, { kind: 'DAYS', daysOfWeek: [5] }],
        nightsWanted: 2,
      });
      expect(res.status).toBe(201);
    }

    const started = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: friday, periodEnd: addDays(friday, 27), seed: 'e2e' });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('QUEUED');
    const round = await pollRound(started.body.id, coordinatorToken);
    expect(round.status).toBe('COMPLETED');

    // 4 Fridays x 2 places = 8 places for 5 children wanting 2 nights each... each Friday is 1 night.
    const bookings = await db().booking.findMany({ where: { roundId: round.id } });
    expect(bookings.length).toBe(round.bookings);
    expect(bookings.length).toBeGreaterThan(0);
    expect(bookings.every((b) => b.status === 'ALLOCATED' && b.source === 'ALLOCATION')).toBe(true);
    expect(round.explanations).toHaveLength(5);
    expect(round.metrics).toMatchObject({ children: 5 });
    expect(round.lottery).toHaveLength(5);
    const violations = await invariantViolations();
    expect(violations.overfilled).toEqual([]);
    expect(violations.overlapping).toEqual([]);

    // Families cannot see an unpublished round.
    expectProblem(await get(`/v1/allocation-rounds/${round.id}`, families[0]!.familyToken), 404);
    const published = await post(`/v1/allocation-rounds/${round.id}/publish`, coordinatorToken);
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('PUBLISHED');
    expect(await db().booking.count({ where: { roundId: round.id, status: 'CONFIRMED' } })).toBe(bookings.length);
    expect(await db().allocationCredit.count({ where: { childId: { in: children.map((c) => c.id) } } })).toBe(5);

    const familyView = await get(`/v1/allocation-rounds/${round.id}`, families[0]!.familyToken);
    expect(familyView.status).toBe(200);
    expect(familyView.body.explanations).toHaveLength(1);
    expect(familyView.body.explanations[0].childId).toBe(children[0]!.id);
    expect(familyView.body.metrics).toBeNull();
    expect(await db().notification.count({ where: { payload: { path: ['roundId'], equals: round.id } } })).toBe(5);

    // A published round cannot be run again or discarded; a second delivery of the job changes nothing.
    expectProblem(await post(`/v1/allocation-rounds/${round.id}/discard`, coordinatorToken), 409);
    const { runRound } = await import('../../src/services/allocation-rounds.js');
    expect((await runRound(round.id)).status).toBe('PUBLISHED');
    expect(await db().booking.count({ where: { roundId: round.id } })).toBe(bookings.length);
  });

  it('refuses an overlapping round while one is unpublished, and discarding cancels its bookings', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const { slots } = await makeSlots(provider.id, { startDate: friday, untilDate: friday, places: 1 });
    const { family, familyToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    await post('/v1/requests', familyToken, { childId: child.id, periodStart: friday, periodEnd: friday, preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }] });
    const started = await post('/v1/allocation-rounds', coordinatorToken, { periodStart: friday, periodEnd: friday });
    const round = await pollRound(started.body.id, coordinatorToken);
    expect(round.bookings).toBe(1);
    expectProblem(await post('/v1/allocation-rounds', coordinatorToken, { periodStart: friday, periodEnd: addDays(friday, 1) }), 409, 'CONFLICT');

    // On the coordinator's page, pressing "Discard round" without ticking the confirmation changes nothing.
    const pages = pageBrowser();
    await pages.signIn(coordinatorToken);
    const shown = await pages.request(`/coordinator/rounds/${round.id}`);
    expect(shown.html).toContain('Yes, discard this round');
    for (const form of [{}, { confirm: 'no' }] as Record<string, string>[]) {
      const unticked = await pages.request(`/coordinator/rounds/${round.id}/discard`, { method: 'POST', form: { _csrf: pages.csrfOf(shown.html), ...form } });
      expect(unticked.status).toBe(409);
      expect(unticked.html).toContain('Tick the box to confirm');
    }
    expect(await db().allocationRound.findUniqueOrThrow({ where: { id: round.id } })).toMatchObject({ status: 'COMPLETED', discardedAt: null });
    expect((await db().booking.findFirstOrThrow({ where: { roundId: round.id } })).status).not.toBe('CANCELLED');
    expect((await db().slot.findUniqueOrThrow({ where: { id: slots[0]!.id } })).booked).toBe(1);
    expect(await db().auditEvent.count({ where: { entityId: round.id, action: 'round.discarded' } })).toBe(0);

    const discarded = await post(`/v1/allocation-rounds/${round.id}/discard`, coordinatorToken);
    expect(discarded.body.status).toBe('DISCARDED');
    const booking = await db().booking.findFirstOrThrow({ where: { roundId: round.id } });
    expect(booking.status).toBe('CANCELLED');
    expect((await db().slot.findUniqueOrThrow({ where: { id: slots[0]!.id } })).booked).toBe(0);
  });

  it('validates the period and keeps rounds within an authority', async () => {
    const a = await makeAuthority();
    const b = await makeAuthority();
    const bad = expectProblem(await post('/v1/allocation-rounds', a.coordinatorToken, { periodStart: friday, periodEnd: addDays(friday, -1) }), 400);
    expect(bad.errors?.[0]?.path).toBe('body.periodEnd');
    const started = await post('/v1/allocation-rounds', a.coordinatorToken, { periodStart: addDays(friday, 200), periodEnd: addDays(friday, 201) });
    expectProblem(await get(`/v1/allocation-rounds/${started.body.id}`, b.coordinatorToken), 404);
    await pollRound(started.body.id, a.coordinatorToken);
  });
  it("offers a round every home's open places with a carer's courses, but not another authority's block contract nor a closing home's nights from its closing", async () => {
    const { authority } = await makeAuthority();
    const other = await makeAuthority();
    const week = { from: addDays(friday, 7), to: addDays(friday, 13) };
    const { provider: unit } = await makeProvider('RESIDENTIAL');
    const { slots: open } = await makeSlots(unit.id, { startDate: week.from, untilDate: week.to, places: 2, capabilities: ['WHEELCHAIR'] });
    const { slots: blocked } = await makeSlots(unit.id, { startDate: week.from, untilDate: week.to, places: 1, reservedForAuthorityId: other.authority.id });
    const { slots: ours } = await makeSlots(unit.id, { startDate: week.from, untilDate: week.to, places: 1, reservedForAuthorityId: authority.id });
    const { provider: closing } = await makeProvider('RESIDENTIAL');
    const { slots: closingSlots } = await makeSlots(closing.id, { startDate: week.from, untilDate: week.to });
    await db().provider.update({ where: { id: closing.id }, data: { status: 'CLOSING', closingFrom: closingSlots[3]!.startsAt } });
    const { provider: fostering } = await makeProvider('FAMILY_BASED');
    const carer = await db().fosterCarer.create({ data: { providerId: fostering.id, name: 'Sam Carer' } });
    const course = { need: 'GASTROSTOMY' as const, completedOn: new Date('2026-03-02T00:00:00Z'), expiresOn: new Date('2029-03-01T00:00:00Z') };
    await db().trainingRecord.create({ data: { carerId: carer.id, course: 'Gastrostomy feeding', ...course } });
    const { slots: caring } = await makeSlots(fostering.id, { startDate: week.from, untilDate: week.from, places: 1, carerId: carer.id });

    const input = await loadRoundInput({ authorityId: authority.id, periodStart: week.from, periodEnd: week.to, seed: 'snapshot', calendar: ENGLAND_CALENDAR });
    const mine = new Set([unit.id, closing.id, fostering.id]);
    const given = input.slots.filter((s) => mine.has(s.providerId));
    expect(given.map((s) => s.id).sort()).toEqual([...open, ...ours, ...closingSlots.slice(0, 3), ...caring].map((s) => s.id).sort());
    expect(given.some((s) => blocked.some((b) => b.id === s.id))).toBe(false);
    expect(given.find((s) => s.id === open[0]!.id)).toEqual({
      id: open[0]!.id, providerId: unit.id, providerKind: 'RESIDENTIAL', start: open[0]!.startsAt, end: open[0]!.endsAt, capacity: 2, booked: 0,
      capabilities: ['WHEELCHAIR'], reservedForAuthorityId: null, carerTraining: undefined, carerId: null,
    });
    expect(given.find((s) => s.id === ours[0]!.id)?.reservedForAuthorityId).toBe(authority.id);
    expect(given.find((s) => s.id === caring[0]!.id)).toMatchObject({ providerKind: 'FAMILY_BASED', carerId: carer.id, carerTraining: [course] });
  });
});
