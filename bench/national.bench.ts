/**
 * National simulation (`npm run bench -- national`; NATIONAL_SCALE=0.1 for a
 * tenth of the children): 150 authorities and 100,000 children in a database of
 * their own (`<db>_national`), generated inside PostgreSQL with set-based
 * INSERT … SELECT generate_series (no row-by-row client work): families,
 * awards, providers (every fourth one also booked by the neighbouring
 * authority), a daily capacity rule each with a year of past slots and six weeks
 * ahead, and a year of booking history (twenty breaks a child, mostly attended),
 * every row checked by the real constraints (the big tables' indexes and
 * constraints are rebuilt over them in bulk: see withBulkLoad). Then:
 * one allocation round per authority through BullMQ with 1, 2 and 4 worker
 * processes (wall time and speed-up); each report for one authority; the query
 * plans of the hottest queries; the database's size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { BENCH_DATABASE_URL, freshDatabase, median, saveResult, table } from './support.js';

const SCALE = Number(process.env.NATIONAL_SCALE ?? 1);
const AUTHORITIES = 150;
const CHILDREN = Math.round(100_000 * SCALE);
const PROVIDERS_PER_AUTHORITY = Math.max(2, Math.round(16 * SCALE));
// NATIONAL_WORKERS=1,2 (or empty, for the reports and plans alone) chooses the worker counts the rounds run with.
const WORKER_COUNTS = (process.env.NATIONAL_WORKERS ?? '1,2,4').split(',').filter(Boolean).map(Number);
const REQUEST_SHARE = 0.05;
// Connections the generation's two big inserts are split over (the machine's cores are the useful limit).
const LOAD_CONNECTIONS = Number(process.env.NATIONAL_LOAD_CONNECTIONS ?? 2);

export const NATIONAL_DATABASE_URL = BENCH_DATABASE_URL.replace(/_bench(\?|$)/, '_national$1');
process.env.DATABASE_URL = NATIONAL_DATABASE_URL;
// Its own queue namespace: only the workers this bench starts take its rounds.
process.env.QUEUE_PREFIX = `sbnational${randomUUID().slice(0, 6)}`;

const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(1));

// Rounds ask for weeks from this many days ahead, one week per worker count; slots are generated this far ahead.
const FIRST_ROUND_DAY = 14;
const SLOT_HORIZON_DAYS = 42;
/**
 * What the data depends on: its sizes, the generator's code and the migrations it was written for. A database made
 * by other code (or for another schema) is generated again rather than measured as if it were this one.
 */
const GENERATOR_VERSION = createHash('sha256')
  .update([AUTHORITIES, CHILDREN, PROVIDERS_PER_AUTHORITY, SLOT_HORIZON_DAYS, generate, withBulkLoad, onConnections, ...readdirSync(fileURLToPath(new URL('../prisma/migrations', import.meta.url))).sort()].join('\n'))
  .digest('hex')
  .slice(0, 16);

/**
 * Days since the national database was generated, when a previous run left one made by this generator recently
 * enough that its six weeks of slots still hold every round's week; otherwise null.
 */
async function reusableDatabase(): Promise<number | null> {
  const sql = new pg.Client({ connectionString: NATIONAL_DATABASE_URL });
  try {
    await sql.connect();
    const { rows } = await sql.query<{ version: string; age: number }>('SELECT version, current_date - "generatedOn" AS age FROM bench_generation');
    const latest = FIRST_ROUND_DAY + 7 * WORKER_COUNTS.length;
    const age = rows[0]?.version === GENERATOR_VERSION ? rows[0].age : null;
    return age !== null && age >= 0 && age <= SLOT_HORIZON_DAYS - latest ? age : null;
  } catch {
    return null;
  } finally {
    await sql.end().catch(() => undefined);
  }
}

