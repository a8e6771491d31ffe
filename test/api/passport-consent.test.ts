/**
 * The family decides who sees the medical passport (DESIGN.md "People, sign-in
 * and consent"; src/services/access.ts): the default (providers holding a live
 * booking), narrowed (a provider denied), widened (a provider allowed before a
 * visit), a coordinator's emergency override (reason, audit, family told), and
 * transport staff seeing the journey sections only. Every read by anyone but
 * the family lands in the access log the family reads.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { mintSignInLink } from '../../src/services/sign-in-links.js';
import { mintToken } from '../../src/services/tokens.js';
import { call, expectProblem, get, post } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';
import { addTestMembership, makePerson, personToken } from '../support/people.js';
import { pageBrowser } from '../support/web-browser.js';

afterAll(closeConnections);

const put = (path: string, token: string, body: unknown) => call('PUT', path, { token, body });
const del = (path: string, token: string) => call('DELETE', path, { token });

const POPPY = {
  communication: 'Uses Makaton signs and a picture board',
  behaviours: 'Covers her ears when it is loud; that means she needs a break',
  calming: 'Her blue blanket and the song "Twinkle twinkle"',
  medical: 'Epilepsy: tonic-clonic seizures, usually at night',
  medication: [
    { name: 'Buccal midazolam', dose: '5 mg', times: [], notes: 'If a seizure lasts over 5 minutes' },
    { name: 'Sodium valproate', dose: '200 mg', times: ['08:00', '20:00'] },
  ],
  allergies: [{ substance: 'Penicillin', reaction: 'Rash' }],
  equipment: ['Wheelchair', 'Bed rails'],
  emergencyContacts: [{ name: 'Sam Green', relationship: 'Mum', phone: '07700 900123' }],
  gp: { name: 'Dr Patel', practice: 'Downland Surgery', phone: '01903 000111' },
};

interface World {
  coordinator: string;
  coordinatorB: string;
  family: string;
  familyId: string;
  otherFamily: string;
  childId: string;
  booked: { id: string; token: string; name: string };
  visiting: { id: string; token: string; name: string };
  stranger: { id: string; token: string };
}
let w: World;

beforeAll(async () => {
  const a = await makeAuthority();
  const b = await makeAuthority();
  const f = await makeFamily(a.authority.id);
  const g = await makeFamily(a.authority.id);
  const child = await makeChild(f.family.id, a.authority.id, { needs: ['EPILEPSY_RESCUE_MEDICATION'] });
  const booked = await makeProvider('RESIDENTIAL', { name: `Oak House ${uid()}` });
  const visiting = await makeProvider('RESIDENTIAL', { name: `Elm Lodge ${uid()}` });
  const stranger = await makeProvider('RESIDENTIAL');
  const { slots } = await makeSlots(booked.provider.id, { startDate: daysFromToday(30), untilDate: daysFromToday(30), capabilities: ['EPILEPSY_RESCUE_MEDICATION'] });
  await insertBooking(slots[0]!, child);
  // Poppy's family writes the passport itself.
  const saved = await put(`/v1/children/${child.id}/passport`, f.familyToken, { passport: POPPY, supportFlag: 'Speak slowly; warn her before touching.' });
  expect(saved.status).toBe(200);
  w = {
    coordinator: a.coordinatorToken,
    coordinatorB: b.coordinatorToken,
    family: f.familyToken,
    familyId: f.family.id,
    otherFamily: g.familyToken,
    childId: child.id,
    booked: { id: booked.provider.id, token: booked.providerToken, name: booked.provider.name },
    visiting: { id: visiting.provider.id, token: visiting.providerToken, name: visiting.provider.name },
    stranger: { id: stranger.provider.id, token: stranger.providerToken },
  };
});

const log = async () => (await get(`/v1/children/${w.childId}/passport/access-log?limit=200`, w.family)).body.items as { organisationName: string; channel: string; level: string; basis: string; role: string }[];

describe('by default, providers holding a live booking see the passport', () => {
  it('shows the booked provider the whole passport and the support flag; nobody else', async () => {
    const seen = await get(`/v1/children/${w.childId}/passport`, w.booked.token);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ level: 'FULL', basis: 'BOOKING', supportFlag: 'Speak slowly; warn her before touching.', passport: POPPY });
    expect((await get(`/v1/children/${w.childId}`, w.booked.token)).body.passport).toEqual(POPPY);

    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.visiting.token), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.otherFamily), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.coordinatorB), 404, 'NOT_FOUND');
    // The council's own team sees the child but not the passport, unless it is an emergency.
    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.coordinator), 403, 'FORBIDDEN');
    expect((await get(`/v1/children/${w.childId}`, w.coordinator)).body).toMatchObject({ id: w.childId, passport: null, supportFlag: 'Speak slowly; warn her before touching.' });
  });
});

describe('the family narrows and widens it per provider', () => {
  it('stops the booked provider seeing it (it still sees the child and the support flag), then restores the default', async () => {
    const denied = await put(`/v1/children/${w.childId}/passport/consent/${w.booked.id}`, w.family, { decision: 'DENY' });
    expect(denied.status).toBe(200);
    expect(denied.body.providers).toEqual(expect.arrayContaining([expect.objectContaining({ providerId: w.booked.id, decision: 'DENY', hasLiveBooking: true, canSee: false })]));

    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.booked.token), 403, 'FORBIDDEN');
    const child = await get(`/v1/children/${w.childId}`, w.booked.token);
    expect(child.body).toMatchObject({ id: w.childId, passport: null, supportFlag: 'Speak slowly; warn her before touching.' });
    expect(await db().auditEvent.count({ where: { entityId: w.childId, action: 'passport.consent_set', actorRole: 'FAMILY' } })).toBeGreaterThan(0);

    const restored = await del(`/v1/children/${w.childId}/passport/consent/${w.booked.id}`, w.family);
    expect(restored.body.providers.find((p: { providerId: string }) => p.providerId === w.booked.id)).toMatchObject({ decision: null, canSee: true });
    expect((await get(`/v1/children/${w.childId}/passport`, w.booked.token)).status).toBe(200);
  });

  it('shares it with a provider the family is about to visit, without a booking', async () => {
    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.visiting.token), 404, 'NOT_FOUND');
    await put(`/v1/children/${w.childId}/passport/consent/${w.visiting.id}`, w.family, { decision: 'ALLOW' });
    const seen = await get(`/v1/children/${w.childId}/passport`, w.visiting.token);
    expect(seen.body).toMatchObject({ level: 'FULL', basis: 'FAMILY_ALLOWED', passport: { medication: POPPY.medication } });
    // Sharing the passport is not a booking: the child's record and bookings stay closed to it.
    expect((await get(`/v1/children/${w.childId}`, w.visiting.token)).status).toBe(404);
    expect((await get(`/v1/children/${w.childId}/passport`, w.stranger.token)).status).toBe(404);
  });

  it('on its page, finds a provider it is about to visit by name, however many providers the country has, and shares the passport with it', async () => {
    // A name that sorts after every other provider's: the page once offered only the first 500 by name.
    const { provider: farm, providerToken: farmToken } = await makeProvider('COMMUNITY', { name: `Zz Meadow Farm ${uid()}` });
    const parent = pageBrowser();
    await parent.signIn(w.family);
    const plain = await parent.request(`/family/children/${w.childId}/passport`);
    expect(plain.status).toBe(200);
    expect(plain.html).not.toContain(farm.name);
    const found = await parent.request(`/family/children/${w.childId}/passport?find=${encodeURIComponent(farm.name.slice(3).toLowerCase())}`);
    expect(found.status).toBe(200);
    expect(found.html).toContain(`<option value="${farm.id}">${farm.name}</option>`);
    expect((await parent.request(`/family/children/${w.childId}/passport?find=nothing-is-called-this-${uid()}`)).html).toContain('No other provider');

    expectProblem(await get(`/v1/children/${w.childId}/passport`, farmToken), 404, 'NOT_FOUND');
    const shared = await parent.request(`/family/children/${w.childId}/consent`, { method: 'POST', form: { _csrf: parent.csrfOf(found.html), decision: 'ALLOW', providerId: farm.id } });
    expect(shared).toMatchObject({ status: 303, location: `/family/children/${w.childId}/passport?done=consent` });
    expect((await get(`/v1/children/${w.childId}/passport`, farmToken)).body).toMatchObject({ basis: 'FAMILY_ALLOWED', level: 'FULL' });
    const after = await parent.request(`/family/children/${w.childId}/passport`);
    expect(after.html.slice(after.html.indexOf('Providers and the passport'))).toContain(farm.name);
    await del(`/v1/children/${w.childId}/passport/consent/${farm.id}`, w.family);
  });

  it('only the family chooses, and only for its own child', async () => {
    expectProblem(await put(`/v1/children/${w.childId}/passport/consent/${w.stranger.id}`, w.coordinator, { decision: 'ALLOW' }), 403, 'FORBIDDEN');
    expectProblem(await put(`/v1/children/${w.childId}/passport/consent/${w.stranger.id}`, w.booked.token, { decision: 'ALLOW' }), 403, 'FORBIDDEN');
    expectProblem(await put(`/v1/children/${w.childId}/passport/consent/${w.stranger.id}`, w.otherFamily, { decision: 'ALLOW' }), 404, 'NOT_FOUND');
    expectProblem(await put(`/v1/children/${w.childId}/passport/consent/${w.stranger.id}`, w.family, { decision: 'MAYBE' }), 400, 'VALIDATION_FAILED');
    expectProblem(await put(`/v1/children/${w.childId}/passport/consent/${crypto.randomUUID()}`, w.family, { decision: 'ALLOW' }), 404, 'NOT_FOUND');
    expect(await db().passportConsent.count({ where: { childId: w.childId, providerId: w.stranger.id } })).toBe(0);
  });
});

describe('a coordinator’s emergency override', () => {
  it('needs a reason, opens the passport past a denial for a limited time, is audited and tells the family', async () => {
    await put(`/v1/children/${w.childId}/passport/consent/${w.booked.id}`, w.family, { decision: 'DENY' });
    const path = `/v1/children/${w.childId}/passport/emergency-access`;
    expectProblem(await post(path, w.coordinator, { providerId: w.booked.id }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, w.coordinator, { reason: 'urgent', providerId: w.booked.id }), 400, 'VALIDATION_FAILED');
    expectProblem(await post(path, w.booked.token, { reason: 'Poppy had a seizure at Oak House and staff need her rescue plan' }), 403, 'FORBIDDEN');
    expectProblem(await post(path, w.coordinatorB, { reason: 'Poppy had a seizure at Oak House and staff need her rescue plan' }), 404, 'NOT_FOUND');
    expect(await db().passportEmergencyAccess.count({ where: { childId: w.childId } })).toBe(0);

    const reason = 'Poppy had a seizure at Oak House and staff need her rescue plan';
    const granted = await post(path, w.coordinator, { reason, providerId: w.booked.id, hours: 4 });
    expect(granted.status).toBe(201);
    expect(Date.parse(granted.body.expiresAt) - Date.parse(granted.body.createdAt)).toBe(4 * 3600_000);

    expect((await get(`/v1/children/${w.childId}/passport`, w.booked.token)).body).toMatchObject({ basis: 'EMERGENCY', level: 'FULL' });
    expect((await get(`/v1/children/${w.childId}/passport`, w.coordinator)).body).toMatchObject({ basis: 'EMERGENCY', passport: POPPY });
    expect(await db().auditEvent.findFirst({ where: { entityId: w.childId, action: 'passport.emergency_access' } })).toMatchObject({ actorRole: 'COORDINATOR', after: { reason } });
    const told = await db().notification.findFirst({ where: { recipientRole: 'FAMILY', recipientId: w.familyId, dedupeKey: `passport-emergency-${granted.body.id}` } });
    expect(told?.body).toContain(reason);
    expect(told?.body).toContain(w.booked.name);
    expect((await get(`/v1/children/${w.childId}/passport/consent`, w.family)).body.emergencyAccess).toEqual([expect.objectContaining({ reason, active: true })]);

    // Once it ends, the family's denial holds again.
    await db().passportEmergencyAccess.update({ where: { id: granted.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.booked.token), 403, 'FORBIDDEN');
    expectProblem(await get(`/v1/children/${w.childId}/passport`, w.coordinator), 403, 'FORBIDDEN');
    await del(`/v1/children/${w.childId}/passport/consent/${w.booked.id}`, w.family);
  });
});

describe('transport staff', () => {
  it('see only communication, behaviours and what calms the child, for children on their vehicle’s runs', async () => {
    const a = await makeAuthority();
    const f = await makeFamily(a.authority.id);
    const rider = await makeChild(f.family.id, a.authority.id);
    const notRiding = await makeChild(f.family.id, a.authority.id);
    await put(`/v1/children/${rider.id}/passport`, f.familyToken, { passport: POPPY, supportFlag: 'Sit her by the window.' });
    const { provider } = await makeProvider('RESIDENTIAL');
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(20), untilDate: daysFromToday(21) });
    const booking = await insertBooking(slots[0]!, rider);
    await insertBooking(slots[1]!, notRiding);
    const vehicle = await db().vehicle.create({ data: { authorityId: a.authority.id, name: `Minibus ${uid()}`, seats: 8, wheelchairSpaces: 2, hasEscort: true, baseLat: 50.8, baseLng: -0.3 } });
    const otherVehicle = await db().vehicle.create({ data: { authorityId: a.authority.id, name: `Car ${uid()}`, seats: 3, wheelchairSpaces: 0, baseLat: 50.8, baseLng: -0.3 } });
    const run = await db().transportRun.create({
      data: { vehicleId: vehicle.id, providerId: provider.id, direction: 'TO_BREAK', departAt: new Date(slots[0]!.startsAt.getTime() - 3600_000), returnAt: slots[0]!.startsAt },
    });
    await db().transportSeat.create({ data: { runId: run.id, bookingId: booking.id, childId: rider.id } });
    const driver = await mintToken({ role: 'TRANSPORT', vehicleId: vehicle.id }, { label: 'Driver Jo' });
    const otherDriver = await mintToken({ role: 'TRANSPORT', vehicleId: otherVehicle.id });

    const seen = await get(`/v1/children/${rider.id}/passport`, driver);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ level: 'JOURNEY', basis: 'TRANSPORT_RUN', supportFlag: 'Sit her by the window.' });
    expect(seen.body.passport).toEqual({ communication: POPPY.communication, behaviours: POPPY.behaviours, calming: POPPY.calming });
    expect((await get(`/v1/children/${rider.id}`, driver)).body).toMatchObject({ passport: { calming: POPPY.calming }, ledger: null });
    expect((await get(`/v1/children/${rider.id}`, driver)).body.passport.medication).toBeUndefined();

    expectProblem(await get(`/v1/children/${notRiding.id}/passport`, driver), 404, 'NOT_FOUND');
    expectProblem(await get(`/v1/children/${rider.id}/passport`, otherDriver), 404, 'NOT_FOUND');
    // Nothing else is open to them.
    for (const path of [`/v1/families/${f.family.id}`, '/v1/bookings', `/v1/children/${rider.id}/passport/access-log`, '/v1/vehicles', `/v1/slots?from=${daysFromToday(20)}&to=${daysFromToday(21)}`]) {
      expectProblem(await get(path, driver), 403, 'FORBIDDEN');
    }
    const reads = (await get(`/v1/children/${rider.id}/passport/access-log`, f.familyToken)).body.items;
    expect(reads[0]).toMatchObject({ role: 'TRANSPORT', who: 'Driver Jo', organisationType: 'VEHICLE', level: 'JOURNEY', channel: 'API' });
    expect(reads[0].organisationName).toContain(vehicle.name);
  });
});

describe('the access log', () => {
  it('records every read by anyone but the family, with who, which organisation, how and when', async () => {
    const before = (await log()).length;
    const started = Date.now();
    await get(`/v1/children/${w.childId}/passport`, w.booked.token);
    await get(`/v1/children/${w.childId}`, w.booked.token);
    await get(`/v1/children/${w.childId}/passport`, w.family);
    await get(`/v1/families/${w.familyId}`, w.family);
    const after = await log();
    expect(after.length).toBe(before + 2);
    expect(after.slice(0, 2)).toEqual([
      expect.objectContaining({ role: 'PROVIDER', organisationName: w.booked.name, channel: 'API', level: 'FULL', basis: 'BOOKING' }),
      expect.objectContaining({ role: 'PROVIDER', organisationName: w.booked.name, channel: 'API', level: 'FULL', basis: 'BOOKING' }),
    ]);
    const newest = (await get(`/v1/children/${w.childId}/passport/access-log?limit=1`, w.family)).body;
    expect(Date.parse(newest.items[0].at)).toBeGreaterThanOrEqual(started - 1000);
    expect(newest.nextCursor).toBe(newest.items[0].id);
    const next = (await get(`/v1/children/${w.childId}/passport/access-log?limit=1&cursor=${newest.nextCursor}`, w.family)).body;
    expect(next.items[0].id).not.toBe(newest.items[0].id);

    // A refusal is not a read.
    await put(`/v1/children/${w.childId}/passport/consent/${w.booked.id}`, w.family, { decision: 'DENY' });
    await get(`/v1/children/${w.childId}/passport`, w.booked.token);
    await get(`/v1/children/${w.childId}`, w.booked.token);
    expect((await log()).length).toBe(before + 2);
    await del(`/v1/children/${w.childId}/passport/consent/${w.booked.id}`, w.family);

    for (const token of [w.booked.token, w.otherFamily]) {
      expect([403, 404]).toContain((await get(`/v1/children/${w.childId}/passport/access-log`, token)).status);
    }
    // The child's coordinator sees who has read the passport (on the child's record), never the passport itself.
    const seen = await get(`/v1/children/${w.childId}/passport/access-log`, w.coordinator);
    expect(seen.status).toBe(200);
    expect(seen.body.items.length).toBeGreaterThan(0);
  });
});

describe('the access log names the person', () => {
  it('who read it on a page signed in with their own email, or through their own key, with their organisation; the family sees them on its page', async () => {
    const jo = await makePerson(`Jo Staff ${uid()}`);
    const { personId } = await addTestMembership(jo, { role: 'PROVIDER_STAFF', providerId: w.booked.id });
    const staff = pageBrowser();
    const link = await mintSignInLink(db(), personId);
    const landing = await staff.request(link.path);
    expect(landing.status).toBe(200);
    const secret = /name="secret" value="([^"]+)"/.exec(landing.html)?.[1] ?? '';
    expect(await staff.request('/sign-in/link', { method: 'POST', form: { _csrf: staff.csrfOf(landing.html), secret } })).toMatchObject({ status: 303, location: '/provider' });
    const page = await staff.request(`/provider/children/${w.childId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Speak slowly; warn her before touching.');

    const sam = await makePerson(`Sam Manager ${uid()}`);
    const samKey = await personToken(sam, { role: 'PROVIDER_MANAGER', providerId: w.booked.id });
    expect((await get(`/v1/children/${w.childId}/passport`, samKey)).status).toBe(200);

    const [api, onPage] = (await get(`/v1/children/${w.childId}/passport/access-log?limit=2`, w.family)).body.items;
    expect(onPage).toMatchObject({ who: jo.name, role: 'PROVIDER', organisationName: w.booked.name, channel: 'PAGE', level: 'FULL', basis: 'BOOKING' });
    expect(api).toMatchObject({ who: sam.name, organisationName: w.booked.name, channel: 'API' });

    const parent = pageBrowser();
    await parent.signIn(w.family);
    const log = await parent.request(`/family/children/${w.childId}/passport`);
    expect(log.status).toBe(200);
    const seen = log.html.slice(log.html.indexOf("Who has seen"));
    expect(seen).toContain(jo.name);
    expect(seen).toContain(sam.name);
    expect(seen).toContain(w.booked.name);
  });
});

describe('the family edits the passport', () => {
  it('validates each section, audits which sections changed, and tells the provider of the booked break', async () => {
    const path = `/v1/children/${w.childId}/passport`;
    const bad = expectProblem(await put(path, w.family, { passport: { ...POPPY, medication: [{ name: 'Valproate', dose: '200 mg', times: ['8am'] }] } }), 400, 'VALIDATION_FAILED');
    expect(bad.errors?.[0]?.path).toBe('body.passport.medication.0.times.0');
    expectProblem(await put(path, w.family, { passport: { ...POPPY, shoeSize: '3' } }), 400, 'VALIDATION_FAILED');
    expectProblem(await put(path, w.coordinator, { passport: POPPY }), 403, 'FORBIDDEN');
    expectProblem(await put(path, w.booked.token, { passport: POPPY }), 403, 'FORBIDDEN');

    const changed = { ...POPPY, allergies: [...POPPY.allergies, { substance: 'Peanuts', reaction: 'Anaphylaxis: EpiPen in her bag' }] };
    const since = new Date();
    const saved = await put(path, w.family, { passport: changed, supportFlag: 'Speak slowly; warn her before touching.' });
    expect(saved.body.passport.allergies).toHaveLength(2);
    const event = await db().auditEvent.findFirst({ where: { entityId: w.childId, action: 'passport.updated' }, orderBy: { at: 'desc' } });
    expect(event).toMatchObject({ actorRole: 'FAMILY', after: { sections: ['allergies'] } });
    // The audit names the section, never its content.
    expect(JSON.stringify(event)).not.toContain('Peanuts');

    const notices = await db().notification.findMany({ where: { recipientRole: 'PROVIDER', createdAt: { gte: since }, payload: { path: ['childId'], equals: w.childId } } });
    const toBooked = notices.filter((n) => n.recipientId === w.booked.id);
    expect(toBooked.map((n) => (n.payload as { sections: string[] }).sections)).toEqual([['allergies']]);
    expect(toBooked).toHaveLength(1);
    expect(toBooked[0]!.subject).toContain(daysFromToday(30).slice(0, 4));
    // The visiting provider has no booked break, so nothing to be told before.
    expect(notices.filter((n) => n.recipientId === w.visiting.id)).toHaveLength(0);

    // Saving the same passport again changes nothing and tells no one.
    await put(path, w.family, { passport: changed, supportFlag: 'Speak slowly; warn her before touching.' });
    expect(await db().notification.count({ where: { recipientRole: 'PROVIDER', createdAt: { gte: since }, payload: { path: ['childId'], equals: w.childId } } })).toBe(notices.length);
  });
});

describe('passports written before the sections existed', () => {
  it('are moved into the sections by the migration without losing a word', async () => {
    const a = await makeAuthority();
    const f = await makeFamily(a.authority.id);
    const child = await makeChild(f.family.id, a.authority.id);
    const legacy = {
      communication: 'Speaks in short sentences',
      behaviours: '',
      medical: 'Asthma',
      medication: 'Salbutamol inhaler 2 puffs when wheezy',
      calming: 'Trains',
      dietary: 'No pork',
      emergencyContact: 'Gran, 07700 900456',
    };
    await db().$executeRaw`UPDATE child SET passport = ${JSON.stringify(legacy)}::jsonb WHERE id = ${child.id}`;
    const sql = await readFile(new URL('../../prisma/migrations/20261201101025_passport_consent/migration.sql', import.meta.url), 'utf8');
    const update = sql.slice(sql.indexOf('UPDATE "child" c'));
    await db().$executeRawUnsafe(update.replace('WHERE jsonb_typeof', `WHERE c.id = '${child.id}' AND jsonb_typeof`));
    const read = await get(`/v1/children/${child.id}/passport`, f.familyToken);
    expect(read.status).toBe(200);
    expect(read.body.passport).toEqual({
      communication: 'Speaks in short sentences',
      medical: 'Asthma',
      calming: 'Trains',
      otherNotes: 'Diet: No pork\nEmergency contact: Gran, 07700 900456\nMedication: Salbutamol inhaler 2 puffs when wheezy',
    });
    for (const text of Object.values(legacy).filter(Boolean)) expect(JSON.stringify(read.body.passport)).toContain(text);
  });
});
