/**
 * What people are told, from the change that tells them to what arrives:
 * each story acts through the API (or runs the scheduled job) and reads the
 * email the real SMTP server received and the text the GOV.UK Notify endpoint
 * accepted.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays, londonDateOf, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { runClosure } from '../../src/services/closures.js';
import * as delivery from '../../src/services/notification-delivery.js';
import { sendArrivalDigests, sendBehindAwardAlerts, sendDueReminders } from '../../src/services/scheduled-notifications.js';
import { call, post } from '../support/api.js';
import { book, makeSlot } from '../support/booking-helpers.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { useMessageTransports } from '../support/message-transports.js';
import { pageBrowser } from '../support/web-browser.js';

process.env.QUEUE_PREFIX = `sbtrig${randomUUID().slice(0, 8)}`;

const { deliverAll, mailOf, textsTo } = useMessageTransports();

afterAll(closeConnections);

/** Each recipient's token, to follow the links they were sent. */
const tokenOf = new Map<string, string>();

let phoneSeq = 100000;
async function world() {
  const { authority, coordinatorToken } = await makeAuthority({ swapRequiresApproval: false });
  tokenOf.set(authority.id, coordinatorToken);
  const team = `team-${uid()}@downland.gov.uk`;
  await db().authority.update({ where: { id: authority.id }, data: { contactEmail: team } });
  const { provider, providerToken } = await makeProvider('RESIDENTIAL', { name: `Seaview ${uid()}`, operatorAuthorityId: authority.id });
  tokenOf.set(provider.id, providerToken);
  const unit = `unit-${uid()}@example.org`;
  await db().provider.update({ where: { id: provider.id }, data: { email: unit } });
  const family = async () => {
    const { family, familyToken } = await makeFamily(authority.id);
    tokenOf.set(family.id, familyToken);
    const email = `parent-${uid()}@example.org`;
    const phone = `07700 ${phoneSeq++}`;
    await db().family.update({ where: { id: family.id }, data: { email, phone } });
    const child = await makeChild(family.id, authority.id, { needsTransport: true });
    return { family, familyToken, email, phone, child };
  };
  return { authority, coordinatorToken, team, provider, providerToken, unit, family };
}

