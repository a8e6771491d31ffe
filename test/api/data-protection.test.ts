/**
 * Data protection, as a family and a council would use it: a subject-access
 * copy of everything held (at once for a small family, by a BullMQ job through
 * the job outbox for a larger one), erasure on a valid request, and erasure
 * when retention runs out; after each erasure every report total (ledger,
 * capacity, looked-after, costs, funding review) is exactly what it was, while the family's personal
 * data is gone.
 */
import { vi } from 'vitest';

// Small enough that the second family's copy goes through the worker job, large enough for the first to be built at once.
vi.hoisted(() => {
  process.env.EXPORT_INLINE_MAX_RECORDS = '5';
});

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { db } from '../../src/db.js';
import { applyRetention, retentionRules } from '../../src/services/retention.js';
import { PROCESSORS, startWorkers, type WorkerHandle } from '../../workers/index.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { insertStay } from '../support/booking-helpers.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { pageBrowser } from '../support/web-browser.js';
import { waitFor } from '../support/workers.js';

let workers: WorkerHandle;
beforeAll(async () => {
  workers = await startWorkers({ sweepMs: 200, processors: { 'data-protection': PROCESSORS['data-protection']! } });
});
afterAll(async () => {
  await workers?.stop();
  await closeConnections();
});

const T = daysFromToday;
const WINDOW = `from=${T(-400)}&to=${T(400)}`;
const put = (path: string, token: string, body: unknown) => call('PUT', path, { token, body });

/** An authority with two families whose breaks feed every report: delivered, missed, cancelled, over the looked-after limit. */
async function county() {
  const a = await makeAuthority();
  const { provider, providerToken } = await makeProvider('RESIDENTIAL', { name: `Oak House ${uid()}` });
  const erased = await makeFamily(a.authority.id);
  const kept = await makeFamily(a.authority.id);
  await db().family.update({ where: { id: erased.family.id }, data: { name: 'The Greens', email: 'greens@example.org', phone: '07700 900001', addressLine: '1 Mill Road', postcode: 'BN11 1AA' } });
  const poppy = await makeChild(erased.family.id, a.authority.id, { needs: ['EPILEPSY_RESCUE_MEDICATION'], periodStart: T(-200), periodEnd: T(165) });
  const sam = await makeChild(erased.family.id, a.authority.id, { periodStart: T(-200), periodEnd: T(165) });
  const other = await makeChild(kept.family.id, a.authority.id, { periodStart: T(-200), periodEnd: T(165) });
  await db().child.update({ where: { id: poppy.id }, data: { firstName: 'Poppy', lastName: 'Green' } });
  await db().child.update({ where: { id: sam.id }, data: { firstName: 'Samuel', lastName: 'Green' } });

  const attended = await insertStay(poppy, provider.id, T(-60), 2);
  await db().booking.update({ where: { id: attended.id }, data: { status: 'ATTENDED', attendanceRecordedAt: new Date() } });
  const longStay = await insertStay(sam, provider.id, T(-120), 18);
  await db().booking.update({ where: { id: longStay.id }, data: { status: 'ATTENDED', attendanceRecordedAt: new Date() } });
  const cancelled = await insertStay(poppy, provider.id, T(-30), 1);
  await db().booking.update({ where: { id: cancelled.id }, data: { status: 'CANCELLED', cancelledAt: new Date(), cancelledByRole: 'FAMILY', cancelReason: 'Poppy was unwell with a chest infection' } });
  const missed = await insertStay(sam, provider.id, T(-10), 1);
  await db().booking.update({ where: { id: missed.id }, data: { status: 'NO_SHOW', noShowReason: 'PROVIDER_CANCELLED_ON_THE_DAY' } });
  const awaiting = await insertStay(other, provider.id, T(-5), 1);
  // A full night Poppy waited for and never got: unmet demand by need in the funding review.
  const full = await insertStay(other, provider.id, T(-40), 1);
  // Priced, so the cost report and the funding review have spend by funder, provider and need to keep.
  for (const [b, nights] of [[attended, 2], [longStay, 18], [cancelled, 1], [missed, 1], [awaiting, 1], [full, 1]] as const) {
    const pence = 48_000 * nights;
    await db().booking.update({ where: { id: b.id }, data: { costPence: pence, priceUnit: 'NIGHT', fundingSplit: [{ funder: 'SOCIAL_CARE', basisPoints: 10_000, pence }] } });
  }
  await db().waitlistEntry.create({ data: { childId: poppy.id, slotId: full.slotId, authorityId: a.authority.id, status: 'EXPIRED' } });
  // Poppy's rescue medication is met there: the raw inserts below must still leave only bookings the rules allow.
  const upcomingSlot = (await makeSlots(provider.id, { startDate: T(20), untilDate: T(20), capabilities: ['EPILEPSY_RESCUE_MEDICATION'] })).slots[0]!;
  const upcoming = await insertBooking(upcomingSlot, poppy);
  await insertBooking(upcomingSlot, other);
  await db().breakRequest.create({
    data: { childId: poppy.id, authorityId: a.authority.id, periodStart: T(-90), periodEnd: T(90), preferences: [], nightsWanted: 6, notes: 'Poppy loves the garden at Oak House', createdByRole: 'FAMILY' },
  });
  await db().entitlement.updateMany({ where: { childId: poppy.id }, data: { notes: 'Poppy: 36 nights agreed at panel' } });

  // The family writes the passport; the provider reads it (logged), and is told of a later change.
  await put(`/v1/children/${poppy.id}/passport`, erased.familyToken, {
    passport: { communication: 'Makaton', medication: [{ name: 'Buccal midazolam', dose: '5 mg', times: [] }], emergencyContacts: [{ name: 'Sam Green', phone: '07700 900123' }] },
    supportFlag: 'Speak slowly, Poppy needs time',
  });
  await put(`/v1/children/${poppy.id}/passport/consent/${provider.id}`, erased.familyToken, { decision: 'ALLOW' });
  expect((await get(`/v1/children/${poppy.id}/passport`, providerToken)).status).toBe(200);
  await put(`/v1/children/${poppy.id}/passport`, erased.familyToken, { passport: { communication: 'Makaton and a picture board' }, supportFlag: 'Speak slowly, Poppy needs time' });
  return { a, provider, providerToken, erased, kept, poppy, sam, other, upcoming, awaiting };
}

