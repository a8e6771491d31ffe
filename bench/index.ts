/**
 * `npm run bench`: every benchmark, one after the other, in one run so the
 * ratios they report are measured side by side on the same machine state.
 * Run one alone with `npx tsx bench/<name>.bench.ts`.
 */
import './support.js';

const only = process.argv.slice(2);
const benches: [string, () => Promise<unknown>][] = [
  ['allocator', async () => (await import('./allocator.bench.js')).runAllocatorBench()],
  ['booking', async () => (await import('./booking.bench.js')).runBookingBench()],
  ['reports', async () => (await import('./reports.bench.js')).runReportsBench()],
  ['load', async () => (await import('./load.bench.js')).runLoadBench()],
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
process.exit(process.exitCode ?? 0);
