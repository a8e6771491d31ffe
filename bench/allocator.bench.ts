/**
 * Allocation benchmark (issue 4, item 4): a generated county-scale round,
 * allocated by the max-min filling and by the first-come-first-served baseline
 * side by side — time, memory, units allocated against the max-flow bound, and
 * fairness.
 *
 *   npx tsx bench/allocator.bench.ts
 *
 * Env: BENCH_CHILDREN, BENCH_PROVIDERS, BENCH_WEEKS, BENCH_RUNS override the defaults.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateCounty, type CountyOptions } from '../fixtures/county-generator.js';
import { allocate, allocateFirstComeFirstServed } from '../src/domain/allocation/index.js';
import type { AllocationInput, AllocationResult } from '../src/domain/allocation/index.js';
import { upperBound } from '../src/domain/allocation/outcome.js';
import { RoundState } from '../src/domain/allocation/round-state.js';

const run = promisify(execFile);

export interface AllocatorBenchOptions extends CountyOptions {
  /** Runs per mechanism; the median time is reported. */
  runs?: number;
  /** Print the table (default true). */
  print?: boolean;
}

type Mechanism = 'max-min-filling' | 'fcfs';

const MECHANISMS: Record<Mechanism, (input: AllocationInput) => AllocationResult> = {
  'max-min-filling': allocate,
  fcfs: allocateFirstComeFirstServed,
};

interface MechanismFigures {
  medianMs: number;
  /** CPU time (user + system, all threads incl. GC) of the median run: steadier than wall time on a busy machine. */
  medianCpuMs: number;
  /**
   * Computing the max-flow bound alone, from the zero flow on a round with nothing placed. Every run computes
   * it too, but from its own allocation (max-flow.ts), which takes less: this is not a part of medianMs.
   */
  boundMs: number;
  minMs: number;
  /** heapUsed after a run minus before it (from a collected heap), largest of the runs. */
  heapGrowthMb: number;
  /** Growth of the process's peak RSS over what generating the input needed. */
  peakRssGrowthMb: number;
  unitsAllocated: number;
  upperBound: number;
  boundPercent: number;
  scarceUnitsAllocated: number;
  gini: number;
  jain: number;
  maxMin: number;
  childrenWithNothing: number;
  childrenWithNothingToGive: number;
  requests: number;
  children: number;
  splitStays: number;
  avoidableSplits: number;
  requestsHonoured: number;
}

interface InputFigures {
  children: number;
  requests: number;
  providers: number;
  slots: number;
  weeks: number;
  generateMs: number;
  runs: number;
}

/**
 * Each mechanism runs in a fresh Node process (same seed, so the same input),
 * so one cannot inherit the other's heap or peak RSS, and with --expose-gc so
 * heap figures start from a collected heap.
 */
export async function runAllocatorBench(options: AllocatorBenchOptions = {}): Promise<Record<string, unknown>> {
  const rotating = await measureInChild('max-min-filling', options);
  const fcfs = await measureInChild('fcfs', options);
  const report = { input: rotating.input, rotatingDraft: rotating.figures, firstComeFirstServed: fcfs.figures };
  if (options.print ?? true) printTable(report.input, { 'max-min filling': rotating.figures, FCFS: fcfs.figures });
  return report;
}

