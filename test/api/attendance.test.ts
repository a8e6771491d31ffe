/**
 * Attendance: the provider records ATTENDED or NO_SHOW (with a
 * reason) for its own bookings, once the break has started; corrections keep
 * history; a provider cancelling on the day is flagged to the coordinator.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { expectProblem, get, post } from '../support/api.js';
import { book, makeFamilyWithChild, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { moveBookingTo } from '../support/report-helpers.js';

afterAll(closeConnections);

/** A booked break at the provider; `started` moves it two days back, so it has ended too. */
async function setup(options: { started?: boolean } = { started: true }) {
  const { authority, coordinatorToken } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL');
  const { providerToken: otherProviderToken } = await makeProvider('RESIDENTIAL');
  const fam = await makeFamilyWithChild(authority.id);
  const slot = await makeSlot(provider.id, daysFromToday(20), { places: 2 });
  const booking = await book(coordinatorToken, fam.child.id, slot.id);
  if (options.started) await moveBookingTo(booking.id, daysFromToday(-2));
  return { authority, coordinatorToken, provider, providerToken, otherProviderToken, fam, booking };
}

const attendance = (bookingId: string, token: string, body: unknown) => post(`/v1/bookings/${bookingId}/attendance`, token, body);

describe('POST /v1/bookings/:id/attendance', () => {
  it('lets the provider record attendance for its own booking once it has started', async () => {
    const { providerToken, booking } = await setup();
    const res = await attendance(booking.id, providerToken, { status: 'ATTENDED', note: 'Had a lovely time' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: booking.id, status: 'ATTENDED', noShowReason: null, attendanceRecordedAt: expect.any(String) });
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).status).toBe('ATTENDED');
  });

  it('refuses before the break starts (409), and for a cancelled booking (409)', async () => {
    const { providerToken, coordinatorToken, booking } = await setup({ started: false });
    const early = expectProblem(await attendance(booking.id, providerToken, { status: 'ATTENDED' }), 409, 'CONFLICT');
    expect(early.detail).toMatch(/started/);
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).status).toBe('CONFIRMED');

    expect((await post(`/v1/bookings/${booking.id}/cancel`, coordinatorToken, { reason: 'Family moved' })).status).toBe(200);
    await moveBookingTo(booking.id, daysFromToday(-1));
    expectProblem(await attendance(booking.id, providerToken, { status: 'NO_SHOW', reason: 'OTHER' }), 409, 'CONFLICT');
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).status).toBe('CANCELLED');
  });

  it('asks for "attended" only once the break has ended; before that, an early pick-up with its time', async () => {
    const { providerToken, fam, provider } = await setup({ started: false });
    // A six-hour session that began an hour ago.
    const startsAt = new Date(Date.now() - 3600_000);
    const endsAt = new Date(startsAt.getTime() + 6 * 3600_000);
    const rule = await db().capacityRule.create({ data: { providerId: provider.id, rrule: 'FREQ=DAILY', startDate: daysFromToday(0), startTime: '09:00', durationMinutes: 360, places: 1, capabilities: [], exdates: [], active: false } });
    const slot = await db().slot.create({ data: { providerId: provider.id, capacityRuleId: rule.id, localDate: daysFromToday(0), startsAt, endsAt, capacity: 1, capabilities: [] } });
    const running = await db().booking.create({ data: { childId: fam.child.id, slotId: slot.id, authorityId: fam.child.authorityId, status: 'CONFIRMED', source: 'MANUAL', startsAt, endsAt, nights: 0 } });

    const tooSoon = expectProblem(await attendance(running.id, providerToken, { status: 'ATTENDED' }), 409, 'CONFLICT');
    expect(tooSoon.detail).toMatch(/not ended yet.*early pick-up/);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expectProblem(await attendance(running.id, providerToken, { status: 'ATTENDED', pickedUpAt: future }), 400);
    expectProblem(await attendance(running.id, providerToken, { status: 'ATTENDED', pickedUpAt: new Date(startsAt.getTime() - 60_000).toISOString() }), 400);
    expect((await db().booking.findUniqueOrThrow({ where: { id: running.id } })).status).toBe('CONFIRMED');

    const collected = new Date(Date.now() - 10 * 60_000);
    const res = await attendance(running.id, providerToken, { status: 'ATTENDED', pickedUpAt: collected.toISOString(), note: 'Mum collected her early' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'ATTENDED', pickedUpAt: collected.toISOString() });
  });

  it('hides another provider’s booking (404) and refuses a family (403)', async () => {
    const { otherProviderToken, fam, booking } = await setup();
    expectProblem(await attendance(booking.id, otherProviderToken, { status: 'ATTENDED' }), 404, 'NOT_FOUND');
    expectProblem(await attendance(booking.id, fam.familyToken, { status: 'ATTENDED' }), 403);
    const { coordinatorToken: otherCoordinator } = await makeAuthority();
    expectProblem(await attendance(booking.id, otherCoordinator, { status: 'ATTENDED' }), 404, 'NOT_FOUND');
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).status).toBe('CONFIRMED');
  });

  it('needs a reason for a NO_SHOW, and none for ATTENDED (400)', async () => {
    const { providerToken, booking } = await setup();
    const missing = expectProblem(await attendance(booking.id, providerToken, { status: 'NO_SHOW' }), 400);
    expect(missing.errors?.some((e) => e.path.includes('reason'))).toBe(true);
    expectProblem(await attendance(booking.id, providerToken, { status: 'ATTENDED', reason: 'CHILD_UNWELL' }), 400);
    expectProblem(await attendance(booking.id, providerToken, { status: 'NO_SHOW', reason: 'BORED' }), 400);
    expectProblem(await attendance(booking.id, providerToken, { status: 'CANCELLED' }), 400);
    const row = await db().booking.findUniqueOrThrow({ where: { id: booking.id } });
    expect(row).toMatchObject({ status: 'CONFIRMED', attendanceRecordedAt: null });
  });

  it('keeps history through a correction: both audit events on GET /v1/bookings/:id', async () => {
    const { providerToken, coordinatorToken, booking } = await setup();
    expect((await attendance(booking.id, providerToken, { status: 'ATTENDED' })).status).toBe(200);
    const corrected = await attendance(booking.id, providerToken, { status: 'NO_SHOW', reason: 'TRANSPORT_FAILED', note: 'Recorded the wrong child' });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ status: 'NO_SHOW', noShowReason: 'TRANSPORT_FAILED' });

    const detail = await get(`/v1/bookings/${booking.id}`, coordinatorToken);
    expect(detail.status).toBe(200);
    const attendanceEvents = detail.body.history.filter((h: { action: string }) => h.action.startsWith('booking.attendance'));
    expect(attendanceEvents).toEqual([
      expect.objectContaining({
        action: 'booking.attendance_recorded',
        actorRole: 'PROVIDER',
        actorId: expect.any(String),
        before: { status: 'CONFIRMED', noShowReason: null },
        after: { status: 'ATTENDED', noShowReason: null, pickedUpAt: null, note: null },
      }),
      expect.objectContaining({
        action: 'booking.attendance_corrected',
        actorRole: 'PROVIDER',
        before: { status: 'ATTENDED', noShowReason: null },
        after: { status: 'NO_SHOW', noShowReason: 'TRANSPORT_FAILED', pickedUpAt: null, note: 'Recorded the wrong child' },
      }),
    ]);
    // The provider sees the same history on its own booking.
    expect((await get(`/v1/bookings/${booking.id}`, providerToken)).body.history).toHaveLength(detail.body.history.length);
    // The place is still held once (a NO_SHOW keeps it; the trigger counted the change once each way).
    expect((await db().slot.findUniqueOrThrow({ where: { id: booking.slotId } })).booked).toBe(1);
  });

  it('flags a break the provider cancelled on the day to the coordinators of the child’s authority', async () => {
    const { authority, providerToken, booking } = await setup();
    const res = await attendance(booking.id, providerToken, { status: 'NO_SHOW', reason: 'PROVIDER_CANCELLED_ON_THE_DAY' });
    expect(res.status).toBe(200);
    const flagged = await db().notification.findMany({ where: { recipientRole: 'COORDINATOR', recipientId: authority.id } });
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.payload).toEqual({ bookingId: booking.id });
    expect(flagged[0]!.subject).toMatch(/provider cancelled on the day/i);
  });
});