async function reports(token: string) {
  const [ledger, capacity, lookedAfter, costs, fundingReview] = await Promise.all([
    get(`/v1/reports/entitlements?${WINDOW}`, token),
    get(`/v1/reports/capacity?${WINDOW}`, token),
    get(`/v1/reports/looked-after?${WINDOW}`, token),
    get(`/v1/reports/costs?${WINDOW}`, token),
    get(`/v1/reports/funding-review?${WINDOW}`, token),
  ]);
  for (const r of [ledger, capacity, lookedAfter, costs, fundingReview]) expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { ledger: ledger.body, capacity: capacity.body, lookedAfter: lookedAfter.body, costs: costs.body, fundingReview: fundingReview.body };
}

/** Every figure of every report, without the names erasure replaces. */
/**
 * What erasure must not change. The capacity report covers every provider the
 * council runs or its children use, and those providers' slot counts include other
 * authorities' bookings, so only this county's provider is compared there.
 */
function totals(r: Awaited<ReturnType<typeof reports>>, providerId: string) {
  const noName = ({ childName: _name, ...rest }: { childName: string }) => rest;
  const byChild = (x: { childId: string }, y: { childId: string }) => x.childId.localeCompare(y.childId);
  return {
    ledger: r.ledger.children.map(noName).sort((x: { entitlementId: string }, y: { entitlementId: string }) => x.entitlementId.localeCompare(y.entitlementId)),
    capacity: { ...r.capacity, capacity: r.capacity.capacity.filter((row: { providerId: string }) => row.providerId === providerId) },
    lookedAfter: { ...r.lookedAfter, children: r.lookedAfter.children.map(noName) },
    costs: r.costs,
    // Children equally far behind are listed by name, so compare them in a fixed order.
    fundingReview: { ...r.fundingReview, furthestBehind: r.fundingReview.furthestBehind.map(noName).sort(byChild) },
  };
}

