/**
 * The coordinator's closures pages in Chromium (issue 7): the list of
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
import { makeProvider, makeSlots } from '../support/factories.js';
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
    const closed = await post(`/v1/providers/${t.provider.id}/closure`, t.coordinatorToken, { effectiveFrom: addDays(t.friday, -1), reason: 'Registration suspended' });
    expect(closed.status).toBe(202);
    await runClosure(closed.body.id);

    // A second closure whose job failed for good.
    const { provider: failing } = await makeProvider('COMMUNITY');
    const failed = await post(`/v1/providers/${failing.id}/closure`, t.coordinatorToken, { effectiveFrom: addDays(t.friday, -1), reason: 'Lease ended' });
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
    await see(outcome, other.name);
    await see(page.getByRole('main'), 'Alternatives were chosen by, in order: the same dates');
    await see(page.getByRole('columnheader', { name: 'New place' }), 'New place');
    await session.expectAccessible(page, 'coordinator-closure-plan');
    await shot(page, 'coordinator-closure-plan');

    // A move that fell back to the waiting list keeps the slot the plan chose (waitlistChild changes only the
    // outcome and its reason): the page must not say the child is going there.
    await db().rehomingOutcome.updateMany({ where: { closureId: closed.body.id }, data: { outcome: 'WAITLISTED', reason: 'The place chosen was no longer available.' } });
    await page.reload();
    await see(outcome, 'Waitlisted');
    expect(await outcome.textContent()).not.toContain(other.name);

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
});