async function measureInChild(
  mechanism: Mechanism,
  options: AllocatorBenchOptions,
): Promise<{ input: InputFigures; figures: MechanismFigures }> {
  const args = ['--expose-gc', '--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), MEASURE_FLAG, mechanism];
  const { stdout } = await run(process.execPath, [...args, JSON.stringify(options)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

const MEASURE_FLAG = '--measure';

function measureHere(mechanism: Mechanism, options: AllocatorBenchOptions): { input: InputFigures; figures: MechanismFigures } {
  const county = { children: 2000, providers: 60, weeks: 13, ...options };
  const started = performance.now();
  const input = generateCounty(county);
  const generateMs = Math.round(performance.now() - started);
  const runs = Math.max(1, options.runs ?? 5);
  const allocateWith = MECHANISMS[mechanism];
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let heapAllocated = 0;
  let result: AllocationResult | undefined;
  collectGarbage();
  const peakBefore = process.resourceUsage().maxRSS;
  for (let i = 0; i < runs; i++) {
    result = undefined;
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    result = allocateWith(input);
    const cpu = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    heapAllocated = Math.max(heapAllocated, process.memoryUsage().heapUsed - heapBefore);
  }
  const { metrics } = result as AllocationResult;
  const sorted = [...times].sort((a, b) => a - b);
  const state = new RoundState(input);
  const boundStarted = performance.now();
  upperBound(state);
  const boundMs = Math.round(performance.now() - boundStarted);
  return {
    input: {
      children: input.children.length,
      requests: input.requests.length,
      providers: county.providers,
      slots: input.slots.length,
      weeks: county.weeks,
      generateMs,
      runs,
    },
    figures: {
      medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] as number),
      medianCpuMs: Math.round([...cpuTimes].sort((a, b) => a - b)[Math.floor(cpuTimes.length / 2)] as number),
      boundMs,
      minMs: Math.round(sorted[0] as number),
      heapGrowthMb: megabytes(heapAllocated),
      // maxRSS is in kilobytes.
      peakRssGrowthMb: megabytes((process.resourceUsage().maxRSS - peakBefore) * 1024),
      unitsAllocated: metrics.unitsAllocated,
      upperBound: metrics.upperBound,
      boundPercent: Math.round(metrics.boundRatio * 1000) / 10,
      scarceUnitsAllocated: metrics.scarceUnitsAllocated,
      gini: metrics.gini,
      jain: metrics.jain,
      maxMin: metrics.maxMin.share,
      childrenWithNothing: metrics.childrenWithNothing,
      childrenWithNothingToGive: metrics.childrenWithNothingToGive,
      requests: metrics.requests,
      children: metrics.children,
      splitStays: metrics.stays.split,
      avoidableSplits: metrics.stays.avoidableSplits,
      requestsHonoured: metrics.requestsHonoured.share,
    },
  };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

function megabytes(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

function printTable(input: InputFigures, columns: Record<string, MechanismFigures>): void {
  const rows: [string, (f: MechanismFigures) => string][] = [
    ['time, median ms', (f) => `${f.medianMs}`],
    ['time, best ms', (f) => `${f.minMs}`],
    ['CPU time, median ms', (f) => `${f.medianCpuMs}`],
    ['max-flow bound ms, cold', (f) => `${f.boundMs}`],
    ['heap growth MB', (f) => `${f.heapGrowthMb}`],
    ['peak RSS growth MB', (f) => `${f.peakRssGrowthMb}`],
    ['units allocated', (f) => `${f.unitsAllocated}`],
    ['max-flow bound', (f) => `${f.upperBound}`],
    ['% of bound', (f) => `${f.boundPercent}%`],
    ['scarce units allocated', (f) => `${f.scarceUnitsAllocated}`],
    ['Gini of met share', (f) => f.gini.toFixed(3)],
    ["Jain's index", (f) => f.jain.toFixed(3)],
    ['worst-served share', (f) => f.maxMin.toFixed(3)],
    ['children given nothing', (f) => `${f.childrenWithNothing} of ${f.requests}`],
    ['  of whom nothing to give', (f) => `${f.childrenWithNothingToGive}`],
    ['split stays (avoidable)', (f) => `${f.splitStays} (${f.avoidableSplits})`],
    ['requests honoured', (f) => `${(f.requestsHonoured * 100).toFixed(1)}%`],
  ];
  const names = Object.keys(columns);
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(
    `Allocation round: ${input.children} children, ${input.requests} requests, ${input.providers} providers, ` +
      `${input.slots} slots over ${input.weeks} weeks (generated in ${input.generateMs} ms; ${input.runs} runs each)`,
  );
  console.log(`${''.padEnd(width)}  ${names.map((name) => name.padStart(16)).join('')}`);
  for (const [label, cell] of rows) {
    console.log(`${label.padEnd(width)}  ${names.map((name) => cell(columns[name] as MechanismFigures).padStart(16)).join('')}`);
  }
}

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

function optionsFromEnv(): AllocatorBenchOptions {
  const options: AllocatorBenchOptions = {};
  const children = envNumber('BENCH_CHILDREN');
  const providers = envNumber('BENCH_PROVIDERS');
  const weeks = envNumber('BENCH_WEEKS');
  const runs = envNumber('BENCH_RUNS');
  if (children !== undefined) options.children = children;
  if (providers !== undefined) options.providers = providers;
  if (weeks !== undefined) options.weeks = weeks;
  if (runs !== undefined) options.runs = runs;
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [flag, mechanism, options] = process.argv.slice(2);
  if (flag === MEASURE_FLAG) {
    console.log(JSON.stringify(measureHere(mechanism as Mechanism, JSON.parse(options ?? '{}') as AllocatorBenchOptions)));
  } else {
    await runAllocatorBench(optionsFromEnv());
  }
}
