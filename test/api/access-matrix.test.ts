/**
 * The role × endpoint matrix (DESIGN.md invariant 5, src/services/access.ts):
 * a role that may never call an endpoint gets 403; a row that exists but is
 * someone else's gets 404, so another tenant's ids reveal nothing.
 *
 * Two authorities (A, B), two providers (P, whose rows these are, run by A,
 * and Q, which runs itself), and two families of authority A (F, whose rows
 * these are, and G). B commissions P: it reads and books there, but only A (P's
 * operator) and P itself change or close it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import {
  answerConsultationRoute,
  getFamilyConsultationRoute,
  listClosuresRoute,
  listFamilyConsultationsRoute,
  previewClosureRoute,
  previewConsultedClosureRoute,
  previewSuspensionRoute,
  proceedClosureRoute,
  retryClosureRoute,
  startClosureRoute,
  startSuspensionRoute,
} from '../../src/routes/closures/closures.index.js';
import * as familyRoutes from '../../src/routes/families/families.routes.js';
import * as passportRoutes from '../../src/routes/passports/passports.routes.js';
import * as dataProtectionRoutes from '../../src/routes/data-protection/data-protection.routes.js';
import { buildFamilyExport } from '../../src/services/subject-access.js';
import { mintToken } from '../../src/services/tokens.js';
import { transaction } from '../../src/services/tx.js';
import * as providerRoutes from '../../src/routes/providers/providers.routes.js';
import { listSlotsRoute, slotDaysRoute } from '../../src/routes/slots/slots.index.js';
import { createVehicleRoute, listVehiclesRoute } from '../../src/routes/vehicles/vehicles.index.js';
import { call, get } from '../support/api.js';
import { insertBooking } from '../support/bookings.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots, uid } from '../support/factories.js';
import { getPreferencesRoute, listNotificationsRoute, updatePreferencesRoute } from '../../src/routes/notifications/notifications.index.js';
import { closeConnections } from '../support/lifecycle.js';
import * as peopleRoutes from '../../src/routes/people/people.routes.js';
import { mintAdminToken } from '../../src/services/people.js';
import { addTestMembership, makePerson, personToken } from '../support/people.js';

afterAll(closeConnections);

const BASE_ROLES = ['coordinatorA', 'coordinatorB', 'providerP', 'providerQ', 'familyF', 'familyG'] as const;
/**
 * People acting through memberships, with tokens of their own: a carer of F, P's manager and a member
 * of P's staff get exactly what the access key of F or P gets (unless a row says otherwise), and a
 * platform administrator only the administration routes.
 */
const PERSON_ROLES = ['carerF', 'managerP', 'staffP', 'admin'] as const;
const ROLES = [...BASE_ROLES, ...PERSON_ROLES] as const;
type BaseRoleName = (typeof BASE_ROLES)[number];
type RoleName = (typeof ROLES)[number];
const expectedOf = (e: Record<BaseRoleName, number> & Partial<Record<RoleName, number>>): Record<RoleName, number> => ({
  carerF: e.familyF,
  managerP: e.providerP,
  staffP: e.providerP,
  admin: 403,
  ...e,
});

interface World {
  tokens: Record<RoleName, string>;
  authorityA: string;
  authorityB: string;
  providerP: string;
  providerQ: string;
  carerP: string;
  ruleP: string;
  familyF: string;
  familyG: string;
  childF: string;
  childG: string;
  entitlementF: string;
  slotP: { id: string; startsAt: Date; endsAt: Date };
  /** A finished subject-access export of family F. */
  exportF: string;
  /** A family of authority A with nothing booked, for the erasure row (erasing F would change the other rows). */
  familyH: string;
  /** A closure of authority A whose job failed: only A's coordinator may send it back to the worker. */
  failedClosureA: string;
  /** Run by A; closed by the closure row. */
  providerClosing: string;
  /** A closure of authority A consulting the families, child F among them. */
  consultingA: string;
  /** A second carer of F, whose membership the DELETE row ends (ending carerF's would end that role's token). */
  spareCarerF: string;
  /** An invitation to family F not yet accepted, for the withdrawal row. */
  invitationF: string;
  /** Service accounts A's coordinator made: one for the token row, one for the disabling row. */
  serviceAccountA: string;
  spareServiceAccountA: string;
  /** Run by A; the operator row sets it to A again (changing P's operator would change the other rows). */
  providerOperated: string;
}
let w: World;

