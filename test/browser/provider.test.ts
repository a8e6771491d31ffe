/**
 * A provider's day in the pages, at desktop and on a 390 px phone:
 * who arrives and leaves today with the transport pick-up and the family's
 * number; a break under way can only record an early pick-up with its time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { insertStay } from '../support/booking-helpers.js';
import { go, PHONE, see, shot, startBrowserSession } from '../support/browser.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
beforeAll(async () => {
  session = await startBrowserSession('provider');
});
afterAll(async () => {
  await session?.close();
  await closeConnections();
});

async function tenant() {
  const { authority } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('COMMUNITY');
  const { family } = await makeFamily(authority.id);
  await db().family.update({ where: { id: family.id }, data: { phone: '01234 567890', email: 'parent@example.org' } });
  const child = await makeChild(family.id, authority.id, { needs: ['WHEELCHAIR'] });
  // A day session that started an hour ago (or at midnight, in the first hour of the day) and ends in five: it
  // arrived today and is under way. An hour ago is yesterday between midnight and one, and yesterday's
  // arrivals are not on today's page.
  const startsAt = new Date(Math.max(Date.now() - 3600_000, londonWallTimeToInstant(daysFromToday(0), '00:00').getTime()));
  const endsAt = new Date(Date.now() + 5 * 3600_000);
  const rule = await db().capacityRule.create({ data: { providerId: provider.id, rrule: 'FREQ=DAILY', startDate: daysFromToday(0), startTime: '09:00', durationMinutes: 360, places: 1, capabilities: [], exdates: [], active: false } });
  const slot = await db().slot.create({ data: { providerId: provider.id, capacityRuleId: rule.id, localDate: daysFromToday(0), startsAt, endsAt, capacity: 1, capabilities: ['WHEELCHAIR'] } });
  const booking = await db().booking.create({ data: { childId: child.id, slotId: slot.id, authorityId: authority.id, status: 'CONFIRMED', source: 'MANUAL', startsAt, endsAt, nights: 0 } });
  const vehicle = await db().vehicle.create({ data: { authorityId: authority.id, name: 'Minibus 2', seats: 6, wheelchairSpaces: 2, hasEscort: true, baseLat: 50.8, baseLng: -0.3 } });
  const run = await db().transportRun.create({ data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt: new Date(startsAt.getTime() - 40 * 60_000), returnAt: startsAt } });
  await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: child.id } });
  return { providerToken, child, booking, provider, startsAt };
}

describe('a provider in the pages', { timeout: 90_000 }, () => {
  for (const [label, viewport] of [
    ['desktop', undefined],
    ['phone', PHONE],
  ] as const) {
    it(`sees today's arrivals with transport and the family's contact, and records an early pick-up (${label})`, async () => {
      const t = await tenant();
      const page = await session.signIn(t.providerToken, viewport);
      const arrivals = page.getByRole('region', { name: 'Arrivals table' });
      await see(arrivals, `${t.child.firstName} ${t.child.lastName}`);
      await see(arrivals, 'Minibus 2: picked up from home at');
      await see(arrivals, 'with an escort');
      await see(arrivals, '01234 567890');
      await see(page.locator('main'), 'Attendance can be recorded once the break ends');
      await session.expectAccessible(page, `provider-day-${label}`);
      await shot(page, `provider-day-${label}`);

      const pickUp = page.getByRole('form', { name: `Early pick-up for ${t.child.firstName} ${t.child.lastName}` });
      await pickUp.getByLabel(/Collected early at/).fill('25:99');
      await go(pickUp.getByRole('button', { name: 'Record early pick-up' }));
      await see(page.getByRole('alert'), 'pick-up time');
      // Half-way between the start and now, in London wall time: after the break began, before now, and today.
      const pickedUp = new Date((t.startsAt.getTime() + Date.now()) / 2);
      const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(pickedUp);
      // In the first two minutes of the day that minute can fall before the start: only then is the rest skipped.
      if (londonWallTimeToInstant(daysFromToday(0), hhmm) >= t.startsAt) {
        await page.getByRole('form', { name: `Early pick-up for ${t.child.firstName} ${t.child.lastName}` }).getByLabel(/Collected early at/).fill(hhmm);
        await go(page.getByRole('form', { name: `Early pick-up for ${t.child.firstName} ${t.child.lastName}` }).getByRole('button', { name: 'Record early pick-up' }));
        await see(page.getByRole('status'), 'Early pick-up recorded');
        const after = await db().booking.findUniqueOrThrow({ where: { id: t.booking.id } });
        expect(after.status).toBe('ATTENDED');
        expect(after.pickedUpAt?.toISOString().slice(0, 16)).toBe(londonWallTimeToInstant(daysFromToday(0), hhmm).toISOString().slice(0, 16));
      }
      await page.context().close();
    });
  }

  it('a morning’s attendance goes in from one table with one button; a break left blank stays to record', async () => {
    const { authority } = await makeAuthority();
    const { providerToken, provider } = await makeProvider('RESIDENTIAL');
    const children = await Promise.all([0, 1, 2].map(async () => makeChild((await makeFamily(authority.id)).family.id, authority.id)));
    const stays: { id: string }[] = [];
    for (const [i, child] of children.entries()) stays.push(await insertStay(child, provider.id, daysFromToday(-2 - i), 1));
    const page = await session.signIn(providerToken);
    await see(page.getByRole('heading', { name: /Attendance to record/ }), 'Attendance to record (3)');
    const form = page.getByRole('form', { name: 'Attendance to record' });
    const row = (i: number) => form.getByRole('group', { name: `Did ${children[i]!.firstName} ${children[i]!.lastName}'s break on` });
    await row(0).getByLabel('Attended', { exact: true }).check();
    await row(1).getByLabel('Did not happen', { exact: true }).check();
    await form.getByLabel(`Why ${children[1]!.firstName} ${children[1]!.lastName}'s break`).selectOption({ label: 'Child unwell' });
    await form.getByLabel(`Note about ${children[1]!.firstName} ${children[1]!.lastName}'s break`).fill('Temperature in the morning');
    await shot(page, 'provider-attendance');
    await go(form.getByRole('button', { name: 'Record attendance' }));
    await see(page.getByRole('status'), 'Attendance recorded');
    const after = await db().booking.findMany({ where: { id: { in: stays.map((s) => s.id) } } });
    const byId = new Map(after.map((b) => [b.id, b]));
    expect([0, 1, 2].map((i) => [byId.get(stays[i]!.id)!.status, byId.get(stays[i]!.id)!.noShowReason])).toEqual([['ATTENDED', null], ['NO_SHOW', 'CHILD_UNWELL'], ['CONFIRMED', null]]);
    // The one left blank is still asked, and only it.
    await see(page.getByRole('heading', { name: /Attendance to record/ }), 'Attendance to record (1)');
    expect(await page.getByRole('form', { name: 'Attendance to record' }).getByRole('group').count()).toBe(1);
    await row(2).waitFor();
    await page.context().close();
  });

  it('an ended break asks attended or not, and none is chosen', async () => {
    const { authority } = await makeAuthority();
    const { providerToken, provider } = await makeProvider('RESIDENTIAL');
    const { family } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id);
    await insertStay(child, provider.id, daysFromToday(-3), 1);
    const page = await session.signIn(providerToken);
    const happened = page.getByRole('form', { name: 'Attendance to record' }).getByRole('group', { name: `Did ${child.firstName} ${child.lastName}'s break on` });
    expect(await happened.getByRole('radio').count()).toBe(2);
    expect(await happened.getByRole('radio', { checked: true }).count()).toBe(0);
    await page.context().close();
  });
});
