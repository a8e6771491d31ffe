/**
 * A family's whole job in the pages, at desktop and on a 390 px
 * phone: the request form offers only places that can meet the child's needs,
 * one line per break; the request can be seen, changed and withdrawn; a round
 * that gave nothing says why and what happens next; transport asked for is
 * visible. Screenshots in test-artifacts/, axe on every state.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { publishRound, runRound, startRound } from '../../src/services/allocation-rounds.js';
import { createRequest } from '../../src/services/requests.js';
import { resolveToken } from '../../src/services/tokens.js';
import { count, fillDate, go, PHONE, see, shot, startBrowserSession } from '../support/browser.js';
import { daysFromToday, nextWeekday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
beforeAll(async () => {
  session = await startBrowserSession('family');
});
afterAll(async () => {
  await session?.close();
  await closeConnections();
});

async function tenant(daysAhead: number) {
  const { authority, coordinatorToken } = await makeAuthority();
  const nursing = await makeProvider('RESIDENTIAL', { name: `Nursing unit ${Date.now()}` });
  const plain = await makeProvider('RESIDENTIAL', { name: `Plain unit ${Date.now()}` });
  const { family, familyToken } = await makeFamily(authority.id);
  const child = await makeChild(family.id, authority.id, { needs: ['GASTROSTOMY'], periodStart: daysFromToday(-30), periodEnd: daysFromToday(760), nights: 24 });
  const friday = nextWeekday(daysFromToday(daysAhead), 5);
  const one = { startDate: friday, untilDate: friday, rrule: 'FREQ=DAILY' };
  // The nursing unit publishes the same Friday twice (open places and a block contract): one line for the family.
  const open = await makeSlots(nursing.provider.id, { ...one, places: 2, capabilities: ['GASTROSTOMY'] });
  await makeSlots(nursing.provider.id, { ...one, places: 1, capabilities: ['GASTROSTOMY'], reservedForAuthorityId: authority.id });
  const unsuitable = await makeSlots(plain.provider.id, { ...one, places: 3 });
  return { authority, coordinatorToken, nursing, plain, family, familyToken, child, friday, nursingSlot: open.slots[0]!, plainSlot: unsuitable.slots[0]! };
}

describe('a family in the pages', { timeout: 120_000 }, () => {
  // Each run on its own Friday, so neither sees the other's open places.
  for (const [label, viewport, daysAhead] of [
    ['desktop', undefined, 640],
    ['phone', PHONE, 661],
  ] as const) {
    it(`requests only suitable places, sees, changes and withdraws the request, and reads why a round gave nothing (${label})`, async () => {
      const t = await tenant(daysAhead);
      const page: Page = await session.signIn(t.familyToken, viewport);
      await go(page.getByRole('link', { name: 'Request breaks', exact: true }).first());
      await fillDate(page, 'From', t.friday);
      await fillDate(page, 'To', addDays(t.friday, 1));
      await go(page.getByRole('button', { name: 'Show breaks in this period' }));
      // One line for the nursing unit's Friday (not its look-alike), none for the unit that cannot meet gastrostomy.
      // (Earlier runs' tenants may have open places that day too; only this tenant's providers are counted.)
      const choices = page.getByLabel('Choice 1').locator('option');
      await count(choices.filter({ hasText: t.nursing.provider.name }), 1);
      await count(choices.filter({ hasText: t.plain.provider.name }), 0);
      await see(choices.filter({ hasText: t.nursing.provider.name }), `${t.nursing.provider.name}: Friday`);
      await see(page.locator('main'), 'cannot meet those needs and');
      await session.expectAccessible(page, `family-request-${label}`);
      await shot(page, `family-request-${label}`);

      await page.getByLabel('Choice 1').selectOption(t.nursingSlot.id);
      await page.getByLabel('We need transport').check();
      await go(page.getByRole('button', { name: 'Send request' }));
      await see(page.getByRole('status'), 'Your request has been sent');
      const request = page.getByRole('region', { name: new RegExp(`^${t.child.firstName}: `) }).filter({ hasText: 'Waiting for the next allocation round' });
      await see(request, 'Transport Asked for');

      // See it, change it, withdraw it.
      await go(page.getByRole('link', { name: /^See this request/ }));
      await see(page.locator('main'), `Choices, most wanted first ${t.nursing.provider.name}`);
      await session.expectAccessible(page, `family-request-detail-${label}`);
      await shot(page, `family-request-detail-${label}`);
      await go(page.getByRole('link', { name: 'Change this request' }));
      await page.getByLabel('Anything the team should know (optional)').fill('She settles best after tea');
      await go(page.getByRole('button', { name: 'Save changes' }));
      await see(page.getByRole('status'), 'Your request has been changed');
      await see(page.locator('main'), 'Notes She settles best after tea');
      await go(page.getByRole('button', { name: 'Withdraw this request' }));
      await see(page.getByRole('status'), 'You withdrew the request');
      expect((await db().breakRequest.findFirstOrThrow({ where: { childId: t.child.id } })).status).toBe('WITHDRAWN');

      // A request only for a place that cannot meet her needs: the round gives nothing, and says why and what next.
      const family = (await resolveToken(t.familyToken))!;
      await createRequest(family, { childId: t.child.id, periodStart: t.friday, periodEnd: addDays(t.friday, 1), preferences: [{ kind: 'SLOT', slotId: t.plainSlot.id }], flexible: false, transportNeeded: false });
      const coordinator = (await resolveToken(t.coordinatorToken))!;
      const round = await startRound(coordinator, { periodStart: t.friday, periodEnd: addDays(t.friday, 1), seed: `family-${label}` });
      await runRound(round.id);
      await publishRound(coordinator, round.id);
      await page.goto(`${session.server.url}/family`);
      const nothing = page.getByRole('region', { name: new RegExp(`^${t.child.firstName}: `) }).filter({ hasText: 'Nothing this round' });
      await see(nothing, "Because 1 preferred date could not meet your child's needs");
      await see(nothing, 'Next step:');
      await session.expectAccessible(page, `family-home-${label}`);
      await shot(page, `family-home-${label}`);
      await page.context().close();
    });
  }

  it('keeps the award in force and the requests still to come in view, and folds a finished year away', async () => {
    const { authority } = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    // Last year's award first (as the ledger stores it), then this year's.
    const child = await makeChild(family.id, authority.id, { periodStart: daysFromToday(-400), periodEnd: daysFromToday(-36), nights: 7 });
    await db().entitlement.create({ data: { childId: child.id, periodStart: daysFromToday(-35), periodEnd: daysFromToday(329), nights: 19, daySessions: 0 } });
    const request = { childId: child.id, authorityId: authority.id, preferences: [], createdByRole: 'FAMILY' as const };
    const finished = await db().breakRequest.create({ data: { ...request, periodStart: daysFromToday(-60), periodEnd: daysFromToday(-50), status: 'ALLOCATED' } });
    const ahead = await db().breakRequest.create({ data: { ...request, periodStart: daysFromToday(20), periodEnd: daysFromToday(30) } });
    const page = await session.signIn(familyToken);
    const entitlement = page.getByRole('region', { name: `${child.firstName} ${child.lastName}` });
    // The first award a family reads is the one in force: 19 nights, not last year's 7.
    await see(entitlement.locator('dl').first(), '19 awarded');
    const earlierAwards = entitlement.locator('details', { hasText: 'Earlier award periods (1)' });
    expect(await earlierAwards.getAttribute('open')).toBeNull();
    expect(await earlierAwards.getByText('7 awarded').isVisible()).toBe(false);
    expect(await page.locator(`#rq-${ahead.id}`).isVisible()).toBe(true);
    const earlierRequests = page.locator('details', { hasText: 'Earlier requests (1)' });
    expect(await page.locator(`#rq-${finished.id}`).isVisible()).toBe(false);
    // Still one click away.
    await earlierRequests.locator('summary').click();
    await expect.poll(() => page.locator(`#rq-${finished.id}`).isVisible()).toBe(true);
    await session.expectAccessible(page, 'family-home-earlier');
    await page.context().close();
  });

  it('sees a break from a round only once the coordinator publishes it, never a draft that could still be discarded', async () => {
    const t = await tenant(682);
    const family = (await resolveToken(t.familyToken))!;
    await createRequest(family, { childId: t.child.id, periodStart: t.friday, periodEnd: addDays(t.friday, 1), preferences: [{ kind: 'SLOT', slotId: t.nursingSlot.id }], flexible: false, transportNeeded: false });
    const coordinator = (await resolveToken(t.coordinatorToken))!;
    const round = await startRound(coordinator, { periodStart: t.friday, periodEnd: addDays(t.friday, 1), seed: 'family-draft' });
    await runRound(round.id);
    const draft = await db().booking.findFirstOrThrow({ where: { roundId: round.id, childId: t.child.id } });
    expect(draft.status).toBe('ALLOCATED');
    const page = await session.signIn(t.familyToken);
    await see(page.locator('main'), 'Waiting for the next allocation round');
    expect(await page.locator(`#bk-${draft.id}`).count()).toBe(0);
    await publishRound(coordinator, round.id);
    await page.reload();
    await see(page.locator(`#bk-${draft.id}`), t.nursing.provider.name);
    await page.context().close();
  });
});