beforeAll(async () => {
  const a = await makeAuthority();
  const b = await makeAuthority();
  const p = await makeProvider('FAMILY_BASED', { operatorAuthorityId: a.authority.id });
  const q = await makeProvider('RESIDENTIAL');
  const f = await makeFamily(a.authority.id);
  const g = await makeFamily(a.authority.id);
  const carer = await db().fosterCarer.create({ data: { providerId: p.provider.id, name: `Carer ${uid()}` } });
  const { rule, slots } = await makeSlots(p.provider.id, { startDate: daysFromToday(40), untilDate: daysFromToday(42), carerId: carer.id, places: 1 });
  await makeSlots(q.provider.id, { startDate: daysFromToday(40), untilDate: daysFromToday(42) });
  const childF = await makeChild(f.family.id, a.authority.id, { needs: ['EPILEPSY_RESCUE_MEDICATION'] });
  const childG = await makeChild(g.family.id, a.authority.id);
  const closed = await makeProvider('COMMUNITY');
  // A home A runs, for the closure row (closing P would change the other rows).
  const closing = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
  const failedClosure = await db().closure.create({
    data: { providerId: closed.provider.id, authorityId: a.authority.id, effectiveFrom: new Date(), reason: 'Lease ended', seed: uid(), preferences: { order: ['SAME_DATES'], maxDateShiftDays: 14 }, status: 'FAILED', error: 'connection reset' },
  });
  await db().vehicle.create({ data: { authorityId: a.authority.id, name: `Bus ${uid()}`, seats: 8, wheelchairSpaces: 2, baseLat: 50.8, baseLng: -0.3 } });
  // The export's stored document is what the export job writes (it is parsed by its schema on every read).
  const exportResult = await transaction((tx) => buildFamilyExport(tx, f.family.id));
  const exportF = await db().subjectAccessExport.create({ data: { familyId: f.family.id, requestedByRole: 'FAMILY', requestedById: 'matrix', status: 'COMPLETED', result: exportResult as object, completedAt: new Date() } });
  const h = await makeFamily(a.authority.id);
  // A home A runs where child F is booked, closing after a consultation that is still open.
  const consulted = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
  const { slots: consultedSlots } = await makeSlots(consulted.provider.id, { startDate: daysFromToday(50), untilDate: daysFromToday(50), places: 1, capabilities: ['EPILEPSY_RESCUE_MEDICATION'] });
  await insertBooking(consultedSlots[0]!, childF);
  await db().provider.update({ where: { id: consulted.provider.id }, data: { status: 'CLOSING', closingFrom: new Date(Date.now() + 45 * 864e5) } });
  const consulting = await db().closure.create({
    data: {
      providerId: consulted.provider.id, authorityId: a.authority.id, effectiveFrom: new Date(Date.now() + 45 * 864e5), reason: 'Lease ends', seed: uid(),
      preferences: { order: ['SAME_DATES'], maxDateShiftDays: 14 }, status: 'CONSULTING', consultationDeadline: new Date(Date.now() + 30 * 864e5),
    },
  });
  const operated = await makeProvider('RESIDENTIAL', { operatorAuthorityId: a.authority.id });
  const person = await makePerson();
  const carerF = await personToken(person, { role: 'CARER', familyId: f.family.id });
  const managerP = await personToken(await makePerson(), { role: 'PROVIDER_MANAGER', providerId: p.provider.id });
  const staffP = await personToken(await makePerson(), { role: 'PROVIDER_STAFF', providerId: p.provider.id });
  w = {
    providerOperated: operated.provider.id,
    exportF: exportF.id,
    familyH: h.family.id,
    tokens: {
      coordinatorA: a.coordinatorToken,
      coordinatorB: b.coordinatorToken,
      providerP: p.providerToken,
      providerQ: q.providerToken,
      familyF: f.familyToken,
      familyG: g.familyToken,
      carerF,
      managerP,
      staffP,
      admin: await mintAdminToken('matrix'),
    },
    authorityA: a.authority.id,
    authorityB: b.authority.id,
    providerP: p.provider.id,
    providerQ: q.provider.id,
    carerP: carer.id,
    ruleP: rule.id,
    familyF: f.family.id,
    familyG: g.family.id,
    childF: childF.id,
    childG: childG.id,
    entitlementF: (await db().entitlement.findFirstOrThrow({ where: { childId: childF.id } })).id,
    slotP: slots[0]!,
    failedClosureA: failedClosure.id,
    providerClosing: closing.provider.id,
    consultingA: consulting.id,
    spareCarerF: (await addTestMembership(await makePerson('Spare Carer'), { role: 'CARER', familyId: f.family.id })).membershipId,
    serviceAccountA: (await call('POST', '/v1/service-accounts', { token: a.coordinatorToken, body: { name: 'Case system' } })).body.id,
    spareServiceAccountA: (await call('POST', '/v1/service-accounts', { token: a.coordinatorToken, body: { name: 'Old integration' } })).body.id,
    invitationF: (await call('POST', '/v1/invitations', { token: a.coordinatorToken, body: { email: `invited-${uid()}@example.org`, name: 'Invited Carer', familyId: f.family.id } })).body.id,
  };
});

