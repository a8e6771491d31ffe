/**
 * Booking throughput and latency: our booking transaction through the HTTP API
 * versus the same transaction over raw `pg`, side by side in one run, medians of
 * several interleaved rounds. "The same transaction" is the API's own statements (the same
 * locks, rule check and inserts: placeChild on a bare pool connection, no HTTP,
 * token or validation), so the ratio shows what the framework layers cost. The
 * earlier hand-written ten-statement version is kept as a second reference, so
 * figures stay comparable with those measured before the hot path was reworked.
 *
 * The machine has two cores shared by everything, so throughput follows CPU: each row also
 * reports the CPU time per booking of the API process, of this process (the load generator, or
 * the transaction itself for the raw rows) and of PostgreSQL's backends, which stay comparable
 * when other work on the machine makes the throughput figures jump. The API is driven with
 * node:http (see support.ts httpClient); the row with fetch, the client used before, shows what
 * the client alone cost.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { cpuMsOf, cpuSince, databaseCpu, httpClient, prepareBenchDatabase, median, runConcurrent, startApiProcess, table } from './support.js';

const CHILDREN_PER_RUN = 400;
const CONCURRENCY = 16;
const RUNS = 5;

export async function runBookingBench() {
  await prepareBenchDatabase();
  const { db, disconnectDb } = await import('../src/db.js');
  const { mintToken } = await import('../src/services/tokens.js');
  const { generateSlotsForRule } = await import('../src/services/slot-generation.js');
  const { checkPlacement, nightsOf } = await import('../src/domain/eligibility.js');
  const { placeChild, toEntitlementInfo } = await import('../src/services/placement.js');
  const { SqlTx } = await import('../src/db.js');
  const { addDays, londonDateOf } = await import('../src/domain/london-time.js');

  const code = `B${randomUUID().slice(0, 8)}`;
  const authority = await db().authority.create({ data: { name: `Bench ${code}`, code } });
  const token = await mintToken({ role: 'COORDINATOR', authorityId: authority.id });
  const family = await db().family.create({ data: { authorityId: authority.id, name: 'Bench family' } });
  const provider = await db().provider.create({ data: { name: 'Bench unit', kind: 'RESIDENTIAL', addressLine: 'x', postcode: 'BN11 1AA', lat: 50.8, lng: -0.3 } });
  const day = addDays(londonDateOf(new Date()), 20);
  const rule = await db().capacityRule.create({
    data: { providerId: provider.id, rrule: 'FREQ=DAILY', startDate: day, untilDate: addDays(day, 29), startTime: '17:00', durationMinutes: 17 * 60, places: 400, capabilities: [], exdates: [] },
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
  const client = httpClient(server.url, CONCURRENCY);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

  const viaApi = (children: string[]) => (i: number) =>
    client.request('POST', '/v1/bookings', headers, JSON.stringify({ childId: children[i], slotId: slots[i % slots.length]!.id })).then((r) => r.status === 201);

  const viaFetch = (children: string[]) => (i: number) =>
    fetch(`${server.url}/v1/bookings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ childId: children[i], slotId: slots[i % slots.length]!.id }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status === 201;
    });

  // The API's transaction itself (its statements, prepared), on a bare pg connection.
  const actor = { role: 'COORDINATOR' as const, tokenId: 'bench', authorityId: authority.id };
  const viaPgSame = (children: string[]) => async (i: number) => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN; SET LOCAL lock_timeout = '10s'");
      await placeChild(new SqlTx(client), actor, { childId: children[i]!, slotId: slots[i % slots.length]!.id, source: 'MANUAL' });
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === 'BOOKING_REFUSED') return false;
      throw err;
    } finally {
      client.release();
    }
  };

  // The same work as placeChild, hand-written against pg in ten statements (the reference before the rework).
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

  type Round = Awaited<ReturnType<typeof runConcurrent>> & { apiCpu: number; ownCpu: number; databaseCpu: number };
  const paths = [
    { name: 'HTTP API (node:http client)', run: viaApi, rounds: [] as Round[] },
    { name: 'HTTP API (fetch client, as before)', run: viaFetch, rounds: [] as Round[] },
    { name: 'raw pg, the same transaction', run: viaPgSame, rounds: [] as Round[] },
    { name: 'raw pg, earlier 10-statement version', run: viaPg, rounds: [] as Round[] },
  ];
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  // Warm-up: the API process's JIT and its pool's prepared statements, and this process's.
  for (const path of paths) await runConcurrent(100, CONCURRENCY, path.run(await makeChildren(100)));
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so a change in the machine's load touches every path alike.
    for (const path of paths) {
      const children = await makeChildren(CHILDREN_PER_RUN);
      const [api0, own0, db0] = [cpuMsOf(server.pid), process.cpuUsage(), await databaseCpu(admin)];
      const result = await runConcurrent(CHILDREN_PER_RUN, CONCURRENCY, path.run(children));
      const own = process.cpuUsage(own0);
      const perBooking = (ms: number) => ms / CHILDREN_PER_RUN;
      path.rounds.push({
        ...result,
        apiCpu: perBooking(cpuMsOf(server.pid) - api0),
        ownCpu: perBooking((own.user + own.system) / 1000),
        databaseCpu: perBooking(cpuSince(db0, await databaseCpu(admin))),
      });
    }
  }
  await admin.end();
  client.close();
  await server.close();
  await pool.end();
  await disconnectDb();

  const summary = (xs: Round[]) => ({
    throughput: Math.round(median(xs.map((x) => x.throughput))),
    p50: Number(median(xs.map((x) => x.p50)).toFixed(1)),
    p99: Number(median(xs.map((x) => x.p99)).toFixed(1)),
    failures: xs.reduce((s, x) => s + x.failures, 0),
    cpu: { api: median(xs.map((x) => x.apiCpu)), own: median(xs.map((x) => x.ownCpu)), database: median(xs.map((x) => x.databaseCpu)) },
  });
  const [a, f, p, r] = paths.map((path) => summary(path.rounds)) as [ReturnType<typeof summary>, ReturnType<typeof summary>, ReturnType<typeof summary>, ReturnType<typeof summary>];
  const ms = (x: number) => x.toFixed(2);
  const rows = paths.map((path, i) => {
    const s = [a, f, p, r][i]!;
    return {
      path: path.name,
      'bookings/s': s.throughput,
      'p50 ms': s.p50,
      'p99 ms': s.p99,
      failures: s.failures,
      'CPU ms/booking: API': i < 2 ? ms(s.cpu.api) : '-',
      'this process': ms(s.cpu.own),
      PostgreSQL: ms(s.cpu.database),
    };
  });
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`\nBooking: ${RUNS} runs x ${CHILDREN_PER_RUN} bookings, ${CONCURRENCY} concurrent (medians; load average ${load})\n${table(rows)}`);
  // Rounds of the paths run one after the other, so each run's ratio compares neighbours; their median moves least with the machine's load.
  const pairedRatio = median(paths[0]!.rounds.map((x, i) => x.throughput / paths[2]!.rounds[i]!.throughput));
  console.log(
    `API / raw pg (same transaction): ${(a.throughput / p.throughput).toFixed(2)}x, median of the runs' own ratios ${pairedRatio.toFixed(2)}x (target >= 0.5x); with the fetch client: ${(f.throughput / p.throughput).toFixed(2)}x; ` +
      `API / earlier raw pg: ${(a.throughput / r.throughput).toFixed(2)}x`,
  );
  return { api: a, apiWithFetch: f, rawPgSame: p, rawPgEarlier: r, ratio: a.throughput / p.throughput, pairedRatio };
}

if (import.meta.url === `file://${process.argv[1]}`) await runBookingBench();
