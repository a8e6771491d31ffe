/**
 * Family calendars: the feed is RFC 5545 that a real parser
 * (ical.js) reads, one event per confirmed booking with the provider's name
 * and address, London times on both sides of a clock change, transport
 * pick-up where arranged; a secret subscription link that works without a
 * token, is replaced by a new link and stops working once revoked.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { book, insertStay, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday, nextAutumnClockChange } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

interface ParsedEvent {
  uid: string;
  summary: string;
  location: string;
  description: string;
  start: ICAL.Time;
  end: ICAL.Time;
  status: string;
}

function parseFeed(text: string): { name: string; events: ParsedEvent[]; cancelled: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((c) => {
    const e = new ICAL.Event(c);
    return { uid: e.uid, summary: e.summary, location: e.location, description: e.description, start: e.startDate, end: e.endDate, status: String(c.getFirstPropertyValue('status')) };
  });
  // Cancelled breaks stay in the feed as STATUS:CANCELLED (test/api/calendar-updates.test.ts); these tests read the confirmed ones.
  return { name: String(calendar.getFirstPropertyValue('x-wr-calname')), events: events.filter((e) => e.status === 'CONFIRMED'), cancelled: events.filter((e) => e.status === 'CANCELLED') };
}

/** A coordinator booking through the API, with the times the API answered. */
const bookTimes = async (token: string, childId: string, slotId: string) => (await book(token, childId, slotId)) as Awaited<ReturnType<typeof book>> & { startsAt: string; endsAt: string };

const deleteLink = (familyId: string, token: string) => call('DELETE', `/v1/families/${familyId}/calendar-link`, { token });
const feedPath = (url: string) => new URL(url).pathname;

let ctx: Awaited<ReturnType<typeof setup>>;

async function setup() {
  const { authority, coordinatorToken } = await makeAuthority();
  const { coordinatorToken: otherCoordinatorToken } = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL', { name: `Seaview, "The Lodge"; Unit ${uid()}` });
  await db().provider.update({ where: { id: provider.id }, data: { addressLine: '12 Marine Parade', postcode: 'BN2 1TL', phone: '01273 000000' } });
  const { family, familyToken } = await makeFamily(authority.id);
  const { family: otherFamily, familyToken: otherFamilyToken } = await makeFamily(authority.id);
  const child = await makeChild(family.id, authority.id, { nights: 60 });
  const sibling = await makeChild(family.id, authority.id, { nights: 60 });
  const otherChild = await makeChild(otherFamily.id, authority.id);

  // Through the API: two confirmed breaks, one cancelled; the other family's break must not show.
  const first = await bookTimes(coordinatorToken, child.id, (await makeSlot(provider.id, daysFromToday(10))).id);
  const second = await bookTimes(coordinatorToken, sibling.id, (await makeSlot(provider.id, daysFromToday(12), { startTime: '10:00', durationMinutes: 360 })).id);
  const cancelled = await book(coordinatorToken, child.id, (await makeSlot(provider.id, daysFromToday(14))).id);
  expect((await post(`/v1/bookings/${cancelled.id}/cancel`, familyToken, { reason: 'Poorly' })).status).toBe(200);
  const others = await book(coordinatorToken, otherChild.id, (await makeSlot(provider.id, daysFromToday(10))).id);
  // An unpublished allocation is not a confirmed break.
  const allocated = await book(coordinatorToken, sibling.id, (await makeSlot(provider.id, daysFromToday(16))).id);
  await db().booking.update({ where: { id: allocated.id }, data: { status: 'ALLOCATED' } });

  // A 17:00 Friday break either side of the autumn clock change (written directly: it may lie beyond the slot horizon).
  const change = nextAutumnClockChange(30);
  const beforeChange = await insertStay(child, provider.id, addDays(change, -2), 2);
  const afterChange = await insertStay(child, provider.id, addDays(change, 5), 2);

  // Specialist transport to the first break.
  const vehicle = await db().vehicle.create({ data: { authorityId: authority.id, name: 'Minibus', seats: 6, wheelchairSpaces: 2, baseLat: 50.83, baseLng: -0.14 } });
  const departAt = new Date(new Date(first.startsAt).getTime() - 75 * 60_000);
  const run = await db().transportRun.create({
    data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt, returnAt: new Date(first.startsAt) },
  });
  await db().transportSeat.create({ data: { runId: run.id, bookingId: first.id, childId: child.id } });

  return {
    authority, coordinatorToken, otherCoordinatorToken, provider, providerToken, family, familyToken, otherFamily, otherFamilyToken,
    child, sibling, first, second, cancelled, others, allocated, change, beforeChange, afterChange,
  };
}