export async function runNationalBench() {
  const timings: Record<string, string | number>[] = [];
  const t0 = performance.now();
  const perAuthorityChildren = Math.ceil(CHILDREN / AUTHORITIES);
  // The data a previous run generated is kept (generating it is most of this stage on a two-core machine) when the
  // same generator made it (NATIONAL_REUSE=0 generates it again anyway): only what that run's rounds added is taken
  // away, so every run starts from the same history.
  const age = process.env.NATIONAL_REUSE === '0' ? null : await reusableDatabase();
  const reuse = age !== null;
  if (!reuse) await freshDatabase(NATIONAL_DATABASE_URL);
  const sql = new pg.Client({ connectionString: NATIONAL_DATABASE_URL });
  await sql.connect();
  if (reuse) {
    await sql.query(`TRUNCATE audit_event, job_outbox, waitlist_entry, allocation_credit; DELETE FROM booking WHERE "roundId" IS NOT NULL`);
    // booking."requestId" has no index (nothing looks bookings up by request), so each request deleted would scan
    // the 2 million bookings for references to set null: the foreign keys to requests are set aside while they go
    // and re-added, which checks every booking once.
    const { rows: keys } = await sql.query<{ table: string; name: string; def: string }>(`
      SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE confrelid = 'break_request'::regclass AND contype = 'f'`);
    for (const k of keys) await sql.query(`ALTER TABLE ${k.table} DROP CONSTRAINT "${k.name}"`);
    await sql.query('DELETE FROM break_request');
    for (const k of keys) await sql.query(`ALTER TABLE ${k.table} ADD CONSTRAINT "${k.name}" ${k.def}`);
    await sql.query('DELETE FROM allocation_round; DELETE FROM api_token');
    timings.push({ step: `reused the data generated ${age} day(s) ago by this generator (${GENERATOR_VERSION})`, rows: 0, seconds: seconds(t0) });
  } else await generate(sql, timings);
  const generated = seconds(t0);
  const perAuthority = perAuthorityChildren;
  const providers = AUTHORITIES * PROVIDERS_PER_AUTHORITY;

  const { db, disconnectDb } = await import('../src/db.js');
  const { mintToken } = await import('../src/services/tokens.js');
  const { entitlementLedger, capacityReport, lookedAfterReport } = await import('../src/services/reports.js');
  const { addDays, londonDateOf } = await import('../src/domain/london-time.js');
  const authorities = (await db().authority.findMany({ orderBy: { id: 'asc' } })).map((a) => a.id);
  const tokens = await Promise.all(authorities.map((authorityId) => mintToken({ role: 'COORDINATOR', authorityId })));
  const today = londonDateOf(new Date());

  // Rounds: for each worker count a week of its own, 5% of every authority's children asking for two nights there.
  const rounds: Record<string, string | number>[] = [];
  for (const [i, workers] of WORKER_COUNTS.entries()) {
    const from = addDays(today, FIRST_ROUND_DAY + i * 7);
    const to = addDays(from, 6);
    await sql.query(`
      INSERT INTO break_request (id, "childId", "authorityId", "periodStart", "periodEnd", preferences, "createdByRole")
      SELECT gen_random_uuid()::text, c.id, c."authorityId", $1, $2,
             jsonb_build_array(
               jsonb_build_object('kind', 'SLOT', 'slotId', bench_uuid('s' || substr(c."authorityId", 2)::int || '-' || (k % $4) || '-' || ($6 + $5 * 7 + k % 7))),
               jsonb_build_object('kind', 'SLOT', 'slotId', bench_uuid('s' || substr(c."authorityId", 2)::int || '-' || ((k + 1) % $4) || '-' || ($6 + $5 * 7 + (k + 3) % 7)))),
             'COORDINATOR'
      FROM (SELECT id, "authorityId", split_part(id, '-', 2)::int AS k FROM child) c
      WHERE k < ceil($3::float8 * ${REQUEST_SHARE})`, [from, to, perAuthority, PROVIDERS_PER_AUTHORITY, i, (age ?? 0) + FIRST_ROUND_DAY]);
    const { queue } = await import('../src/jobs/queues.js');
    const { flushOutbox } = await import('../src/jobs/outbox.js');
    // The workers' start-up horizon job would regenerate every rule (a year of slots each) while the rounds run:
    // a far-delayed job holding its id keeps it out of this measurement.
    const day = new Date().toISOString().slice(0, 10);
    await queue('slot-generation').add('extendHorizon', { day }, { jobId: `horizon-${day}`, delay: 365 * 864e5 });
    const { post } = await import('../test/support/api.js');
    const procs: ChildProcess[] = Array.from({ length: workers }, () =>
      spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], { env: { ...process.env, LOG_LEVEL: 'error' }, stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    // The clock starts once every worker process takes allocation jobs: starting one (loading and compiling the
    // code) takes seconds on a loaded machine, the longer the more start at once, and is no part of the rounds.
    while ((await queue('allocation').getWorkersCount()) < workers) await new Promise((r) => setTimeout(r, 200));
    const ids: string[] = [];
    const started = performance.now();
    for (const token of tokens) {
      const res = await post('/v1/allocation-rounds', token, { periodStart: from, periodEnd: to, seed: `national-${workers}` });
      if (res.status !== 202) throw new Error(`round answered ${res.status}: ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
    await flushOutbox(10_000);
    for (;;) {
      const done = await db().allocationRound.count({ where: { id: { in: ids }, status: { in: ['COMPLETED', 'FAILED'] } } });
      if (done === ids.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const wall = (performance.now() - started) / 1000;
    const failed = await db().allocationRound.count({ where: { id: { in: ids }, status: 'FAILED' } });
    const booked = await db().booking.count({ where: { roundId: { in: ids } } });
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => { p.once('exit', () => resolve()); p.kill('SIGTERM'); })));
    // The wall time includes asking for the rounds; the span, from the first round a worker took to the last it
    // finished, is the rounds' own work, which more workers can share.
    const { rows: [span] } = await sql.query<{ span: number; median: number }>(`
      SELECT extract(epoch FROM max("completedAt") - min("startedAt"))::float8 AS span,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "completedAt" - "startedAt"))::float8 AS median
      FROM allocation_round WHERE id = ANY($1)`, [ids]);
    rounds.push({
      workers, rounds: ids.length, 'requests': await db().breakRequest.count({ where: { periodStart: from } }), 'bookings made': booked, failed,
      'wall s': Number(wall.toFixed(1)), 'span s': Number(span!.span.toFixed(1)), 'median round s': Number(span!.median.toFixed(2)),
    });
  }
  const single = rounds[0];
  for (const r of rounds) {
    r['speed-up'] = Number((Number(single?.['wall s']) / Number(r['wall s'])).toFixed(2));
    r['span speed-up'] = Number((Number(single?.['span s']) / Number(r['span s'])).toFixed(2));
  }

  // Reports for one authority over the past year.
  const principal = { tokenId: 'bench', role: 'COORDINATOR' as const, authorityId: authorities[0]! };
  const q = { from: addDays(today, -365), to: today };
  const time = async (fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    return Number(median(ms).toFixed(0));
  };
  const reports = [
    { report: 'entitlement ledger', 'median ms': await time(() => entitlementLedger(principal, q)) },
    { report: 'capacity + unmet demand', 'median ms': await time(() => capacityReport(principal, q)) },
    { report: 'looked-after limits', 'median ms': await time(() => lookedAfterReport(principal, q)) },
  ];

  // The hottest queries' plans.
  const child = `c0-1`;
  const week = [addDays(today, 7), addDays(today, 13)];
  const plans: [string, string, unknown[]][] = [
    ['slots in a week (GET /v1/slots, calendars, rounds)', `SELECT s.id FROM slot s JOIN provider p ON p.id = s."providerId" WHERE s.status = 'ACTIVE' AND s."localDate" BETWEEN $1 AND $2 AND s."startsAt" >= $4 AND s."startsAt" < $5 AND (s."reservedForAuthorityId" IS NULL OR s."reservedForAuthorityId" = $3) ORDER BY s."startsAt", s.id LIMIT 101`, [week[0], week[1], authorities[0], new Date(Date.now() + 5 * 864e5), new Date(Date.now() + 15 * 864e5)]],
    ['a child\'s live stays (every booking)', `SELECT b.id FROM booking b JOIN slot s ON s.id = b."slotId" WHERE b."childId" = $1 AND b.status IN ('ALLOCATED','CONFIRMED','ATTENDED','NO_SHOW')`, [child]],
    ['an authority\'s bookings in a period (reports)', `SELECT b.id FROM booking b WHERE b."authorityId" = $1 AND b."startsAt" >= now() - interval '1 year' AND b."startsAt" < now()`, [authorities[0]]],
    ['a round\'s requests', `SELECT id FROM break_request WHERE "authorityId" = $1 AND status = 'OPEN' AND "periodStart" <= $2 AND "periodEnd" >= $3`, [authorities[0], week[1], week[0]]],
    ['an authority\'s providers (capacity report)', `SELECT id FROM provider WHERE "operatorAuthorityId" = $1 UNION SELECT r."providerId" FROM slot r WHERE r."reservedForAuthorityId" = $1 AND r."localDate" BETWEEN $2 AND $3 UNION SELECT bs."providerId" FROM booking b JOIN slot bs ON bs.id = b."slotId" WHERE b."authorityId" = $1 AND b."startsAt" >= now() - interval '1 year' AND b."startsAt" < now()`, [authorities[0], addDays(today, -365), today]],
    ['a round\'s slots (the period, every provider)', `SELECT id FROM slot WHERE status = 'ACTIVE' AND "startsAt" >= $1 AND "startsAt" < $2`, [new Date(Date.now() + 7 * 864e5), new Date(Date.now() + 14 * 864e5)]],
  ];
  const planRows: Record<string, string | number>[] = [];
  for (const [name, text, values] of plans) {
    const res = await sql.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
    const lines = res.rows.map((r: Record<string, string>) => r['QUERY PLAN']!);
    const scans = lines.filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, '').replace(/^->\s*/, ''));
    const ms = lines.find((l) => l.startsWith('Execution Time'))?.replace('Execution Time: ', '') ?? '';
    planRows.push({ query: name, scans: [...new Set(scans)].join('; '), execution: ms });
  }

  const size = (await sql.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`)).rows[0].size as string;
  const tables = (await sql.query(`SELECT relname AS table, n_live_tup AS rows, pg_size_pretty(pg_total_relation_size(relid)) AS size FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 6`)).rows;
  await sql.end();
  const { closeQueues, queue } = await import('../src/jobs/queues.js');
  const { QUEUE_NAMES } = await import('../src/jobs/registry.js');
  for (const name of QUEUE_NAMES) await queue(name).obliterate({ force: true }).catch(() => undefined);
  await closeQueues();
  const { closeRedis } = await import('../src/redis.js');
  await closeRedis();
  await disconnectDb();

  console.log(`\nNational simulation at scale ${SCALE}: ${AUTHORITIES} authorities, ${AUTHORITIES * perAuthority} children, ${providers} providers (${AUTHORITIES * Math.ceil(PROVIDERS_PER_AUTHORITY / 4)} booked by two authorities), ${reuse ? `data of ${age} day(s) ago reused in` : 'generated in'} ${generated} s\n${table(timings)}`);
  console.log(`\nOne allocation round per authority through BullMQ\n${table(rounds)}`);
  console.log(`\nReports for one authority over a year (median of 3; target < 1 s each)\n${table(reports)}`);
  console.log(`\nQuery plans of the hottest queries (EXPLAIN ANALYZE)\n${table(planRows)}`);
  console.log(`\nDatabase size ${size}\n${table(tables)}`);
  return { scale: SCALE, children: AUTHORITIES * perAuthority, generatedSeconds: reuse ? null : generated, reusedAgeDays: age, timings, rounds, reports, plans: planRows, size };
}

