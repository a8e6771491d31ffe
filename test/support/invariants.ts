/**
 * The database's own view of the invariants in DESIGN.md: each query returns the
 * rows that break one, so an empty result is the proof. Used after concurrency,
 * crash and fuzz tests.
 */
import { db } from '../../src/db.js';
import { Prisma } from '../../src/generated/prisma/client.js';

export async function invariantViolations() {
  const overfilled = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM slot s
    WHERE s.booked + s.held > s.capacity
       OR s.booked <> (SELECT count(*) FROM booking b WHERE b."slotId" = s.id AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW'))`;
  const overlapping = await db().$queryRaw<{ a: string; b: string }[]>`
    SELECT a.id AS a, b.id AS b FROM booking a JOIN booking b
      ON a."childId" = b."childId" AND a.id < b.id
     AND tstzrange(a."startsAt", a."endsAt") && tstzrange(b."startsAt", b."endsAt")
    WHERE a.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW') AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW')`;
  // Invariant 3: complex health needs only where met (capability or a home upgrade in force, or for family-based slots valid carer training).
  const unsuitable = await db().$queryRaw<{ id: string }[]>`
    SELECT b.id FROM booking b
    JOIN child c ON c.id = b."childId"
    JOIN slot s ON s.id = b."slotId"
    JOIN provider p ON p.id = s."providerId"
    CROSS JOIN LATERAL unnest(c.needs) AS need
    WHERE b.status IN ('ALLOCATED','CONFIRMED') AND b."startsAt" > now()
      AND need IN ('GASTROSTOMY','OXYGEN','EPILEPSY_RESCUE_MEDICATION','VENTILATION')
      AND CASE WHEN p.kind = 'FAMILY_BASED' THEN NOT EXISTS (
             SELECT 1 FROM training_record t WHERE t."carerId" = s."carerId" AND t.need = need
               AND t."completedOn" <= (s."startsAt" AT TIME ZONE 'UTC')::date AND t."expiresOn" >= (s."endsAt" AT TIME ZONE 'UTC')::date)
           ELSE NOT (need = ANY(s.capabilities)) AND NOT EXISTS (
             SELECT 1 FROM provider_upgrade u WHERE u."providerId" = p.id AND u.need = need AND u."fromDate" <= s."localDate") END
    UNION
    -- A home upgrade meets a need in at most its number of places at any one instant (the busiest instant is some stay's start).
    SELECT b.id FROM booking b
    JOIN child c ON c.id = b."childId"
    JOIN slot s ON s.id = b."slotId"
    JOIN provider_upgrade u ON u."providerId" = s."providerId" AND u.need = ANY(c.needs) AND NOT (u.need = ANY(s.capabilities)) AND u."fromDate" <= s."localDate"
    WHERE b.status IN ('ALLOCATED','CONFIRMED') AND b."startsAt" > now()
      AND (SELECT count(*) FROM booking b2 JOIN child c2 ON c2.id = b2."childId" JOIN slot s2 ON s2.id = b2."slotId"
            WHERE s2."providerId" = s."providerId" AND b2.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW')
              AND u.need = ANY(c2.needs) AND NOT (u.need = ANY(s2.capabilities))
              AND b2."startsAt" <= b."startsAt" AND b2."endsAt" > b."startsAt") > u.places`;
  return { overfilled, overlapping, unsuitable };
}

/**
 * Invariant 8: from a closure's date nothing points at the closing provider once
 * its closure has been applied (COMPLETED) — no live booking, no held place, no
 * offer or waiting-list entry, no slot listed as free. `providerIds` limits the
 * check to one test's providers (the test database keeps every run's rows).
 * Each list names the rows that break it; all empty is the proof.
 */
export async function closureViolations(providerIds?: string[]) {
  const scope = providerIds ? Prisma.sql`AND p.id = ANY(${providerIds}::text[])` : Prisma.empty;
  const closed = Prisma.sql`p.status IN ('CLOSING','CLOSED') AND s."startsAt" >= p."closingFrom"
    AND EXISTS (SELECT 1 FROM closure k WHERE k."providerId" = p.id AND k.status = 'COMPLETED') ${scope}`;
  const liveBookings = await db().$queryRaw<{ id: string }[]>`
    SELECT b.id FROM booking b JOIN slot s ON s.id = b."slotId" JOIN provider p ON p.id = s."providerId"
    WHERE b.status IN ('ALLOCATED','CONFIRMED') AND ${closed}`;
  const heldPlaces = await db().$queryRaw<{ id: string; held: number }[]>`
    SELECT s.id, s.held FROM slot s JOIN provider p ON p.id = s."providerId" WHERE s.held > 0 AND ${closed}`;
  const openEntries = await db().$queryRaw<{ id: string; status: string }[]>`
    SELECT w.id, w.status::text AS status FROM waitlist_entry w JOIN slot s ON s.id = w."slotId" JOIN provider p ON p.id = s."providerId"
    WHERE w.status IN ('WAITING','OFFERED') AND ${closed}`;
  const pendingHolds = await db().$queryRaw<{ id: string }[]>`
    SELECT o.id FROM rehoming_outcome o JOIN slot s ON s.id = o."toSlotId" JOIN provider p ON p.id = s."providerId"
    WHERE o.outcome = 'PENDING_TRAINING' AND o."supersededByOutcomeId" IS NULL AND o."appliedAt" IS NOT NULL AND ${closed}`;
  // A completed suspension: none of the suspending authority's children left booked, offered or waiting there.
  const suspendedScope = providerIds ? Prisma.sql`AND k."providerId" = ANY(${providerIds}::text[])` : Prisma.empty;
  const suspended = await db().$queryRaw<{ id: string }[]>`
    SELECT b.id FROM booking b JOIN slot s ON s.id = b."slotId"
    JOIN closure k ON k."providerId" = s."providerId" AND k."suspendedAuthorityId" = b."authorityId" AND k.status = 'COMPLETED' ${suspendedScope}
    WHERE b.status IN ('ALLOCATED','CONFIRMED') AND s."startsAt" >= k."effectiveFrom"
    UNION ALL
    SELECT w.id FROM waitlist_entry w JOIN slot s ON s.id = w."slotId"
    JOIN closure k ON k."providerId" = s."providerId" AND k."suspendedAuthorityId" = w."authorityId" AND k.status = 'COMPLETED' ${suspendedScope}
    WHERE w.status IN ('WAITING','OFFERED') AND s."startsAt" >= k."effectiveFrom"`;
  return { liveBookings, heldPlaces, openEntries, pendingHolds, suspended };
}

/** Offers a family cannot take up: open re-homing offers at a provider that is closing on that date. */
export async function strandedOffers(providerIds?: string[]) {
  const scope = providerIds ? Prisma.sql`AND p.id = ANY(${providerIds}::text[])` : Prisma.empty;
  return db().$queryRaw<{ id: string }[]>`
    SELECT w.id FROM waitlist_entry w JOIN slot s ON s.id = w."slotId" JOIN provider p ON p.id = s."providerId"
    WHERE w.status = 'OFFERED' AND (p.status = 'CLOSED' OR (p."closingFrom" IS NOT NULL AND s."startsAt" >= p."closingFrom")) ${scope}`;
}
