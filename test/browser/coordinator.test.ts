/**
 * A coordinator's reports and lists in the pages, at desktop and on
 * a 390 px phone: the ledger furthest behind first in whole nights, children
 * told apart by date of birth and reference, round explanations about the
 * child (not "you"), the reports page with its charts, and CSV downloads that
 * work from the browser session.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { financialYearOf } from '../../src/domain/calendar-england.js';
import { addDays } from '../../src/domain/london-time.js';
import { publishRound, runRound, startRound } from '../../src/services/allocation-rounds.js';
import { createRequest } from '../../src/services/requests.js';
import { resolveToken } from '../../src/services/tokens.js';
import { forCoordinator } from '../../src/web/shared/child.js';
import { insertStay } from '../support/booking-helpers.js';
import { chartProblems, go, PHONE, see, shot, startBrowserSession, textOf } from '../support/browser.js';
import { daysFromToday, nextWeekday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { parseCsv } from '../support/report-helpers.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
beforeAll(async () => {
  session = await startBrowserSession('coordinator');
});
afterAll(async () => {
  await session?.close();
  await closeConnections();
});

async function tenant() {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider } = await makeProvider('RESIDENTIAL');
  const { family } = await makeFamily(authority.id);
  const period = { periodStart: daysFromToday(-200), periodEnd: daysFromToday(165) };
  // Two children with the same name, one far behind (36 awarded, none delivered), one with a night delivered.
  const behind = await makeChild(family.id, authority.id, { ...period, nights: 36 });
  const twin = await makeChild(family.id, authority.id, { ...period, nights: 12 });
  await db().child.updateMany({ where: { id: { in: [behind.id, twin.id] } }, data: { firstName: 'Sam', lastName: 'Ahmed' } });
  await db().child.update({ where: { id: twin.id }, data: { dateOfBirth: new Date('2017-03-09T00:00:00Z') } });
  const stay = await insertStay(twin, provider.id, daysFromToday(-10), 1);
  await db().booking.update({ where: { id: stay.id }, data: { status: 'ATTENDED', attendanceRecordedAt: new Date() } });
  return { authority, coordinatorToken, provider, family, behind, twin };
}

describe('a coordinator in the pages', { timeout: 120_000 }, () => {
  it('words a family-facing explanation about the child', () => {
    expect(forCoordinator("Asked for 2 nights, got 1 (1 from your first choice). You were 3rd of 9 in the rotation. 1 preferred date could not meet your child's needs.", 'Sam')).toBe(
      "Asked for 2 nights, got 1 (1 from the first choice). Sam was 3rd of 9 in the rotation. 1 preferred date could not meet Sam's needs.",
    );
  });

  for (const [label, viewport] of [
    ['desktop', undefined],
    ['phone', PHONE],
  ] as const) {
    it(`reads the ledger and the reports, and downloads their CSV from the browser session (${label})`, async () => {
      const t = await tenant();
      const page = await session.signIn(t.coordinatorToken, viewport);
      await page.goto(`${session.server.url}/coordinator/ledger?from=${daysFromToday(-200)}&to=${daysFromToday(165)}`);
      const rows = page.getByRole('table').getByRole('row').filter({ hasText: 'Sam Ahmed' });
      await expect.poll(() => rows.count()).toBe(2);
      // Furthest behind first, in whole nights; the two Sams told apart by birth date and reference.
      await see(rows.nth(0), `ref ${t.behind.id.slice(0, 8).toUpperCase()}`);
      await see(rows.nth(1), 'Born Thursday 9 March 2017');
      const behindCells = await rows.nth(0).getByRole('cell').allInnerTexts();
      expect(behindCells.every((cell) => !/\d\.\d/.test(cell)), behindCells.join(' | ')).toBe(true);
      await session.expectAccessible(page, `coordinator-ledger-${label}`);
      await shot(page, `coordinator-ledger-${label}`);

      // On a phone the navigation folds behind "Menu".
      const menu = page.getByRole('button', { name: 'Menu' });
      if (await menu.isVisible()) await menu.click();
      await go(page.getByRole('link', { name: 'Reports' }).first());
      await see(page.locator('svg[role=img] title').first(), 'Sam Ahmed');
      await see(page.getByRole('region', { name: 'Free places by need heat map' }), 'Any need');
      // Every chart's labels read whole: none clipped by its picture, struck through by a line, or on top of another.
      expect(await chartProblems(page)).toEqual([]);
      await session.expectAccessible(page, `coordinator-reports-${label}`);
      await shot(page, `coordinator-reports-${label}`);
      // The download link works with the browser's session cookie alone (no bearer token).
      const href = await page.getByRole('link', { name: /Download the whole ledger as CSV/ }).getAttribute('href');
      // Opened from the menu, the reports cover the financial year awards are made for, not the calendar year.
      const fy = financialYearOf(daysFromToday(0));
      expect(href).toContain(`from=${fy.from}&to=${fy.to}`);
      const csv = await page.request.get(`${session.server.url}${href}`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      const table = parseCsv(await csv.text());
      expect(table[0]).toContain('behindNights');
      expect(table.filter((r) => r.includes(t.behind.id))).toHaveLength(1);
      const free = await page.request.get(`${session.server.url}${await page.getByRole('link', { name: 'Download as CSV' }).first().getAttribute('href')}`);
      expect(parseCsv(await free.text())[0]).toEqual(['date', 'need', 'freePlaces']);
      await page.context().close();
    });
  }

  it('names what a provider’s places meet once in its row of the week calendar, not in every cell', async () => {
    const t = await tenant();
    const monday = nextWeekday(daysFromToday(720), 1);
    // Every night two kinds of bed: ordinary beds, and nursing-cover beds for complex health needs.
    const week = { startDate: monday, untilDate: addDays(monday, 6), rrule: 'FREQ=DAILY', reservedForAuthorityId: t.authority.id };
    await makeSlots(t.provider.id, { ...week, places: 4, capabilities: ['WHEELCHAIR', 'AUTISM', 'CHALLENGING_BEHAVIOUR'] });
    await makeSlots(t.provider.id, { ...week, places: 2, capabilities: ['GASTROSTOMY', 'OXYGEN', 'WHEELCHAIR', 'HOIST'] });
    const page = await session.signIn(t.coordinatorToken);
    await page.goto(`${session.server.url}/coordinator?view=week&week=${monday}&providerId=${t.provider.id}`);
    const row = page.getByRole('row', { name: new RegExp(t.provider.name) });
    await see(row, '4 of 4 free');
    const line = await textOf(row);
    // Each kind's needs once, in the row's heading; each of the fourteen breaks says only which kind it is.
    expect(line.match(/Gastrostomy/g), line).toHaveLength(1);
    expect(line.match(/Challenging behaviour/g), line).toHaveLength(1);
    expect(line.match(/places [AB]:/g), line).toHaveLength(14);
    await shot(page, 'coordinator-week-kinds');
    // So the row stays a few lines tall (repeating the needs in every cell made the week a 3,478 px page).
    expect((await row.boundingBox())!.height).toBeLessThan(400);
    await session.expectAccessible(page, 'coordinator-week-kinds');
    await page.context().close();
  });

  it('a round page counts every child who asked in its figures, its chart and its table alike', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('RESIDENTIAL');
    const { family } = await makeFamily(authority.id);
    const friday = nextWeekday(daysFromToday(690), 5);
    const { slots } = await makeSlots(provider.id, { startDate: friday, untilDate: friday, rrule: 'FREQ=DAILY', places: 1, reservedForAuthorityId: authority.id });
    const award = { periodStart: friday, periodEnd: addDays(friday, 30) };
    // Two children want the one place; the third has no nights left in its award, so it can be given nothing at all.
    const children = [await makeChild(family.id, authority.id, { ...award, nights: 4 }), await makeChild(family.id, authority.id, { ...award, nights: 4 }), await makeChild(family.id, authority.id, { ...award, nights: 0 })];
    const coordinator = (await resolveToken(coordinatorToken))!;
    for (const child of children) {
      await createRequest(coordinator, { childId: child.id, periodStart: friday, periodEnd: addDays(friday, 1), preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }], flexible: false, transportNeeded: false });
    }
    const round = await startRound(coordinator, { periodStart: friday, periodEnd: addDays(friday, 1), seed: 'every-child-counted' });
    await runRound(round.id);
    const page = await session.signIn(coordinatorToken);
    await page.goto(`${session.server.url}/coordinator/rounds/${round.id}`);
    const figure = async (term: string) => (await page.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]').innerText()).trim();
    const rows = page.getByRole('region', { name: 'Per-child results table' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const gotNothing = (await rows.allInnerTexts()).filter((row) => /\b0 \/ \d+/.test(row)).length;
    expect(gotNothing).toBe(2);
    expect(await figure('Children asking')).toBe('3');
    expect(await figure('Children given nothing')).toMatch(/^2 \(1 of them could be given nothing/);
    // The chart's bars, read from its text alternative, count the same three children: two at 0 %, one at 100 %.
    const title = await page.locator('#met-share-title').textContent();
    const bars = [...title!.matchAll(/(\S+%) (\d+) children/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(bars.reduce((sum, [, n]) => sum + n, 0)).toBe(3);
    expect(Object.fromEntries(bars)).toMatchObject({ '0%': 2, '100%': 1 });
    await page.context().close();
  });

  it('a round page explains each child to the coordinator without "you"', async () => {
    const t = await tenant();
    const friday = nextWeekday(daysFromToday(680), 5);
    const { slots } = await makeSlots(t.provider.id, { startDate: friday, untilDate: friday, rrule: 'FREQ=DAILY', places: 1, reservedForAuthorityId: t.authority.id });
    const coordinator = (await resolveToken(t.coordinatorToken))!;
    for (const child of [t.behind, t.twin]) {
      await db().entitlement.create({ data: { childId: child.id, periodStart: friday, periodEnd: addDays(friday, 30), nights: 4, daySessions: 0 } });
      await createRequest(coordinator, { childId: child.id, periodStart: friday, periodEnd: addDays(friday, 1), preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }], flexible: false, transportNeeded: false });
    }
    const round = await startRound(coordinator, { periodStart: friday, periodEnd: addDays(friday, 1), seed: 'coordinator-words' });
    await runRound(round.id);
    await publishRound(coordinator, round.id);
    const page = await session.signIn(t.coordinatorToken);
    await page.goto(`${session.server.url}/coordinator/rounds/${round.id}`);
    const table = page.getByRole('region', { name: 'Per-child results table' });
    await see(table, 'Sam was');
    expect(await textOfAll(table)).not.toMatch(/\byou(r)?\b/i);
    await see(page.getByRole('heading', { level: 1 }), `Allocation round, ${'Friday'}`);
    // The chart of shares met: its top label and axis labels inside the picture, none struck through.
    await page.locator('svg[aria-labelledby="met-share-title"]').waitFor();
    expect(await chartProblems(page)).toEqual([]);
    await session.expectAccessible(page, 'coordinator-round-words');
    // The rounds page's trend of scarce nights: no bar or figure above its axis.
    await page.goto(`${session.server.url}/coordinator/rounds`);
    await page.locator('svg[aria-labelledby="scarce-title"]').waitFor();
    expect(await chartProblems(page)).toEqual([]);
    await page.context().close();
  });
});

const textOfAll = (loc: import('playwright-core').Locator) => loc.innerText();