beforeAll(async () => {
  ctx = await setup();
});

describe('GET /v1/families/:id/calendar.ics', () => {
  it('is iCalendar that ical.js parses: one event per confirmed booking, with the provider and address', async () => {
    const res = await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.familyToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = res.body as string;
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.split('\r\n').every((line) => Buffer.byteLength(line, 'utf8') <= 75)).toBe(true);

    const feed = parseFeed(text);
    expect(feed.name).toBe(`${ctx.family.name}: short breaks`);
    const uids = feed.events.map((e) => e.uid).sort();
    expect(uids).toEqual([ctx.first.id, ctx.second.id, ctx.beforeChange.id, ctx.afterChange.id].map((id) => `${id}@shortbreaks`).sort());
    // The cancelled break is still there, marked cancelled; the unpublished allocation is not.
    expect(feed.cancelled.map((e) => e.uid)).toEqual([`${ctx.cancelled.id}@shortbreaks`]);
    expect(text).not.toContain(ctx.allocated.id);
    for (const e of feed.events) {
      expect(e.summary).toContain(ctx.provider.name); // commas, quotes and semicolons survive escaping
      expect(e.location).toBe('12 Marine Parade, BN2 1TL');
      expect(e.description).toContain('Provider phone: 01273 000000');
    }
    const second = feed.events.find((e) => e.uid === `${ctx.second.id}@shortbreaks`)!;
    expect(second.summary).toBe(`${ctx.sibling.firstName}: short break at ${ctx.provider.name}`);
    expect(second.start.toJSDate().toISOString()).toBe(ctx.second.startsAt);
    expect(second.end.toJSDate().toISOString()).toBe(ctx.second.endsAt);
  });

  it('shows 17:00 Europe/London on both sides of the autumn clock change', async () => {
    const feed = parseFeed((await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.familyToken)).body);
    const before = feed.events.find((e) => e.uid === `${ctx.beforeChange.id}@shortbreaks`)!;
    const after = feed.events.find((e) => e.uid === `${ctx.afterChange.id}@shortbreaks`)!;
    const friday = addDays(ctx.change, -2);
    const nextFriday = addDays(ctx.change, 5);
    // Wall-clock times, in the feed's own zone.
    expect(before.start.zone?.tzid).toBe('Europe/London');
    expect(before.start.toString()).toBe(`${friday}T17:00:00`);
    expect(after.start.toString()).toBe(`${nextFriday}T17:00:00`);
    // Instants: BST (UTC+1) before, GMT after; the first stay ends on the Sunday of the change, already GMT.
    expect(before.start.toJSDate().toISOString()).toBe(`${friday}T16:00:00.000Z`);
    expect(before.end.toJSDate().toISOString()).toBe(`${ctx.change}T10:00:00.000Z`);
    expect(after.start.toJSDate().toISOString()).toBe(`${nextFriday}T17:00:00.000Z`);
    expect(before.start.toJSDate()).toEqual(londonWallTimeToInstant(friday, '17:00'));
  });

  it('says when transport picks the child up, only where it is arranged', async () => {
    const feed = parseFeed((await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.familyToken)).body);
    const withTransport = feed.events.find((e) => e.uid === `${ctx.first.id}@shortbreaks`)!;
    // The break starts at 17:00 London; the minibus leaves 75 minutes earlier.
    expect(withTransport.description).toMatch(/pick-up/i);
    expect(withTransport.description).toContain('15:45');
    for (const e of feed.events.filter((x) => x !== withTransport)) expect(e.description).not.toMatch(/transport|pick-up/i);
  });

  it('is for that family and its coordinator only', async () => {
    expectProblem(await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.otherFamilyToken), 404);
    expectProblem(await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.otherCoordinatorToken), 404);
    expectProblem(await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.providerToken), 403);
    expectProblem(await get(`/v1/families/${ctx.family.id}/calendar.ics`), 401);
    const byCoordinator = await get(`/v1/families/${ctx.family.id}/calendar.ics`, ctx.coordinatorToken);
    expect(byCoordinator.status).toBe(200);
    expect(parseFeed(byCoordinator.body).events).toHaveLength(4);
    // The other family's own feed has only its own break.
    const other = parseFeed((await get(`/v1/families/${ctx.otherFamily.id}/calendar.ics`, ctx.otherFamilyToken)).body);
    expect(other.events.map((e) => e.uid)).toEqual([`${ctx.others.id}@shortbreaks`]);
  });
});

