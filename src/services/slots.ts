/** Reading materialised slots with their free places. */
import { Prisma, type ProviderKind, type Slot } from '../generated/prisma/client.js';
import { pool } from '../db.js';
import { nightsOf } from '../domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import type { CareNeed } from '../domain/care-needs.js';
import type { Principal } from './access.js';
import { paginate } from '../schemas/paging.js';

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

/** A slot's columns as the slot query returns them, with its provider's name and kind. */
interface SlotRow
  extends Pick<Slot, 'id' | 'providerId' | 'capacityRuleId' | 'carerId' | 'localDate' | 'startsAt' | 'endsAt' | 'capacity' | 'booked' | 'held' | 'capabilities' | 'reservedForAuthorityId'> {
  providerName: string;
  providerKind: ProviderKind;
}

export function slotView(s: SlotRow) {
  const free = Math.max(0, s.capacity - s.booked - s.held);
  const freeByCapability: Partial<Record<CareNeed, number>> = {};
  for (const c of s.capabilities) freeByCapability[c] = free;
  // Field by field, in the columns' order: spreading the row and overriding its dates cost four times as
  // much (a week's page of slots: most of the route's own CPU time).
  return {
    id: s.id,
    providerId: s.providerId,
    providerName: s.providerName,
    providerKind: s.providerKind,
    capacityRuleId: s.capacityRuleId,
    carerId: s.carerId,
    localDate: s.localDate,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    capacity: s.capacity,
    booked: s.booked,
    held: s.held,
    capabilities: s.capabilities,
    reservedForAuthorityId: s.reservedForAuthorityId,
    nights: nightsOf({ start: s.startsAt, end: s.endsAt }),
    free,
    freeByCapability,
  };
}

/**
 * Reads of many slots go to the pool directly: Prisma's raw-result mapping cost more than the query
 * itself (a week of a county: ~4 ms of CPU for 100 rows). Parameters and results are the same types.
 */
async function readRows<T>(query: Prisma.Sql): Promise<T[]> {
  return (await pool().query<T & Record<string, unknown>>({ text: query.text, values: query.values as unknown[] })).rows;
}

/** Slots a principal may see: block-contracted places only by their authority; a provider only its own. */
function visibility(p: Principal): Prisma.Sql {
  switch (p.role) {
    case 'PROVIDER':
      return Prisma.sql`s."providerId" = ${p.providerId}`;
    case 'COORDINATOR':
    case 'FAMILY':
      // ...and not where the authority has suspended its placements (isSuspendedFor, in SQL).
      return Prisma.sql`(s."reservedForAuthorityId" IS NULL OR s."reservedForAuthorityId" = ${p.authorityId})
        AND NOT EXISTS (SELECT 1 FROM closure k WHERE k."providerId" = s."providerId" AND k."suspendedAuthorityId" = ${p.authorityId} AND s."startsAt" >= k."effectiveFrom")`;
    case 'TRANSPORT':
    case 'ADMIN':
      return Prisma.sql`FALSE`;
  }
}

/**
 * A provider's slots from its closing date are off sale everywhere: not listed,
 * not counted as free (isClosedFrom in src/domain/provider-closing.ts, in SQL).
 */
const ON_SALE = Prisma.sql`p.status <> 'CLOSED' AND (p."closingFrom" IS NULL OR s."startsAt" < p."closingFrom")`;

/** The filters both the list and the per-day summary apply. */
function windowConditions(principal: Principal, q: Omit<SlotQueryInput, 'limit' | 'cursor' | 'available'>): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [
    Prisma.sql`s.status = 'ACTIVE'`,
    ON_SALE,
    Prisma.sql`s."localDate" BETWEEN ${q.from} AND ${q.to}`,
    // The same window as instants (a slot's local date is its start's London date; a day's slack either side):
    // with it the list's ORDER BY "startsAt" LIMIT walks slot_startsAt_idx from the window's first slot,
    // instead of from the first slot ever made (250 ms over a year of history at national scale).
    Prisma.sql`s."startsAt" >= ${londonWallTimeToInstant(addDays(q.from, -1), '00:00')} AND s."startsAt" < ${londonWallTimeToInstant(addDays(q.to, 2), '00:00')}`,
    visibility(principal),
  ];
  if (q.providerId) conditions.push(Prisma.sql`s."providerId" = ${q.providerId}`);
  // A home upgrade in force on the slot's date meets the need too (whether one of its places is still free is the booking's to check).
  if (q.capability) {
    conditions.push(Prisma.sql`(${q.capability}::"CareNeed" = ANY(s.capabilities) OR EXISTS (SELECT 1 FROM provider_upgrade u
      WHERE u."providerId" = s."providerId" AND u.need = ${q.capability}::"CareNeed" AND u."fromDate" <= s."localDate" AND p.kind <> 'FAMILY_BASED'))`);
  }
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
  const rows = await readRows<SlotRow>(Prisma.sql`
    SELECT s.id, s."providerId", p.name AS "providerName", p.kind::text AS "providerKind", s."capacityRuleId",
           s."carerId", s."localDate", s."startsAt", s."endsAt", s.capacity, s.booked, s.held,
           s.capabilities::text[] AS capabilities, s."reservedForAuthorityId"
    FROM slot s JOIN provider p ON p.id = s."providerId"
    WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY s."startsAt", s.id
    LIMIT ${q.limit + 1}`);
  return paginate(rows, q.limit, slotView);
}

/**
 * Free places per day and per provider, for a month at a glance: aggregates
 * over the same filters as listSlots, so a calendar never pages through
 * hundreds of slots. Days and providers without breaks are left out.
 */
export async function slotDays(principal: Principal, q: Omit<SlotQueryInput, 'limit' | 'cursor' | 'available'>) {
  const where = Prisma.join(windowConditions(principal, q), ' AND ');
  const [days, providers] = await Promise.all([
    readRows<{ localDate: string; breaks: number; breaksWithFree: number; places: number; free: number; providers: number }>(Prisma.sql`
      SELECT s."localDate",
             count(*)::int AS breaks,
             count(*) FILTER (WHERE s.booked + s.held < s.capacity)::int AS "breaksWithFree",
             sum(s.capacity)::int AS places,
             sum(greatest(0, s.capacity - s.booked - s.held))::int AS free,
             count(DISTINCT s."providerId") FILTER (WHERE s.booked + s.held < s.capacity)::int AS providers
      FROM slot s JOIN provider p ON p.id = s."providerId"
      WHERE ${where}
      GROUP BY s."localDate"
      ORDER BY s."localDate"`),
    readRows<{ providerId: string; providerName: string; breaks: number; breaksWithFree: number; places: number; free: number }>(Prisma.sql`
      SELECT s."providerId", p.name AS "providerName",
             count(*)::int AS breaks,
             count(*) FILTER (WHERE s.booked + s.held < s.capacity)::int AS "breaksWithFree",
             sum(s.capacity)::int AS places,
             sum(greatest(0, s.capacity - s.booked - s.held))::int AS free
      FROM slot s JOIN provider p ON p.id = s."providerId"
      WHERE ${where}
      GROUP BY s."providerId", p.name
      ORDER BY p.name, s."providerId"`),
  ]);
  return { days, providers };
}
