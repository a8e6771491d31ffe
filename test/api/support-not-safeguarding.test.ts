/**
 * Support is not safeguarding (seed 003: a mother asked for respite and found
 * her daughter flagged to school, GP and hospital as having a social worker).
 * Nothing in the data model can mark a child as a safeguarding case, and
 * nothing can send a family's information to another agency: the database
 * catalog (what the migrations actually built) and the Prisma schema are
 * inspected, then a family asks for and gets a break and the child's record is
 * shown to be untouched, with every message addressed to this service's own
 * roles only.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { db } from '../../src/db.js';
import { PassportSchema } from '../../src/schemas/passport.js';
import { post } from '../support/api.js';
import { daysFromToday } from '../support/dates.js';
import { makeAuthority, makeChild, makeFamily, makeProvider, makeSlots } from '../support/factories.js';
import { closeConnections } from '../support/lifecycle.js';

afterAll(closeConnections);

/**
 * Words that would mean a child is treated as a case, or that data leaves for another agency.
 * (A funding share, which budget pays for a break, is the council's own costing and goes to no one.)
 */
const CASE_MARKERS = /safeguard|child_?protection|protection_?plan|social_?work|at_?risk|concern|referr|case_?(flag|status|worker)|cin\b|lado|mash/i;
const OTHER_AGENCIES = /agency|agencies|school|hospital|gp_|\bgp\b|nhs|police|health_?visitor|data_?shar|shared_?with|share_?with|sharing|disclos|external|third_?party|recipient_?org/i;

describe('nothing marks a child as a safeguarding case or reaches another agency', () => {
  it('the database has no such table, column or enum value', async () => {
    const tables = await db().$queryRaw<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`;
    const columns = await db().$queryRaw<{ tbl: string; name: string }[]>`SELECT table_name AS tbl, column_name AS name FROM information_schema.columns WHERE table_schema = current_schema()`;
    const enums = await db().$queryRaw<{ type: string; label: string }[]>`
      SELECT t.typname AS type, e.enumlabel AS label FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema()`;
    expect(tables.length).toBeGreaterThan(20);
    expect(columns.length).toBeGreaterThan(200);
    const names = [...tables.map((t) => t.name), ...columns.map((c) => `${c.tbl}.${c.name}`), ...enums.map((e) => `${e.type}.${e.label}`)];
    expect(names.filter((n) => CASE_MARKERS.test(n))).toEqual([]);
    expect(names.filter((n) => OTHER_AGENCIES.test(n))).toEqual([]);

    // Messages go only to this service's own people: the recipient is one of its roles, a person signed up
    // to it, or someone a coordinator or manager invited to it — nothing else.
    const recipient = columns.find((c) => c.tbl === 'notification' && c.name === 'recipientRole');
    expect(recipient).toBeDefined();
    const roleType = await db().$queryRaw<{ udt: string }[]>`SELECT udt_name AS udt FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'notification' AND column_name = 'recipientRole'`;
    expect(roleType[0]?.udt).toBe('NotificationRecipient');
    expect(enums.filter((e) => e.type === 'NotificationRecipient').map((e) => e.label).sort()).toEqual(['COORDINATOR', 'FAMILY', 'INVITATION', 'PERSON', 'PROVIDER', 'TRANSPORT']);
    expect(enums.filter((e) => e.type === 'Role').map((e) => e.label).sort()).toEqual(['ADMIN', 'COORDINATOR', 'FAMILY', 'PROVIDER', 'TRANSPORT']);
    // No foreign data wrapper, publication or outside server to carry rows elsewhere.
    const wires = await db().$queryRaw<{ n: number }[]>`SELECT ((SELECT count(*) FROM pg_foreign_server) + (SELECT count(*) FROM pg_publication))::int AS n`;
    expect(wires[0]?.n).toBe(0);
  });

  it('the Prisma schema and the passport’s sections say the same', async () => {
    const schema = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
    // Declarations only (models, fields, enums, values), not the comments that explain them.
    const declared = schema
      .split('\n')
      .map((l) => l.replace(/\/\/.*$/, '').trim())
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[0]!);
    expect(declared.length).toBeGreaterThan(200);
    expect(declared.filter((d) => CASE_MARKERS.test(d))).toEqual([]);
    expect(declared.filter((d) => OTHER_AGENCIES.test(d))).toEqual([]);
    expect(Object.keys(PassportSchema.shape).filter((k) => CASE_MARKERS.test(k))).toEqual([]);
  });

  it('asking for a break and getting one leaves the child’s record as it was, and tells no one outside the service', async () => {
    const { authority, coordinatorToken } = await makeAuthority();
    const { family, familyToken } = await makeFamily(authority.id);
    const child = await makeChild(family.id, authority.id, { needs: ['TWO_TO_ONE_STAFFING'] });
    const { provider } = await makeProvider('RESIDENTIAL');
    const { slots } = await makeSlots(provider.id, { startDate: daysFromToday(40), untilDate: daysFromToday(41), capabilities: ['TWO_TO_ONE_STAFFING'] });
    const before = await db().child.findUniqueOrThrow({ where: { id: child.id } });

    const request = await post('/v1/requests', familyToken, {
      childId: child.id,
      periodStart: daysFromToday(35),
      periodEnd: daysFromToday(45),
      preferences: [{ kind: 'SLOT', slotId: slots[0]!.id }],
      notes: 'We are exhausted and need respite',
    });
    expect(request.status).toBe(201);
    const booking = await post('/v1/bookings', coordinatorToken, { childId: child.id, slotId: slots[0]!.id, requestId: request.body.id });
    expect(booking.status, JSON.stringify(booking.body)).toBe(201);

    expect(await db().child.findUniqueOrThrow({ where: { id: child.id } })).toEqual(before);
    expect(await db().family.findUniqueOrThrow({ where: { id: family.id } })).toMatchObject({ erasedAt: null });
    const messages = await db().notification.findMany({ where: { OR: [{ recipientId: family.id }, { payload: { path: ['childId'], equals: child.id } }, { recipientId: provider.id }] } });
    for (const m of messages) {
      expect(['FAMILY', 'PROVIDER', 'COORDINATOR']).toContain(m.recipientRole);
      expect([family.id, provider.id, authority.id]).toContain(m.recipientId);
    }
    const actions = await db().auditEvent.findMany({ where: { OR: [{ entityId: child.id }, { bookingId: booking.body.id }, { entityId: request.body.id }] }, select: { action: true } });
    expect(actions.map((a) => a.action).filter((a) => CASE_MARKERS.test(a) || OTHER_AGENCIES.test(a))).toEqual([]);
  });
});
