/**
 * A commissioner in Chromium: "if we upgraded this home to take gastrostomy
 * for 2 places, what would it buy?" — described in the scenarios form, run by
 * the worker, read as a comparison with its chart, compared side by side with
 * a closure, downloaded as CSV; and the funding review page with its charts.
 * Every page is checked with axe-core; screenshots land in test-artifacts/.
 *
 * Isolation: the homes' places are kept for this file's authority and the
 * children's requests name only these homes, so no other file's places or
 * children enter the scenarios.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { financialYearOf } from '../../src/domain/calendar-england.js';
import { startWorkers, type WorkerHandle } from '../../workers/index.js';
import { call, post } from '../support/api.js';
import { makeFamilyWithChild } from '../support/booking-helpers.js';
import { fillDate, go, nav, PHONE, see, shot, startBrowserSession } from '../support/browser.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { csvRecords } from '../support/report-helpers.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let workers: WorkerHandle | undefined;
beforeAll(async () => {
  session = await startBrowserSession('commissioning');
  workers = await startWorkers({ sweepMs: 200 });
});
afterAll(async () => {
  await workers?.stop();
  await session?.close();
  await closeConnections();
});

const START = daysFromToday(230);
const END = daysFromToday(236);
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

async function county() {
  const a = await makeAuthority();
  const T = a.coordinatorToken;
  const tag = uid().slice(0, 6);
  const nursing = (await makeProvider('RESIDENTIAL', { name: `Beeches ${tag}` })).provider;
  const orchard = (await makeProvider('RESIDENTIAL', { name: `Orchard ${tag}` })).provider;
  const n = await makeSlots(nursing.id, { startDate: START, untilDate: END, places: 1, capabilities: ['GASTROSTOMY'], reservedForAuthorityId: a.authority.id });
  const o = await makeSlots(orchard.id, { startDate: START, untilDate: END, places: 3, capabilities: ['AUTISM'], reservedForAuthorityId: a.authority.id });
  await post(`/v1/capacity-rules/${n.rule.id}/prices`, T, { unit: 'NIGHT', pence: 78_000, effectiveFrom: daysFromToday(0) });
  await post(`/v1/capacity-rules/${o.rule.id}/prices`, T, { unit: 'NIGHT', pence: 42_000, effectiveFrom: daysFromToday(0) });
  const fy = financialYearOf(daysFromToday(0));
  await call('PUT', '/v1/budgets', { token: T, body: { funder: 'CONTINUING_CARE', periodStart: fy.from, periodEnd: fy.to, pence: 40_000_000 } });
  // Three children fed by gastrostomy each ask for 4 of the week's 7 nights at either home; one nursing bed meets 7 of the 12.
  for (let i = 0; i < 3; i++) {
    const { child } = await makeFamilyWithChild(a.authority.id, { needs: ['GASTROSTOMY'] });
    await db().breakRequest.create({
      data: {
        childId: child.id, authorityId: a.authority.id, periodStart: START, periodEnd: END, nightsWanted: 4, createdByRole: 'COORDINATOR',
        preferences: [{ kind: 'DAYS', daysOfWeek: EVERY_DAY, providerId: nursing.id }, { kind: 'DAYS', daysOfWeek: EVERY_DAY, providerId: orchard.id }],
      },
    });
  }
  return { T, authorityId: a.authority.id, nursing, orchard };
}

describe('a commissioner asks what an upgrade would buy, in the pages', { timeout: 180_000 }, () => {
  for (const [label, viewport] of [
    ['desktop', undefined],
    ['phone', PHONE],
  ] as const) {
    it(`describes the upgrade, reads its comparison, compares it with a closure and downloads both (${label})`, async () => {
      const t = await county();
      const page = await session.signIn(t.T, viewport);
      await nav(page, 'Scenarios');
      await see(page.locator('main'), 'No scenarios yet');
      await session.expectAccessible(page, `scenarios-empty-${label}`);

      // A form left without a name is refused with the problem said in words, and nothing is saved.
      await go(page.getByRole('button', { name: 'Run this scenario' }));
      await see(page.getByRole('alert'), 'There is a problem');
      expect(await db().scenario.count({ where: { authorityId: t.authorityId } })).toBe(0);

      const describe = async (name: string, kind: RegExp, provider: string) => {
        await page.getByLabel('Name of the scenario').fill(name);
        await fillDate(page, 'Period from', START);
        await fillDate(page, 'Period to', END);
        await page.getByRole('radio', { name: kind }).check();
        await fillDate(page, 'From', START);
        await page.getByLabel('Provider', { exact: true }).selectOption({ label: `${provider} (residential)` });
      };
      await describe('Upgrade Orchard for gastrostomy, 2 places', /meet a further need/, t.orchard.name);
      await page.getByLabel('Need the places meet').selectOption('GASTROSTOMY');
      await page.getByLabel('Places', { exact: true }).fill('2');
      await go(page.getByRole('button', { name: 'Run this scenario' }));
      expect(page.url()).toMatch(/\/coordinator\/scenarios\/[0-9a-f-]{36}$/);
      await see(page.locator('main'), `2 places at ${t.orchard.name} also meet gastrostomy`);
      // The worker runs it; the page says so until it has.
      await expect.poll(async () => {
        await page.reload();
        return page.getByRole('heading', { name: 'What the change buys' }).count();
      }, { timeout: 60_000 }).toBe(1);
      const upgradeUrl = page.url();
      await see(page.locator('main'), '+5 nights');
      const rows = page.getByRole('table', { name: /allocated as things are/ }).getByRole('row');
      await see(rows.filter({ hasText: 'Nights delivered' }), 'Nights delivered 7 12 +5');
      await see(rows.filter({ hasText: 'Unmet nights of children with complex health needs' }), '5 0 -5');
      await see(rows.filter({ hasText: 'Cost per extra night' }), '£348');
      await expect.poll(() => page.locator('svg[role="img"] title').first().textContent()).toContain('Nights with 12 nights');
      await session.expectAccessible(page, `scenario-upgrade-${label}`);
      await shot(page, `scenario-upgrade-${label}`);
      const csv = await page.request.get(`${upgradeUrl}.csv`);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect(csvRecords(await csv.text()).records.find((r) => r.side === 'difference')).toMatchObject({ nightsDelivered: '5', costPence: '174000', costPerExtraNightPence: '34800' });

      // A second scenario: the nursing home closes. Then both side by side.
      await nav(page, 'Scenarios');
      await describe('Close Beeches', /A provider closes/, t.nursing.name);
      await go(page.getByRole('button', { name: 'Run this scenario' }));
      await expect.poll(async () => {
        await page.reload();
        return page.getByRole('heading', { name: 'What the change buys' }).count();
      }, { timeout: 60_000 }).toBe(1);
      await see(page.locator('main'), '-7 nights');

      await nav(page, 'Scenarios');
      await page.getByRole('checkbox', { name: 'Compare Upgrade Orchard for gastrostomy, 2 places' }).check();
      await page.getByRole('checkbox', { name: 'Compare Close Beeches' }).check();
      await go(page.getByRole('button', { name: 'Compare the ticked scenarios' }));
      const side = page.getByRole('table', { name: /Each scenario against its own baseline/ });
      // In the list's order, newest first.
      await see(side.getByRole('row').filter({ hasText: 'Nights delivered' }), '0 (-7) 12 (+5)');
      await see(side.getByRole('row').filter({ hasText: 'Change' }).first(), `${t.nursing.name} closes`);
      await session.expectAccessible(page, `scenarios-side-by-side-${label}`);
      await shot(page, `scenarios-side-by-side-${label}`);
      const both = csvRecords(await (await page.request.get(await page.getByRole('link', { name: 'Download the comparison (CSV)' }).getAttribute('href').then((h) => `${session.server.url}${h}`))).text()).records;
      expect(both.filter((r) => r.side === 'difference').map((r) => [r.name, r.nightsDelivered])).toEqual([
        ['Close Beeches', '-7'],
        ['Upgrade Orchard for gastrostomy, 2 places', '5'],
      ]);

      // Nothing live changed: Orchard's places still meet only autism.
      expect((await db().slot.findMany({ where: { providerId: t.orchard.id } })).every((s) => !s.capabilities.includes('GASTROSTOMY'))).toBe(true);
      expect(await db().booking.count({ where: { authorityId: t.authorityId } })).toBe(0);

      await nav(page, 'Funding review');
      await see(page.locator('main'), 'Spend against budget');
      expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(3);
      await see(page.getByRole('table', { name: /By funder/ }).getByRole('row').filter({ hasText: 'continuing care' }), '£400,000');
      await session.expectAccessible(page, `funding-review-${label}`);
      await shot(page, `funding-review-${label}`);
    });
  }
});