describe('what people are told, and when', () => {
  it('a break cancelled by the coordinator: the family by email and text, the provider by email; a family’s own cancellation tells only the provider', async () => {
    const w = await world();
    const f = await w.family();
    const booking = await book(w.coordinatorToken, f.child.id, (await makeSlot(w.provider.id, daysFromToday(12))).id);
    expect((await post(`/v1/bookings/${booking.id}/cancel`, w.coordinatorToken, { reason: 'Staff shortage at the unit' })).status).toBe(200);
    await deliverAll();
    const [email] = mailOf(f.email, 'BOOKING_CANCELLED');
    expect(email?.mail.subject).toMatch(new RegExp(`^${f.child.firstName}'s short break on \\w+day \\d+ \\w+ \\d{4} is cancelled$`));
    expect(email?.mail.text).toContain(`The break at ${w.provider.name}`);
    expect(email?.mail.text).toContain('Reason: Staff shortage at the unit');
    expect(email?.mail.text).toContain(`Open: ${delivery.publicBaseUrl()}/family`);
    expect(textsTo(f.phone).map((t) => t.body)).toEqual([expect.stringContaining(`${f.child.firstName}'s short break at ${w.provider.name}`)]);
    expect(mailOf(w.unit, 'PROVIDER_BOOKING_CANCELLED')[0]?.mail.text).toContain('was cancelled by the coordinator');

    const own = await book(w.coordinatorToken, f.child.id, (await makeSlot(w.provider.id, daysFromToday(19))).id);
    expect((await post(`/v1/bookings/${own.id}/cancel`, f.familyToken, { reason: 'Poorly' })).status).toBe(200);
    await deliverAll();
    expect(mailOf(f.email, 'BOOKING_CANCELLED')).toHaveLength(1);
    expect(mailOf(w.unit, 'PROVIDER_BOOKING_CANCELLED').map((m) => m.mail.text)).toEqual([expect.anything(), expect.stringContaining('cancelled by the family')]);
  });

  it('a swap: the other family hears of the proposal, then both of the answer', async () => {
    const w = await world();
    const a = await w.family();
    const b = await w.family();
    const mine = await book(w.coordinatorToken, a.child.id, (await makeSlot(w.provider.id, daysFromToday(20))).id);
    const theirs = await book(w.coordinatorToken, b.child.id, (await makeSlot(w.provider.id, daysFromToday(27))).id);
    const swap = await post('/v1/swaps', a.familyToken, { bookingId: mine.id, withBookingId: theirs.id });
    expect(swap.status).toBe(201);
    await deliverAll();
    const proposal = mailOf(b.email, 'SWAP_PROPOSED');
    expect(proposal).toHaveLength(1);
    expect(proposal[0]!.mail.text).toContain(`at ${w.provider.name}`);
    expect(proposal[0]!.mail.text).toContain(`${delivery.publicBaseUrl()}/family#swaps`);
    expect(mailOf(a.email, 'SWAP_PROPOSED')).toHaveLength(0);
    expect((await post(`/v1/swaps/${swap.body.id}/accept`, b.familyToken)).status).toBe(200);
    await deliverAll();
    for (const f of [a, b]) expect(mailOf(f.email, 'SWAP_ANSWERED')[0]?.mail.subject).toBe(`Swap for ${f.child.firstName}'s break: completed: the breaks have changed over`);
  });

  it('a freed place offered from the waiting list, with the journey and the deadline', async () => {
    const w = await world();
    const holder = await w.family();
    const waiting = await w.family();
    const slot = await makeSlot(w.provider.id, daysFromToday(15), { places: 1 });
    const held = await book(w.coordinatorToken, holder.child.id, slot.id);
    expect((await post('/v1/waitlist', w.coordinatorToken, { childId: waiting.child.id, slotId: slot.id })).status).toBe(201);
    expect((await post(`/v1/bookings/${held.id}/cancel`, holder.familyToken, { reason: 'Away' })).status).toBe(200);
    const { promoteWaitlist } = await import('../../src/services/waitlist.js');
    expect(await promoteWaitlist(slot.id)).toHaveLength(1);
    await deliverAll();
    const [offer] = mailOf(waiting.email, 'PLACE_OFFERED');
    expect(offer?.mail.text).toMatch(/Journey: about \d+ minutes by road from home; transport is being arranged/);
    expect(offer?.mail.text).toMatch(/Accept it by \w+day \d+ \w+ \d{4} at \d\d:\d\d/);
    expect(offer?.mail.text).toContain(`${delivery.publicBaseUrl()}/family#offers`);
  });

  it('a reminder before the break with the pick-up time, sent once; tomorrow’s arrivals to the provider with support flags', async () => {
    const w = await world();
    const f = await w.family();
    await db().child.update({ where: { id: f.child.id }, data: { needs: ['WHEELCHAIR'], supportFlag: 'Warn her before touching' } });
    const slot = await makeSlot(w.provider.id, daysFromToday(1), { startTime: '17:00', capabilities: ['WHEELCHAIR'] });
    const booking = await book(w.coordinatorToken, f.child.id, slot.id);
    const vehicle = await db().vehicle.create({ data: { authorityId: w.authority.id, name: 'Minibus', seats: 6, wheelchairSpaces: 1, baseLat: 50.83, baseLng: -0.14 } });
    const run = await db().transportRun.create({ data: { vehicleId: vehicle.id, providerId: w.provider.id, direction: 'TO_BREAK', departAt: new Date(slot.startsAt.getTime() - 75 * 60_000), returnAt: slot.startsAt } });
    await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: f.child.id } });

    expect(await sendDueReminders()).toBeGreaterThanOrEqual(1);
    expect(await sendDueReminders()).toBe(0);
    await deliverAll();
    const reminders = mailOf(f.email, 'BREAK_REMINDER');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.mail.subject).toBe(`Reminder: ${f.child.firstName}'s short break tomorrow`);
    expect(reminders[0]!.mail.text).toContain('Pick-up: the minibus leaves the depot at 15:45');
    expect(textsTo(f.phone).some((t) => t.body.includes('15:45'))).toBe(true);

    // The afternoon before: the provider's list of arrivals.
    const afternoon = londonWallTimeToInstant(londonDateOf(new Date()), '16:30');
    expect(await sendArrivalDigests(londonWallTimeToInstant(londonDateOf(new Date()), '15:00'))).toBe(0);
    await sendArrivalDigests(afternoon);
    await sendArrivalDigests(afternoon);
    await deliverAll();
    const digests = mailOf(w.unit, 'ARRIVALS_TOMORROW');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.mail.text).toContain(`17:00 ${f.child.firstName} ${f.child.lastName}: wheelchair; arrives by specialist transport; support: Warn her before touching`);
    expect(addDays(londonDateOf(new Date()), 1)).toBe(slot.localDate);
  });

  it('a closure that leaves a child waiting tells the coordinators who is still waiting', async () => {
    const w = await world();
    const f = await w.family();
    // Needs rarely met together, on a night of their own: no other home (providers are shared by every test) can take the child.
    const needs = ['VENTILATION', 'HOIST', 'TWO_TO_ONE_STAFFING'] as const;
    await db().child.update({ where: { id: f.child.id }, data: { needs: [...needs] } });
    const slot = await makeSlot(w.provider.id, daysFromToday(310 + Math.floor(Math.random() * 50)), { capabilities: [...needs] });
    await book(w.coordinatorToken, f.child.id, slot.id);
    const closure = await post(`/v1/providers/${w.provider.id}/closure`, w.coordinatorToken, { effectiveFrom: daysFromToday(300), confirm: true, reason: 'Registration suspended' });
    expect(closure.status).toBe(202);
    await runClosure(closure.body.id);
    const outcomes = await db().rehomingOutcome.findMany({ where: { closureId: closure.body.id }, select: { outcome: true, reason: true } });
    expect(outcomes.map((o) => o.outcome), JSON.stringify(outcomes)).toEqual(['WAITLISTED']);
    await deliverAll();
    const [alert] = mailOf(w.team, 'CLOSURE_LEFT_WAITING');
    expect(alert?.mail.subject).toBe(`1 child(ren) still waiting after ${w.provider.name}'s closure`);
    expect(alert?.mail.text).toContain(`- ${f.child.firstName} ${f.child.lastName}:`);
    expect(alert?.mail.text).toContain(`/coordinator/closures/${closure.body.id}`);
    expect(mailOf(f.email, 'REHOMING_OUTCOME')[0]?.mail.text).toContain('Outcome: waiting for a place.');
  });

  it('a change to a booked child’s passport or needs tells the provider; a child behind its award and a break not delivered tell the coordinators', async () => {
    const w = await world();
    const f = await w.family();
    const booking = await book(w.coordinatorToken, f.child.id, (await makeSlot(w.provider.id, daysFromToday(8))).id);
    const put = await call('PUT', `/v1/children/${f.child.id}/passport`, { token: f.familyToken, body: { passport: { communication: 'Uses Makaton signs', calming: 'Music' } } });
    expect(put.status).toBeLessThan(300);
    const needs = await call('PATCH', `/v1/children/${f.child.id}`, { token: w.coordinatorToken, body: { needsEscort: true } });
    expect(needs.status).toBe(200);
    await deliverAll();
    const told = mailOf(w.unit, 'PASSPORT_CHANGED').map((m) => m.mail.text ?? '');
    expect(told.some((t) => t.includes('communication'))).toBe(true);
    expect(told.some((t) => t.includes('transport needs'))).toBe(true);
    expect(told.every((t) => !t.includes('Makaton'))).toBe(true); // what changed, never its content

    // Behind: an award running since January with nothing delivered.
    expect(await sendBehindAwardAlerts(new Date(), { authorityIds: [w.authority.id] })).toBe(1);
    expect(await sendBehindAwardAlerts(new Date(), { authorityIds: [w.authority.id] })).toBe(0);
    await deliverAll();
    expect(mailOf(w.team, 'CHILD_BEHIND_AWARD')[0]?.mail.subject).toBe(`${f.child.firstName} ${f.child.lastName} is behind their short-break award`);

    await db().booking.update({ where: { id: booking.id }, data: { startsAt: new Date(Date.now() - 3600_000) } });
    const attendance = await post(`/v1/bookings/${booking.id}/attendance`, w.providerToken, { status: 'NO_SHOW', reason: 'PROVIDER_CANCELLED_ON_THE_DAY' });
    expect(attendance.status).toBe(200);
    await deliverAll();
    expect(mailOf(w.team, 'BREAK_NOT_DELIVERED')[0]?.mail.text).toContain(`${delivery.publicBaseUrl()}/coordinator/ledger`);
  });

  // Runs last: the messages every story above sent.
  it('every message links to a page that opens for the person it was sent to, and to the part of it where they act', async () => {
    const notes = await db().notification.findMany({ where: { prefix: process.env.QUEUE_PREFIX }, select: { kind: true, link: true, recipientId: true } });
    const kinds = new Set(notes.map((n) => n.kind));
    for (const kind of ['BOOKING_CANCELLED', 'PROVIDER_BOOKING_CANCELLED', 'SWAP_PROPOSED', 'SWAP_ANSWERED', 'PLACE_OFFERED', 'BREAK_REMINDER', 'ARRIVALS_TOMORROW', 'CLOSURE_LEFT_WAITING', 'REHOMING_OUTCOME', 'PASSPORT_CHANGED', 'CHILD_BEHIND_AWARD', 'BREAK_NOT_DELIVERED']) expect(kinds, kind).toContain(kind);
    const opened = new Set<string>();
    const followed = new Set<string>();
    for (const n of notes) {
      const token = tokenOf.get(n.recipientId);
      expect(token, `${n.kind} to ${n.recipientId}`).toBeDefined();
      const key = `${n.recipientId} ${n.link}`;
      followed.add(n.kind);
      if (opened.has(key)) continue;
      const b = pageBrowser();
      await b.signIn(token!);
      expect(n.link, n.kind).toMatch(/^\//);
      const [path, fragment] = n.link!.split('#') as [string, string | undefined];
      const page = await b.request(path);
      expect(page.status, `${n.kind} ${n.link}`).toBe(200);
      if (fragment) expect(page.html, `${n.kind} ${n.link}`).toContain(`id="${fragment}"`);
      opened.add(key);
    }
    expect(followed).toEqual(kinds);
  });
});