interface Endpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** The status each role gets (people's roles: see expectedOf). */
  expect: Record<BaseRoleName, number> & Partial<Record<RoleName, number>>;
}

/** Shorthands for the common rows of the matrix. */
const coordinatorsOnly = (ok: number) => ({ coordinatorA: ok, coordinatorB: ok, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 });
/** Only the child's own family (the other family learns nothing; other roles may never call it). */
const familyOnly = (ok: number) => ({ coordinatorA: 403, coordinatorB: 403, providerP: 403, providerQ: 403, familyF: ok, familyG: 404 });
const everyone = (ok: number) => ({ coordinatorA: ok, coordinatorB: ok, providerP: ok, providerQ: ok, familyF: ok, familyG: ok });
const providerManagers = (ok: number) => ({ coordinatorA: ok, coordinatorB: ok, providerP: ok, providerQ: 404, familyF: 403, familyG: 403 });
/** Changing P: its operator's coordinators (A) and P itself; B, a commissioner, gets 403. */
const operators = (ok: number) => ({ coordinatorA: ok, coordinatorB: 403, providerP: ok, providerQ: 404, familyF: 403, familyG: 403 });
const previewBody = () => ({ effectiveFrom: daysFromToday(60), reason: 'Registration cancelled' });
const closureBody = () => ({ effectiveFrom: daysFromToday(60), reason: 'Registration cancelled', confirm: true });

const ruleBody = (w: World) => ({
  rrule: 'FREQ=WEEKLY;BYDAY=SA',
  startDate: daysFromToday(50),
  untilDate: daysFromToday(70),
  startTime: '10:00',
  durationMinutes: 24 * 60,
  places: 1,
  carerId: w.carerP,
});
const providerBody = () => ({ name: `Unit ${uid()}`, kind: 'COMMUNITY', addressLine: '3 Park Lane', postcode: 'BN12 4AA', lat: 50.8, lng: -0.4 });

