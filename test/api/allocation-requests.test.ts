/**
 * What families get from a round, checked against what they asked for: a
 * coordinator runs a round over eight weeks, families ask for Christmas
 * Fridays and Saturdays, one asks for weekends together, one has no nights
 * awarded. Every booking must lie inside its own request's dates and match a
 * preference; a whole-weekend request gets whole weekends in one home; a child
 * with nothing to give is counted and not put on a night's waiting list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, dayOfWeek, londonDateOf, londonDaysBetween } from '../../src/domain/london-time.js';
import { startWorkers, type WorkerHandle } from '../../workers/index.js';
import { get, post } from '../support/api.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { invariantViolations } from '../support/invariants.js';
import { allocate } from '../../src/domain/allocation/index.js';
import { ENGLAND_CALENDAR } from '../../src/domain/calendar-england.js';
import { loadRoundInput, writeRoundResult } from '../../src/services/allocation-rounds.js';
import { RoundCalendarColumn, toJson } from '../../src/schemas/json-columns.js';
import { waitFor } from '../support/workers.js';

let workers: WorkerHandle;
beforeAll(async () => {
  workers = await startWorkers({ sweepMs: 200 });
});
afterAll(async () => {
  await workers.stop();
});

/** The coming Christmas whose round (from 8 December) has not started yet. */
const year = (() => {
  const today = londonDateOf(new Date());
  const thisYear = Number(today.slice(0, 4));
  return today <= `${thisYear}-12-07` ? thisYear : thisYear + 1;
})();
const christmas = { from: `${year}-12-18`, to: `${year + 1}-01-03` };
const round = { periodStart: `${year}-12-08`, periodEnd: `${year + 1}-02-01` };