describe('POST /v1/bookings/attendance (a morning at once)', () => {
  const many = (token: string, body: unknown) => post('/v1/bookings/attendance', token, body);

  it('records every break given, in one go, each as the single-break call would', async () => {
    const { providerToken, provider, coordinatorToken, fam, booking } = await setup();
    const other = await makeFamilyWithChild(fam.child.authorityId);
    const second = await book(coordinatorToken, other.child.id, (await makeSlot(provider.id, daysFromToday(21), { places: 1 })).id);
    await moveBookingTo(second.id, daysFromToday(-3));
    const res = await many(providerToken, { records: [
      { bookingId: booking.id, status: 'ATTENDED', note: 'Swimming' },
      { bookingId: second.id, status: 'NO_SHOW', reason: 'CHILD_UNWELL' },
    ] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.records.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[booking.id, 'ATTENDED'], [second.id, 'NO_SHOW']]);
    const rows = await db().booking.findMany({ where: { id: { in: [booking.id, second.id] } } });
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.noShowReason]]))).toEqual({ [booking.id]: ['ATTENDED', null], [second.id]: ['NO_SHOW', 'CHILD_UNWELL'] });
    expect(await db().auditEvent.count({ where: { bookingId: { in: [booking.id, second.id] }, action: 'booking.attendance_recorded' } })).toBe(2);
  });

  it('records none when any one is refused, and names the break refused', async () => {
    const { providerToken, provider, coordinatorToken, fam, booking } = await setup();
    // Booked but not yet begun: attendance cannot be recorded for it.
    const later = await book(coordinatorToken, fam.child.id, (await makeSlot(provider.id, daysFromToday(25), { places: 1 })).id);
    const refused = expectProblem(await many(providerToken, { records: [{ bookingId: booking.id, status: 'ATTENDED' }, { bookingId: later.id, status: 'ATTENDED' }] }), 409, 'CONFLICT');
    expect(refused.detail).toContain(fam.child.firstName);
    expect(refused.detail).toMatch(/started.*nothing was recorded/);
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).attendanceRecordedAt).toBeNull();
  });

  it('refuses another provider’s booking without recording it or saying whose it is, and bad lists with 400', async () => {
    const { otherProviderToken, providerToken, booking, fam } = await setup();
    const refused = expectProblem(await many(otherProviderToken, { records: [{ bookingId: booking.id, status: 'ATTENDED' }] }), 404, 'NOT_FOUND');
    expect(JSON.stringify(refused)).not.toContain(fam.child.firstName);
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).attendanceRecordedAt).toBeNull();
    expectProblem(await many(providerToken, { records: [] }), 400, 'VALIDATION_FAILED');
    expectProblem(await many(providerToken, { records: [{ bookingId: booking.id, status: 'ATTENDED' }, { bookingId: booking.id, status: 'NO_SHOW', reason: 'OTHER' }] }), 400, 'VALIDATION_FAILED');
    expectProblem(await many(providerToken, { records: [{ bookingId: booking.id, status: 'NO_SHOW' }] }), 400, 'VALIDATION_FAILED');
    expect((await db().booking.findUniqueOrThrow({ where: { id: booking.id } })).attendanceRecordedAt).toBeNull();
  });
});
