/**
 * `npm run bench`: every benchmark, one after the other, in one run so the
 * ratios they report are measured side by side on the same machine state.
 * Run one alone with `npx tsx bench/<name>.bench.ts` or `npm run bench -- <name>`;
 * the national simulation is opt-in (see below).
 */
import { spawn } from 'node:child_process';
import './support.js';

const own = (name: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.bench.ts`], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} bench exited with ${code}`))));
  });

const only = process.argv.slice(2);
// The national simulation generates 100,000 children in a database of its own and takes long: it runs only when
// named (`npm run bench -- national`) or with BENCH_NATIONAL=1, never as part of a plain `npm run bench`.
const optIn = new Set(process.env.BENCH_NATIONAL === '1' ? [] : ['national']);
const benches: [string, () => Promise<unknown>][] = [
  ['allocator', async () => (await import('./allocator.bench.js')).runAllocatorBench()],
  ['optimality', async () => (await import('./optimality.bench.js')).runOptimalityBench()],
  ['booking', async () => (await import('./booking.bench.js')).runBookingBench()],
  ['reads', async () => (await import('./reads.bench.js')).runReadsBench()],
  ['reports', async () => (await import('./reports.bench.js')).runReportsBench()],
  ['load', async () => (await import('./load.bench.js')).runLoadBench()],
  // These set their own database, Redis or queue namespace before anything reads the configuration,
  // so they run in a process of their own.
  ['recovery', () => own('recovery')],
  ['scenarios', () => own('scenarios')],
  ['national', () => own('national')],
];

for (const [name, run] of benches) {
  if (only.length ? !only.includes(name) : optIn.has(name)) continue;
  console.log(`\n=== ${name} ===`);
  try {
    await run();
  } catch (err) {
    console.error(`${name} failed:`, err);
    process.exitCode = 1;
  }
}
process.exit(process.exitCode ?? 0);