describe('calendar subscription links', () => {
  it('works without a token, is replaced by a new link, and stops once revoked', async () => {
    const created = await post(`/v1/families/${ctx.family.id}/calendar-link`, ctx.familyToken);
    expect(created.status).toBe(201);
    expect(created.body.url).toMatch(/\/calendar\/[A-Za-z0-9_-]{20,}\.ics$/);
    expect(created.body.webcal).toBe(created.body.url.replace(/^https?:/, 'webcal:'));

    const subscribed = await get(feedPath(created.body.url));
    expect(subscribed.status).toBe(200);
    expect(subscribed.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(parseFeed(subscribed.body).events).toHaveLength(4);

    const replaced = await post(`/v1/families/${ctx.family.id}/calendar-link`, ctx.familyToken);
    expect(replaced.status).toBe(201);
    expect(replaced.body.url).not.toBe(created.body.url);
    expectProblem(await get(feedPath(created.body.url)), 404);
    expect((await get(feedPath(replaced.body.url))).status).toBe(200);

    const revoked = await deleteLink(ctx.family.id, ctx.familyToken);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ revoked: true });
    expectProblem(await get(feedPath(replaced.body.url)), 404);
    expectProblem(await get(feedPath(created.body.url)), 404);
    // Nonsense never matches (and never reaches a hash lookup with a short secret).
    expectProblem(await get('/calendar/abc.ics'), 404);
    expectProblem(await get('/calendar/.ics'), 404);
  });

  it('cannot be made or revoked by another family (404); the coordinator can', async () => {
    expectProblem(await post(`/v1/families/${ctx.family.id}/calendar-link`, ctx.otherFamilyToken), 404);
    expectProblem(await post(`/v1/families/${ctx.family.id}/calendar-link`, ctx.otherCoordinatorToken), 404);
    expectProblem(await post(`/v1/families/${ctx.family.id}/calendar-link`, ctx.providerToken), 403);

    const byCoordinator = await post(`/v1/families/${ctx.family.id}/calendar-link`, ctx.coordinatorToken);
    expect(byCoordinator.status).toBe(201);
    expect((await get(feedPath(byCoordinator.body.url))).status).toBe(200);

    expectProblem(await deleteLink(ctx.family.id, ctx.otherFamilyToken), 404);
    expect((await get(feedPath(byCoordinator.body.url))).status).toBe(200);
    expect((await deleteLink(ctx.family.id, ctx.coordinatorToken)).status).toBe(200);
    expectProblem(await get(feedPath(byCoordinator.body.url)), 404);

    const audit = await db().auditEvent.findMany({ where: { entityId: ctx.family.id, action: { startsWith: 'calendar.' } }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toContain('calendar.link_revoked');
  });
});
