/**
 * Reports for the demo county over a full year: the county is seeded a year in
 * the past, about 20 breaks per child are booked and mostly attended, then the
 * entitlement ledger, capacity report and looked-after report are timed
 * (median of several runs). A coordinator waits on these pages, so each must answer well under a second.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { BENCH_DATABASE_URL, median, prepareBenchDatabase, table } from './support.js';

const RUNS = 5;

export async function runReportsBench() {
  await prepareBenchDatabase();
  const { db, disconnectDb } = await import('../src/db.js');
  const { seedDemoCounty } = await import('../fixtures/demo-county.js');
  const { entitlementLedger, capacityReport, lookedAfterReport } = await import('../src/services/reports.js');
  const { addDays, londonDateOf } = await import('../src/domain/london-time.js');
  const { SeededRandom } = await import('../src/domain/allocation/random.js');

  const today = londonDateOf(new Date());
  const yearAgo = addDays(today, -365);
  const seeded = await seedDemoCounty({ code: `BENCH${randomUUID().slice(0, 6)}`, today: new Date(`${yearAgo}T12:00:00Z`) });
  const children = await db().child.findMany({ where: { authorityId: seeded.authorityId }, select: { id: true } });
  const slots = await db().slot.findMany({
    where: { provider: { kind: { not: 'FAMILY_BASED' } }, localDate: { gte: yearAgo, lt: today }, capacityRule: { provider: { capacityRules: { some: {} } } } },
    select: { id: true, startsAt: true, endsAt: true },
  });
  // Plain inserts, one per statement: the constraints refuse clashes and full slots, which are simply skipped.
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  const rng = new SeededRandom('reports-bench');
  let booked = 0;
  for (const child of children) {
    for (let k = 0; k < 20; k++) {
      const slot = rng.pick(slots);
      const roll = rng.float();
      const status = roll < 0.8 ? 'ATTENDED' : roll < 0.9 ? 'NO_SHOW' : 'CANCELLED';
      try {
        await client.query(
          `INSERT INTO booking (id, "childId", "slotId", "authorityId", status, source, "startsAt", "endsAt", nights, "cancelledByRole", "noShowReason", "updatedAt")
           VALUES ($1,$2,$3,$4,$5::"BookingStatus",'MANUAL',$6,$7, GREATEST(0, ($7::timestamptz AT TIME ZONE 'Europe/London')::date - ($6::timestamptz AT TIME ZONE 'Europe/London')::date), $8::"Role", $9, now())`,
          [randomUUID(), child.id, slot.id, seeded.authorityId, status, slot.startsAt, slot.endsAt, status === 'CANCELLED' ? (rng.chance(0.5) ? 'FAMILY' : 'PROVIDER') : null, status === 'NO_SHOW' ? 'CHILD_UNWELL' : null],
        );
        booked++;
      } catch {
        // overlap or full: skip
      }
    }
  }
  // As autovacuum would have by the time anyone reads a year of history: without statistics for the rows just
  // inserted the capacity report ran on a near-empty-table plan, 3,360 ms against 113 ms.
  await client.query('ANALYZE');
  await client.end();

  const principal = { tokenId: 'bench', role: 'COORDINATOR' as const, authorityId: seeded.authorityId };
  const q = { from: yearAgo, to: today };
  const time = async (fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    return Number(median(ms).toFixed(1));
  };
  const rows = [
    { report: 'entitlement ledger', 'median ms': await time(() => entitlementLedger(principal, q)) },
    { report: 'capacity + unmet demand', 'median ms': await time(() => capacityReport(principal, q)) },
    { report: 'looked-after limits', 'median ms': await time(() => lookedAfterReport(principal, q)) },
  ];
  await disconnectDb();
  console.log(`\nReports: demo county, ${children.length} children, ${seeded.slots} slots, ${booked} bookings over ${yearAgo}..${today} (median of ${RUNS})\n${table(rows)}`);
  return { children: children.length, slots: seeded.slots, bookings: booked, timings: rows };
}

if (import.meta.url === `file://${process.argv[1]}`) await runReportsBench();