describe('a subject-access copy of everything held about a family', () => {
  it('is built at once for a small family, with the passport, who read it, awards, breaks and messages', async () => {
    const a = await makeAuthority();
    const { provider, providerToken } = await makeProvider('RESIDENTIAL', { name: `Elm Lodge ${uid()}` });
    const { family, familyToken } = await makeFamily(a.authority.id);
    const child = await makeChild(family.id, a.authority.id);
    const { slots } = await makeSlots(provider.id, { startDate: T(15), untilDate: T(15) });
    await insertBooking(slots[0]!, child);
    await get(`/v1/children/${child.id}/passport`, providerToken);

    const res = await post(`/v1/families/${family.id}/exports`, familyToken);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('COMPLETED');
    const data = res.body.data;
    expect(data.family).toMatchObject({ id: family.id, name: family.name });
    expect(JSON.stringify(data)).not.toContain('calendarSecretHash');
    expect(data.children[0]).toMatchObject({ id: child.id, passport: { communication: 'Talks', calming: 'Music' }, entitlements: [{ nights: 60 }] });
    expect(data.children[0].bookings).toEqual([expect.objectContaining({ provider: provider.name, status: 'CONFIRMED' })]);
    expect(data.children[0].passportReads).toEqual([expect.objectContaining({ organisation: provider.name, channel: 'API' })]);
    expect(data.history.map((h: { action: string }) => h.action)).toContain('family.export_requested');
    expect((await get(`/v1/exports/${res.body.id}`, familyToken)).body).toMatchObject({ status: 'COMPLETED', data: { family: { id: family.id } } });

    // Only the family and its own council.
    const stranger = await makeFamily(a.authority.id);
    expectProblem(await post(`/v1/families/${family.id}/exports`, stranger.familyToken), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/exports/${res.body.id}`, stranger.familyToken), 404, 'NOT_FOUND');
    expectProblem(await post(`/v1/families/${family.id}/exports`, providerToken), 403, 'FORBIDDEN');
    expectProblem(await get(`/v1/exports/${res.body.id}`, (await makeAuthority()).coordinatorToken), 404, 'NOT_FOUND');
    // The council asks on the family's behalf, but its copy does not show the passport: that is the family's to share.
    const councils = await post(`/v1/families/${family.id}/exports`, a.coordinatorToken);
    expect(councils.status).toBe(202);
    expect(councils.body.data.children[0]).toMatchObject({ id: child.id, passport: {}, passportWithheld: expect.stringContaining("family's own copy"), bookings: [expect.objectContaining({ provider: provider.name })] });
    expect(JSON.stringify(councils.body.data)).not.toContain('Music');
    expect((await get(`/v1/exports/${councils.body.id}`, a.coordinatorToken)).body.data.children[0].passport).toEqual({});
    // The same copy, read by the family, has it all.
    expect((await get(`/v1/exports/${councils.body.id}`, familyToken)).body.data.children[0].passport).toMatchObject({ communication: 'Talks', calming: 'Music' });
  });

  it('is built by the worker for a larger family, through the job outbox', async () => {
    const c = await county();
    const res = await post(`/v1/families/${c.erased.family.id}/exports`, c.erased.familyToken);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'QUEUED', data: null });
    expect(await db().jobOutbox.count({ where: { jobId: `export-${res.body.id}` } })).toBe(1);
    const done = await waitFor('the export job', async () => {
      const r = await get(`/v1/exports/${res.body.id}`, c.erased.familyToken);
      return r.body.status === 'COMPLETED' ? r.body : null;
    }, 60_000);
    const poppy = done.data.children.find((ch: { id: string }) => ch.id === c.poppy.id);
    expect(poppy).toMatchObject({ firstName: 'Poppy', supportFlag: 'Speak slowly, Poppy needs time', passport: { communication: 'Makaton and a picture board' } });
    expect(poppy.bookings).toHaveLength(3);
    expect(poppy.passportConsent).toEqual([expect.objectContaining({ providerId: c.provider.id, decision: 'ALLOW' })]);
    expect(poppy.requests[0]).toMatchObject({ nightsWanted: 6, notes: 'Poppy loves the garden at Oak House' });
    expect(done.data.messages.some((m: { subject: string }) => m.subject.includes("Poppy's passport has changed"))).toBe(true);
    expect(done.data.history.some((h: { action: string }) => h.action === 'passport.updated')).toBe(true);
  });
});

describe('erasure', () => {
  it('on a valid request removes the family’s personal data and leaves every report total unchanged', async () => {
    const c = await county();
    const coordinator = c.a.coordinatorToken;
    const before = await reports(coordinator);
    expect(before.ledger.children.length).toBe(3);
    expect(before.lookedAfter.children.map((ch: { childId: string }) => ch.childId)).toContain(c.sam.id);
    // The money and the unmet demand are there to keep, by need too.
    expect(before.costs.totals.deliveredPence).toBe(48_000 * 20);
    expect(before.costs.byNeed).toEqual(expect.arrayContaining([expect.objectContaining({ need: 'EPILEPSY_RESCUE_MEDICATION', deliveredPence: 96_000 })]));
    expect(before.fundingReview.unmetDemand).toEqual(expect.arrayContaining([expect.objectContaining({ need: 'EPILEPSY_RESCUE_MEDICATION', waitingListUnits: 1 })]));
    const bookingsBefore = await db().booking.count({ where: { authorityId: c.a.authority.id } });

    const path = `/v1/families/${c.erased.family.id}/erasure`;
    // The reason is a reference to the request, not a copy of it (it stays in the audit after erasure).
    const body = { reason: 'Written request received 1 December 2026, reference DP-0042' };
    expectProblem(await post(path, coordinator, { reason: 'because' }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, c.erased.familyToken, body), 403, 'FORBIDDEN');
    expectProblem(await post(path, (await makeAuthority()).coordinatorToken, body), 404, 'NOT_FOUND');
    // A break still to come must be cancelled first: its provider would otherwise expect a child it cannot name.
    expectProblem(await post(path, coordinator, body), 409, 'CONFLICT');
    expect((await db().family.findUniqueOrThrow({ where: { id: c.erased.family.id } })).erasedAt).toBeNull();
    expect((await post(`/v1/bookings/${c.upcoming.id}/cancel`, c.erased.familyToken, { reason: 'Poppy is moving away' })).status).toBe(200);
    const beforeErasure = await reports(coordinator);

    const done = await post(path, coordinator, body);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ familyId: c.erased.family.id, children: 2, bookingsKept: 5 });

    // Every report adds up exactly as before; only the names are gone.
    const after = await reports(coordinator);
    expect(totals(after, c.provider.id)).toEqual(totals(beforeErasure, c.provider.id));
    expect(after.ledger.children.find((r: { childId: string }) => r.childId === c.poppy.id).childName).not.toContain('Poppy');
    expect(await db().booking.count({ where: { authorityId: c.a.authority.id } })).toBe(bookingsBefore);

    // The personal data is gone.
    expect(await db().family.findUniqueOrThrow({ where: { id: c.erased.family.id } })).toMatchObject({ name: 'Erased family', email: null, phone: null, addressLine: null, postcode: null, lat: null });
    const poppy = await db().child.findUniqueOrThrow({ where: { id: c.poppy.id } });
    expect(poppy).toMatchObject({ firstName: 'Erased', passport: {}, supportFlag: null });
    // Her care-need category stays with the pseudonym: the cost report and the funding review count by it.
    expect(poppy.needs).toEqual(['EPILEPSY_RESCUE_MEDICATION']);
    expect(poppy.dateOfBirth.toISOString().slice(5, 10)).toBe('07-01');
    expect(await db().passportRead.count({ where: { childId: { in: [c.poppy.id, c.sam.id] } } })).toBe(0);
    expect(await db().passportConsent.count({ where: { childId: c.poppy.id } })).toBe(0);
    expect(await db().notification.count({ where: { OR: [{ recipientId: c.erased.family.id }, { payload: { path: ['childId'], equals: c.poppy.id } }] } })).toBe(0);
    expect(await db().subjectAccessExport.count({ where: { familyId: c.erased.family.id } })).toBe(0);
    expect((await db().breakRequest.findFirstOrThrow({ where: { childId: c.poppy.id } })).notes).toBeNull();
    expect((await db().booking.findFirstOrThrow({ where: { childId: c.poppy.id, status: 'CANCELLED', cancelReason: { not: null } }, select: { id: true } }).catch(() => null))).toBeNull();
    const events = await db().auditEvent.findMany({ where: { OR: [{ entityId: { in: [c.erased.family.id, c.poppy.id, c.sam.id] } }, { booking: { childId: { in: [c.poppy.id, c.sam.id] } } }] } });
    expect(events.length).toBeGreaterThan(3);
    for (const word of ['Poppy', 'Samuel', 'Greens', 'Makaton', 'midazolam', 'moving away', '07700']) expect(JSON.stringify(events)).not.toContain(word);
    expect(events.find((e) => e.action === 'family.erased')).toMatchObject({ actorRole: 'COORDINATOR', after: { reason: body.reason } });
    expectProblem(await get(`/v1/families/${c.erased.family.id}`, c.erased.familyToken), 401, 'UNAUTHENTICATED');
    // The rest of the county is untouched.
    expect(await db().family.findUniqueOrThrow({ where: { id: c.kept.family.id } })).toMatchObject({ erasedAt: null });
    expectProblem(await post(path, coordinator, body), 409, 'CONFLICT');
  });

  it('when retention runs out erases families with nothing for six years, deletes old access logs, and every total still adds up', async () => {
    const c = await county();
    const coordinator = c.a.coordinatorToken;
    await db().booking.update({ where: { id: c.upcoming.id }, data: { status: 'CANCELLED', cancelledAt: new Date(), cancelledByRole: 'FAMILY' } });
    await db().booking.updateMany({ where: { slotId: (await db().booking.findUniqueOrThrow({ where: { id: c.upcoming.id } })).slotId, childId: c.other.id }, data: { status: 'CANCELLED', cancelledAt: new Date(), cancelledByRole: 'FAMILY' } });
    await db().booking.update({ where: { id: c.awaiting.id }, data: { status: 'ATTENDED' } });
    const before = totals(await reports(coordinator), c.provider.id);

    // Today nothing is due.
    expect((await applyRetention({ authorityId: c.a.authority.id })).familiesErased).toEqual([]);
    // Seven years on, both families' last award ended over six years ago, and the access log is past its two years.
    const later = new Date(Date.now() + 7 * 365 * 864e5);
    const run = await applyRetention({ now: later, authorityId: c.a.authority.id });
    expect(run.familiesErased.sort()).toEqual([c.erased.family.id, c.kept.family.id].sort());
    expect(run.passportReads).toBe(1); // Oak House's read, now over two years old
    expect(await db().family.count({ where: { authorityId: c.a.authority.id, erasedAt: null } })).toBe(0);
    expect(totals(await reports(coordinator), c.provider.id)).toEqual(before);
    expect((await db().auditEvent.findFirstOrThrow({ where: { entityId: c.kept.family.id, action: 'family.erased' } })).actorRole).toBe('SYSTEM');
    // Running it again finds nothing more to do.
    expect((await applyRetention({ now: later, authorityId: c.a.authority.id })).familiesErased).toEqual([]);
  });

  it('deletes passport reads past their retention and keeps newer ones', async () => {
    const c = await county();
    const reads = await db().passportRead.findMany({ where: { childId: c.poppy.id } });
    expect(reads.length).toBe(1);
    await db().passportRead.update({ where: { id: reads[0]!.id }, data: { at: new Date(Date.now() - 800 * 864e5) } });
    await get(`/v1/children/${c.poppy.id}/passport`, c.providerToken);
    const run = await applyRetention({ authorityId: c.a.authority.id });
    expect(run.passportReads).toBe(1);
    expect(await db().passportRead.count({ where: { childId: c.poppy.id } })).toBe(1);
  });
});

describe('retention rules', () => {
  it('are configurable per record type, with the defaults the README documents, and the privacy page states the ones in force', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const documented = Object.fromEntries(
      [...readme.matchAll(/^\s*\| [^|]+ \| (\d+) (days|years)[^|]* \| `(RETENTION_[A-Z_]+)` \|$/gm)].map((m) => [m[3]!, Number(m[1])]),
    );
    const defaults = loadConfig({});
    const variables = Object.keys(defaults).filter((k) => k.startsWith('RETENTION_'));
    expect(Object.keys(documented).sort()).toEqual(variables.sort());
    for (const v of variables) expect(documented[v], v).toBe(defaults[v as keyof typeof defaults]);

    // A council that keeps the access log for 90 days: a read 100 days old goes, which the default keeps.
    const c = await county();
    const read = (await db().passportRead.findMany({ where: { childId: c.poppy.id } }))[0]!;
    await db().passportRead.update({ where: { id: read.id }, data: { at: new Date(Date.now() - 100 * 864e5) } });
    expect((await applyRetention({ authorityId: c.a.authority.id })).passportReads).toBe(0);
    const shorter = loadConfig({ RETENTION_PASSPORT_READS_DAYS: '90' });
    expect((await applyRetention({ authorityId: c.a.authority.id, config: shorter })).passportReads).toBe(1);
    expect(await db().passportRead.count({ where: { childId: c.poppy.id } })).toBe(0);
    expect(() => loadConfig({ RETENTION_PASSPORT_READS_DAYS: '7' })).toThrow(/RETENTION_PASSPORT_READS_DAYS/);

    // What the family is told is what is in force.
    expect(retentionRules(shorter).find((r) => r.record === 'Who has read a passport')?.keptFor).toBe('90 days');
    const parent = pageBrowser();
    await parent.signIn(c.erased.familyToken);
    const privacy = await parent.request('/family/privacy');
    expect(privacy.status).toBe(200);
    for (const rule of retentionRules(defaults)) expect(privacy.html).toContain(rule.keptFor);
  });
});
