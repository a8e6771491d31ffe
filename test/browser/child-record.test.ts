/**
 * A coordinator's child record in the pages, at desktop and on a 390 px
 * phone: who the child is (born, reference, needs), what the round said about
 * the child in the coordinator's words, who read the passport (never the
 * passport itself), booking the child into a place by hand (a refusal in
 * plain words about the child) and changing the award with its history.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { publishRound, runRound, startRound } from '../../src/services/allocation-rounds.js';
import { getPassport } from '../../src/services/passports.js';
import { createRequest } from '../../src/services/requests.js';
import { resolveToken } from '../../src/services/tokens.js';
import { browserTenant, fillDate, go, PHONE, see, shot, startBrowserSession, textOf, tableProblems } from '../support/browser.js';
import { makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
beforeAll(async () => {
  session = await startBrowserSession('child-record');
});
afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('a coordinator’s child record', { timeout: 180_000 }, () => {
  for (const [label, viewport] of [
    ['desktop', undefined],
    ['phone', PHONE],
  ] as const) {
    it(`reads the record, books a place by hand, is refused in words, and changes the award with its history (${label})`, async () => {
      const t = await browserTenant();
      const family = (await resolveToken(t.familyToken))!;
      const coordinatorPrincipal = (await resolveToken(t.coordinatorToken))!;
      // The family asked for the Saturday; a round gave it.
      await createRequest(family, { childId: t.child.id, periodStart: t.friday, periodEnd: addDays(t.friday, 1), preferences: [{ kind: 'SLOT', slotId: t.slots[1]!.id }], flexible: false, transportNeeded: false });
      const round = await startRound(coordinatorPrincipal, { periodStart: t.friday, periodEnd: addDays(t.friday, 1), seed: `record-${label}` });
      await runRound(round.id);
      await publishRound(coordinatorPrincipal, round.id);
      // The provider holding the booking reads the passport: the record shows that read.
      await getPassport((await resolveToken(t.providerToken))!, t.child.id);

      const page = await session.signIn(t.coordinatorToken, viewport);
      await page.goto(`${session.server.url}/coordinator/ledger?from=${addDays(t.friday, -1)}&to=${addDays(t.friday, 1)}`);
      await go(page.getByRole('link', { name: new RegExp(`^${t.child.firstName}`) }));
      const main = page.locator('main');
      await see(main, 'Born Monday 1 June 2015');
      await see(main, `Reference ${t.child.id.slice(0, 8).toUpperCase()}`);
      // The round's words are about the child, not to the family.
      const rounds = page.getByRole('region', { name: 'What the rounds said' });
      await see(rounds, '1 / 1');
      expect(await textOf(rounds)).not.toMatch(/\byou(r)?\b/i);
      // Who read the passport, but not what it says (the factory's passport says "Talks" and "Music").
      await see(page.getByRole('region', { name: 'Passport access log' }), t.provider.name);
      expect(await textOf(main)).not.toContain('Music');
      // The awards table's figures sit on its rows, under the same rules as the period they belong to.
      expect(await tableProblems(page)).toEqual([]);
      await session.expectAccessible(page, `coordinator-child-record-${label}`);
      await shot(page, `coordinator-child-record-${label}`);

      // Book the Friday by hand.
      await fillDate(page, 'Free places in the fortnight from', t.friday);
      await go(page.getByRole('button', { name: 'Show free places' }));
      await page.getByLabel('Break', { exact: true }).selectOption(t.slots[0]!.id);
      await go(page.getByRole('button', { name: `Book ${t.child.firstName} into this break` }));
      await see(page.getByRole('status'), 'The break is booked');
      await see(page.getByRole('region', { name: 'Breaks' }), 'Manual');
      expect(await db().booking.count({ where: { childId: t.child.id, slotId: t.slots[0]!.id, status: 'CONFIRMED', source: 'MANUAL' } })).toBe(1);

      // Another home's Friday overlaps it: refused, in words about the child.
      const { provider: other } = await makeProvider('RESIDENTIAL', { name: `Second home ${Date.now()}` });
      const { slots: clash } = await makeSlots(other.id, { startDate: t.friday, untilDate: t.friday, places: 2, reservedForAuthorityId: t.authority.id });
      await fillDate(page, 'Free places in the fortnight from', t.friday);
      await go(page.getByRole('button', { name: 'Show free places' }));
      await page.getByLabel('Break', { exact: true }).selectOption(clash[0]!.id);
      await go(page.getByRole('button', { name: `Book ${t.child.firstName} into this break` }));
      const refusal = page.getByRole('alert');
      await see(refusal, `${t.child.firstName} is already booked for a break from ${new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${t.friday}T12:00:00Z`)).replace(',', '')} at 5pm`);
      // The form still lists that fortnight's places.
      await see(page.getByLabel('Break', { exact: true }), other.name);
      expect(await textOf(refusal)).not.toMatch(/your child|slotId|childId/i);
      await session.expectAccessible(page, `coordinator-child-booking-refused-${label}`);
      await shot(page, `coordinator-child-booking-refused-${label}`);

      // Change the award: 24 nights become 30, with the reason; the history keeps both.
      await page.getByText(/^Change the award for /).click();
      await page.getByLabel('Nights', { exact: true }).fill('30');
      await page.getByLabel('Why it changes').fill('Panel review on 1 December');
      await go(page.getByRole('button', { name: 'Save the award' }));
      await see(page.getByRole('status'), 'The award is changed');
      const history = page.getByRole('region', { name: 'History of the awards' });
      await see(history, '30 nights');
      await see(history, 'Panel review on 1 December');
      await see(history, '24 nights');
      expect((await db().entitlement.findFirstOrThrow({ where: { childId: t.child.id } })).nights).toBe(30);
      await session.expectAccessible(page, `coordinator-child-award-${label}`);
      await shot(page, `coordinator-child-award-${label}`);

      // With next year's award too, each award has its own form: no id is used twice on the page
      // (axe no longer checks it), and a mistake in the second form's dates links to that form's field.
      const first = await db().entitlement.findFirstOrThrow({ where: { childId: t.child.id } });
      const nextYear = await db().entitlement.create({
        data: { childId: t.child.id, periodStart: addDays(first.periodEnd, 1), periodEnd: addDays(first.periodEnd, 365), nights: 12, daySessions: 4 },
      });
      await page.reload();
      const duplicateIds = async () => {
        const ids = await page.locator('[id]').evaluateAll((els) => els.map((el) => (el as unknown as { id: string }).id));
        return ids.filter((id, i) => ids.indexOf(id) !== i);
      };
      expect(await page.locator('details.govuk-details', { hasText: /^Change the award for / }).count()).toBe(2);
      expect(await duplicateIds()).toEqual([]);
      const second = page.locator('details', { has: page.locator(`#nights-${nextYear.id}`) });
      await second.locator('summary').click();
      await second.getByLabel('Nights', { exact: true }).fill('12');
      await second.getByRole('group', { name: 'Award to' }).getByLabel('Year').fill(String(Number(first.periodEnd.slice(0, 4)) - 2));
      await second.getByLabel('Why it changes').fill('Typing mistake');
      await go(second.getByRole('button', { name: 'Save the award' }));
      const summary = page.locator('.govuk-error-summary');
      await see(summary, 'There is a problem');
      const href = await summary.locator('a').first().getAttribute('href');
      expect(href).toMatch(new RegExp(`-${nextYear.id}$`));
      expect(await page.locator(href!).count()).toBe(1);
      expect(await duplicateIds()).toEqual([]);
      await session.expectAccessible(page, `coordinator-child-two-awards-${label}`);
      await shot(page, `coordinator-child-two-awards-${label}`);
      await page.context().close();
    });
  }
});
