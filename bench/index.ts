/**
 * `npm run bench`: every benchmark, one after the other, in one run so the
 * ratios they report are measured side by side on the same machine state, and a
 * closing note with every headline figure beside the one measured before the
 * performance work (issue "Performance and national scale") and its target.
 * Run one alone with `npx tsx bench/<name>.bench.ts` or `npm run bench -- <name>`.
 *
 * The national simulation runs at its full scale (150 authorities, 100,000 children, about 1.3 GB),
 * generating its database on the first run and reusing it while the same generator made it a few
 * days ago at most; NATIONAL_SCALE=0.01 is the quick form (1,000 children, a few minutes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readResult, table } from './support.js';

process.env.BENCH_RESULTS_DIR ??= mkdtempSync(path.join(tmpdir(), 'bench-results-'));

const own = (name: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.bench.ts`], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} bench exited with ${code}`))));
  });

type Booking = Awaited<ReturnType<typeof import('./booking.bench.js').runBookingBench>>;
type Reads = Awaited<ReturnType<typeof import('./reads.bench.js').runReadsBench>>;
type Reports = Awaited<ReturnType<typeof import('./reports.bench.js').runReportsBench>>;
type Load = Awaited<ReturnType<typeof import('./load.bench.js').runLoadBench>>;
type Recovery = Awaited<ReturnType<typeof import('./recovery.bench.js').runRecoveryBench>>;
type National = Awaited<ReturnType<typeof import('./national.bench.js').runNationalBench>>;

const results: { booking?: Booking; reads?: Reads; reports?: Reports; load?: Load } = {};
const only = process.argv.slice(2);
const benches: [string, () => Promise<unknown>][] = [
  ['allocator', async () => (await import('./allocator.bench.js')).runAllocatorBench()],
  ['optimality', async () => (await import('./optimality.bench.js')).runOptimalityBench()],
  ['booking', async () => (results.booking = await (await import('./booking.bench.js')).runBookingBench())],
  ['reads', async () => (results.reads = await (await import('./reads.bench.js')).runReadsBench())],
  ['reports', async () => (results.reports = await (await import('./reports.bench.js')).runReportsBench())],
  ['load', async () => (results.load = await (await import('./load.bench.js')).runLoadBench())],
  // These set their own database, Redis or queue namespace before anything reads the configuration,
  // so they run in a process of their own (their figures come back through BENCH_RESULTS_DIR).
  ['recovery', () => own('recovery')],
  ['scenarios', () => own('scenarios')],
  ['national', () => own('national')],
];

for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  try {
    await run();
  } catch (err) {
    console.error(`${name} failed:`, err);
    process.exitCode = 1;
  }
}

// The closing note: every headline figure of this run beside the one measured before, and the target.
const rows: { figure: string; before: string; now: string; target: string }[] = [];
const add = (figure: string, before: string, now: string | undefined, target: string) => {
  if (now !== undefined) rows.push({ figure, before, now, target });
};
const x = (v: number) => `${v.toFixed(3)}x`;
const b = results.booking;
add('booking, API / raw pg (same transaction, same concurrency)', '0.26x (quiet), 0.47x', b && `${b.ratio.toFixed(2)}x (paired runs ${b.pairedRatio.toFixed(2)}x), ${b.api.throughput}/s vs ${b.rawPgSame.throughput}/s`, '>= 0.5x');
const read = (name: string) => results.reads?.find((r) => r.read.startsWith(name));
const r1 = read('GET /v1/slots');
add('GET /v1/slots (a week) / Hono hello', '0.013x (quiet), 0.045x', r1 && `${x(r1['x hello'])} (${r1['req/s']} req/s, ${r1['server CPU ms/req']} ms CPU)`, '>= 0.05x');
const r2 = read('calendar page, week');
add('calendar page, week / Hono hello', '0.025x', r2 && `${x(r2['x hello'])} (${r2['req/s']} req/s)`, '>= 0.05x');
const r3 = read('calendar page, month');
add('calendar page, month / Hono hello', '0.035x', r3 && `${x(r3['x hello'])} (${r3['req/s']} req/s)`, '>= 0.05x');
for (const t of results.reports?.timings ?? []) add(`report, demo county: ${t.report}`, '-', `${t['median ms']} ms`, '< 1 s');
for (const s of results.load ?? []) {
  add(`load, 2 API + 2 workers at ${s['offered req/s']} req/s offered`, 'p99 up to 3.1 s (one process, 200 connections)', `${s['achieved req/s']} req/s, p50 ${s['p50 ms']} ms, p99 ${s['p99 ms']} ms, ${s['errors (5xx/none)']} errors, invariants: ${Number(s.overfilled) + Number(s.overlapping) + Number(s.unsuitable)} violations`, 'no errors, no violations');
}
const rec = readResult<Recovery>('recovery');
if (rec) {
  add('recovery: a killed worker\'s job resumed after', '~55 s', `${rec.resumedSeconds} s`, '<= 35 s');
  add('recovery: a job lost with Redis re-pushed after', '~10 min', `${rec.repushedSeconds} s (ran ${rec.runs}x, ${rec.bookedTwice} doubled)`, '<= 120 s, never doubled');
}
const nat = readResult<National>('national');
if (nat) {
  const cores = (await import('node:os')).availableParallelism();
  add(`national x${nat.scale} (${nat.children} children): generated in`, 'x0.1: 97 s; x1: 1,604 s', nat.generatedSeconds === null ? `reused (generated ${nat.reusedAgeDays} day(s) ago by this generator)` : `${nat.generatedSeconds} s`, 'a few minutes');
  for (const r of nat.rounds) add(`national x${nat.scale}: 150 rounds, ${r.workers} worker process(es) on ${cores} cores`, `x1: ${({ 1: '677 s (3-4 s a round)', 2: '375 s, 1.81x', 4: '442 s, 1.53x' } as Record<number, string>)[Number(r.workers)] ?? '-'}`, `${r['wall s']} s, speed-up ${r['speed-up']}x (rounds' span ${r['span s']} s, ${r['span speed-up']}x; median round ${r['median round s']} s), ${r.failed} failed`, 'speed-up with workers');
  for (const r of nat.reports) add(`national x${nat.scale}: ${r.report}, one authority's year`, r.report.startsWith('capacity') ? '523 ms (x1)' : r.report.startsWith('looked') ? '410 ms (x1)' : '189 ms (x1)', `${r['median ms']} ms`, '< 1 s');
  for (const p of nat.plans) add(`national x${nat.scale}: plan of ${p.query}`, '-', `${p.execution}; ${String(p.scans).includes('Seq Scan on slot') || String(p.scans).includes('Seq Scan on booking') ? 'SEQ SCAN of a big table' : 'index scans'}`, 'index scans');
  add(`national x${nat.scale}: database size`, '1,547 MB (x1)', nat.size, '-');
}
if (rows.length) console.log(`\n=== closing note: this run beside the figures before ===\n${table(rows)}`);
process.exit(process.exitCode ?? 0);
