/**
 * A family's stories through the pages, at desktop and on a 390 px phone,
 * each checked against what the family asked for:
 * - the swap board: one family puts a break on the board, another sees where
 *   and when it is (never whose), offers one of its own, and once accepted
 *   each child holds the other's break;
 * - Christmas: the family asks in the form for 18 December to 3 January,
 *   Fridays and Saturdays kept together; the coordinator runs a round for 8
 *   December to 1 February from the rounds page (a real worker runs it) and
 *   publishes; every break on the family's page lies inside what it asked for.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { db } from '../../src/db.js';
import { addDays, dayOfWeek, londonDateOf } from '../../src/domain/london-time.js';
import { startWorkers, type WorkerHandle } from '../../workers/index.js';
import { insertBooking } from '../support/bookings.js';
import { browserTenant, fillDate, go, nav, PHONE, see, shot, startBrowserSession, textOf } from '../support/browser.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let workers: WorkerHandle;
beforeAll(async () => {
  session = await startBrowserSession('family-stories');
  workers = await startWorkers({ sweepMs: 200 });
});
afterAll(async () => {
  await workers?.stop();
  await session?.close();
  await closeConnections();
});

const VIEWPORTS = [
  ['desktop', undefined],
  ['phone', PHONE],
] as const;

describe('a family in the pages', { timeout: 180_000 }, () => {
  for (const [label, viewport] of VIEWPORTS) {
    it(`swaps a break through the swap board without knowing who the other family is (${label})`, async () => {
      const t = await browserTenant();
      // Ours is the Saturday; the other family holds the Friday and would give it up.
      const ours = await insertBooking(t.slots[1]!, t.child);
      const other = await makeFamily(t.authority.id);
      const otherChild = await makeChild(other.family.id, t.authority.id, { periodStart: daysFromToday(-30), periodEnd: daysFromToday(760) });
      const theirs = await insertBooking(t.slots[0]!, otherChild);

      const otherPage = await session.signIn(other.familyToken, viewport);
      await nav(otherPage, 'Swap board');
      await go(otherPage.getByRole('button', { name: new RegExp(`^Put on the swap board the break of ${otherChild.firstName}`) }));
      await see(otherPage.getByRole('status'), 'Your break is on the swap board');
      await see(otherPage.getByRole('region', { name: new RegExp(`^${otherChild.firstName}: ${t.provider.name}`) }), 'Where');

      const page = await session.signIn(t.familyToken, viewport);
      await nav(page, 'Swap board');
      const entry = page.getByRole('region', { name: new RegExp(`^${t.provider.name}, Friday`) });
      // Where and when, the journey; not who.
      await see(entry, `Where ${t.provider.name}`);
      await see(entry, 'Journey');
      await see(entry, `${t.child.firstName} could take this break`);
      const main = await textOf(page.locator('main'));
      expect(main).not.toContain(otherChild.firstName);
      expect(main).not.toContain(other.family.name);
      await session.expectAccessible(page, `family-swap-board-${label}`);
      await shot(page, `family-swap-board-${label}`);
      await go(entry.getByRole('button', { name: /^Offer this swap/ }));
      await see(page.getByRole('status'), 'Your swap offer has been sent');
      await see(entry, 'Waiting for the other family');

      // The other family reads the offer with both places named, and accepts.
      await otherPage.goto(`${session.server.url}/family`);
      const offer = otherPage.getByRole('region', { name: `${otherChild.firstName}'s break on ${(await textOf(entry.locator('h3'))).split(', ').slice(1).join(', ')}` });
      await see(offer, 'Another family would like to swap');
      await see(offer, `You would give up Where ${t.provider.name}`);
      await see(offer, `${otherChild.firstName} would go to Where ${t.provider.name}`);
      await session.expectAccessible(otherPage, `family-swap-offered-${label}`);
      await shot(otherPage, `family-swap-offered-${label}`);
      await go(offer.getByRole('button', { name: 'Accept swap' }));
      await see(otherPage.getByRole('status'), 'You accepted the swap');
      // This council approves swaps: the coordinator does, on the Swaps page.
      const coordinator = await session.signIn(t.coordinatorToken, viewport);
      await nav(coordinator, 'Swaps');
      await go(coordinator.getByRole('button', { name: new RegExp(`^Approve swap between ${t.child.firstName}|^Approve swap between ${otherChild.firstName}`) }));
      await see(coordinator.getByRole('status'), 'The swap is approved');
      await coordinator.context().close();

      // Each child now holds the break the other gave up: what the board showed.
      const live = await db().booking.findMany({ where: { childId: { in: [t.child.id, otherChild.id] }, status: { in: ['CONFIRMED', 'ALLOCATED'] } } });
      expect(live.map((b) => [b.childId, b.slotId]).sort()).toEqual([[t.child.id, theirs.slotId], [otherChild.id, ours.slotId]].sort());
      await page.goto(`${session.server.url}/family`);
      await see(page.getByRole('region', { name: new RegExp(`^${t.child.firstName}: ${t.provider.name}, Friday`) }), 'When');
      await page.context().close();
      await otherPage.context().close();
    });
  }

  // The Christmas whose round (from 8 December) has not started yet.
  const year = (() => {
    const today = londonDateOf(new Date());
    const thisYear = Number(today.slice(0, 4));
    return today <= `${thisYear}-12-07` ? thisYear : thisYear + 1;
  })();
  const asked = { from: `${year}-12-18`, to: `${year + 1}-01-03` };
  const round = { from: `${year}-12-08`, to: `${year + 1}-02-01` };

  it('asks for Christmas Fridays and Saturdays together in the form, and gets only breaks inside what it asked for once the coordinator publishes the round', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Holly Lodge ${Date.now()}` });
    // Every night of the round is on offer, so only the request keeps the breaks to Christmas weekends.
    await makeSlots(provider.id, { startDate: round.from, untilDate: round.to, rrule: 'FREQ=DAILY', places: 2, reservedForAuthorityId: authority.id });
    const { family, familyToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id, { nights: 20, periodStart: `${year}-04-01`, periodEnd: `${year + 1}-03-31` });

    const page: Page = await session.signIn(familyToken, PHONE);
    await go(page.getByRole('link', { name: 'Request breaks', exact: true }).first());
    await fillDate(page, 'From', asked.from);
    await fillDate(page, 'To', asked.to);
    await go(page.getByRole('button', { name: 'Show breaks in this period' }));
    await page.getByLabel('Friday').check();
    await page.getByLabel('Saturday').check();
    await page.getByLabel('How many nights would you like? (optional)').fill('4');
    await page.getByLabel('Nights to keep together in one stay (optional)').fill('2');
    await see(page.locator('#stayNights-hint'), 'keep a Friday and the Saturday after it together');
    await session.expectAccessible(page, 'family-christmas-request-phone');
    await shot(page, 'family-christmas-request-phone');
    await go(page.getByRole('button', { name: 'Send request' }));
    await see(page.getByRole('status'), 'Your request has been sent');
    const request = await db().breakRequest.findFirstOrThrow({ where: { childId: child.id } });
    expect(request).toMatchObject({ periodStart: asked.from, periodEnd: asked.to, nightsWanted: 4, stayNights: 2, preferences: [{ kind: 'DAYS', daysOfWeek: [5, 6] }] });

    // The coordinator runs the round from the rounds page; the worker works it out.
    const coordinator = await session.signIn(coordinatorToken);
    await nav(coordinator, 'Allocation rounds');
    await fillDate(coordinator, 'Period from', round.from);
    await fillDate(coordinator, 'Period to', round.to);
    await coordinator.getByLabel(/^Seed/).fill('christmas-pages');
    await go(coordinator.getByRole('button', { name: 'Start round' }));
    await expect.poll(async () => {
      await coordinator.reload();
      return textOf(coordinator.locator('#round-status'));
    }, { timeout: 60_000, interval: 500 }).toBe('Completed');
    await session.expectAccessible(coordinator, 'coordinator-christmas-round');
    await shot(coordinator, 'coordinator-christmas-round');
    await go(coordinator.getByRole('button', { name: 'Publish round' }));
    await see(coordinator.getByRole('status'), 'The round is published');

    // Every break on the family's page is a Friday or Saturday night from 18 December to 3 January, in Friday-Saturday pairs in one home.
    await page.goto(`${session.server.url}/family`);
    const headings = page.locator('main section.app-break h3');
    const shown = (await headings.allInnerTexts()).map((h) => h.replace(/\s+/g, ' ').trim());
    const booked = await db().booking.findMany({ where: { childId: child.id, status: { in: ['CONFIRMED', 'ALLOCATED'] } }, include: { slot: { include: { provider: true } } }, orderBy: { startsAt: 'asc' } });
    expect(booked.length).toBe(4);
    expect(shown.length).toBe(booked.length);
    for (const [i, b] of booked.entries()) {
      const date = b.slot.localDate;
      expect(date >= asked.from && date <= asked.to, date).toBe(true);
      expect([5, 6], date).toContain(dayOfWeek(date));
      // The page names that break: the child, the home and the date in words.
      const words = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`)).replace(',', '');
      expect(shown[i]).toContain(`${child.firstName}: ${b.slot.provider.name}, ${words}`);
    }
    for (let i = 0; i < booked.length; i += 2) {
      const [friday, saturday] = [booked[i]!, booked[i + 1]!];
      expect(dayOfWeek(friday.slot.localDate)).toBe(5);
      expect(saturday.slot.localDate).toBe(addDays(friday.slot.localDate, 1));
      expect(saturday.slot.providerId).toBe(friday.slot.providerId);
    }
    await see(page.getByRole('region', { name: new RegExp(`^${child.firstName}: `) }).filter({ hasText: 'Round published' }), 'Outcome');
    await session.expectAccessible(page, 'family-christmas-result-phone');
    await shot(page, 'family-christmas-result-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, 'family-christmas-result-desktop');
    await page.context().close();
    await coordinator.context().close();
  });
});
