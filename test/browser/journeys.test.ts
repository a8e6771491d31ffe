/**
 * The web pages in a real browser: Debian's Chromium driven by
 * playwright-core against a real server, one journey per role plus the whole
 * request → round → publish → result journey, each main page checked with
 * axe-core. Screenshots go to test-artifacts/ (gitignored).
 */
import { vi } from 'vitest';

// Breaks ~700 days ahead: beyond the 365-day horizon other test files generate
// slots for, so the pages here list only this file's capacity in the shared database.
vi.hoisted(() => {
  process.env.SLOT_HORIZON_DAYS = '800';
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { runRound } from '../../src/services/allocation-rounds.js';
import { runClosure } from '../../src/services/closures.js';
import { proposeSwap } from '../../src/services/swaps.js';
import { joinWaitlist, promoteWaitlist } from '../../src/services/waitlist.js';
import { resolveToken } from '../../src/services/tokens.js';
import { insertStay } from '../support/booking-helpers.js';
import { insertBooking } from '../support/bookings.js';
import { browserTenant as tenant, count, fillDate, go, PHONE, see, seeExactly, shot, startBrowserSession } from '../support/browser.js';
import { daysFromToday } from '../support/dates.js';
import { makeChild, makeFamily, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

let session: Awaited<ReturnType<typeof startBrowserSession>>;
let browser: Awaited<ReturnType<typeof startBrowserSession>>['browser'];
let server: Awaited<ReturnType<typeof startBrowserSession>>['server'];
const signIn = (token: string, viewport?: { width: number; height: number }): Promise<Page> => session.signIn(token, viewport);
const expectAccessible = (page: Page, name: string) => session.expectAccessible(page, name);

beforeAll(async () => {
  session = await startBrowserSession('journeys');
  ({ browser, server } = session);
});

afterAll(async () => {
  await session?.close();
  await closeConnections();
});

describe('web pages in Chromium', { timeout: 90_000 }, () => {
  it('signs in only with a valid key, keeps the session in an HttpOnly cookie, rejects a form without its CSRF token, and signs out', async () => {
    const { familyToken, family } = await tenant();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    // First the way people sign in (an emailed link), then the access key of integrations and tests.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Sign in with your email address');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('token');
    await expectAccessible(page, 'sign-in');
    await shot(page, 'sign-in');
    await page.getByLabel('Access key').fill('sbf_not-a-real-token-at-all');
    await go(page.getByRole('button', { name: 'Sign in', exact: true }));
    await see(page.getByRole('alert'), 'unknown, revoked or expired');

    await page.getByLabel('Access key').fill(familyToken);
    await go(page.getByRole('button', { name: 'Sign in', exact: true }));
    await page.waitForURL('**/family');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sb_session')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(session.value).not.toContain(familyToken);

    // A cross-site form post carries the cookie (Lax does not stop top-level POSTs everywhere) but not the token.
    const forged = await page.request.post(`${server.url}/family/calendar-link`, { form: { _csrf: 'forged' } });
    expect(forged.status()).toBe(403);
    expect(await page.request.get(`${server.url}/coordinator`, { maxRedirects: 0 }).then((r) => r.headers().location)).toBe('/family');

    await go(page.getByRole('button', { name: 'Sign out' }));
    await page.waitForURL(`${server.url}/`);
    await page.goto(`${server.url}/family`);
    await see(page.getByRole('alert'), 'Please sign in');
    expect(family.id).toBeTruthy();
    await context.close();
  });

  it('full journey: a family requests a break, the coordinator runs and publishes a round, the family sees the result', async () => {
    const t = await tenant();

    // The family asks for the Friday night first.
    const family = await signIn(t.familyToken);
    await see(family.getByRole('heading', { level: 1 }), t.family.name);
    await expectAccessible(family, 'family-home');
    await go(family.getByRole('link', { name: 'Request breaks', exact: true }).first());
    await fillDate(family, 'From', t.friday);
    await fillDate(family, 'To', addDays(t.friday, 1));
    await go(family.getByRole('button', { name: 'Show breaks in this period' }));
    await count(family.getByLabel('Choice 1').locator('option'), 3);
    await expectAccessible(family, 'family-request');
    // Sending nothing is refused with a readable message.
    await go(family.getByRole('button', { name: 'Send request' }));
    await see(family.getByRole('alert'), 'Choose at least one break');
    await family.getByLabel('Child').selectOption(t.child.id);
    await family.getByLabel('Choice 1').selectOption(t.slots[0]!.id);
    await shot(family, 'family-request');
    await go(family.getByRole('button', { name: 'Send request' }));
    await see(family.getByRole('status'), 'Your request has been sent');
    await family.getByText('waiting for the next allocation round').first().waitFor();

    // The coordinator runs a round for that period.
    const coordinator = await signIn(t.coordinatorToken);
    await go(coordinator.getByRole('link', { name: 'Allocation rounds' }));
    await expectAccessible(coordinator, 'coordinator-rounds');
    await fillDate(coordinator, 'Period from', t.friday);
    await fillDate(coordinator, 'Period to', addDays(t.friday, 1));
    await coordinator.getByLabel(/Seed/).fill('browser-journey');
    await go(coordinator.getByRole('button', { name: 'Start round' }));
    await coordinator.waitForURL(/\/coordinator\/rounds\/[0-9a-f-]{36}$/);
    const roundId = coordinator.url().split('/').at(-1)!;
    // The worker's job, run here; a worker of another test file picking it up first is just as good (jobs are idempotent).
    await runRound(roundId);
    await go(coordinator.getByRole('link', { name: 'Check progress' }));
    await seeExactly(coordinator.locator('#round-status'), 'Completed');
    await see(coordinator.locator('svg[role=img] title'), 'share of their request met');
    await see(coordinator.getByRole('row', { name: new RegExp(t.child.firstName) }), '1 / 1');
    await expectAccessible(coordinator, 'coordinator-round');
    await shot(coordinator, 'coordinator-round');
    await go(coordinator.getByRole('button', { name: 'Publish round' }));
    await see(coordinator.getByRole('status'), 'The round is published');
    await seeExactly(coordinator.locator('#round-status'), 'Published');

    // The family sees the confirmed break and why, on a phone.
    const phone = await signIn(t.familyToken, PHONE);
    const upcoming = phone.locator('section.app-break').first();
    await see(upcoming, t.provider.name);
    await see(upcoming, 'Confirmed');
    await see(upcoming, 'Why this break Asked for');
    await see(phone.getByRole('region', { name: `${t.child.firstName} ${t.child.lastName}` }), 'Nights 24 awarded, 1 booked');
    await expectAccessible(phone, 'family-result-phone');
    await shot(phone, 'family-result-phone');
    const booking = await db().booking.findFirstOrThrow({ where: { childId: t.child.id } });
    expect(booking).toMatchObject({ slotId: t.slots[0]!.id, status: 'CONFIRMED', roundId });
  });

  it('coordinator journey: calendar with free places, ledger, swaps, and a closure with its re-homing plan', async () => {
    const t = await tenant();
    await insertBooking(t.slots[1]!, t.child);
    const page = await signIn(t.coordinatorToken);
    await fillDate(page, 'From', t.friday);
    await go(page.getByRole('button', { name: 'Show', exact: true }));
    const row = page.getByRole('row', { name: new RegExp(t.provider.name) });
    await see(row, '1 of 1 free');
    await see(row, 'full');
    await expectAccessible(page, 'coordinator-calendar');
    await shot(page, 'coordinator-calendar');

    // The same provider over the whole month: Friday has its place, Saturday is full.
    await page.getByLabel('Show', { exact: true }).selectOption('month');
    await page.getByLabel('Provider').selectOption(t.provider.id);
    await go(page.getByRole('button', { name: 'Show', exact: true }));
    const month = page.getByRole('table', { name: /Free places each day in/ });
    const cellOf = (date: string) => month.getByRole('cell').filter({ has: page.getByRole('link', { name: new RegExp(`^${Number(date.slice(8))} `) }) });
    await see(cellOf(t.friday), 'seven days from here 1 free in 1 of 1 break');
    if (addDays(t.friday, 1).slice(0, 7) === t.friday.slice(0, 7)) await see(cellOf(addDays(t.friday, 1)), 'seven days from here full');
    await see(page.getByRole('table', { name: /Each provider in/ }).getByRole('row', { name: new RegExp(t.provider.name) }), `${t.provider.name} 2 1 2 1`);
    await expectAccessible(page, 'coordinator-month');
    await shot(page, 'coordinator-month');
    // Choosing a day opens its week, keeping the provider filter.
    await go(cellOf(t.friday).getByRole('link'));
    await see(page.getByRole('row', { name: new RegExp(t.provider.name) }), '1 of 1 free');
    expect(new URL(page.url()).searchParams.get('providerId')).toBe(t.provider.id);

    await page.getByLabel('Places that can meet').selectOption('VENTILATION');
    await go(page.getByRole('button', { name: 'Show', exact: true }));
    await count(page.getByRole('row', { name: new RegExp(t.provider.name) }), 0);

    await go(page.getByRole('link', { name: 'Entitlement ledger' }));
    await see(page.getByRole('row', { name: new RegExp(t.child.firstName) }), '24');
    await expectAccessible(page, 'coordinator-ledger');

    await go(page.getByRole('link', { name: 'Swaps' }));
    await page.getByText('No swaps are waiting for approval.').first().waitFor();

    // Two families agree to swap nights (through the services the API uses); the coordinator approves on the page.
    const other = await makeFamily(t.authority.id);
    const otherChild = await makeChild(other.family.id, t.authority.id, { periodStart: daysFromToday(-30), periodEnd: daysFromToday(760) });
    const theirs = await insertBooking(t.slots[0]!, otherChild);
    const ours = await db().booking.findFirstOrThrow({ where: { childId: t.child.id } });
    const swap = await proposeSwap((await resolveToken(t.familyToken))!, { bookingId: ours.id, withBookingId: theirs.id });
    // The other family accepts on its own page.
    const otherFamily = await signIn(other.familyToken);
    await see(otherFamily.locator('main'), 'Another family would like to swap');
    await expectAccessible(otherFamily, 'family-swap-offer');
    await go(otherFamily.getByRole('button', { name: 'Accept swap' }));
    await see(otherFamily.getByRole('status'), 'You accepted the swap');
    expect(swap.status).toBe('PROPOSED');
    await go(page.getByRole('link', { name: 'Swaps' }));
    await see(page.getByRole('listitem').filter({ hasText: otherChild.firstName }), `${t.child.firstName} Test (${t.provider.name}`);
    await expectAccessible(page, 'coordinator-swaps');
    await shot(page, 'coordinator-swaps');
    await go(page.getByRole('button', { name: 'Approve swap' }));
    await see(page.getByRole('status'), 'The swap is approved');
    expect((await db().booking.findFirstOrThrow({ where: { childId: t.child.id, status: 'CONFIRMED' } })).slotId).toBe(t.slots[0]!.id);

    // Close the provider from the calendar; the plan lists the stranded booking and why.
    await page.goto(`${server.url}/coordinator?week=${t.friday}`);
    await go(page.getByRole('link', { name: `Plan a closure of ${t.provider.name}` }));
    await page.getByLabel('No breaks from').fill(addDays(t.friday, -1));
    await page.getByLabel('Reason').fill('Registration suspended');
    await expectAccessible(page, 'coordinator-closures');
    // Safe to press: a preview first (nothing written), then an explicit confirmation.
    await go(page.getByRole('button', { name: 'Preview the closure' }));
    await page.getByText('Nothing has changed yet').waitFor();
    await page.getByRole('row', { name: new RegExp(t.child.firstName) }).first().waitFor();
    expect(await db().closure.count({ where: { providerId: t.provider.id } })).toBe(0);
    expect((await db().provider.findUniqueOrThrow({ where: { id: t.provider.id } })).status).toBe('ACTIVE');
    await expectAccessible(page, 'coordinator-closure-preview');
    await shot(page, 'coordinator-closure-preview');
    await go(page.getByRole('button', { name: new RegExp(`Confirm: close ${t.provider.name}`) }));
    await page.waitForURL(/\/coordinator\/closures\/[0-9a-f-]{36}$/);
    await runClosure(page.url().split('/').at(-1)!);
    await go(page.getByRole('link', { name: 'Check progress' }));
    await page.getByText('2 booking(s) affected').first().waitFor();
    await page.getByRole('row', { name: new RegExp(t.child.firstName) }).first().waitFor();
    await expectAccessible(page, 'coordinator-closure');
    await shot(page, 'coordinator-closure');
  });

  it('family swaps and waiting list: a swap offered from the swap board, the other family rejects then accepts, and an offered place is declined', async () => {
    const t = await tenant();
    const ours = await insertBooking(t.slots[1]!, t.child);
    const other = await makeFamily(t.authority.id);
    const otherChild = await makeChild(other.family.id, t.authority.id, { periodStart: daysFromToday(-30), periodEnd: daysFromToday(760) });
    await insertBooking(t.slots[0]!, otherChild);

    // The other family puts its break on the board from its page; no booking reference is passed between families.
    const otherFamily = await signIn(other.familyToken);
    await go(otherFamily.getByRole('button', { name: /^Offer this break on the swap board/ }));
    await see(otherFamily.getByRole('status'), 'Your break is on the swap board');
    const page = await signIn(t.familyToken);
    await go(page.getByRole('link', { name: 'Swap board' }));
    const entry = page.getByRole('region', { name: new RegExp(`^${t.provider.name}, `) });
    await see(entry, `${t.child.firstName} could take this break`);
    expect(await page.locator('main').innerText()).not.toContain(otherChild.firstName);
    await go(entry.getByRole('button', { name: /^Offer this swap/ }));
    await see(page.getByRole('status'), 'Your swap offer has been sent');
    await page.goto(`${server.url}/family`);
    const swaps = page.locator('main');
    await see(swaps, 'You offered this swap: waiting for the other family');
    await see(swaps, `You would give up Where ${t.provider.name}`);

    // The other family rejects it; the proposer sees how it ended.
    await otherFamily.goto(`${server.url}/family`);
    await see(otherFamily.locator('main'), 'Another family would like to swap');
    await go(otherFamily.getByRole('button', { name: 'Reject swap' }));
    await see(otherFamily.getByRole('status'), 'You rejected the swap');
    await page.goto(`${server.url}/family`);
    await see(swaps, 'the other family said no');

    // Offered again from the board, and accepted this time.
    await page.goto(`${server.url}/family/swap-board`);
    await go(entry.getByRole('button', { name: /^Offer this swap/ }));
    await see(page.getByRole('status'), 'Your swap offer has been sent');
    await otherFamily.goto(`${server.url}/family`);
    await go(otherFamily.getByRole('button', { name: 'Accept swap' }));
    await see(otherFamily.getByRole('status'), 'You accepted the swap');
    expect((await db().swap.findMany({ where: { bookingAId: ours.id }, orderBy: { createdAt: 'asc' } })).map((s) => s.status)).toEqual(['REJECTED', expect.stringMatching(/^(ACCEPTED|COMPLETED)$/)]);

    // Waiting list: a place is offered and declined; a waiting entry is left.
    const later = addDays(t.friday, 14);
    const { slots: waitSlots } = await makeSlots(t.provider.id, { startDate: later, untilDate: later, rrule: 'FREQ=DAILY', places: 1, reservedForAuthorityId: t.authority.id });
    const principal = (await resolveToken(t.familyToken))!;
    const offered = await joinWaitlist(principal, { childId: t.child.id, slotId: waitSlots[0]!.id });
    await promoteWaitlist(waitSlots[0]!.id);
    const waiting = await joinWaitlist(principal, { childId: t.child.id, slotId: t.slots[0]!.id });
    await page.goto(`${server.url}/family`);
    await see(page.getByRole('region', { name: 'A place is offered to you' }), `${t.child.firstName}: ${t.provider.name}`);
    await see(page.getByRole('region', { name: 'A place is offered to you' }), 'Accept by');
    await expectAccessible(page, 'family-waitlist');
    await shot(page, 'family-swaps-waitlist');
    await go(page.getByRole('button', { name: 'Decline this place' }));
    await see(page.getByRole('status'), 'You declined the offered place');
    await go(page.getByRole('button', { name: 'Leave this waiting list' }));
    await see(page.getByRole('status'), 'You left the waiting list');
    await page.getByText('Not on any waiting list.').first().waitFor();
    expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: offered.id } })).status).toBe('DECLINED');
    expect((await db().waitlistEntry.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe('WITHDRAWN');
  });

  it('provider journey: the day, attendance asked explicitly once a break has ended, the passport, and capacity from the rule builder with a preview', async () => {
    const t = await tenant();
    const stay = await insertStay(t.child, t.provider.id, daysFromToday(-2), 1);
    const page = await signIn(t.providerToken);
    const form = page.getByRole('form', { name: 'Attendance to record' });
    const happened = form.getByRole('group', { name: `Did ${t.child.firstName} ${t.child.lastName}'s break on` });
    // Nothing is chosen for the provider.
    expect(await form.getByRole('radio', { checked: true }).count()).toBe(0);
    await expectAccessible(page, 'provider-bookings');
    await go(form.getByRole('button', { name: 'Record attendance' }));
    await see(page.getByRole('alert'), 'Choose whether the break happened');
    await happened.getByLabel('Did not happen', { exact: true }).check();
    await go(form.getByRole('button', { name: 'Record attendance' }));
    await see(page.getByRole('alert'), 'Say why the break did not happen');
    // The answer given stays chosen on the page that asks for the reason.
    expect(await happened.getByLabel('Did not happen', { exact: true }).isChecked()).toBe(true);
    await happened.getByLabel('Attended', { exact: true }).check();
    await go(form.getByRole('button', { name: 'Record attendance' }));
    await see(page.getByRole('status'), 'Attendance recorded');
    expect((await db().booking.findUniqueOrThrow({ where: { id: stay.id } })).status).toBe('ATTENDED');

    await go(page.getByRole('link', { name: 'Capacity' }));
    await page.getByLabel('Name (optional)').fill('Weekend nights');
    await page.getByLabel('Friday').check();
    await page.getByLabel('Saturday').check();
    await page.getByLabel(/Repeat every/).fill('2');
    await page.getByLabel('First date').fill(t.friday);
    await page.getByLabel('Places').fill('3');
    await page.getByLabel('Hoist').check();
    await go(page.getByRole('button', { name: 'Preview dates' }));
    const preview = page.getByRole('region', { name: 'Next dates' }).getByRole('listitem');
    await count(preview, 8);
    await see(preview.nth(0), 'Fri');
    await see(preview.nth(1), 'Sat');
    await see(preview.nth(2), 'Fri');
    await expectAccessible(page, 'provider-capacity');
    await shot(page, 'provider-capacity');
    await go(page.getByRole('button', { name: 'Publish capacity' }));
    await see(page.getByRole('status').first(), 'Capacity published');
    await page.getByText(/Weekend nights.*Every 2 weeks on Friday, Saturday/).first().waitFor();
    const rule = await db().capacityRule.findFirstOrThrow({ where: { providerId: t.provider.id, name: 'Weekend nights' } });
    expect(rule).toMatchObject({ rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SA', places: 3, capabilities: ['HOIST'], durationMinutes: 17 * 60 });
  });
});
