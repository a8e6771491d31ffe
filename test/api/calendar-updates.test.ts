/**
 * A family subscribes its phone to the calendar and then things change: the
 * feed must update the phone's copy, not leave it stale. Successive versions
 * of the feed, parsed with ical.js as a calendar app would: the break keeps
 * its UID, SEQUENCE rises with every change (transport arranged, pick-up time
 * moved, break cancelled), a cancelled break comes back as STATUS:CANCELLED
 * instead of vanishing, a swap cancels one event and adds another, and the
 * feed asks to be fetched again hourly (REFRESH-INTERVAL, X-PUBLISHED-TTL).
 */
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { calendarLinks } from '../../src/services/calendar.js';
import { get, post } from '../support/api.js';
import { book, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

interface Version {
  calendar: ICAL.Component;
  events: Map<string, { sequence: number; status: string; summary: string; description: string; start: string }>;
}

function parse(text: string): Version {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = new Map(
    calendar.getAllSubcomponents('vevent').map((c) => {
      const e = new ICAL.Event(c);
      return [e.uid, { sequence: e.sequence, status: String(c.getFirstPropertyValue('status')), summary: e.summary, description: e.description, start: e.startDate.toJSDate().toISOString() }];
    }),
  );
  return { calendar, events };
}

describe('a subscribed calendar that updates', () => {
  it('keeps each break’s UID, bumps SEQUENCE on every change and sends cancellations', async () => {
    const { authority, coordinatorToken } = await makeAuthority({ swapRequiresApproval: false });
    const { provider } = await makeProvider();
    const { family, familyToken } = await makeFamily(authority.id);
    const { family: otherFamily, familyToken: otherToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id, { needsTransport: true });
    const otherChild = await makeChild(otherFamily.id, authority.id);

    const link = await post(`/v1/families/${family.id}/calendar-link`, familyToken);
    expect(link.status).toBe(201);
    expect(link.body.webcal).toBe(link.body.url.replace(/^http:/, 'webcal:'));
    const feed = async () => {
      const res = await get(new URL(link.body.url).pathname);
      expect(res.status).toBe(200);
      return parse(res.body as string);
    };

    const booking = await book(coordinatorToken, child.id, (await makeSlot(provider.id, daysFromToday(9))).id);
    const uid = `${booking.id}@shortbreaks`;
    const v1 = await feed();
    expect(v1.calendar.getFirstPropertyValue('refresh-interval')?.toString()).toBe('PT1H');
    expect((await get(new URL(link.body.url).pathname)).body).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n');
    expect(v1.calendar.getFirstPropertyValue('x-published-ttl')).toBe('PT1H');
    expect(v1.events.get(uid)).toMatchObject({ status: 'CONFIRMED' });
    const s1 = v1.events.get(uid)!.sequence;

    // Transport is arranged: the pick-up time appears and the event is newer.
    const vehicle = await db().vehicle.create({ data: { authorityId: authority.id, name: 'Minibus', seats: 6, wheelchairSpaces: 1, baseLat: 50.83, baseLng: -0.14 } });
    const startsAt = new Date((booking as unknown as { startsAt: string }).startsAt);
    const run = await db().transportRun.create({ data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt: new Date(startsAt.getTime() - 60 * 60_000), returnAt: startsAt } });
    await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: child.id } });
    const v2 = await feed();
    expect(v2.events.get(uid)!.sequence).toBeGreaterThan(s1);
    expect(v2.events.get(uid)!.description).toMatch(/pick-up/i);

    // The minibus leaves half an hour earlier.
    await db().transportRun.update({ where: { id: run.id }, data: { departAt: new Date(startsAt.getTime() - 90 * 60_000) } });
    const v3 = await feed();
    expect(v3.events.get(uid)!.sequence).toBeGreaterThan(v2.events.get(uid)!.sequence);
    expect(v3.events.get(uid)!.description).not.toBe(v2.events.get(uid)!.description);

    // Nothing changed: the same SEQUENCE (a phone does not churn).
    expect((await feed()).events.get(uid)!.sequence).toBe(v3.events.get(uid)!.sequence);

    // Cancelled by the coordinator: still in the feed, same UID, cancelled, newer.
    expect((await post(`/v1/bookings/${booking.id}/cancel`, coordinatorToken, { reason: 'Unit short-staffed' })).status).toBe(200);
    const v4 = await feed();
    expect(v4.events.get(uid)).toMatchObject({ status: 'CANCELLED' });
    expect(v4.events.get(uid)!.sequence).toBeGreaterThan(v3.events.get(uid)!.sequence);
    expect(v4.events.get(uid)!.summary).toMatch(/^Cancelled: /);
    expect(v4.events.get(uid)!.description).toContain('Unit short-staffed');

    // A swap: the old break is cancelled in the feed and the new one appears with its own UID.
    const mine = await book(coordinatorToken, child.id, (await makeSlot(provider.id, daysFromToday(20))).id);
    const theirs = await book(coordinatorToken, otherChild.id, (await makeSlot(provider.id, daysFromToday(27))).id);
    const before = await feed();
    const proposal = await post('/v1/swaps', familyToken, { bookingId: mine.id, withBookingId: theirs.id });
    expect(proposal.status).toBe(201);
    const accepted = await post(`/v1/swaps/${proposal.body.id}/accept`, otherToken);
    expect(accepted.status).toBe(200);
    const after = await feed();
    expect(after.events.get(`${mine.id}@shortbreaks`)).toMatchObject({ status: 'CANCELLED' });
    expect(after.events.get(`${mine.id}@shortbreaks`)!.sequence).toBeGreaterThan(before.events.get(`${mine.id}@shortbreaks`)!.sequence);
    const added = [...after.events.entries()].filter(([k, e]) => !before.events.has(k) && e.status === 'CONFIRMED');
    expect(added).toHaveLength(1);
    expect(added[0]![1].start).toBe(new Date((theirs as unknown as { startsAt: string }).startsAt).toISOString());
    // Every UID ever sent is still there.
    for (const k of v1.events.keys()) expect(after.events.has(k)).toBe(true);
  });

  it('offers the https address and the webcal one for phones', () => {
    expect(calendarLinks('https://breaks.downland.gov.uk/', 'abc')).toEqual({
      url: 'https://breaks.downland.gov.uk/calendar/abc.ics',
      webcal: 'webcal://breaks.downland.gov.uk/calendar/abc.ics',
    });
  });
});
