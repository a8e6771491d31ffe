/**
 * POST /v1/bookings refusals: every hard rule
 * refuses with a problem+json naming the reason, alone and together; family-
 * based breaks need carer training valid for the whole stay; the looked-after
 * limits (reg. 48: 17-day single stay, 75 days in 12 months) warn near the
 * limit and refuse past it. A refused booking writes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { post } from '../support/api.js';
import { book, insertStay, makeCarer, makeFamilyWithChild, makeSlot, overnightMinutes, refusalReasons } from '../support/booking-helpers.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

async function setup(childOptions: Parameters<typeof makeFamilyWithChild>[1] = {}) {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider } = await makeProvider('RESIDENTIAL');
  const { child } = await makeFamilyWithChild(authority.id, childOptions);
  return { authority, coordinatorToken, provider, child };
}

async function attempt(token: string, childId: string, slotId: string) {
  const res = await post('/v1/bookings', token, { childId, slotId });
  return { res, reasons: res.status === 422 ? refusalReasons(res) : [] };
}

/** Nothing was written for a refused booking. */
async function expectNoBooking(childId: string, slotId: string) {
  expect(await db().booking.count({ where: { childId, slotId } })).toBe(0);
}

describe('each refusal reason on its own', () => {
  it('SLOT_FULL when every place is taken', async () => {
    const { authority, coordinatorToken, provider, child } = await setup();
    const slot = await makeSlot(provider.id, daysFromToday(35), { places: 1 });
    const first = await makeFamilyWithChild(authority.id);
    await book(coordinatorToken, first.child.id, slot.id);

    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['SLOT_FULL']);
    expect(res.body.type).toMatch(/booking-refused$/);
    expect(res.body.reasons[0].detail).toMatch(/only place/);
    await expectNoBooking(child.id, slot.id);
    expect((await db().slot.findUniqueOrThrow({ where: { id: slot.id } })).booked).toBe(1);
  });

  it('NEEDS_NOT_MET when the place cannot meet a complex health need', async () => {
    const { coordinatorToken, provider, child } = await setup({ needs: ['GASTROSTOMY', 'AUTISM'] });
    const slot = await makeSlot(provider.id, daysFromToday(35), { capabilities: ['WHEELCHAIR'] });
    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['NEEDS_NOT_MET']);
    expect(res.body.reasons[0].detail).toContain('GASTROSTOMY');
    expect(res.body.reasons[0].detail).not.toContain('AUTISM');
    await expectNoBooking(child.id, slot.id);

    const suitable = await makeSlot(provider.id, daysFromToday(36), { capabilities: ['GASTROSTOMY'] });
    await book(coordinatorToken, child.id, suitable.id);
  });

  it('RESERVED_FOR_OTHER_AUTHORITY when the places are a block contract of another council', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const other = await makeAuthority();
    const slot = await makeSlot(provider.id, daysFromToday(35), { reservedForAuthorityId: other.authority.id });
    const { reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['RESERVED_FOR_OTHER_AUTHORITY']);
    await expectNoBooking(child.id, slot.id);

    const ours = await makeSlot(provider.id, daysFromToday(37), { reservedForAuthorityId: child.authorityId });
    await book(coordinatorToken, child.id, ours.id);
  });

  it('OVERLAPPING_BOOKING when the child is already booked at that time elsewhere', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const elsewhere = (await makeProvider('RESIDENTIAL')).provider;
    const date = daysFromToday(35);
    await book(coordinatorToken, child.id, (await makeSlot(provider.id, date)).id);
    const clash = await makeSlot(elsewhere.id, date, { startTime: '18:30' });
    const { res, reasons } = await attempt(coordinatorToken, child.id, clash.id);
    expect(reasons).toEqual(['OVERLAPPING_BOOKING']);
    expect(res.body.reasons[0].detail).toMatch(/already booked/);
    await expectNoBooking(child.id, clash.id);
  });

  it('ENTITLEMENT_EXCEEDED when the award for the period is used up (nights and day sessions)', async () => {
    const { coordinatorToken, provider, child } = await setup({ nights: 1, daySessions: 1 });
    await book(coordinatorToken, child.id, (await makeSlot(provider.id, daysFromToday(35))).id);
    const secondNight = await makeSlot(provider.id, daysFromToday(40));
    const { res, reasons } = await attempt(coordinatorToken, child.id, secondNight.id);
    expect(reasons).toEqual(['ENTITLEMENT_EXCEEDED']);
    expect(res.body.reasons[0].detail).toMatch(/0 of the 1 night awarded/);

    const community = (await makeProvider('COMMUNITY')).provider;
    await book(coordinatorToken, child.id, (await makeSlot(community.id, daysFromToday(42), { startTime: '10:00', durationMinutes: 360 })).id);
    const secondSession = await makeSlot(community.id, daysFromToday(43), { startTime: '10:00', durationMinutes: 360 });
    expect((await attempt(coordinatorToken, child.id, secondSession.id)).reasons).toEqual(['ENTITLEMENT_EXCEEDED']);
  });

  it('ENTITLEMENT_EXCEEDED when no award covers the date', async () => {
    const date = daysFromToday(35);
    const { coordinatorToken, provider, child } = await setup({ periodStart: '2020-01-01', periodEnd: addDays(date, -1) });
    const { res, reasons } = await attempt(coordinatorToken, child.id, (await makeSlot(provider.id, date)).id);
    expect(reasons).toEqual(['ENTITLEMENT_EXCEEDED']);
    expect(res.body.reasons[0].detail).toMatch(/no short-breaks award covering/);
  });

  it('SLOT_WITHDRAWN when the provider no longer offers the slot', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const slot = await makeSlot(provider.id, daysFromToday(35));
    await db().slot.update({ where: { id: slot.id }, data: { status: 'WITHDRAWN' } });
    expect((await attempt(coordinatorToken, child.id, slot.id)).reasons).toEqual(['SLOT_WITHDRAWN']);
    await expectNoBooking(child.id, slot.id);
  });

  it('SLOT_IN_PAST when the break has already started', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const slot = await makeSlot(provider.id, daysFromToday(35));
    // Generation only makes future slots: move one to have started an hour ago.
    await db().slot.update({ where: { id: slot.id }, data: { startsAt: new Date(Date.now() - 3_600_000), endsAt: new Date(Date.now() + 10 * 3_600_000) } });
    expect((await attempt(coordinatorToken, child.id, slot.id)).reasons).toEqual(['SLOT_IN_PAST']);
    await expectNoBooking(child.id, slot.id);
  });

  it('PROVIDER_CLOSING for a break on or after the closing date', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const before = await makeSlot(provider.id, daysFromToday(35));
    const after = await makeSlot(provider.id, daysFromToday(45));
    await db().provider.update({ where: { id: provider.id }, data: { status: 'CLOSING', closingFrom: londonWallTimeToInstant(daysFromToday(40), '00:00') } });
    const { res, reasons } = await attempt(coordinatorToken, child.id, after.id);
    expect(reasons).toEqual(['PROVIDER_CLOSING']);
    expect(res.body.reasons[0].detail).toContain(provider.name);
    await book(coordinatorToken, child.id, before.id);
  });
});

