/**
 * The passport in the pages, as the people using it would: a provider opens its
 * bookings, the day's arrivals and a child's page (the support flag heads each);
 * the family then sees exactly those reads under "who has seen Poppy's
 * passport", corrects the passport, and stops a provider seeing it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { db } from '../../src/db.js';
import { londonDateOf } from '../../src/domain/london-time.js';
import { insertBooking } from '../support/bookings.js';
import { mintToken } from '../../src/services/tokens.js';
import { go, see, shot, startBrowserSession } from '../support/browser.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
const signIn = (token: string): Promise<Page> => session.signIn(token);

beforeAll(async () => {
  session = await startBrowserSession('passport');
});

afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('the medical passport in the pages', { timeout: 120_000 }, () => {
  it('a provider’s reads appear on the family’s page; the family corrects the passport and stops the provider seeing it', async () => {
    const { authority } = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id, { needs: ['EPILEPSY_RESCUE_MEDICATION'] });
    await db().child.update({ where: { id: child.id }, data: { firstName: 'Poppy', supportFlag: 'Speak slowly and warn her before touching.' } });
    const { provider, providerToken } = await makeProvider('RESIDENTIAL', { name: `Oak House ${uid()}` });
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(3), untilDate: daysFromToday(3), capabilities: ['EPILEPSY_RESCUE_MEDICATION'] });
    await insertBooking(slots[0]!, child);

    // The provider: its home page (the next two weeks, each child headed by the support flag), the arrivals for that day, Poppy's own page.
    const staff = await signIn(providerToken);
    await see(staff.getByRole('note', { name: 'How to support Poppy' }), 'How to support Poppy: Speak slowly and warn her before touching.');
    await session.expectAccessible(staff, 'provider-home-with-flag');
    await staff.goto(`${session.server.url}/provider/arrivals?date=${londonDateOf(slots[0]!.startsAt)}`);
    await see(staff.getByRole('note'), 'How to support Poppy');
    await session.expectAccessible(staff, 'provider-arrivals');
    await go(staff.getByRole('link', { name: "Poppy's medical passport" }));
    await see(staff.locator('main'), 'Talks');
    await see(staff.getByRole('note'), 'Speak slowly');
    await session.expectAccessible(staff, 'provider-child');
    await shot(staff, 'provider-child-passport');
    // Only the child's page reads it; the home page and the arrivals list show the flag alone.
    expect(await db().passportRead.count({ where: { childId: child.id, channel: 'PAGE', organisationId: provider.id } })).toBe(1);

    // The family: who has seen it.
    const parent = await signIn(familyToken);
    await go(parent.getByRole('link', { name: /Poppy's medical passport/ }));
    const seen = parent.getByRole('region', { name: "Who has seen Poppy's passport" });
    await see(seen, provider.name);
    await see(seen, 'Web page');
    await see(seen, 'they hold a booking');
    expect(await seen.locator('tbody tr').count()).toBe(1);
    await session.expectAccessible(parent, 'family-passport');
    await shot(parent, 'family-passport');

    // The family corrects it: a medicine with its dose and times.
    await parent.getByText("Correct Poppy's passport").click();
    await parent.getByLabel('Name').first().fill('Sodium valproate');
    await parent.getByLabel('Dose').first().fill('200 mg');
    await parent.getByLabel('Times').first().fill('08:00, 20:00');
    await parent.getByLabel('Allergic to').first().fill('Penicillin');
    await go(parent.getByRole('button', { name: 'Save passport' }));
    await see(parent.getByRole('status'), 'The passport is saved');
    await see(parent.locator('dl.passport'), 'Sodium valproate, 200 mg at 08:00, 20:00');
    const saved = await db().child.findUniqueOrThrow({ where: { id: child.id } });
    expect(saved.passport).toMatchObject({ medication: [{ name: 'Sodium valproate', dose: '200 mg', times: ['08:00', '20:00'] }], allergies: [{ substance: 'Penicillin' }], communication: 'Talks' });
    expect(await db().notification.count({ where: { recipientRole: 'PROVIDER', recipientId: provider.id, payload: { path: ['childId'], equals: child.id } } })).toBe(1);

    // A wrong time is refused with the field named, and nothing changes.
    await parent.getByText("Correct Poppy's passport").click();
    await parent.getByLabel('Times').first().fill('8am');
    await go(parent.getByRole('button', { name: 'Save passport' }));
    await see(parent.getByRole('alert'), 'must be a time like 17:00');
    expect((await db().child.findUniqueOrThrow({ where: { id: child.id } })).passport).toEqual(saved.passport);

    // The family stops Oak House seeing it: the provider's pages now say so, and log nothing.
    await parent.goto(`${session.server.url}/family/children/${child.id}/passport`);
    await go(parent.getByRole('button', { name: `Stop ${provider.name} seeing it` }));
    await see(parent.getByRole('status'), 'Your choice is saved');
    await see(parent.getByRole('region', { name: 'Providers and the passport' }), 'Not shared');
    await staff.goto(`${session.server.url}/provider/children/${child.id}`);
    await see(staff.getByRole('alert'), 'The family has not shared this passport with you');
    expect(await db().passportRead.count({ where: { childId: child.id, organisationId: provider.id } })).toBe(1);

    await parent.goto(`${session.server.url}/family/privacy`);
    await see(parent.locator('#support-not-safeguarding'), 'Asking for a short break is asking for support');
    await see(parent.locator('main'), 'never marks your child as a safeguarding case');
    await see(parent.getByRole('region', { name: 'How long each kind of record is kept' }), '6 years after your last break or award ends');
    await session.expectAccessible(parent, 'family-privacy');

    // A copy of everything held, read as a page (this family is small, so it is ready at once).
    await go(parent.getByRole('link', { name: 'get a copy of your data' }));
    await go(parent.getByRole('button', { name: 'Ask for a copy' }));
    await see(parent.getByRole('region', { name: 'Your copies' }), 'ready');
    await session.expectAccessible(parent, 'family-data');
    await go(parent.getByRole('link', { name: 'Read it' }));
    await see(parent.locator('main'), 'Sodium valproate, 200 mg at 08:00, 20:00');
    await see(parent.locator('main'), provider.name);
    await session.expectAccessible(parent, 'family-data-copy');
    await shot(parent, 'family-data-copy');
  });

  it('a coordinator opens the passport only in an emergency with a reason; the family sees why; a driver sees the journey sections only', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id, { periodStart: daysFromToday(-400), periodEnd: daysFromToday(400) });
    await db().child.update({
      where: { id: child.id },
      data: {
        firstName: 'Poppy',
        supportFlag: 'Sit her by the window.',
        passport: { communication: 'Makaton', behaviours: 'Covers her ears when it is loud', calming: 'Her blue blanket', medication: [{ name: 'Buccal midazolam', dose: '5 mg', times: [] }] },
      },
    });
    const { provider } = await makeProvider('RESIDENTIAL', { name: `Oak House ${uid()}` });
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(2), untilDate: daysFromToday(2) });
    const booking = await insertBooking(slots[0]!, child);

    // The coordinator: from the ledger to the child's passport page, which is closed until a reason is given.
    const coordinator = await signIn(coordinatorToken);
    await coordinator.goto(`${session.server.url}/coordinator/ledger?from=${daysFromToday(-30)}&to=${daysFromToday(30)}`);
    await go(coordinator.getByRole('link', { name: /^Poppy/ }));
    // The child record lists who read the passport but not the passport; it opens only by emergency override.
    await go(coordinator.getByRole('link', { name: 'Open it in an emergency' }));
    await see(coordinator.locator('main'), 'the council\'s team does not see it');
    await session.expectAccessible(coordinator, 'coordinator-emergency-passport');
    await coordinator.getByLabel('Why is this an emergency?').fill('short');
    await go(coordinator.getByRole('button', { name: 'Open the passport in an emergency' }));
    await see(coordinator.getByRole('alert'), 'There is a problem');
    expect(await db().passportEmergencyAccess.count({ where: { childId: child.id } })).toBe(0);
    const reason = 'Poppy was taken to A&E from school and the doctors ask for her rescue medication';
    await coordinator.getByLabel('Why is this an emergency?').fill(reason);
    await go(coordinator.getByRole('button', { name: 'Open the passport in an emergency' }));
    await see(coordinator.getByRole('status'), 'family has been told');
    await see(coordinator.locator('dl.passport'), 'Buccal midazolam, 5 mg when needed');

    // The family sees why, and the read.
    const parent = await signIn(familyToken);
    await parent.goto(`${session.server.url}/family/children/${child.id}/passport`);
    await see(parent.locator('main'), reason);
    await see(parent.getByRole('region', { name: "Who has seen Poppy's passport" }), 'emergency override by the council');
    // The emergency notice itself: after 18:00 two days before Poppy's break the family also has its reminder.
    expect((await db().notification.findFirstOrThrow({ where: { recipientRole: 'FAMILY', recipientId: family.id, kind: 'PASSPORT_EMERGENCY_ACCESS' } })).body).toContain(reason);

    // The driver of Poppy's run: her support flag and the journey sections, nothing medical.
    const vehicle = await db().vehicle.create({ data: { authorityId: authority.id, name: `Minibus ${uid()}`, seats: 8, wheelchairSpaces: 2, baseLat: 50.8, baseLng: -0.3 } });
    const run = await db().transportRun.create({ data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt: new Date(slots[0]!.startsAt.getTime() - 3600_000), returnAt: slots[0]!.startsAt } });
    await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: child.id } });
    const driver = await signIn(await mintToken({ role: 'TRANSPORT', vehicleId: vehicle.id }, { label: 'Driver Jo' }));
    await see(driver.locator('main'), `To ${provider.name}`);
    await see(driver.getByRole('note'), 'Sit her by the window.');
    await see(driver.locator('dl.passport'), 'Her blue blanket');
    expect(await driver.locator('main').innerText()).not.toContain('midazolam');
    await session.expectAccessible(driver, 'transport-journeys');
    await shot(driver, 'transport-journeys');
    expect(await db().passportRead.findFirst({ where: { childId: child.id, actorRole: 'TRANSPORT' } })).toMatchObject({ level: 'JOURNEY', channel: 'PAGE', actorLabel: 'Driver Jo' });
  });
});