/** 150 authorities' children, providers, a year of slots and of booking history, set-based inside PostgreSQL. */
async function generate(sql: pg.Client, timings: Record<string, string | number>[]): Promise<void> {
  const step = async (what: string, text: string, values: unknown[] = []) => {
    const t = performance.now();
    const res = await sql.query(text, values);
    timings.push({ step: what, rows: res.rowCount ?? 0, seconds: seconds(t) });
  };
  // One statement per part (authorities by id modulo the parts), each on a connection of its own, all at once.
  const parallelStep = async (what: string, text: (part: { index: number; of: number }) => string) => {
    const t = performance.now();
    const counts = await onConnections(LOAD_CONNECTIONS, async (c, index) => (await c.query(text({ index, of: LOAD_CONNECTIONS }))).rowCount ?? 0);
    timings.push({ step: `${what}, ${LOAD_CONNECTIONS} connections`, rows: counts.reduce((x, y) => x + y, 0), seconds: seconds(t) });
  };
  const perAuthority = Math.ceil(CHILDREN / AUTHORITIES);
  // Bookings a provider-night gets on average, with room for the uneven spread.
  const capacity = Math.ceil(((perAuthority * 20) / 365 / PROVIDERS_PER_AUTHORITY) * 4) + 6;

  // Slot ids are read back as uuids (a request's preferences are parsed on every read), so the readable ids the
  // generator builds are turned into uuids the same way everywhere: md5, with the version and variant digits set.
  await sql.query(`CREATE FUNCTION bench_uuid(t text) RETURNS text IMMUTABLE LANGUAGE sql AS
    $$ SELECT (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid::text $$`);
  await step('authorities', `INSERT INTO authority (id, name, code) SELECT 'a' || lpad(a::text, 4, '0'), 'Authority ' || a, 'NAT' || a FROM generate_series(0, $1 - 1) a`, [AUTHORITIES]);
  await step('families (one per two children)', `
    INSERT INTO family (id, "authorityId", name)
    SELECT 'f' || a || '-' || f, 'a' || lpad(a::text, 4, '0'), 'Family ' || f
    FROM generate_series(0, $1 - 1) a, generate_series(0, ($2 + 1) / 2 - 1) f`, [AUTHORITIES, perAuthority]);
  await step('children', `
    INSERT INTO child (id, "familyId", "authorityId", "firstName", "lastName", "dateOfBirth", "updatedAt")
    SELECT 'c' || a || '-' || k, 'f' || a || '-' || (k / 2), 'a' || lpad(a::text, 4, '0'), 'Child', 'N' || k, date '2012-01-01' + (k % 3000), now()
    FROM generate_series(0, $1 - 1) a, generate_series(0, $2 - 1) k`, [AUTHORITIES, perAuthority]);
  await step('entitlements (36 nights a year)', `
    INSERT INTO entitlement (id, "childId", "periodStart", "periodEnd", nights, "daySessions")
    SELECT gen_random_uuid()::text, id, to_char(current_date - 365, 'YYYY-MM-DD'), to_char(current_date + 365, 'YYYY-MM-DD'), 36, 20 FROM child`);
  await step('providers', `
    INSERT INTO provider (id, name, kind, "addressLine", postcode, lat, lng, "updatedAt")
    SELECT 'p' || a || '-' || i, 'Home ' || a || '-' || i, 'RESIDENTIAL', 'x', 'BN11 1AA', 50 + (a % 40) * 0.1, -3 + i * 0.01, now()
    FROM generate_series(0, $1 - 1) a, generate_series(0, $2 - 1) i`, [AUTHORITIES, PROVIDERS_PER_AUTHORITY]);
  await step('capacity rules (one nightly rule each)', `
    INSERT INTO capacity_rule (id, "providerId", rrule, "startDate", "startTime", "durationMinutes", places, capabilities, exdates, "generatedVersion", "updatedAt")
    SELECT 'r' || substr(id, 2), id, 'FREQ=DAILY', to_char(current_date - 365, 'YYYY-MM-DD'), '17:00', 1020, $1, '{}', '{}', 1, now() FROM provider`, [capacity]);
  // A slot of home `provider` ('<authority>-<home>') on day d (from today): its id and times, as both tables spell them.
  const slotId = (provider: string, d: string) => `bench_uuid('s' || ${provider} || '-' || ${d})`;
  const night = (d: string) => `((current_date + ${d}) + time '17:00') AT TIME ZONE 'Europe/London', ((current_date + ${d} + 1) + time '10:00') AT TIME ZONE 'Europe/London'`;
  await withBulkLoad(sql, ['slot', 'booking'], timings, async () => {
    // Twenty breaks a child over the past year, on distinct days (no overlap), at its authority's homes; every fifth
    // at the neighbouring authority's first home, which both authorities book. Each booking's slot id and times are
    // computed as the slots below are, not looked up: the foreign key re-added afterwards proves every one exists.
    // Child by child, so the no-overlap index is probed where it was last written.
    await parallelStep('booking history (20 a child)', (part) => `
    INSERT INTO booking (id, "childId", "slotId", "authorityId", status, source, "startsAt", "endsAt", nights, "updatedAt", "cancelledByRole")
    SELECT gen_random_uuid()::text, c.id, ${slotId('h.home', 'h.d')}, c."authorityId",
           (CASE WHEN (c.k + m) % 10 < 8 THEN 'ATTENDED' WHEN (c.k + m) % 10 = 8 THEN 'NO_SHOW' ELSE 'CANCELLED' END)::"BookingStatus",
           'MANUAL', ${night('h.d')}, 1, now(), CASE WHEN (c.k + m) % 10 = 9 THEN 'FAMILY'::"Role" END
    FROM (SELECT id, "authorityId", substr("authorityId", 2)::int AS a, split_part(id, '-', 2)::int AS k FROM child
          WHERE substr("authorityId", 2)::int % ${part.of} = ${part.index}) c,
         generate_series(0, 19) m,
         LATERAL (SELECT CASE WHEN m % 5 = 0 THEN ((c.a + ${AUTHORITIES} - 1) % ${AUTHORITIES}) || '-0' ELSE c.a || '-' || ((c.k + m) % ${PROVIDERS_PER_AUTHORITY}) END AS home,
                         -365 + (c.k * 13 + m * 18) % 365 AS d) h
    ORDER BY c.id, h.d`);
    // A slot's places taken are its live bookings, counted once here and written with the slot (slot_places_check
    // guards them as the rows go in) rather than set by an UPDATE that would leave a dead copy of most slots.
    await step('live bookings per slot', `CREATE UNLOGGED TABLE bench_slot_booked AS SELECT "slotId", count(*)::int AS live FROM booking WHERE booking_is_live(status) GROUP BY "slotId"`);
    await parallelStep('slots (a year past, six weeks ahead)', (part) => `
    INSERT INTO slot (id, "providerId", "capacityRuleId", "localDate", "startsAt", "endsAt", capacity, booked, capabilities, "updatedAt")
    SELECT s.id, s."providerId", s.rule, to_char(current_date + s.d, 'YYYY-MM-DD'), ${night('s.d')}, s.places, COALESCE(n.live, 0), '{}', now()
    FROM (SELECT ${slotId('substr(r."providerId", 2)', 'd')} AS id, r."providerId", r.id AS rule, r.places, d FROM capacity_rule r, generate_series(-365, ${SLOT_HORIZON_DAYS}) d
          WHERE split_part(substr(r."providerId", 2), '-', 1)::int % ${part.of} = ${part.index}) s
    LEFT JOIN bench_slot_booked n ON n."slotId" = s.id
    -- Day by day, as the daily horizon extension writes them: a week's slots across the country are then a few
    -- thousand neighbouring pages, not one row on each of 16,800 pages (which is what rule by rule gave).
    ORDER BY s.d, s.rule`);
    await sql.query('DROP TABLE bench_slot_booked');
  });
  // VACUUM as well as ANALYZE: autovacuum would have set the visibility map of year-old rows long ago, and without it
  // no index-only scan is one.
  await step('vacuum analyze', 'VACUUM ANALYZE');
  // Last, so a generation cut short is never taken for a finished one.
  await sql.query(`CREATE TABLE bench_generation (version text NOT NULL, "generatedOn" date NOT NULL)`);
  await sql.query(`INSERT INTO bench_generation VALUES ($1, current_date)`, [GENERATOR_VERSION]);
}