describe('several reasons at once', () => {
  it('lists every reason that applies, each with a detail for the family', async () => {
    const { coordinatorToken, provider, child } = await setup({ needs: ['OXYGEN'] });
    const other = await makeAuthority();
    const slot = await makeSlot(provider.id, daysFromToday(35), { places: 1, reservedForAuthorityId: other.authority.id });
    const { child: theirs } = await makeFamilyWithChild(other.authority.id);
    await insertBooking(slot, theirs);

    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons.sort()).toEqual(['NEEDS_NOT_MET', 'RESERVED_FOR_OTHER_AUTHORITY', 'SLOT_FULL']);
    for (const r of res.body.reasons) expect(r.detail.length).toBeGreaterThan(10);
    expect(res.body.detail).toContain('OXYGEN');
    await expectNoBooking(child.id, slot.id);
  });
});

describe('family-based breaks: carer training valid on the date', () => {
  async function familyBased(training: Parameters<typeof makeCarer>[1]) {
    const { authority, coordinatorToken } = await makeAuthority();
    const { provider } = await makeProvider('FAMILY_BASED');
    const carer = await makeCarer(provider.id, training);
    const { child } = await makeFamilyWithChild(authority.id, { needs: ['EPILEPSY_RESCUE_MEDICATION'] });
    const date = daysFromToday(50);
    // A three-night stay: training must hold until it ends.
    const slot = await makeSlot(provider.id, date, { places: 1, carerId: carer.id, durationMinutes: overnightMinutes(3) });
    return { coordinatorToken, child, slot, date };
  }

  it('refuses a carer with no training for the need', async () => {
    const { coordinatorToken, child, slot } = await familyBased([{ need: 'GASTROSTOMY', completedOn: '2025-01-01', expiresOn: '2030-01-01' }]);
    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['NEEDS_NOT_MET']);
    expect(res.body.reasons[0].detail).toMatch(/EPILEPSY_RESCUE_MEDICATION \(the carer has no training for it\)/);
    await expectNoBooking(child.id, slot.id);
  });

  it('refuses training that expires before the stay ends', async () => {
    const date = daysFromToday(50);
    const { coordinatorToken, child, slot } = await familyBased([{ need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: '2025-01-01', expiresOn: addDays(date, 1) }]);
    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['NEEDS_NOT_MET']);
    expect(res.body.reasons[0].detail).toContain(`expires ${addDays(date, 1)}, before the stay ends`);
    await expectNoBooking(child.id, slot.id);
  });

  it('refuses training completed only after the stay starts', async () => {
    const date = daysFromToday(50);
    const { coordinatorToken, child, slot } = await familyBased([{ need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: addDays(date, 1), expiresOn: addDays(date, 400) }]);
    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['NEEDS_NOT_MET']);
    expect(res.body.reasons[0].detail).toMatch(/only completed on/);
  });

  it('books with a carer whose training is valid for the whole stay', async () => {
    const date = daysFromToday(50);
    const { coordinatorToken, child, slot } = await familyBased([
      { need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: '2025-01-01', expiresOn: addDays(date, 1) },
      { need: 'EPILEPSY_RESCUE_MEDICATION', completedOn: '2025-06-01', expiresOn: addDays(date, 365) },
    ]);
    const booking = await book(coordinatorToken, child.id, slot.id);
    expect(booking).toMatchObject({ status: 'CONFIRMED', source: 'MANUAL', warnings: [] });
  });
});

