/**
 * A provider publishes and edits capacity in the pages: the RRULE
 * builder with dates that have no break and a block contract, the preview
 * marking skipped dates, an edit that changes the days, the places and ends
 * the contract, and a refused edit that changes nothing. Debian's Chromium
 * through playwright-core, axe-core on the pages.
 */
import { vi } from 'vitest';

// Breaks ~700 days ahead: beyond the horizon other files generate for (see journeys.test.ts).
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { generateSlotsForRule } from '../../src/services/slot-generation.js';
import { browserTenant, go, see, shot, startBrowserSession } from '../support/browser.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession('capacity');
});

afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('provider capacity pages in Chromium', { timeout: 90_000 }, () => {
  it('publishes with skipped dates and a block contract, then edits the days, places and contract; a bad date changes nothing', async () => {
    const t = await browserTenant();
    const saturday = addDays(t.friday, 8);
    const skipped = addDays(saturday, 7);
    const page = await session.signIn(t.providerToken);
    await go(page.getByRole('link', { name: 'Capacity', exact: true }));
    // The rule the tenant was made with is reserved for its authority, and says so.
    await see(page.getByRole('main').getByRole('listitem').first(), `reserved for ${t.authority.name}`);

    await page.getByLabel('Name (optional)').fill('Saturday club');
    await page.getByLabel('Saturday').check();
    await page.getByLabel('First date').fill(saturday);
    await page.getByLabel('Dates with no break (optional)').fill(skipped);
    await page.getByLabel('Start time').fill('10:00');
    await page.getByLabel(/Length in hours/).fill('6');
    await page.getByLabel('Places', { exact: true }).fill('2');
    await page.getByLabel('Reserved for (block contract)').selectOption(t.authority.id);
    await go(page.getByRole('button', { name: 'Preview dates' }));
    const preview = page.getByRole('region', { name: 'Next dates' }).getByRole('listitem');
    await see(preview.nth(0), 'Sat');
    await see(preview.nth(1), 'no break');
    await see(preview.nth(2), 'Sat');
    await go(page.getByRole('button', { name: 'Publish capacity' }));
    await see(page.getByRole('status'), 'Capacity published');
    const published = await db().capacityRule.findFirstOrThrow({ where: { providerId: t.provider.id, name: 'Saturday club' } });
    expect(published).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=SA', exdates: [skipped], reservedForAuthorityId: t.authority.id, places: 2, durationMinutes: 360, version: 1 });

    // Edit: the form opens with what is stored.
    await go(page.getByRole('link', { name: /^Edit Saturday club/ }));
    expect(await page.getByLabel('Saturday').isChecked()).toBe(true);
    expect(await page.getByLabel('Sunday').isChecked()).toBe(false);
    expect(await page.getByLabel('Dates with no break (optional)').inputValue()).toBe(skipped);
    expect(await page.getByLabel('Reserved for (block contract)').inputValue()).toBe(t.authority.id);
    await session.expectAccessible(page, 'provider-capacity-edit');

    // Sundays too, three places, open to every authority, and one more date off.
    const alsoSkipped = addDays(saturday, 15);
    await page.getByLabel('Sunday').check();
    await page.getByLabel('Places', { exact: true }).fill('3');
    await page.getByLabel('Reserved for (block contract)').selectOption('');
    await page.getByLabel('Dates with no break (optional)').fill(`${skipped}\n${alsoSkipped}`);
    await go(page.getByRole('button', { name: 'Preview dates' }));
    const edited = page.getByRole('region', { name: 'Next dates' }).getByRole('listitem');
    await see(edited.nth(0), 'Sat');
    await see(edited.nth(1), 'Sun');
    await see(edited.nth(2), 'no break');
    await see(edited.nth(3), 'Sun');
    await see(edited.nth(5), 'no break');
    await shot(page, 'provider-capacity-edit');
    await go(page.getByRole('button', { name: 'Save changes' }));
    await see(page.getByRole('status'), 'Changes saved');
    await see(page.getByRole('listitem').filter({ hasText: 'Saturday club' }), 'Every week on Saturday, Sunday');
    const saved = await db().capacityRule.findUniqueOrThrow({ where: { id: published.id } });
    expect(saved).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=SA,SU', exdates: [skipped, alsoSkipped], reservedForAuthorityId: null, places: 3, version: 2 });

    // The breaks follow: none on the dates off, three open places on the others.
    await generateSlotsForRule(published.id);
    const slots = await db().slot.findMany({ where: { capacityRuleId: published.id, status: 'ACTIVE', localDate: { lte: addDays(saturday, 15) } }, orderBy: { startsAt: 'asc' } });
    expect(slots.map((s) => s.localDate)).toEqual([saturday, addDays(saturday, 1), addDays(saturday, 8), addDays(saturday, 14)]);
    expect(slots.every((s) => s.capacity === 3 && s.reservedForAuthorityId === null)).toBe(true);

    // A date that is not one is refused with the field named, and nothing changes.
    await go(page.getByRole('link', { name: /^Edit Saturday club/ }));
    await page.getByLabel('Dates with no break (optional)').fill(`${skipped}\n31/12/2028`);
    await page.getByLabel('Places', { exact: true }).fill('4');
    await go(page.getByRole('button', { name: 'Save changes' }));
    await see(page.getByRole('alert'), 'The dates with no break must be a date written like 2027-01-08');
    expect(await page.getByLabel('Dates with no break (optional)').inputValue()).toContain('31/12/2028');
    expect(await db().capacityRule.findUniqueOrThrow({ where: { id: published.id } })).toMatchObject({ version: 2, places: 3 });
  });
});
