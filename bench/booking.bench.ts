/**
 * Booking throughput and latency: our booking transaction through the HTTP API
 * versus the same transaction (same locks, same rule check, same inserts) over
 * raw `pg`, side by side in one run, medians of several rounds. The ratio shows
 * what the framework layers (HTTP, auth, validation, Prisma) cost.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { prepareBenchDatabase, median, runConcurrent, startApiProcess, table } from './support.js';

const CHILDREN_PER_RUN = 400;
const CONCURRENCY = 16;
const RUNS = 3;

export async function runBookingBench() {
  await prepareBenchDatabase();
  const { db, disconnectDb } = await import('../src/db.js');
  const { mintToken } = await import('../src/services/tokens.js');
  const { generateSlotsForRule } = await import('../src/services/slot-generation.js');
  const { checkPlacement, nightsOf } = await import('../src/domain/eligibility.js');
  const { toEntitlementInfo } = await import('../src/services/placement.js');
  const { addDays, londonDateOf } = await import('../src/domain/london-time.js');

  const code = `B${randomUUID().slice(0, 8)}`;
  const authority = await db().authority.create({ data: { name: `Bench ${code}`, code } });
  const token = await mintToken({ role: 'COORDINATOR', authorityId: authority.id });
  const family = await db().family.create({ data: { authorityId: authority.id, name: 'Bench family' } });
  const provider = await db().provider.create({ data: { name: 'Bench unit', kind: 'RESIDENTIAL', addressLine: 'x', postcode: 'BN11 1AA', lat: 50.8, lng: -0.3 } });
  const day = addDays(londonDateOf(new Date()), 20);
  const rule = await db().capacityRule.create({
    data: { providerId: provider.id, rrule: 'FREQ=DAILY', startDate: day, untilDate: addDays(day, 29), startTime: '17:00', durationMinutes: 17 * 60, places: 200, capabilities: [], exdates: [] },
  });
  await generateSlotsForRule(rule.id);
  const slots = await db().slot.findMany({ where: { capacityRuleId: rule.id } });

  async function makeChildren(n: number) {
    const ids = Array.from({ length: n }, () => randomUUID());
    await db().child.createMany({ data: ids.map((id) => ({ id, familyId: family.id, authorityId: authority.id, firstName: 'B', lastName: 'Bench', dateOfBirth: new Date('2014-01-01') })) });
    await db().entitlement.createMany({ data: ids.map((childId) => ({ childId, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 60, daySessions: 10 })) });
    return ids;
  }

  // The API in its own process, as deployed, so the load generator does not share its event loop.
  const server = await startApiProcess();
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

  const viaApi = (children: string[]) => (i: number) =>
    fetch(`${server.url}/v1/bookings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ childId: children[i], slotId: slots[i % slots.length]!.id }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status === 201;
    });

  // The same work as placeChild, written directly against pg.
  const viaPg = (children: string[]) => async (i: number) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const childId = children[i]!;
      const slotId = slots[i % slots.length]!.id;
      await client.query('SELECT id FROM child WHERE id = $1 FOR UPDATE', [childId]);
      const child = (await client.query('SELECT id, "authorityId", needs::text[] AS needs FROM child WHERE id = $1', [childId])).rows[0];
      const ents = (await client.query('SELECT * FROM entitlement WHERE "childId" = $1', [childId])).rows;
      const stays = (await client.query(`SELECT b."slotId", s."providerId", b."startsAt", b."endsAt" FROM booking b JOIN slot s ON s.id = b."slotId" WHERE b."childId" = $1 AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW')`, [childId])).rows;
      await client.query('SELECT id FROM slot WHERE id = $1 FOR UPDATE', [slotId]);
      const slot = (await client.query('SELECT s.*, s.capabilities::text[] AS caps, p.kind FROM slot s JOIN provider p ON p.id = s."providerId" WHERE s.id = $1', [slotId])).rows[0];
      const result = checkPlacement({
        child: { id: child.id, authorityId: child.authorityId, needs: child.needs },
        slot: { id: slot.id, providerId: slot.providerId, providerKind: slot.kind, start: slot.startsAt, end: slot.endsAt, capacity: slot.capacity, booked: slot.booked + slot.held, capabilities: slot.caps, reservedForAuthorityId: slot.reservedForAuthorityId },
        stays: stays.map((s) => ({ slotId: s.slotId, providerId: s.providerId, start: s.startsAt, end: s.endsAt })),
        entitlements: ents.map(toEntitlementInfo),
      });
      if (result.refusals.length) {
        await client.query('ROLLBACK');
        return false;
      }
      const bookingId = randomUUID();
      await client.query(
        `INSERT INTO booking (id, "childId", "slotId", "authorityId", status, source, "startsAt", "endsAt", nights, "updatedAt") VALUES ($1,$2,$3,$4,'CONFIRMED','MANUAL',$5,$6,$7, now())`,
        [bookingId, childId, slotId, child.authorityId, slot.startsAt, slot.endsAt, nightsOf({ start: slot.startsAt, end: slot.endsAt })],
      );
      await client.query(
        `INSERT INTO audit_event (id, "actorRole", "actorId", action, "entityType", "entityId", "bookingId", "authorityId", after) VALUES ($1,'COORDINATOR','bench','booking.created','Booking',$2,$2,$3,$4)`,
        [randomUUID(), bookingId, child.authorityId, JSON.stringify({ status: 'CONFIRMED' })],
      );
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };

  const api: Awaited<ReturnType<typeof runConcurrent>>[] = [];
  const raw: Awaited<ReturnType<typeof runConcurrent>>[] = [];
  await runConcurrent(50, CONCURRENCY, viaApi(await makeChildren(50))); // warm-up
  for (let run = 0; run < RUNS; run++) {
    api.push(await runConcurrent(CHILDREN_PER_RUN, CONCURRENCY, viaApi(await makeChildren(CHILDREN_PER_RUN))));
    raw.push(await runConcurrent(CHILDREN_PER_RUN, CONCURRENCY, viaPg(await makeChildren(CHILDREN_PER_RUN))));
  }
  await server.close();
  await pool.end();
  await disconnectDb();

  const summary = (xs: typeof api) => ({
    throughput: Math.round(median(xs.map((x) => x.throughput))),
    p50: Number(median(xs.map((x) => x.p50)).toFixed(1)),
    p99: Number(median(xs.map((x) => x.p99)).toFixed(1)),
    failures: xs.reduce((s, x) => s + x.failures, 0),
  });
  const a = summary(api);
  const r = summary(raw);
  const rows = [
    { path: 'HTTP API (Hono + Prisma)', 'bookings/s': a.throughput, 'p50 ms': a.p50, 'p99 ms': a.p99, failures: a.failures },
    { path: 'raw pg, same transaction', 'bookings/s': r.throughput, 'p50 ms': r.p50, 'p99 ms': r.p99, failures: r.failures },
  ];
  console.log(`\nBooking: ${RUNS} runs x ${CHILDREN_PER_RUN} bookings, ${CONCURRENCY} concurrent (medians)\n${table(rows)}`);
  console.log(`ratio raw pg / API throughput: ${(r.throughput / a.throughput).toFixed(2)}x`);
  return { api: a, rawPg: r, ratio: r.throughput / a.throughput };
}

if (import.meta.url === `file://${process.argv[1]}`) await runBookingBench();