describe('looked-after limits (reg. 48)', () => {
  it('refuses a single stay of 18 nights (SINGLE_STAY_LIMIT)', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const slot = await makeSlot(provider.id, daysFromToday(40), { durationMinutes: 18 * 24 * 60 });
    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['SINGLE_STAY_LIMIT']);
    expect(res.body.reasons[0].detail).toMatch(/18 nights/);
    await expectNoBooking(child.id, slot.id);
  });

  it('warns at 14 nights in one stay and still books (SINGLE_STAY_NEAR_LIMIT)', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const slot = await makeSlot(provider.id, daysFromToday(40), { durationMinutes: overnightMinutes(14) });
    const booking = await book(coordinatorToken, child.id, slot.id);
    expect(booking.warnings).toEqual([expect.objectContaining({ code: 'SINGLE_STAY_NEAR_LIMIT', days: 14, limit: 17 })]);
  });

  it('counts back-to-back bookings at one provider as one stay, but not across providers', async () => {
    const { coordinatorToken, provider, child } = await setup();
    const start = daysFromToday(40);
    const first = await makeSlot(provider.id, start, { durationMinutes: overnightMinutes(9) });
    // Starts 7 hours after the first ends: the same continuous stay.
    const runOn = await makeSlot(provider.id, addDays(start, 9), { durationMinutes: overnightMinutes(9) });
    expect((await book(coordinatorToken, child.id, first.id)).warnings).toEqual([]);

    const { res, reasons } = await attempt(coordinatorToken, child.id, runOn.id);
    expect(reasons).toEqual(['SINGLE_STAY_LIMIT']);
    expect(res.body.reasons[0].detail).toMatch(/18 nights with this provider/);
    await expectNoBooking(child.id, runOn.id);

    const elsewhere = (await makeProvider('RESIDENTIAL')).provider;
    const otherSetting = await makeSlot(elsewhere.id, addDays(start, 9), { durationMinutes: overnightMinutes(9) });
    expect((await book(coordinatorToken, child.id, otherSetting.id)).warnings).toEqual([]);
  });

  it('refuses a booking that makes more than 75 nights in 12 months, counting past and future stays (ANNUAL_STAY_LIMIT)', async () => {
    const { coordinatorToken, provider, child } = await setup({ nights: 500 });
    // 4 past fortnights and 1 future one at other settings: 70 nights; the 7-night break makes 77.
    for (const offset of [-280, -240, -200, -160]) await insertStay(child, (await makeProvider('RESIDENTIAL')).provider.id, daysFromToday(offset), 14);
    await insertStay(child, (await makeProvider('RESIDENTIAL')).provider.id, daysFromToday(70), 14);
    const slot = await makeSlot(provider.id, daysFromToday(40), { durationMinutes: overnightMinutes(7) });

    const { res, reasons } = await attempt(coordinatorToken, child.id, slot.id);
    expect(reasons).toEqual(['ANNUAL_STAY_LIMIT']);
    expect(res.body.reasons[0].detail).toMatch(/77 nights away in the 12 months/);
    await expectNoBooking(child.id, slot.id);

    // A shorter break that keeps the total at 75 is allowed, with a warning.
    const short = await makeSlot(provider.id, daysFromToday(45), { durationMinutes: overnightMinutes(5) });
    const booking = await book(coordinatorToken, child.id, short.id);
    expect(booking.warnings).toEqual([expect.objectContaining({ code: 'ANNUAL_STAY_NEAR_LIMIT', days: 75, limit: 75 })]);
  });

  it('warns from 65 nights in 12 months (ANNUAL_STAY_NEAR_LIMIT)', async () => {
    const { coordinatorToken, provider, child } = await setup({ nights: 500 });
    for (const offset of [-300, -200, -100]) await insertStay(child, (await makeProvider('RESIDENTIAL')).provider.id, daysFromToday(offset), 14);
    await insertStay(child, (await makeProvider('RESIDENTIAL')).provider.id, daysFromToday(-50), 16);
    // 58 nights so far; 7 more make 65.
    const slot = await makeSlot(provider.id, daysFromToday(40), { durationMinutes: overnightMinutes(7) });
    const booking = await book(coordinatorToken, child.id, slot.id);
    expect(booking.warnings).toEqual([expect.objectContaining({ code: 'ANNUAL_STAY_NEAR_LIMIT', days: 65, limit: 75 })]);
  });

  it('does not count stays older than 12 months', async () => {
    const { coordinatorToken, provider, child } = await setup({ nights: 500 });
    for (const offset of [-420, -400, -380]) await insertStay(child, (await makeProvider('RESIDENTIAL')).provider.id, daysFromToday(offset), 17);
    const slot = await makeSlot(provider.id, daysFromToday(40), { durationMinutes: overnightMinutes(7) });
    expect((await book(coordinatorToken, child.id, slot.id)).warnings).toEqual([]);
  });
});
