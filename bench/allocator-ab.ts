/**
 * A/B check for allocator changes: runs the allocator of another commit (default: main) and this
 * working tree's on the same generated rounds and compares their results exactly — every booking,
 * explanation, metric and the history handed to the next round. A pure speed-up must print
 * "identical" everywhere; a change meant to alter bookings prints both sides' quality figures, so
 * "better" can be read off rather than assumed. Then both are timed on the 2,000-children county,
 * alternating runs so a busy machine slows both alike.
 *
 *   npx tsx bench/allocator-ab.ts [ref]          (ref: any commit, default main)
 *
 * Env: AB_RUNS (timed runs each, default 5; 0 skips timing), AB_QUICK=1 (skip the 2,000-children rounds),
 * AB_TIME_ONLY=1 (timing only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCounty, type CountyOptions } from '../fixtures/county-generator.js';
import type { AllocationInput, AllocationResult } from '../src/domain/allocation/index.js';
import { allocate } from '../src/domain/allocation/index.js';

type Allocate = (input: AllocationInput) => AllocationResult;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The other commit's src/domain, unpacked once under bench/results (ignored by git), so node_modules resolves as usual. */
async function allocatorAt(ref: string): Promise<Allocate> {
  const sha = execFileSync('git', ['rev-parse', ref], { cwd: root, encoding: 'utf8' }).trim();
  const dir = path.join(root, 'bench', 'results', 'ab-base', sha);
  if (!existsSync(path.join(dir, 'src', 'domain'))) {
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['archive', sha, 'src/domain'], { cwd: root });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  const module = (await import(pathToFileURL(path.join(dir, 'src', 'domain', 'allocation', 'index.ts')).href)) as { allocate: Allocate };
  return module.allocate;
}

interface Round {
  name: string;
  input: AllocationInput;
}

/** Every third request asks for two nights together, so whole-stay handling is compared too (the generator has none). */
function withStays(input: AllocationInput): AllocationInput {
  return { ...input, requests: input.requests.map((request, i) => (i % 3 === 0 ? { ...request, stayNights: 2 } : request)) };
}

function rounds(quick: boolean): Round[] {
  const county = (name: string, options: CountyOptions): Round => ({ name, input: generateCounty(options) });
  const list: Round[] = [
    county('optimality 300', { children: 300, providers: 20, weeks: 13, seed: 'opt-300' }),
    county('optimality 600', { children: 600, providers: 20, weeks: 13, seed: 'opt-600' }),
    county('120, history', { children: 120, providers: 20, weeks: 13, seed: 'opt-120', withHistory: true }),
    county('500, 8 weeks, history', { children: 500, providers: 30, weeks: 8, seed: 'ab-500', withHistory: true }),
    county('900, 40 providers', { children: 900, providers: 40, weeks: 13, seed: 'ab-900' }),
  ];
  list.push({ name: '400 with two-night stays', input: withStays(generateCounty({ children: 400, providers: 20, weeks: 13, seed: 'ab-stays' })) });
  if (!quick) {
    list.push(county('county 2000', { children: 2000, providers: 60, weeks: 13 }));
    list.push(county('county 2000, other seed, history', { children: 2000, providers: 60, weeks: 13, seed: 'ab-2000', withHistory: true }));
  }
  return list;
}

/** The first place two JSON values differ, as a path. */
function firstDifference(a: unknown, b: unknown, at = ''): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${at || '(root)'}: ${JSON.stringify(a)?.slice(0, 120)} vs ${JSON.stringify(b)?.slice(0, 120)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (found) return found;
  }
  return null;
}

function quality(result: AllocationResult): string {
  const m = result.metrics;
  return (
    `units ${m.unitsAllocated}/${m.upperBound}, worst share ${m.maxMin.share}, nothing ${m.childrenWithNothing}, ` +
    `splits ${m.stays.split} (avoidable ${m.stays.avoidableSplits}), honoured ${m.requestsHonoured.share}, gini ${m.gini}`
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const ref = process.argv[2] ?? 'main';
  const base = await allocatorAt(ref);
  let differing = 0;
  for (const { name, input } of process.env.AB_TIME_ONLY === '1' ? [] : rounds(process.env.AB_QUICK === '1')) {
    const before = base(input);
    const after = allocate(input);
    const again = allocate(input);
    const difference = firstDifference(JSON.parse(JSON.stringify(before)), JSON.parse(JSON.stringify(after)));
    const deterministic = JSON.stringify(after) === JSON.stringify(again);
    if (difference) differing += 1;
    console.log(`${name}: ${difference ? 'DIFFERENT' : 'identical'}${deterministic ? '' : ' — NOT DETERMINISTIC'}`);
    if (difference) {
      console.log(`  first difference ${difference}`);
      console.log(`  ${ref.padEnd(8)} ${quality(before)}`);
      console.log(`  ${'now'.padEnd(8)} ${quality(after)}`);
    }
  }
  const runs = Number(process.env.AB_RUNS ?? 5);
  if (runs > 0) {
    const input = generateCounty({ children: 2000, providers: 60, weeks: 13 });
    const times: Record<'base' | 'now', { wall: number[]; cpu: number[] }> = { base: { wall: [], cpu: [] }, now: { wall: [], cpu: [] } };
    for (let i = 0; i < runs + 1; i++) {
      for (const [side, run] of [['base', base], ['now', allocate]] as const) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        run(input);
        const wall = performance.now() - started;
        const used = process.cpuUsage(cpu);
        // The first run of each warms the JIT.
        if (i > 0) {
          times[side].wall.push(wall);
          times[side].cpu.push((used.user + used.system) / 1000);
        }
      }
    }
    for (const side of ['base', 'now'] as const) {
      console.log(`${side === 'base' ? ref : 'now'}: median wall ${Math.round(median(times[side].wall))} ms, CPU ${Math.round(median(times[side].cpu))} ms (best ${Math.round(Math.min(...times[side].cpu))} ms; ${runs} runs, 2,000 children)`);
    }
  }
  if (differing > 0) process.exitCode = 1;
}

await main();
