/**
 * The Open Referral UK feed, as a Local Offer directory reads it: no token,
 * HSDS 3.1 documents that validate against the published schemas (closed to
 * the properties HSDS declares), paging as HSDS's openapi.json says, ETag
 * caching, capacity in bed-nights and sessions — and never a child's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { addDays } from '../../src/domain/london-time.js';
import { get, call } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday, nextWeekday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { HSDS_SCHEMAS, hsdsProblems, pageProblems } from '../support/hsds.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

let tag: string;
let code: string;
let otherCode: string;
let home: { id: string };
let club: { id: string };
let carers: { id: string };
let child: { id: string; firstName: string; lastName: string; familyId: string };
let bookingId: string;
let reservedRuleId: string;

beforeAll(async () => {
  tag = `Feed${uid()}`;
  const a = await makeAuthority();
  const other = await makeAuthority();
  code = a.authority.code;
  otherCode = other.authority.code;
  home = (await makeProvider('RESIDENTIAL', { name: `${tag} Lodge` })).provider;
  club = (await makeProvider('COMMUNITY', { name: `${tag} Saturday Club` })).provider;
  carers = (await makeProvider('FAMILY_BASED', { name: `${tag} Link Families` })).provider;
  await db().provider.update({ where: { id: home.id }, data: { email: 'lodge@example.org', phone: '01903 000000', addressLine: '1 Test Lane, Worthing' } });

  // Overnight beds open to all, every night for a fortnight from tomorrow, 3 places; priced per night.
  const beds = await makeSlots(home.id, { startDate: daysFromToday(1), untilDate: daysFromToday(14), places: 3, capabilities: ['GASTROSTOMY', 'WHEELCHAIR'] });
  await db().capacityRule.update({ where: { id: beds.rule.id }, data: { name: 'Nursing beds' } });
  await db().capacityPrice.create({ data: { capacityRuleId: beds.rule.id, unit: 'NIGHT', pence: 45_000, effectiveFrom: daysFromToday(0) } });
  // Two beds block-contracted to authority A: in A's Local Offer only.
  const reserved = await makeSlots(home.id, { startDate: daysFromToday(1), untilDate: daysFromToday(7), places: 2, capabilities: ['AUTISM'], reservedForAuthorityId: a.authority.id });
  reservedRuleId = reserved.rule.id;
  // A Saturday day session in summer months only: HSDS has no BYMONTH, so it is said in words.
  await makeSlots(club.id, { rrule: 'FREQ=WEEKLY;BYDAY=SA;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12', startDate: daysFromToday(1), untilDate: daysFromToday(27), startTime: '10:00', durationMinutes: 300, places: 10, capabilities: ['AUTISM'] });
  await db().capacityPrice.create({ data: { capacityRuleId: (await db().capacityRule.findFirstOrThrow({ where: { providerId: club.id } })).id, unit: 'SESSION', pence: 9_500, effectiveFrom: daysFromToday(0) } });
  // A carer trained for gastrostomy: the family-based service meets it through training, not tags.
  const carer = await db().fosterCarer.create({ data: { providerId: carers.id, name: 'Sam Carer' } });
  await db().trainingRecord.create({ data: { carerId: carer.id, need: 'GASTROSTOMY', course: 'Gastrostomy feeding', completedOn: new Date(Date.now() - 100 * 864e5), expiresOn: new Date(Date.now() + 300 * 864e5) } });
  await makeSlots(carers.id, { rrule: 'FREQ=WEEKLY;BYDAY=FR', startDate: daysFromToday(1), untilDate: daysFromToday(27), durationMinutes: 41 * 60, places: 1, capabilities: ['OXYGEN'], carerId: carer.id });

  // A child booked into the home: its name and ids must never reach the feed.
  const f = await makeFamily(a.authority.id);
  const c = await makeChild(f.family.id, a.authority.id, { needs: ['GASTROSTOMY'] });
  child = { id: c.id, firstName: c.firstName, lastName: c.lastName, familyId: f.family.id };
  bookingId = (await insertBooking(beds.slots[0]!, c)).id;
});

const fetchAll = async (query: string) => {
  const pages = [];
  for (let page = 1; ; page++) {
    const res = await get(`/openreferral/services?${query}&page=${page}`);
    expect(res.status).toBe(200);
    pages.push(res.body);
    if (res.body.last_page) return pages;
  }
};

describe('GET /openreferral/services', () => {
  it('pages an authority’s Local Offer as HSDS Pages whose entries validate against service_list.json, with no token', async () => {
    const pages = await fetchAll(`authority=${code}&search=${tag}&per_page=2`);
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(pageProblems(page)).toEqual([]);
      for (const service of page.contents) expect(hsdsProblems(HSDS_SCHEMAS.serviceList, service)).toEqual([]);
    }
    expect(pages[0]).toMatchObject({ total_items: 3, total_pages: 2, page_number: 1, size: 2, first_page: true, last_page: false, empty: false });
    expect(pages[1]).toMatchObject({ page_number: 2, size: 1, first_page: false, last_page: true });
    expect(pages.flatMap((p) => p.contents.map((s: { name: string }) => s.name))).toEqual([`${tag} Link Families`, `${tag} Lodge`, `${tag} Saturday Club`]);
  });

  it('serves fully nested services with full=true, each valid against service_with_definitions.json', async () => {
    const [page] = await fetchAll(`authority=${code}&search=${tag}&full=true&per_page=10`);
    expect(page.contents).toHaveLength(3);
    for (const service of page.contents) expect(hsdsProblems(HSDS_SCHEMAS.service, service)).toEqual([]);
  });

  it('validates the first page of the whole feed, whatever else the database holds', async () => {
    const res = await get('/openreferral/services?full=true&per_page=25');
    expect(res.status).toBe(200);
    expect(pageProblems(res.body)).toEqual([]);
    for (const service of res.body.contents) expect(hsdsProblems(HSDS_SCHEMAS.service, service)).toEqual([]);
  });

  it('refuses nonsense paging and unknown authorities with problem+json', async () => {
    expect((await get('/openreferral/services?per_page=0')).status).toBe(400);
    expect((await get('/openreferral/services?page=-1')).status).toBe(400);
    const unknown = await get(`/openreferral/services?authority=NOPE${uid()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('GET /openreferral/services/{id}', () => {
  it('describes the home: location, schedules from its rules, bed-nights free, eligibility by need, cost per night', async () => {
    const res = await get(`/openreferral/services/${home.id}?authority=${code}`);
    expect(res.status).toBe(200);
    expect(hsdsProblems(HSDS_SCHEMAS.service, res.body)).toEqual([]);
    const s = res.body;
    expect(s).toMatchObject({ id: home.id, name: `${tag} Lodge`, status: 'active', email: 'lodge@example.org', minimum_age: 0, maximum_age: 17 });
    expect(s.organization.name).toBe(`${tag} Lodge`);
    expect(s.service_at_locations[0].location.addresses[0]).toMatchObject({ address_1: '1 Test Lane, Worthing', city: 'Worthing', postal_code: 'BN11 1AA', country: 'GB' });
    // FREQ=DAILY has no HSDS equivalent: a weekly schedule on every day, 17:00 to 10:00 the next day.
    const nursing = s.schedules.find((x: { description: string }) => x.description.startsWith('Nursing beds'));
    expect(nursing).toMatchObject({ freq: 'WEEKLY', interval: 1, byday: 'MO,TU,WE,TH,FR,SA,SU', opens_at: '17:00', closes_at: '10:00', valid_from: daysFromToday(1), valid_to: daysFromToday(14) });
    expect(s.schedules).toHaveLength(2);
    // 14 nights × 3 beds open, plus 7 × 2 block-contracted to A = 56 bed-nights; one is booked.
    expect(s.capacities).toEqual([expect.objectContaining({ unit: expect.objectContaining({ name: 'bed-night' }), maximum: 56, available: 55 })]);
    expect(s.attributes.map((a: { value: string }) => a.value).sort()).toEqual(['AUTISM', 'GASTROSTOMY', 'WHEELCHAIR']);
    expect(s.eligibility_description).toContain('gastrostomy feeding');
    expect(s.cost_options).toEqual([expect.objectContaining({ currency: 'GBP', amount: 450, valid_from: daysFromToday(0) })]);
  });

  it('keeps block-contracted places out of other authorities’ feeds and the open feed', async () => {
    const open = await get(`/openreferral/services/${home.id}`);
    const other = await get(`/openreferral/services/${home.id}?authority=${otherCode}`);
    for (const res of [open, other]) {
      expect(res.status).toBe(200);
      expect(res.body.capacities[0]).toMatchObject({ maximum: 42, available: 41 });
      expect(JSON.stringify(res.body)).not.toContain(reservedRuleId);
      expect(res.body.schedules).toHaveLength(1);
    }
  });

  it('publishes day sessions as sessions, and months HSDS cannot hold in words', async () => {
    const res = await get(`/openreferral/services/${club.id}`);
    expect(hsdsProblems(HSDS_SCHEMAS.service, res.body)).toEqual([]);
    let saturdays = 0;
    for (let d = nextWeekday(daysFromToday(1), 6); d <= daysFromToday(27); d = addDays(d, 7)) saturdays++;
    expect(res.body.capacities[0].unit.name).toBe('session');
    expect(res.body.capacities[0]).toMatchObject({ maximum: saturdays * 10, available: saturdays * 10 });
    expect(res.body.schedules[0]).toMatchObject({ freq: 'WEEKLY', byday: 'SA', opens_at: '10:00', closes_at: '15:00' });
    expect(res.body.schedules[0].description).toContain('January');
    expect(res.body.cost_options[0]).toMatchObject({ amount: 95, option: expect.stringContaining('per session') });
  });

  it('says a family-based service meets gastrostomy through its carer’s training, not the rule’s tags', async () => {
    const res = await get(`/openreferral/services/${carers.id}`);
    expect(hsdsProblems(HSDS_SCHEMAS.service, res.body)).toEqual([]);
    const needs = res.body.attributes.map((a: { value: string }) => a.value);
    expect(needs).toContain('GASTROSTOMY');
    expect(needs).not.toContain('OXYGEN');
  });

  it('answers 404 for an id that is not a service and 400 for one that is not a uuid', async () => {
    expect((await get(`/openreferral/services/${child.id}`)).status).toBe(404);
    expect((await get('/openreferral/services/not-a-uuid')).status).toBe(400);
  });
});

describe('caching', () => {
  it('sends a strong ETag and Cache-Control; the same ETag gets 304; a booking changes it', async () => {
    const first = await get(`/openreferral/services/${home.id}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toContain('public');
    const again = await call('GET', `/openreferral/services/${home.id}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    const list = await get(`/openreferral/services?search=${tag}`);
    expect((await call('GET', `/openreferral/services?search=${tag}`, { headers: { 'If-None-Match': list.headers.get('etag')! } })).status).toBe(304);

    const slot = await db().slot.findFirstOrThrow({ where: { providerId: home.id, reservedForAuthorityId: null, booked: 0 }, orderBy: { startsAt: 'asc' } });
    const f = await makeFamily((await db().child.findUniqueOrThrow({ where: { id: child.id } })).authorityId);
    const another = await makeChild(f.family.id, (await db().child.findUniqueOrThrow({ where: { id: child.id } })).authorityId);
    await insertBooking(slot, another);
    const after = await call('GET', `/openreferral/services/${home.id}`, { headers: { 'If-None-Match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(after.body.capacities[0].available).toBe(first.body.capacities[0].available - 1);
  });
});

describe('no child-level data', () => {
  it('never contains a booked child’s name, id, family or booking, in any document of the feed', async () => {
    const docs = [
      ...(await fetchAll(`authority=${code}&search=${tag}&full=true`)),
      ...(await fetchAll(`authority=${code}&search=${tag}`)),
      (await get(`/openreferral/services/${home.id}?authority=${code}`)).body,
      (await get(`/openreferral/services/${home.id}`)).body,
    ];
    const text = JSON.stringify(docs);
    expect(text).toContain(`${tag} Lodge`);
    // (Factories name every child's family 'Test', a word other names hold; the first name is unique.)
    for (const secret of [child.firstName, child.id, child.familyId, bookingId]) expect(text).not.toContain(secret);
    // Nor anything from the child's medical passport.
    expect(text).not.toMatch(/passport|Music|Talks/);
  });
});

describe('the schema check itself', () => {
  it('fails a document HSDS would refuse, and a misspelt field HSDS alone would let through', async () => {
    const good = (await get(`/openreferral/services/${home.id}`)).body;
    expect(hsdsProblems(HSDS_SCHEMAS.service, { ...good, id: 'not-a-uuid' }).join()).toContain('/id');
    expect(hsdsProblems(HSDS_SCHEMAS.service, { ...good, status: 'open' }).join()).toContain('/status');
    expect(hsdsProblems(HSDS_SCHEMAS.service, { ...good, organisation: good.organization }, { strict: false })).toEqual([]);
    expect(hsdsProblems(HSDS_SCHEMAS.service, { ...good, organisation: good.organization }).join()).toContain('organisation');
    const badSchedule = { ...good, schedules: [{ ...good.schedules[0], freq: 'DAILY' }] };
    expect(hsdsProblems(HSDS_SCHEMAS.service, badSchedule).join()).toContain('/schedules/0/freq');
  });
});
