/**
 * The database's own view of the invariants in DESIGN.md: each query returns the
 * rows that break one, so an empty result is the proof. Used after concurrency,
 * crash and fuzz tests.
 */
import { db } from '../../src/db.js';

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
  // Invariant 3: complex health needs only where met (capability, or for family-based slots valid carer training).
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
           ELSE NOT (need = ANY(s.capabilities)) END`;
  return { overfilled, overlapping, unsuitable };
}