/** Runs `work` on `n` connections of their own at once (sessions set for bulk work), closing them after. */
async function onConnections<T>(n: number, work: (c: pg.Client, index: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, async (_, index) => {
    const c = new pg.Client({ connectionString: NATIONAL_DATABASE_URL });
    await c.connect();
    try {
      // Sorts and index builds of a million rows in memory rather than in temporary files.
      await c.query(`SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'`);
      return await work(c, index);
    } finally {
      await c.end();
    }
  }));
}

/**
 * Runs `fill` with the tables' keys, secondary indexes and foreign keys (their own and those of other tables
 * referencing them) dropped and their own triggers disabled, then puts each back from the definition PostgreSQL
 * reported for it, so the schema ends exactly as the migrations made it and every restored constraint has checked
 * every row: a primary key or unique index is built by one sort and proves uniqueness, each foreign key proves every
 * reference. Kept up row by row, the bookings' random-uuid primary key alone was a random page of a 2-million-row
 * B-tree per booking, larger than shared_buffers. The no-overlap exclusion constraint stays and checks each live
 * booking as it goes in, on every connection of the load at once: re-created afterwards, its GiST build and the
 * check of every row against it run on one connection and took twice as long (55 s against 27 s at a tenth of the
 * children; 436 s inline at the full scale, on a loaded two-core machine).
 */