const ENDPOINTS: Record<string, Endpoint> = {
  'POST /v1/providers': { method: 'POST', path: () => '/v1/providers', body: providerBody, expect: coordinatorsOnly(201) },
  'GET /v1/providers': {
    method: 'GET', path: () => '/v1/providers',
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 200, familyF: 403, familyG: 403 },
  },
  'GET /v1/providers/:id': {
    method: 'GET', path: (w) => `/v1/providers/${w.providerP}`,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'PATCH /v1/providers/:id': { method: 'PATCH', path: (w) => `/v1/providers/${w.providerP}`, body: () => ({ phone: '01903 000000' }), expect: operators(200) },
  'POST /v1/providers/:id/capacity-rules': { method: 'POST', path: (w) => `/v1/providers/${w.providerP}/capacity-rules`, body: ruleBody, expect: operators(201) },
  'GET /v1/providers/:id/capacity-rules': { method: 'GET', path: (w) => `/v1/providers/${w.providerP}/capacity-rules`, expect: providerManagers(200) },
  'GET /v1/capacity-rules/:id': { method: 'GET', path: (w) => `/v1/capacity-rules/${w.ruleP}`, expect: providerManagers(200) },
  'PATCH /v1/capacity-rules/:id': { method: 'PATCH', path: (w) => `/v1/capacity-rules/${w.ruleP}`, body: () => ({ name: `Weekend ${uid()}` }), expect: operators(200) },
  'POST /v1/providers/:id/carers': { method: 'POST', path: (w) => `/v1/providers/${w.providerP}/carers`, body: () => ({ name: `Carer ${uid()}` }), expect: operators(201) },
  'GET /v1/providers/:id/carers': { method: 'GET', path: (w) => `/v1/providers/${w.providerP}/carers`, expect: providerManagers(200) },
  'POST /v1/carers/:id/training': {
    method: 'POST', path: (w) => `/v1/carers/${w.carerP}/training`,
    body: () => ({ need: 'GASTROSTOMY', course: 'Gastrostomy feeding', completedOn: daysFromToday(-30), expiresOn: daysFromToday(335) }),
    expect: operators(201),
  },
  'GET /v1/slots': {
    method: 'GET', path: () => `/v1/slots?from=${daysFromToday(40)}&to=${daysFromToday(42)}`,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 200, familyF: 200, familyG: 200 },
  },
  'GET /v1/slots/days': {
    method: 'GET', path: () => `/v1/slots/days?from=${daysFromToday(40)}&to=${daysFromToday(42)}`,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 200, providerQ: 200, familyF: 200, familyG: 200 },
  },
  'POST /v1/vehicles': {
    method: 'POST', path: () => '/v1/vehicles',
    body: () => ({ name: `Van ${uid()}`, seats: 6, wheelchairSpaces: 1, baseLat: 50.8, baseLng: -0.3 }),
    expect: coordinatorsOnly(201),
  },
  'GET /v1/vehicles': { method: 'GET', path: () => '/v1/vehicles', expect: coordinatorsOnly(200) },
  'GET /v1/closures': { method: 'GET', path: () => '/v1/closures', expect: coordinatorsOnly(200) },
  'POST /v1/closures/:id/retry': {
    method: 'POST', path: (w) => `/v1/closures/${w.failedClosureA}/retry`,
    // A's coordinator is first, so the closure is FAILED when it asks (a second retry would be a 409).
    expect: { coordinatorA: 202, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'POST /v1/providers/:id/closure/preview': {
    method: 'POST', path: (w) => `/v1/providers/${w.providerClosing}/closure/preview`, body: previewBody,
    expect: { coordinatorA: 200, coordinatorB: 403, providerP: 404, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'POST /v1/providers/:id/suspension/preview': {
    method: 'POST', path: (w) => `/v1/providers/${w.providerQ}/suspension/preview`, body: previewBody,
    expect: { coordinatorA: 200, coordinatorB: 200, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'POST /v1/closures/:id/preview': {
    method: 'POST', path: (w) => `/v1/closures/${w.consultingA}/preview`,
    // Only whoever recorded the closure previews and runs it.
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'GET /v1/consultations': {
    method: 'GET', path: () => '/v1/consultations',
    expect: { coordinatorA: 403, coordinatorB: 403, providerP: 403, providerQ: 403, familyF: 200, familyG: 200 },
  },
  'GET /v1/closures/:id/consultation': { method: 'GET', path: (w) => `/v1/closures/${w.consultingA}/consultation`, expect: familyOnly(200) },
  'PUT /v1/closures/:id/consultation/:childId': {
    method: 'PUT', path: (w) => `/v1/closures/${w.consultingA}/consultation/${w.childF}`, body: () => ({ ranking: [], priority: 'SAME_DATES' }), expect: familyOnly(200),
  },
  'POST /v1/closures/:id/proceed': {
    method: 'POST', path: (w) => `/v1/closures/${w.consultingA}/proceed`, body: () => ({ confirm: true }),
    // After the answer above every family has answered; A's coordinator is first (a second proceed would be a 409).
    expect: { coordinatorA: 202, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'POST /v1/providers/:id/closure': {
    method: 'POST', path: (w) => `/v1/providers/${w.providerClosing}/closure`, body: closureBody,
    // Only the operator closes a home; another authority (a commissioner) gets 403, another provider 404.
    expect: { coordinatorA: 202, coordinatorB: 403, providerP: 404, providerQ: 404, familyF: 403, familyG: 403 },
  },
  'POST /v1/providers/:id/suspension': {
    method: 'POST', path: (w) => `/v1/providers/${w.providerQ}/suspension`, body: closureBody,
    // Any commissioning authority may suspend its own placements; the provider stays open to others.
    expect: { coordinatorA: 202, coordinatorB: 202, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'POST /v1/families': { method: 'POST', path: () => '/v1/families', body: () => ({ name: `Family ${uid()}` }), expect: coordinatorsOnly(201) },
  'GET /v1/families': { method: 'GET', path: () => '/v1/families', expect: coordinatorsOnly(200) },
  'GET /v1/families/:id': {
    method: 'GET', path: (w) => `/v1/families/${w.familyF}`,
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'POST /v1/families/:id/children': {
    method: 'POST', path: (w) => `/v1/families/${w.familyF}/children`,
    body: () => ({ firstName: 'Sam', lastName: 'Test', dateOfBirth: '2017-02-03', needs: ['WHEELCHAIR'] }),
    expect: { coordinatorA: 201, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'GET /v1/children/:id': {
    method: 'GET', path: (w) => `/v1/children/${w.childF}`,
    // A provider may ask, but sees a child only while it holds a live booking (none here).
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 200, familyG: 404 },
  },
  'PATCH /v1/children/:id': {
    method: 'PATCH', path: (w) => `/v1/children/${w.childF}`,
    // Both may change transport needs (only the family edits the passport; PUT …/passport below).
    body: () => ({ needsTransport: true }),
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'GET /v1/children/:id/passport': {
    method: 'GET', path: (w) => `/v1/children/${w.childF}/passport`,
    // The coordinator sees the child but not its passport (only in an emergency); P holds no booking for it.
    expect: { coordinatorA: 403, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 200, familyG: 404 },
  },
  'PUT /v1/children/:id/passport': {
    method: 'PUT', path: (w) => `/v1/children/${w.childF}/passport`,
    body: () => ({ passport: { calming: 'Weighted blanket', communication: 'Makaton' }, supportFlag: 'Give her time to answer.' }),
    expect: familyOnly(200),
  },
  'GET /v1/children/:id/passport/consent': { method: 'GET', path: (w) => `/v1/children/${w.childF}/passport/consent`, expect: familyOnly(200) },
  'PUT /v1/children/:id/passport/consent/:providerId': {
    method: 'PUT', path: (w) => `/v1/children/${w.childF}/passport/consent/${w.providerQ}`, body: () => ({ decision: 'DENY' }), expect: familyOnly(200),
  },
  'DELETE /v1/children/:id/passport/consent/:providerId': {
    method: 'DELETE', path: (w) => `/v1/children/${w.childF}/passport/consent/${w.providerQ}`, expect: familyOnly(200),
  },
  // The log of who read it (never the passport) is on the child record of the child's own council.
  'GET /v1/children/:id/passport/access-log': {
    method: 'GET', path: (w) => `/v1/children/${w.childF}/passport/access-log`,
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'GET /v1/children/:id/entitlement-history': {
    method: 'GET', path: (w) => `/v1/children/${w.childF}/entitlement-history`,
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'PUT /v1/entitlements/:id': {
    method: 'PUT', path: (w) => `/v1/entitlements/${w.entitlementF}`,
    body: () => ({ periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 60, daySessions: 60, reason: 'Annual review' }),
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'POST /v1/children/:id/entitlements': {
    method: 'POST', path: (w) => `/v1/children/${w.childF}/entitlements`,
    body: () => ({ periodStart: '2027-04-01', periodEnd: '2028-03-31', nights: 24, daySessions: 10 }),
    expect: { coordinatorA: 201, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  'POST /v1/families/:id/exports': {
    method: 'POST', path: (w) => `/v1/families/${w.familyF}/exports`,
    expect: { coordinatorA: 202, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 202, familyG: 404 },
  },
  'GET /v1/exports/:id': {
    method: 'GET', path: (w) => `/v1/exports/${w.exportF}`,
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 200, familyG: 404 },
  },
  'POST /v1/families/:id/erasure': {
    method: 'POST', path: (w) => `/v1/families/${w.familyH}/erasure`, body: () => ({ reason: 'Written request, reference DP-MATRIX' }),
    // A's coordinator is first, so the family is not yet erased when it asks (a second erasure is a 409).
    expect: { coordinatorA: 200, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
  // Everyone has their own preferences and messages: nothing of someone else's is addressable.
  'GET /v1/notification-preferences': { method: 'GET', path: () => '/v1/notification-preferences', expect: everyone(200) },
  'PATCH /v1/notification-preferences': { method: 'PATCH', path: () => '/v1/notification-preferences', body: () => ({ quietHours: { start: '21:30', end: '07:30' } }), expect: everyone(200) },
  'GET /v1/notifications': { method: 'GET', path: () => '/v1/notifications', expect: everyone(200) },
  // Last: it opens child F's passport to authority A's coordinators for an hour.
  'POST /v1/children/:id/passport/emergency-access': {
    method: 'POST', path: (w) => `/v1/children/${w.childF}/passport/emergency-access`,
    body: () => ({ reason: 'F was taken ill at a club and the paramedics ask for the medication list', hours: 1 }),
    expect: { coordinatorA: 201, coordinatorB: 404, providerP: 403, providerQ: 403, familyF: 403, familyG: 403 },
  },
};

const noneOf = (ok: Partial<Record<RoleName, number>>) => ({ coordinatorA: 403, coordinatorB: 403, providerP: 403, providerQ: 403, familyF: 403, familyG: 403, carerF: 403, managerP: 403, staffP: 403, admin: 403, ...ok });
Object.assign(ENDPOINTS, {
  'POST /v1/authorities': { method: 'POST', path: () => '/v1/authorities', body: () => ({ name: `Council ${uid()}`, code: `M${uid().toUpperCase()}` }), expect: noneOf({ admin: 201 }) },
  'GET /v1/sign-in-events': { method: 'GET', path: () => '/v1/sign-in-events?outcome=FAILED&limit=5', expect: noneOf({ admin: 200 }) },
  'GET /v1/authorities': { method: 'GET', path: () => '/v1/authorities', expect: noneOf({ admin: 200 }) },
  // Even the operator's own coordinators may not hand a provider to someone else: only an administrator.
  'PUT /v1/providers/:id/operator': { method: 'PUT', path: (w) => `/v1/providers/${w.providerOperated}/operator`, body: (w) => ({ authorityId: w.authorityA }), expect: noneOf({ admin: 200 }) },
  // A carer of F: A's coordinator invites, B's finds no such family; providers invite only their own staff (below).
  'POST /v1/invitations': { method: 'POST', path: () => '/v1/invitations', body: (w) => ({ email: `carer-${uid()}@example.org`, name: 'Sam Carer', familyId: w.familyF }), expect: noneOf({ coordinatorA: 201, coordinatorB: 404 }) },
  'GET /v1/me': { method: 'GET', path: () => '/v1/me', expect: { ...everyone(200), carerF: 200, managerP: 200, staffP: 200, admin: 200 } },
  // Only a token with an owner may make tokens for its owner's memberships; access keys without one may not.
  'POST /v1/me/tokens': { method: 'POST', path: () => '/v1/me/tokens', body: () => ({ label: 'Integration', expiresInDays: 30 }), expect: { ...everyone(403), carerF: 201, managerP: 201, staffP: 201, admin: 201 } },
  // A person's own tokens: listed and revoked by their owner only (a made-up id is nobody's); access keys without an owner have none.
  'GET /v1/me/tokens': { method: 'GET', path: () => '/v1/me/tokens', expect: { ...everyone(403), carerF: 200, managerP: 200, staffP: 200, admin: 200 } },
  'DELETE /v1/me/tokens/:id': { method: 'DELETE', path: () => '/v1/me/tokens/00000000-0000-4000-8000-000000000000', expect: { ...everyone(403), carerF: 404, managerP: 404, staffP: 404, admin: 404 } },
  // Who has access: coordinators their families' carers, a provider's managers (and its access key) its staff.
  'GET /v1/memberships': { method: 'GET', path: () => '/v1/memberships', expect: { ...everyone(200), familyF: 403, familyG: 403, carerF: 403, managerP: 200, staffP: 403, admin: 200 } },
  // Ending F's spare carer: A's coordinator does (then ending it again is 200 and changes nothing), B and providers find no such membership.
  // The first to withdraw it (A) and the administrator after get 200: withdrawing again changes nothing.
  'DELETE /v1/invitations/:id': { method: 'DELETE', path: (w) => `/v1/invitations/${w.invitationF}`, expect: { coordinatorA: 200, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 403, familyG: 403, carerF: 403, managerP: 404, staffP: 403, admin: 200 } },
  // Coordinators make service accounts for their own authority (B may not give one A's); an administrator for any.
  'POST /v1/service-accounts': { method: 'POST', path: () => '/v1/service-accounts', body: (w) => ({ name: `Integration ${uid()}`, memberships: [{ role: 'COORDINATOR', authorityId: w.authorityA }] }), expect: noneOf({ coordinatorA: 201, coordinatorB: 403, admin: 201 }) },
  'GET /v1/service-accounts': { method: 'GET', path: () => '/v1/service-accounts', expect: noneOf({ coordinatorA: 200, coordinatorB: 200, admin: 200 }) },
  'POST /v1/service-accounts/:id/tokens': { method: 'POST', path: (w) => `/v1/service-accounts/${w.serviceAccountA}/tokens`, body: () => ({ label: 'Sync', expiresInDays: 30 }), expect: noneOf({ coordinatorA: 201, coordinatorB: 404, admin: 201 }) },
  'DELETE /v1/service-accounts/:id/tokens/:tokenId': { method: 'DELETE', path: (w) => `/v1/service-accounts/${w.serviceAccountA}/tokens/00000000-0000-4000-8000-000000000000`, expect: noneOf({ coordinatorA: 404, coordinatorB: 404, admin: 404 }) },
  'POST /v1/service-accounts/:id/disable': { method: 'POST', path: (w) => `/v1/service-accounts/${w.spareServiceAccountA}/disable`, expect: noneOf({ coordinatorA: 200, coordinatorB: 404, admin: 200 }) },
  'DELETE /v1/memberships/:id': { method: 'DELETE', path: (w) => `/v1/memberships/${w.spareCarerF}`, expect: { coordinatorA: 200, coordinatorB: 404, providerP: 404, providerQ: 404, familyF: 403, familyG: 403, carerF: 403, managerP: 404, staffP: 403, admin: 200 } },
} satisfies Record<string, Endpoint>);

describe('role × endpoint matrix', () => {
  it.each(Object.keys(ENDPOINTS))('%s', async (name) => {
    const endpoint = ENDPOINTS[name]!;
    const got = {} as Record<RoleName, number>;
    for (const role of ROLES) {
      const res = await call(endpoint.method, endpoint.path(w), { token: w.tokens[role], body: endpoint.body?.(w) });
      got[role] = res.status;
      if (res.status >= 400) expect(res.headers.get('content-type'), `${role}: ${JSON.stringify(res.body)}`).toContain('application/problem+json');
      if (res.status >= 500) throw new Error(`${name} as ${role}: ${JSON.stringify(res.body)}`);
    }
    expect(got).toEqual(expectedOf(endpoint.expect));
  });

  it('has a row for every foundation route', () => {
    const routes = [...Object.values(providerRoutes), ...Object.values(familyRoutes), ...Object.values(passportRoutes), ...Object.values(dataProtectionRoutes), listSlotsRoute, slotDaysRoute, createVehicleRoute, listVehiclesRoute, listClosuresRoute, retryClosureRoute, startClosureRoute, startSuspensionRoute, previewClosureRoute, previewSuspensionRoute, previewConsultedClosureRoute, proceedClosureRoute, listFamilyConsultationsRoute, getFamilyConsultationRoute, answerConsultationRoute, getPreferencesRoute, updatePreferencesRoute, listNotificationsRoute, ...Object.values(peopleRoutes)];
    const declared = routes.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`);
    expect(declared.sort()).toEqual(Object.keys(ENDPOINTS).sort());
  });
});

describe('transport staff (a driver or escort of one of authority A’s vehicles)', () => {
  it('are refused every endpoint but a child’s record and passport, and see neither for a child not on their runs', async () => {
    const vehicle = await db().vehicle.create({ data: { authorityId: w.authorityA, name: `Minibus ${uid()}`, seats: 8, wheelchairSpaces: 2, baseLat: 50.8, baseLng: -0.3 } });
    const token = await mintToken({ role: 'TRANSPORT', vehicleId: vehicle.id });
    const open = new Set(['GET /v1/children/:id', 'GET /v1/children/:id/passport']);
    for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
      const res = await call(endpoint.method, endpoint.path(w), { token, body: endpoint.body?.(w) });
      expect(res.status, name).toBe(open.has(name) ? 404 : 403);
      expect(res.headers.get('content-type'), name).toContain('application/problem+json');
    }
  });
});

describe('provider staff invitations', () => {
  it('a provider’s manager invites staff; its staff may not, and another provider’s manager finds no such provider', async () => {
    const body = () => ({ email: `staff-${uid()}@example.org`, name: 'Alex Staff', providerId: w.providerP });
    expect((await call('POST', '/v1/invitations', { token: w.tokens.managerP, body: body() })).status).toBe(201);
    expect((await call('POST', '/v1/invitations', { token: w.tokens.providerP, body: body() })).status).toBe(201);
    expect((await call('POST', '/v1/invitations', { token: w.tokens.staffP, body: body() })).status).toBe(403);
    expect((await call('POST', '/v1/invitations', { token: w.tokens.providerQ, body: body() })).status).toBe(404);
  });
});

describe('what each role sees in lists', () => {
  const ids = (items: { id: string }[]) => items.map((i) => i.id);

  it('lists only the coordinator’s own authority’s families', async () => {
    const fromA = await get('/v1/families?limit=200', w.tokens.coordinatorA);
    expect(ids(fromA.body.items)).toEqual(expect.arrayContaining([w.familyF, w.familyG]));
    expect(fromA.body.items.every((f: { authorityId: string }) => f.authorityId === w.authorityA)).toBe(true);
    const fromB = await get('/v1/families?limit=200', w.tokens.coordinatorB);
    expect(fromB.body.items.every((f: { authorityId: string }) => f.authorityId === w.authorityB)).toBe(true);
  });

  it('lists only the coordinator’s own authority’s vehicles', async () => {
    const fromA = (await get('/v1/vehicles', w.tokens.coordinatorA)).body.items;
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromA.every((v: { authorityId: string }) => v.authorityId === w.authorityA)).toBe(true);
    expect((await get('/v1/vehicles', w.tokens.coordinatorB)).body.items.every((v: { authorityId: string }) => v.authorityId === w.authorityB)).toBe(true);
  });

  it('shows a provider only itself in the provider list and only its slots', async () => {
    expect(ids((await get('/v1/providers', w.tokens.providerP)).body.items)).toEqual([w.providerP]);
    const slots = (await get(`/v1/slots?from=${daysFromToday(40)}&to=${daysFromToday(42)}&limit=500`, w.tokens.providerQ)).body.items;
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s: { providerId: string }) => s.providerId === w.providerQ)).toBe(true);
  });

  it('shows a family its own children with passports, and nothing of another family', async () => {
    const own = await get(`/v1/families/${w.familyF}`, w.tokens.familyF);
    expect(ids(own.body.children)).toContain(w.childF);
    expect(own.body.children.find((c: { id: string }) => c.id === w.childF).passport).not.toBeNull();
    expect((await get(`/v1/children/${w.childG}`, w.tokens.familyF)).status).toBe(404);
    expect((await get(`/v1/families/${w.familyG}`, w.tokens.familyF)).status).toBe(404);
  });

  it('hides authority A’s families and children from coordinator B', async () => {
    expect((await get(`/v1/families/${w.familyG}`, w.tokens.coordinatorB)).status).toBe(404);
    expect((await get(`/v1/children/${w.childG}`, w.tokens.coordinatorB)).status).toBe(404);
    expect((await call('PATCH', `/v1/children/${w.childG}`, { token: w.tokens.coordinatorB, body: { needsTransport: true } })).status).toBe(404);
    expect((await db().child.findUniqueOrThrow({ where: { id: w.childG } })).needsTransport).toBe(false);
  });
});

describe('a provider and a child’s medical passport', () => {
  it('shows the passport only while the provider holds a live booking for the child', async () => {
    const a = await makeAuthority();
    const family = await makeFamily(a.authority.id);
    const child = await makeChild(family.family.id, a.authority.id, { needs: ['GASTROSTOMY'] });
    const { provider, providerToken } = await makeProvider('RESIDENTIAL');
    const other = await makeProvider('RESIDENTIAL');
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(60), untilDate: daysFromToday(60), capabilities: ['GASTROSTOMY'] });

    expect((await get(`/v1/children/${child.id}`, providerToken)).status).toBe(404);
    const booking = await insertBooking(slots[0]!, child);

    const seen = await get(`/v1/children/${child.id}`, providerToken);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: child.id, needs: ['GASTROSTOMY'], passport: { communication: 'Talks', calming: 'Music' } });
    expect((await get(`/v1/children/${child.id}`, other.providerToken)).status).toBe(404);
    // Seeing the child does not let the provider change it or see the family.
    expect((await call('PATCH', `/v1/children/${child.id}`, { token: providerToken, body: { needsTransport: true } })).status).toBe(403);
    expect((await get(`/v1/families/${family.family.id}`, providerToken)).status).toBe(403);

    await db().booking.update({ where: { id: booking.id }, data: { status: 'CANCELLED', cancelledAt: new Date() } });
    expect((await get(`/v1/children/${child.id}`, providerToken)).status).toBe(404);
  });
});
