/**
 * The coordinator's closures pages in Chromium: the list of
 * closures, a re-homing plan that says where each child goes and why, and a
 * failed closure sent back to the worker with "Try again". axe-core on each.
 */
import { vi } from 'vitest';

// Breaks ~700 days ahead: beyond the horizon other files generate for (see journeys.test.ts).
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
  process.env.QUEUE_PREFIX = `sbclosurepages${Math.random().toString(36).slice(2, 10)}`;
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { runClosure } from '../../src/services/closures.js';
import { post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { browserTenant, go, see, shot, startBrowserSession } from '../support/browser.js';
import { makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;

beforeAll(async () => {
  session = await startBrowserSession('closures');
});

afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('coordinator closures pages in Chromium', { timeout: 90_000 }, () => {
  it('lists closures, shows where each child goes, and retries a failed closure', async () => {
    const t = await browserTenant();
    // Another home with a place the same Friday, for this authority only: the plan moves the child there.
    const { provider: other } = await makeProvider('RESIDENTIAL');
    await makeSlots(other.id, { startDate: t.friday, untilDate: t.friday, places: 1, reservedForAuthorityId: t.authority.id });
    await insertBooking(t.slots[0]!, t.child);
    const closed = await post(`/v1/providers/${t.provider.id}/closure`, t.coordinatorToken, { effectiveFrom: addDays(t.friday, -1), confirm: true, reason: 'Registration suspended' });
    expect(closed.status).toBe(202);
    await runClosure(closed.body.id);
    // The plan may prefer another file's home with a place that Friday (providers are shared in the test
    // database); the page must name whichever place the plan chose.
    const moved = await db().rehomingOutcome.findFirstOrThrow({ where: { closureId: closed.body.id, outcome: 'MOVED' } });
    const chosen = (await db().slot.findUniqueOrThrow({ where: { id: moved.toSlotId! }, include: { provider: true } })).provider;

    // A second closure whose job failed for good.
    const { provider: failing } = await makeProvider('COMMUNITY', { operatorAuthorityId: t.authority.id });
    const failed = await post(`/v1/providers/${failing.id}/closure`, t.coordinatorToken, { effectiveFrom: addDays(t.friday, -1), confirm: true, reason: 'Lease ended' });
    await db().closure.update({ where: { id: failed.body.id }, data: { status: 'FAILED', error: 'The database went away' } });

    const page = await session.signIn(t.coordinatorToken);
    await go(page.getByRole('link', { name: 'Closures', exact: true }));
    const rows = page.getByRole('table', { name: /Closures your authority made/ });
    await see(rows.getByRole('row', { name: new RegExp(t.provider.name) }), '1 booking(s) affected: 1 moved');
    await see(rows.getByRole('row', { name: new RegExp(failing.name) }), 'Failed (needs a retry)');
    await session.expectAccessible(page, 'coordinator-closures-list');
    await shot(page, 'coordinator-closures-list');

    await go(page.getByRole('link', { name: new RegExp(`Re-homing plan for ${t.provider.name}`) }));
    const outcome = page.getByRole('row', { name: new RegExp(t.child.firstName) });
    await see(outcome, 'Moved');
    await see(outcome, chosen.name);
    await see(page.getByRole('main'), 'Alternatives were chosen by, in order: the same dates');
    await see(page.getByRole('columnheader', { name: 'New place' }), 'New place');
    await session.expectAccessible(page, 'coordinator-closure-plan');
    await shot(page, 'coordinator-closure-plan');

    // A move that fell back to the waiting list keeps the slot the plan chose (waitlistChild changes only the
    // outcome and its reason): the page must not say the child is going there.
    await db().rehomingOutcome.updateMany({ where: { closureId: closed.body.id }, data: { outcome: 'WAITLISTED', reason: 'The place chosen was no longer available.' } });
    await page.reload();
    await see(outcome, 'Waitlisted');
    expect(await outcome.textContent()).not.toContain(chosen.name);

    await go(page.getByRole('link', { name: 'All closures' }));
    await go(page.getByRole('link', { name: new RegExp(`Re-homing plan for ${failing.name}`) }));
    await see(page.getByRole('main'), 'The database went away');
    await session.expectAccessible(page, 'coordinator-closure-failed');
    await go(page.getByRole('button', { name: 'Try again' }));
    await see(page.getByRole('status'), 'queued again');
    await see(page.locator('#closure-status'), 'Queued');
    expect(await db().closure.findUniqueOrThrow({ where: { id: failed.body.id } })).toMatchObject({ status: 'QUEUED', retries: 1, error: null });
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
  });

  it('records a home upgrade and closes a home with a standing place, then shows both on the plan', async () => {
    const t = await browserTenant();
    const { provider: upgraded } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, name: `Upgraded House ${uid()}` });
    const { provider: standing, providerToken: standingToken } = await makeProvider('RESIDENTIAL', { operatorAuthorityId: t.authority.id, name: `Standing House ${uid()}` });
    // The standing home's own pattern of breaks, which the standing place copies.
    await makeSlots(standing.id, { startDate: addDays(t.friday, -3), untilDate: addDays(t.friday, 3), places: 1 });
    await insertBooking(t.slots[0]!, t.child);

    const page = await session.signIn(t.coordinatorToken);
    await go(page.getByRole('link', { name: 'Closures', exact: true }));
    const upgrade = page.getByRole('region', { name: 'Home upgrades' });
    const fillUpgrade = async () => {
      await upgrade.getByLabel('Home', { exact: true }).selectOption(upgraded.id);
      await upgrade.getByLabel('Need it will meet').selectOption('GASTROSTOMY');
      await upgrade.getByLabel('Places at a time').fill('2');
      await upgrade.getByLabel('From', { exact: true }).fill(t.friday);
      await upgrade.getByLabel(/What the upgrade is/).fill('Night nurse');
    };
    await fillUpgrade();
    await session.expectAccessible(page, 'coordinator-upgrade-form');
    await go(upgrade.getByRole('button', { name: 'Record the upgrade' }));
    await see(page.getByRole('status'), 'The upgrade is recorded');
    await see(page.getByRole('table', { name: /Upgrades recorded/ }).getByRole('row', { name: new RegExp(upgraded.name) }), 'Gastrostomy');
    expect(await db().providerUpgrade.findMany({ where: { providerId: upgraded.id } })).toEqual([expect.objectContaining({ need: 'GASTROSTOMY', places: 2, fromDate: t.friday, note: 'Night nurse' })]);
    // The same upgrade again is refused, with the answers kept.
    await fillUpgrade();
    await go(upgrade.getByRole('button', { name: 'Record the upgrade' }));
    await see(page.getByRole('alert'), 'already has an upgrade for GASTROSTOMY');
    expect(await page.getByLabel('Places at a time').inputValue()).toBe('2');
    await session.expectAccessible(page, 'coordinator-upgrade-refused');

    // Closing with a standing place: chosen on the confirmation, after the preview.
    await page.getByLabel('Provider', { exact: true }).selectOption(t.provider.id);
    await page.getByLabel('No breaks from').fill(addDays(t.friday, -1));
    await page.getByLabel('Reason', { exact: true }).fill('The lease ends');
    await go(page.getByRole('button', { name: 'Preview the closure' }));
    await page.getByLabel('Home', { exact: true }).selectOption(standing.id);
    await page.getByLabel('Places a night').fill('1');
    await session.expectAccessible(page, 'coordinator-closure-standing-place');
    await go(page.getByRole('button', { name: /Confirm: close/ }));
    await see(page.locator('#closure-status'), 'Queued');
    const closure = await db().closure.findFirstOrThrow({ where: { providerId: t.provider.id } });
    await runClosure(closure.id);
    await page.reload();
    const block = page.getByRole('table', { name: /Places reserved all year/ }).getByRole('row', { name: new RegExp(standing.name) });
    await see(block, 'for your authority only');
    await see(block, '1');
    await see(page.getByRole('row', { name: new RegExp(t.child.firstName) }), 'a standing place reserved all year');
    await see(page.getByRole('row', { name: new RegExp(t.child.firstName) }), standing.name);
    await session.expectAccessible(page, 'coordinator-closure-plan-standing');
    await shot(page, 'coordinator-closure-plan-standing');

    // The standing home sees the block on its capacity, as a standing place kept for the council.
    const home = await session.signIn(standingToken);
    await go(home.getByRole('link', { name: 'Capacity', exact: true }));
    await see(home.getByRole('main'), 'a standing place for children re-homed from a closing home');
    await see(home.getByRole('main'), `reserved for ${t.authority.name}`);
  });
});
