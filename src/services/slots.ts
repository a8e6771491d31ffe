/** Reading materialised slots with their free places. */
import { Prisma } from '../generated/prisma/client.js';
import { db } from '../db.js';
import { nightsOf } from '../domain/eligibility.js';
import type { CareNeed } from '../domain/care-needs.js';
import type { Principal } from './access.js';

export interface SlotQueryInput {
  from: string;
  to: string;
  providerId?: string;
  capability?: CareNeed;
  kind?: 'RESIDENTIAL' | 'COMMUNITY' | 'FAMILY_BASED';
  available?: 'true' | 'false';
  limit: number;
  cursor?: string;
}

interface SlotRow {
  id: string;
  providerId: string;
  providerName: string;
  providerKind: 'RESIDENTIAL' | 'COMMUNITY' | 'FAMILY_BASED';
  capacityRuleId: string;
  carerId: string | null;
  localDate: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
  held: number;
  capabilities: CareNeed[];
  reservedForAuthorityId: string | null;
}

export function slotView(s: SlotRow) {
  const free = Math.max(0, s.capacity - s.booked - s.held);
  return {
    ...s,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    nights: nightsOf({ start: s.startsAt, end: s.endsAt }),
    free,
    freeByCapability: Object.fromEntries(s.capabilities.map((c) => [c, free])),
  };
}

/** Slots a principal may see: block-contracted places only by their authority; a provider only its own. */
function visibility(p: Principal): Prisma.Sql {
  switch (p.role) {
    case 'PROVIDER':
      return Prisma.sql`s."providerId" = ${p.providerId}`;
    case 'COORDINATOR':
    case 'FAMILY':
      return Prisma.sql`(s."reservedForAuthorityId" IS NULL OR s."reservedForAuthorityId" = ${p.authorityId})`;
  }
}

/** The filters both the list and the per-day summary apply. */
function windowConditions(principal: Principal, q: Omit<SlotQueryInput, 'limit' | 'cursor' | 'available'>): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [
    Prisma.sql`s.status = 'ACTIVE'`,
    Prisma.sql`s."localDate" BETWEEN ${q.from} AND ${q.to}`,
    visibility(principal),
  ];
  if (q.providerId) conditions.push(Prisma.sql`s."providerId" = ${q.providerId}`);
  if (q.capability) conditions.push(Prisma.sql`${q.capability}::"CareNeed" = ANY(s.capabilities)`);
  if (q.kind) conditions.push(Prisma.sql`p.kind = ${q.kind}::"ProviderKind"`);
  return conditions;
}

export async function listSlots(principal: Principal, q: SlotQueryInput) {
  const conditions = windowConditions(principal, q);
  if (q.available === 'true') conditions.push(Prisma.sql`s.booked + s.held < s.capacity`);
  if (q.available === 'false') conditions.push(Prisma.sql`s.booked + s.held >= s.capacity`);
  if (q.cursor) {
    conditions.push(Prisma.sql`(s."startsAt", s.id) > (SELECT "startsAt", id FROM slot WHERE id = ${q.cursor})`);
  }
  const rows = await db().$queryRaw<SlotRow[]>`
    SELECT s.id, s."providerId", p.name AS "providerName", p.kind::text AS "providerKind", s."capacityRuleId",
           s."carerId", s."localDate", s."startsAt", s."endsAt", s.capacity, s.booked, s.held,
           s.capabilities::text[] AS capabilities, s."reservedForAuthorityId"
    FROM slot s JOIN provider p ON p.id = s."providerId"
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY s."startsAt", s.id
    LIMIT ${q.limit + 1}`;
  const items = rows.slice(0, q.limit).map(slotView);
  return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * Free places per day and per provider, for a month at a glance: aggregates
 * over the same filters as listSlots, so a calendar never pages through
 * hundreds of slots. Days and providers without breaks are left out.
 */
export async function slotDays(principal: Principal, q: Omit<SlotQueryInput, 'limit' | 'cursor' | 'available'>) {
  const where = Prisma.join(windowConditions(principal, q), ' AND ');
  const [days, providers] = await Promise.all([
    db().$queryRaw<{ localDate: string; breaks: number; breaksWithFree: number; places: number; free: number; providers: number }[]>`
      SELECT s."localDate",
             count(*)::int AS breaks,
             count(*) FILTER (WHERE s.booked + s.held < s.capacity)::int AS "breaksWithFree",
             sum(s.capacity)::int AS places,
             sum(greatest(0, s.capacity - s.booked - s.held))::int AS free,
             count(DISTINCT s."providerId") FILTER (WHERE s.booked + s.held < s.capacity)::int AS providers
      FROM slot s JOIN provider p ON p.id = s."providerId"
      WHERE ${where}
      GROUP BY s."localDate"
      ORDER BY s."localDate"`,
    db().$queryRaw<{ providerId: string; providerName: string; breaks: number; breaksWithFree: number; places: number; free: number }[]>`
      SELECT s."providerId", p.name AS "providerName",
             count(*)::int AS breaks,
             count(*) FILTER (WHERE s.booked + s.held < s.capacity)::int AS "breaksWithFree",
             sum(s.capacity)::int AS places,
             sum(greatest(0, s.capacity - s.booked - s.held))::int AS free
      FROM slot s JOIN provider p ON p.id = s."providerId"
      WHERE ${where}
      GROUP BY s."providerId", p.name
      ORDER BY p.name, s."providerId"`,
  ]);
  return { days, providers };
}
