/**
 * Load across replicas: mixed read / book / cancel traffic spread over two API
 * processes (round robin, as a load balancer would) with two worker processes
 * taking the jobs the traffic makes (each cancellation offers the freed place to
 * the waiting list), all on one PostgreSQL and one Redis, at increasing offered rates. Each stage is open-loop (a
 * request is issued on schedule, whatever the answers) with a cap on requests
 * in flight, bounded in time and count. Reported per stage: the rate offered,
 * the throughput achieved, p50/p99 latency, refusals (4xx, expected: a full
 * slot, an overlap) and errors (5xx or no answer, never expected), then the
 * database's invariant queries. A bounded request loop rather than autocannon:
 * every book and cancel needs a fresh child or a booking made earlier in the
 * same run, which autocannon's static request lists cannot express simply.
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { httpClient, percentile, prepareBenchDatabase, startApiProcess, table } from './support.js';

const API_PROCESSES = 2;
const WORKER_PROCESSES = 2;

const STAGES = [
  { rate: 50, seconds: 10 },
  { rate: 150, seconds: 10 },
  { rate: 300, seconds: 10 },
];
const MAX_IN_FLIGHT = 64;
const MIX = { slots: 0.45, bookings: 0.2, book: 0.25 }; // the rest: cancel

export async function runLoadBench() {
  await prepareBenchDatabase();
  const { db, disconnectDb } = await import('../src/db.js');
  const { mintToken } = await import('../src/services/tokens.js');
  const { generateSlotsForRule } = await import('../src/services/slot-generation.js');
  const { addDays, londonDateOf } = await import('../src/domain/london-time.js');
  const { invariantViolations } = await import('../test/support/invariants.js');

  const code = `L${randomUUID().slice(0, 8)}`;
  const authority = await db().authority.create({ data: { name: `Load ${code}`, code } });
  const token = await mintToken({ role: 'COORDINATOR', authorityId: authority.id });
  const family = await db().family.create({ data: { authorityId: authority.id, name: 'Load family' } });
  const provider = await db().provider.create({ data: { name: `Load unit ${code}`, kind: 'RESIDENTIAL', addressLine: 'x', postcode: 'BN11 1AA', lat: 50.8, lng: -0.3 } });
  const from = addDays(londonDateOf(new Date()), 20);
  const to = addDays(from, 29);
  const rule = await db().capacityRule.create({
    data: { providerId: provider.id, rrule: 'FREQ=DAILY', startDate: from, untilDate: to, startTime: '17:00', durationMinutes: 17 * 60, places: 60, capabilities: [], exdates: [] },
  });
  await generateSlotsForRule(rule.id);
  const slots = (await db().slot.findMany({ where: { capacityRuleId: rule.id } })).map((s) => s.id);

  // One fresh child per booking attempt: enough for the largest number of bookings any run can try.
  const childCount = Math.ceil(STAGES.reduce((n, s) => n + s.rate * s.seconds, 0) * MIX.book) + 100;
  const children = Array.from({ length: childCount }, () => randomUUID());
  await db().child.createMany({ data: children.map((id) => ({ id, familyId: family.id, authorityId: authority.id, firstName: 'L', lastName: 'Load', dateOfBirth: new Date('2014-01-01') })) });
  await db().entitlement.createMany({ data: children.map((childId) => ({ childId, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 60, daySessions: 10 })) });

  const servers = await Promise.all(Array.from({ length: API_PROCESSES }, () => startApiProcess()));
  const workers: ChildProcess[] = Array.from({ length: WORKER_PROCESSES }, () =>
    spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  // One keep-alive client per API process, taken in turn as a load balancer would (node:http: see httpClient).
  const clients = servers.map((x) => httpClient(x.url, MAX_IN_FLIGHT));
  let turn = 0;
  const client = () => clients[turn++ % clients.length]!;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  // Children waiting for each slot: every cancellation gives a worker a place to offer.
  const waiting = Array.from({ length: slots.length * 3 }, () => randomUUID());
  await db().child.createMany({ data: waiting.map((id) => ({ id, familyId: family.id, authorityId: authority.id, firstName: 'W', lastName: 'Wait', dateOfBirth: new Date('2014-01-01') })) });
  await db().entitlement.createMany({ data: waiting.map((childId) => ({ childId, periodStart: '2026-01-01', periodEnd: '2028-12-31', nights: 60, daySessions: 10 })) });
  await db().waitlistEntry.createMany({ data: waiting.map((childId, i) => ({ childId, slotId: slots[i % slots.length]!, authorityId: authority.id })) }).catch((err: Error) => {
    throw new Error(`could not queue the waiting children: ${err.message}`);
  });
  let nextChild = 0;
  const booked: string[] = [];

  type Kind = 'slots' | 'bookings' | 'book' | 'cancel';
  async function one(kind: Kind): Promise<number> {
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    let res: { status: number; body: string };
    if (kind === 'slots') res = await client().request('GET', `/v1/slots?from=${from}&to=${to}&providerId=${provider.id}&limit=50`, headers);
    else if (kind === 'bookings') res = await client().request('GET', '/v1/bookings?limit=50', headers);
    else if (kind === 'book') {
      res = await client().request('POST', '/v1/bookings', headers, JSON.stringify({ childId: children[nextChild++ % children.length], slotId: pick(slots) }));
      if (res.status === 201) booked.push((JSON.parse(res.body) as { id: string }).id);
    } else {
      const id = booked.splice(Math.floor(Math.random() * booked.length), 1)[0]!;
      res = await client().request('POST', `/v1/bookings/${id}/cancel`, headers, JSON.stringify({ reason: 'Load test' }));
    }
    return res.status;
  }

  // Before measuring: the workers' start-up horizon job (every rule of the bench database) has finished,
  // and every process has served some traffic (JIT, pools, prepared statements).
  const { queue, closeQueues } = await import('../src/jobs/queues.js');
  const { closeRedis } = await import('../src/redis.js');
  const settled = Date.now() + 300_000;
  while (Date.now() < settled) {
    const c = await queue('slot-generation').getJobCounts('active', 'waiting');
    const ready = (await queue('waitlist').getWorkers()).length >= WORKER_PROCESSES;
    if (ready && (c.active ?? 0) + (c.waiting ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await Promise.all(Array.from({ length: 200 }, (_, i) => one(i % 2 ? 'slots' : 'bookings').catch(() => 0)));

  const rows: Record<string, string | number>[] = [];
  for (const stage of STAGES) {
    const total = stage.rate * stage.seconds;
    const latencies: number[] = [];
    const counts = { ok: 0, refused: 0, errors: 0, shed: 0 };
    // Requests with no answer at all, by error code: a reset socket is the client's problem, a 5xx the API's.
    const noAnswer = new Map<string, number>();
    let inFlight = 0;
    const pending: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      // Open loop: wait for the request's scheduled time, not for earlier answers.
      const due = started + (i * 1000) / stage.rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight >= MAX_IN_FLIGHT) {
        counts.shed++; // the API is not keeping up with the offered rate: counted, not queued without bound
        continue;
      }
      const r = Math.random();
      const kind: Kind = r < MIX.slots ? 'slots' : r < MIX.slots + MIX.bookings ? 'bookings' : r < MIX.slots + MIX.bookings + MIX.book || booked.length === 0 ? 'book' : 'cancel';
      inFlight++;
      const t0 = performance.now();
      pending.push(
        one(kind)
          .then((status) => {
            latencies.push(performance.now() - t0);
            if (status < 400) counts.ok++;
            else if (status < 500) counts.refused++;
            else counts.errors++;
          })
          .catch((err: NodeJS.ErrnoException) => {
            counts.errors++;
            noAnswer.set(err.code ?? err.message, (noAnswer.get(err.code ?? err.message) ?? 0) + 1);
          })
          .finally(() => void inFlight--),
      );
    }
    await Promise.all(pending);
    const wallMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const v = await invariantViolations();
    const pendingJobs = await db().jobOutbox.count({ where: { prefix: process.env.QUEUE_PREFIX!, enqueuedAt: null } });
    const offers = await db().waitlistEntry.count({ where: { childId: { in: waiting }, status: 'OFFERED' } });
    rows.push({
      'offered req/s': stage.rate,
      'achieved req/s': Math.round((latencies.length / wallMs) * 1000),
      requests: latencies.length,
      'p50 ms': percentile(latencies, 50).toFixed(1),
      'p99 ms': percentile(latencies, 99).toFixed(1),
      ok: counts.ok,
      '4xx': counts.refused,
      'errors (5xx/none)': counts.errors,
      'no answer': [...noAnswer].map(([code, n]) => `${n} ${code}`).join(', ') || '-',
      shed: counts.shed,
      overfilled: v.overfilled.length,
      overlapping: v.overlapping.length,
      unsuitable: v.unsuitable.length,
      'offers made': offers,
      'outbox pending at end': pendingJobs,
    });
  }
  for (const c of clients) c.close();
  await Promise.all(servers.map((x) => x.close()));
  await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
    w.once('exit', () => resolve());
    w.kill('SIGTERM');
  })));
  await closeQueues();
  await closeRedis();
  await disconnectDb();
  console.log(`\nLoad: ${API_PROCESSES} API and ${WORKER_PROCESSES} worker processes, mixed traffic (${MIX.slots * 100}% GET /v1/slots, ${MIX.bookings * 100}% GET /v1/bookings, ${MIX.book * 100}% book, rest cancel), at most ${MAX_IN_FLIGHT} in flight\n${table(rows)}`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runLoadBench();
  process.exit(0);
}