async function withBulkLoad(sql: pg.Client, tables: string[], timings: Record<string, string | number>[], fill: () => Promise<void>): Promise<void> {
  const { rows: constraints } = await sql.query<{ table: string; name: string; type: 'p' | 'u' | 'f'; def: string }>(`
    SELECT conrelid::regclass::text AS table, conname AS name, contype AS type, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE (conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u', 'f')) OR (confrelid = ANY($1::regclass[]) AND contype = 'f')
    ORDER BY conname`, [tables]);
  const { rows: indexes } = await sql.query<{ name: string; def: string }>(`
    SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
    WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, [tables]);
  const of = (...types: string[]) => constraints.filter((c) => types.includes(c.type));
  const drop = (c: { table: string; name: string }) => sql.query(`ALTER TABLE ${c.table} DROP CONSTRAINT "${c.name}"`);
  const add = (q: pg.Client, c: { table: string; name: string; def: string }) => q.query(`ALTER TABLE ${c.table} ADD CONSTRAINT "${c.name}" ${c.def}`);
  for (const c of of('f')) await drop(c);
  for (const i of indexes) await sql.query(`DROP INDEX ${i.name}`);
  for (const c of of('p', 'u')) await drop(c);
  // USER: the tables' own triggers (the slot count and calendar sequence); the foreign keys' are gone with them.
  for (const t of tables) await sql.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
  await fill();
  for (const t of tables) await sql.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
  // Keys first (a key's ALTER TABLE locks its table; index builds of one table can share it), over the load's
  // connections, each taking the next still to build.
  const t = performance.now();
  const builds = [...of('p', 'u').map((c) => (q: pg.Client) => add(q, c)), ...indexes.map((i) => (q: pg.Client) => q.query(i.def))];
  const count = builds.length;
  await onConnections(LOAD_CONNECTIONS, async (q) => {
    for (let build = builds.shift(); build; build = builds.shift()) await build(q);
  });
  timings.push({ step: `keys and indexes built (${count}), ${LOAD_CONNECTIONS} connections`, rows: 0, seconds: seconds(t) });
  const t1 = performance.now();
  for (const c of of('f')) await add(sql, c);
  timings.push({ step: `foreign keys re-added and checked (${of('f').length})`, rows: 0, seconds: seconds(t1) });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  saveResult('national', await runNationalBench());
  process.exit(0);
}