describe('a round gives families the dates they asked for', () => {
  it('books Christmas requests only on Christmas Fridays and Saturdays, keeps weekends together, and counts the child with nothing', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider: everyNight } = await makeProvider('RESIDENTIAL', { name: 'Every night house' });
    const { provider: weekends } = await makeProvider('RESIDENTIAL', { name: 'Weekend house' });
    // Kept for this authority: another file booking any free place it finds could otherwise take one of these
    // between the round's snapshot and its write, and the round (rightly) skips a place taken since.
    await makeSlots(everyNight.id, { startDate: round.periodStart, untilDate: round.periodEnd, rrule: 'FREQ=DAILY', places: 1, reservedForAuthorityId: authority.id });
    const { slots: weekendSlots } = await makeSlots(weekends.id, {
      startDate: round.periodStart,
      untilDate: round.periodEnd,
      rrule: 'FREQ=WEEKLY;BYDAY=FR,SA',
      places: 2,
      reservedForAuthorityId: authority.id,
    });
    const entitlement = { periodStart: `${year}-04-01`, periodEnd: `${year + 1}-03-31` };

    const fridaysAndSaturdays = [
      { kind: 'DAYS', daysOfWeek: [5, 6], providerId: everyNight.id },
      { kind: 'DAYS', daysOfWeek: [5, 6], providerId: weekends.id },
    ];
    const christmasFamilies = await Promise.all(
      [0, 1, 2].map(async () => {
        const { family, familyToken } = await makeFamily(authority.id);
        const child = await makeChild(family.id, authority.id, { nights: 20, ...entitlement });
        const res = await post('/v1/requests', familyToken, {
          childId: child.id,
          periodStart: christmas.from,
          periodEnd: christmas.to,
          preferences: fridaysAndSaturdays,
          nightsWanted: 4,
        });
        expect(res.status).toBe(201);
        return { child, request: res.body };
      }),
    );

    const together = await makeFamily(authority.id);
    const weekender = await makeChild(together.family.id, authority.id, { nights: 20, ...entitlement });
    const weekendRequest = await post('/v1/requests', together.familyToken, {
      childId: weekender.id,
      periodStart: christmas.from,
      periodEnd: christmas.to,
      preferences: [{ kind: 'DAYS', daysOfWeek: [5, 6], providerId: weekends.id }],
      nightsWanted: 4,
      stayNights: 2,
    });
    expect(weekendRequest.status).toBe(201);
    expect(weekendRequest.body.stayNights).toBe(2);

    const noNights = await makeFamily(authority.id);
    const dayOnly = await makeChild(noNights.family.id, authority.id, { nights: 0, daySessions: 10, ...entitlement });
    const christmasFriday = weekendSlots.find((slot) => slot.localDate >= christmas.from && dayOfWeek(slot.localDate) === 5);
    await post('/v1/requests', noNights.familyToken, {
      childId: dayOnly.id,
      periodStart: christmas.from,
      periodEnd: christmas.to,
      preferences: [{ kind: 'SLOT', slotId: christmasFriday!.id }],
    });

    const started = await post('/v1/allocation-rounds', coordinatorToken, { ...round, seed: 'christmas' });
    expect(started.status).toBe(202);
    const result = await waitFor('round to finish', async () => {
      const res = await get(`/v1/allocation-rounds/${started.body.id}`, coordinatorToken);
      return ['COMPLETED', 'FAILED'].includes(res.body.status) ? res.body : null;
    });
    expect(result.status).toBe('COMPLETED');

    const bookings = await db().booking.findMany({ where: { roundId: result.id }, include: { slot: true } });
    expect(bookings.length).toBeGreaterThan(0);
    for (const booking of bookings) {
      // Inside the request's own dates (not the round's), on a Friday or Saturday night.
      expect(booking.slot.localDate >= christmas.from && booking.slot.localDate <= christmas.to, booking.slot.localDate).toBe(true);
      expect([5, 6]).toContain(dayOfWeek(booking.slot.localDate));
    }
    for (const { child } of christmasFamilies) {
      expect(bookings.filter((b) => b.childId === child.id).length).toBeGreaterThan(0);
    }

    // Whole weekends: Friday and Saturday nights together in one house. Counted in nights, not bookings —
    // other test files' providers are visible to this round too, and one of their two-night places is
    // one booking for a whole weekend.
    const weekendNights = bookings
      .filter((b) => b.childId === weekender.id)
      .flatMap((b) => {
        const nights = londonDaysBetween(b.startsAt, b.endsAt);
        return Array.from({ length: nights }, (_, i) => ({ date: addDays(b.slot.localDate, i), providerId: b.slot.providerId }));
      })
      .sort((a, b) => a.date.localeCompare(b.date));
    expect(weekendNights.length).toBe(4);
    for (let i = 0; i < weekendNights.length; i += 2) {
      const [friday, saturday] = [weekendNights[i]!, weekendNights[i + 1]!];
      expect(dayOfWeek(friday.date)).toBe(5);
      expect(saturday.date).toBe(addDays(friday.date, 1));
      expect(saturday.providerId).toBe(friday.providerId);
    }
    expect(bookings.some((b) => b.childId === dayOnly.id)).toBe(false);
    expect(result.metrics.requests).toBe(5);
    expect(result.metrics.childrenWithNothing).toBe(1);
    expect(result.metrics.childrenWithNothingToGive).toBe(1);
    expect(result.metrics.requestsHonoured).toEqual({ bookings: bookings.length, outside: 0, share: 1 });
    expect(result.explanations.find((e: { childId: string }) => e.childId === dayOnly.id)?.unitsWanted).toBe(0);

    const published = await post(`/v1/allocation-rounds/${result.id}/publish`, coordinatorToken);
    expect(published.status).toBe(200);
    // Nothing awarded for nights: no place on a night's waiting list either.
    expect(await db().waitlistEntry.count({ where: { childId: dayOnly.id } })).toBe(0);
    const violations = await invariantViolations();
    expect(violations.overfilled).toEqual([]);
    expect(violations.overlapping).toEqual([]);
  });

  it('does not keep half a weekend when a night was booked directly between the round\'s snapshot and its write', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: 'One weekend house' });
    let friday = `${year + 1}-01-09`;
    while (dayOfWeek(friday) !== 5) friday = addDays(friday, 1);
    const { slots } = await makeSlots(provider.id, { startDate: friday, untilDate: addDays(friday, 1), rrule: 'FREQ=DAILY', places: 1, reservedForAuthorityId: authority.id });
    const saturday = slots.find((slot) => slot.localDate === addDays(friday, 1))!;
    const entitlement = { periodStart: `${year}-04-01`, periodEnd: `${year + 1}-03-31` };

    const together = await makeFamily(authority.id);
    const weekender = await makeChild(together.family.id, authority.id, { nights: 20, ...entitlement });
    const asked = await post('/v1/requests', together.familyToken, {
      childId: weekender.id,
      periodStart: friday,
      periodEnd: addDays(friday, 2),
      preferences: [{ kind: 'DAYS', daysOfWeek: [5, 6], providerId: provider.id }],
      nightsWanted: 2,
      stayNights: 2,
    });
    expect(asked.status).toBe(201);
    const other = await makeFamily(authority.id);
    const otherChild = await makeChild(other.family.id, authority.id, { nights: 20, ...entitlement });

    const round = await db().allocationRound.create({
      data: { authorityId: authority.id, periodStart: friday, periodEnd: addDays(friday, 2), seed: 'half-weekend', calendar: toJson(RoundCalendarColumn, ENGLAND_CALENDAR), status: 'RUNNING' },
    });
    const input = await loadRoundInput(round);
    const planned = allocate(input);
    // The plan gives the weekend, both nights in the one house.
    expect(planned.bookings.filter((b) => b.childId === weekender.id).map((b) => b.slotId).sort()).toEqual(slots.map((s) => s.id).sort());

    // Before the round is written, the coordinator books Saturday's only place for another child.
    const direct = await post('/v1/bookings', coordinatorToken, { childId: otherChild.id, slotId: saturday.id });
    expect(direct.status).toBe(201);

    const written = await writeRoundResult(round, input, planned);
    expect(written.status).toBe('COMPLETED');
    // Not Friday alone: the family asked for the two nights together.
    const kept = await db().booking.findMany({ where: { childId: weekender.id } });
    expect(kept).toEqual([]);
    const stored = await db().allocationRound.findUniqueOrThrow({ where: { id: round.id } });
    const skipped = (stored.result as { skipped: { childId: string; slotId: string; reason: string }[] }).skipped;
    expect(skipped.filter((s) => s.childId === weekender.id).map((s) => s.slotId).sort()).toEqual(slots.map((s) => s.id).sort());
    expect(skipped.find((s) => s.slotId !== saturday.id)?.reason).toMatch(/2-night stay/);
    // The Friday place the stay gave back is free again for anyone else.
    const friSlot = await db().slot.findUniqueOrThrow({ where: { id: slots.find((s) => s.localDate === friday)!.id } });
    expect(friSlot.booked).toBe(0);
    const violations = await invariantViolations();
    expect(violations.overfilled).toEqual([]);
  });

  it('refuses a stay longer than the nights wanted', async () => {
    const { authority } = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    const res = await post('/v1/requests', familyToken, {
      childId: child.id,
      periodStart: christmas.from,
      periodEnd: christmas.to,
      preferences: [{ kind: 'DAYS', daysOfWeek: [5, 6] }],
      nightsWanted: 2,
      stayNights: 3,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.stayNights');
  });
});
