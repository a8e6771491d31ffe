/**
 * A consultation journey in Chromium (the West Sussex case, ../shared/seeds/002_*):
 * the coordinator opens a consultation on closing a home, the family ranks the
 * homes that can meet its child's needs on its phone, the coordinator sees the
 * answer, previews and closes, and the family sees its first choice. axe-core
 * on each page; 390 px screenshots of the family's.
 */
import { vi } from 'vitest';

// Breaks ~700 days ahead: beyond the horizon other files generate for (see journeys.test.ts).
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
  process.env.QUEUE_PREFIX = `sbconsultpages${Math.random().toString(36).slice(2, 10)}`;
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { runClosure } from '../../src/services/closures.js';
import { insertBooking } from '../support/bookings.js';
import { PHONE, browserTenant, go, see, shot, startBrowserSession } from '../support/browser.js';
import { makeProvider, makeSlots, uid } from '../support/factories.js';
import { closureViolations } from '../support/invariants.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
beforeAll(async () => {
  session = await startBrowserSession('closures-consultation');
});
afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('a closure consultation in Chromium', { timeout: 120_000 }, () => {
  it('coordinator opens it, the family ranks the homes, the coordinator closes, and the family gets its first choice', async () => {
    const t = await browserTenant();
    // Only this test's places meet two-to-one staffing, so the family's list is exactly these two homes.
    await db().child.update({ where: { id: t.child.id }, data: { needs: ['TWO_TO_ONE_STAFFING'] } });
    const { provider: near } = await makeProvider('RESIDENTIAL', { lat: 50.84, lng: -0.35, name: `Near House ${uid()}` });
    const { provider: far } = await makeProvider('RESIDENTIAL', { lat: 51.1, lng: -0.35, name: `Far House ${uid()}` });
    for (const home of [near, far]) {
      await makeSlots(home.id, { startDate: t.friday, untilDate: t.friday, places: 1, capabilities: ['TWO_TO_ONE_STAFFING'], reservedForAuthorityId: t.authority.id });
    }
    await insertBooking(t.slots[0]!, t.child);
    const effectiveFrom = addDays(t.friday, -1);
    const consultUntil = addDays(t.friday, -10);

    // The coordinator: preview, then confirm a consultation before closing.
    const coordinator = await session.signIn(t.coordinatorToken);
    await go(coordinator.getByRole('link', { name: 'Closures', exact: true }));
    await coordinator.getByLabel('Provider').selectOption(t.provider.id);
    await coordinator.getByLabel('No breaks from').fill(effectiveFrom);
    await coordinator.getByLabel('Reason').fill('The lease ends');
    await coordinator.getByLabel(/Ask the families first/).fill(consultUntil);
    await go(coordinator.getByRole('button', { name: 'Preview the closure' }));
    await see(coordinator.getByRole('main'), 'Nothing has changed yet');
    await go(coordinator.getByRole('button', { name: /Confirm: ask the families until/ }));
    await see(coordinator.locator('#closure-status'), 'Consulting');
    await see(coordinator.locator('#consultation-responses'), '0 of 1 families');
    await session.expectAccessible(coordinator, 'coordinator-consultation-open');
    const closure = await db().closure.findFirstOrThrow({ where: { providerId: t.provider.id } });
    expect(closure).toMatchObject({ status: 'CONSULTING' });

    // The family, on a phone: told by notification, sees both homes with journey, transport and dates, and ranks them.
    expect(await db().notification.count({ where: { kind: 'CONSULTATION_INVITATION', recipientId: t.family.id, link: `/family/consultations/${closure.id}` } })).toBe(1);
    const family = await session.signIn(t.familyToken, PHONE);
    // The message's link, as the family would follow it; the list of consultations links to the same page.
    await family.goto(`${session.server.url}/family/consultations`);
    await go(family.getByRole('link', { name: new RegExp(`Rank the homes for ${t.provider.name}`) }));
    expect(new URL(family.url()).pathname).toBe(`/family/consultations/${closure.id}`);
    const homes = family.getByRole('table', { name: /Homes that can meet/ });
    await see(homes.getByRole('row', { name: new RegExp(near.name) }), 'minutes');
    await see(homes.getByRole('row', { name: new RegExp(far.name) }), 'minutes');
    await session.expectAccessible(family, 'family-consultation-rank');
    await shot(family, 'family-consultation-rank-390');
    await family.getByLabel('First choice').selectOption(far.id);
    await family.getByLabel('Second choice').selectOption(near.id);
    await family.getByLabel('Staying with the same friends').check();
    await go(family.getByRole('button', { name: /Send our answer/ }));
    await see(family.getByRole('status'), 'your answer is saved');
    expect(await db().consultationResponse.findFirstOrThrow({ where: { closureId: closure.id } })).toMatchObject({ ranking: [far.id, near.id], priority: 'SAME_FRIENDS' });

    // The coordinator sees the answer, previews the plan with it, and closes.
    await coordinator.reload();
    await see(coordinator.locator('#consultation-responses'), '1 of 1 families');
    await see(coordinator.getByRole('table', { name: "Families' answers" }), `1. ${far.name}, 2. ${near.name}`);
    await go(coordinator.getByRole('button', { name: "Preview the plan with the families' answers" }));
    await see(coordinator.getByRole('region', { name: 'Your children affected' }), "the family's first choice");
    await session.expectAccessible(coordinator, 'coordinator-consultation-preview');
    await go(coordinator.getByRole('button', { name: /Confirm: close the consultation/ }));
    await see(coordinator.getByRole('status'), 'The consultation is closed');
    // The families' rankings stay on the record once the consultation is closed, before and after the plan.
    await see(coordinator.getByRole('table', { name: "Families' answers" }), `1. ${far.name}, 2. ${near.name}`);
    await runClosure(closure.id);
    await coordinator.reload();
    await see(coordinator.locator('#closure-status'), 'Completed');
    await see(coordinator.locator('#first-choice'), '1 of 1 children whose families answered got the home they ranked first (100%)');
    await see(coordinator.getByRole('table', { name: "Families' answers" }), `1. ${far.name}, 2. ${near.name}`);
    await see(coordinator.getByRole('row', { name: new RegExp(t.child.firstName) }), far.name);
    await session.expectAccessible(coordinator, 'coordinator-consultation-decision');
    await shot(coordinator, 'coordinator-consultation-decision');

    // The family sees its first choice.
    await family.reload();
    await see(family.getByRole('main'), `Moved: ${far.name}`);
    await see(family.getByRole('main'), 'Your first choice');
    await session.expectAccessible(family, 'family-consultation-outcome');
    await shot(family, 'family-consultation-outcome-390');
    expect(await closureViolations([t.provider.id])).toEqual({ liveBookings: [], heldPlaces: [], openEntries: [], pendingHolds: [], suspended: [] });
  });
});
