/**
 * The allocator against the exact optimum: on generated counties small enough
 * for an exact solve, an integer programme over the same candidates, wants and
 * places is solved with HiGHS (compiled to WebAssembly, from npm), first for
 * the largest worst-served share, then for the most nights at that share, and
 * separately for the most nights with no fairness at all. The allocator's
 * worst share and nights are reported as ratios to those optima, with the
 * optimum replayed through checkPlacement so the comparison is honest about
 * rules the programme leaves out.
 *
 *   npx tsx bench/optimality.bench.ts            (120 exactly; 300 and 600 against the LP relaxation,
 *                                                 and at 300 whether any integer allocation beats the worst share)
 *   BENCH_OPT_CHILDREN=300,667:lp npx tsx bench/optimality.bench.ts
 *
 * The programme (x = 1 when a child gets one of its candidate slots):
 *   each slot:            Σ x ≤ places free before the round
 *   each child, instant:  Σ x over candidates covering a start instant ≤ 1  (no overlapping stays)
 *   each child:           Σ units·x ≤ want; nights and day sessions each ≤ the entitlement
 *   each child:           Σ units·x ≥ z·want                               (stage 1: max z)
 * It leaves out the 17-day and 75-day looked-after limits (not linear in this
 * form); the replay counts how often they would have refused the optimum.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import highsModule from 'highs';
import { generateCounty } from '../fixtures/county-generator.js';
import { allocate } from '../src/domain/allocation/index.js';
import { RoundState, type ChildEntry } from '../src/domain/allocation/round-state.js';
import { checkPlacement } from '../src/domain/eligibility.js';
import type { StayInfo } from '../src/domain/model.js';

interface Model {
  state: RoundState;
  /** Variable j: child and candidate index. */
  vars: { child: ChildEntry; candidate: number }[];
  constraints: string[];
  participants: ChildEntry[];
}

// The package is CommonJS with an ES default export in its types: at run time the default import is the loader itself.
const highsLoader = highsModule as unknown as (typeof import('highs'))['default'];

export interface OptimalityFigures {
  children: number;
  providers: number;
  slots: number;
  variables: number;
  relaxed: boolean;
  /**
   * Each stage's HiGHS status; figures from a stage that did not end 'Optimal' are not an optimum (a time
   * limit leaves whatever incumbent it had, or none), so they are reported as not solved instead of as ratios.
   */
  status: { maxMin: string; nightsAtMaxMin: string; maxNights: string };
  exact: { maxMinShare: number; nightsAtMaxMin: number; maxNights: number; replayRefusals: number; solveMs: number };
  allocator: {
    worstShare: number;
    nights: number;
    childrenWithNothing: number;
    splitStays: number;
    avoidableSplits: number;
    requestsHonoured: number;
    ms: number;
  };
  ratios: { worstShare: number; nightsVsMaxMin: number; nightsVsMax: number };
  /**
   * Sizes checked with `:prove`: the integer programme asked for any allocation in which every child gets
   * more than the allocator's worst share (HiGHS status: 'Infeasible' proves there is none, so the
   * allocator's worst share is the exact integer max-min, whatever the LP bound above says), and the best
   * worst share it found if there is one.
   */
  integerAboveWorst?: { status: string; worstShare: number; solveMs: number };
}

function buildModel(state: RoundState): Model {
  const vars: Model['vars'] = [];
  const constraints: string[] = [];
  const bySlot = new Map<number, number[]>();
  const participants = state.children.filter((child) => child.unitsWanted > 0);
  for (const child of participants) {
    const mine: number[] = [];
    child.candSlot.forEach((slot, candidate) => {
      const j = vars.length;
      vars.push({ child, candidate });
      mine.push(j);
      const list = bySlot.get(slot);
      if (list) list.push(j);
      else bySlot.set(slot, [j]);
    });
    const term = (j: number) => {
      const units = state.slot(vars[j]!.child.candSlot[vars[j]!.candidate] as number).units;
      return `${units} x${j}`;
    };
    if (mine.length === 0) continue;
    constraints.push(`${mine.map(term).join(' + ')} <= ${child.unitsWanted}`);
    constraints.push(`${mine.map(term).join(' + ')} - ${child.unitsWanted} z >= 0`);
    const nights = mine.filter((j) => state.slot(child.candSlot[vars[j]!.candidate] as number).overnight);
    const days = mine.filter((j) => !state.slot(child.candSlot[vars[j]!.candidate] as number).overnight);
    const { start, end } = state.input.period;
    const covering = child.entitlements.filter((e) => e.periodStart < end && e.periodEnd > start);
    const nightCap = covering.reduce((sum, e) => sum + e.nights, 0);
    const dayCap = covering.reduce((sum, e) => sum + e.daySessions, 0);
    if (nights.length > 0) constraints.push(`${nights.map(term).join(' + ')} <= ${nightCap}`);
    if (days.length > 0) constraints.push(`${days.map(term).join(' + ')} <= ${dayCap}`);
    // Intervals: the largest sets that overlap each other all contain some start instant.
    const seen = new Set<string>();
    for (const j of mine) {
      const at = state.slot(child.candSlot[vars[j]!.candidate] as number).info.start.getTime();
      const clique = mine.filter((k) => {
        const info = state.slot(child.candSlot[vars[k]!.candidate] as number).info;
        return info.start.getTime() <= at && at < info.end.getTime();
      });
      const key = clique.join(',');
      if (clique.length > 1 && !seen.has(key)) {
        seen.add(key);
        constraints.push(`${clique.map((k) => `x${k}`).join(' + ')} <= 1`);
      }
    }
  }
  for (const [slot, list] of bySlot) {
    const entry = state.slot(slot);
    constraints.push(`${list.map((j) => `x${j}`).join(' + ')} <= ${Math.max(0, entry.info.capacity - entry.bookedBefore)}`);
  }
  return { state, vars, constraints, participants };
}

function lp(model: Model, objective: string, extra: string[], relaxed = false): string {
  const rows = [...model.constraints, ...extra].map((row, i) => ` c${i}: ${row}`);
  return [
    'Maximize',
    ` obj: ${objective}`,
    'Subject To',
    ...rows,
    'Bounds',
    ' 0 <= z <= 1',
    ...(relaxed ? model.vars.map((_, j) => ` 0 <= x${j} <= 1`) : ['Binary', ...model.vars.map((_, j) => ` x${j}`)]),
    'End',
  ].join('\n');
}

function unitsTerm(model: Model): string {
  return model.vars.map(({ child, candidate }, j) => `${model.state.slot(child.candSlot[candidate] as number).units} x${j}`).join(' + ');
}

/**
 * `relaxed` solves the linear relaxation instead (each x between 0 and 1): an
 * upper bound on the exact optimum, so the ratios it gives are lower bounds on
 * the true ones — used where the integer programme takes too long (HiGHS
 * needed 14 minutes for 300 children here).
 */
export async function measureOptimality(options: {
  children: number;
  providers?: number;
  weeks?: number;
  relaxed?: boolean;
  prove?: boolean;
}): Promise<OptimalityFigures> {
  const highs = await highsLoader();
  const input = generateCounty({ children: options.children, providers: options.providers ?? 20, weeks: options.weeks ?? 13, seed: `opt-${options.children}` });
  const allocatorStarted = performance.now();
  const result = allocate(input);
  const allocatorMs = performance.now() - allocatorStarted;

  const state = new RoundState(input);
  const model = buildModel(state);
  // The relaxation goes to the interior-point solver: on the 600-children county dual simplex ran past ten
  // minutes on the max-min stage (a degenerate programme: one z against every child), interior point does not.
  const solveOptions = {
    mip_rel_gap: 0,
    time_limit: Number(process.env.BENCH_OPT_TIME_LIMIT ?? 600),
    output_flag: false,
    ...(options.relaxed ? { solver: 'ipm' as const } : {}),
  } as const;
  const started = performance.now();
  const relaxed = options.relaxed ?? false;
  const stage1 = highs.solve(lp(model, 'z', [], relaxed), solveOptions);
  const maxMin = solved(stage1) ? primal(stage1, 'z') : 0;
  // At that share (only once it is known), the most nights.
  const stage2 = solved(stage1)
    ? highs.solve(lp(model, unitsTerm(model), [`z >= ${Math.max(0, maxMin - 1e-6)}`], relaxed), solveOptions)
    : undefined;
  const stage3 = highs.solve(lp(model, unitsTerm(model), [], relaxed), solveOptions);
  const solveMs = performance.now() - started;

  const chosen = stage2 && solved(stage2) ? model.vars.filter((_, j) => primal(stage2, `x${j}`) > 0.5) : [];
  const objective = (solution: Solution | undefined) => (solution && solved(solution) ? Math.floor(solution.ObjectiveValue + 1e-6) : Number.NaN);
  const nightsAtMaxMin = objective(stage2);
  const maxNights = objective(stage3);
  const refusals = replay(state, chosen);
  const metrics = result.metrics;
  const worst = metrics.maxMin.share;
  const integerAboveWorst = options.prove ? proveWorst(highs, model, result, solveOptions) : undefined;
  return {
    children: input.children.length,
    providers: options.providers ?? 20,
    slots: input.slots.length,
    variables: model.vars.length,
    relaxed,
    status: { maxMin: stage1.Status, nightsAtMaxMin: stage2?.Status ?? `max-min stage ${stage1.Status}`, maxNights: stage3.Status },
    exact: {
      maxMinShare: solved(stage1) ? round4(maxMin) : Number.NaN,
      nightsAtMaxMin,
      maxNights,
      replayRefusals: refusals,
      solveMs: Math.round(solveMs),
    },
    allocator: {
      worstShare: worst,
      nights: metrics.unitsAllocated,
      childrenWithNothing: metrics.childrenWithNothing,
      splitStays: metrics.stays.split,
      avoidableSplits: metrics.stays.avoidableSplits,
      requestsHonoured: metrics.requestsHonoured.share,
      ms: Math.round(allocatorMs),
    },
    ratios: {
      worstShare: !solved(stage1) ? Number.NaN : maxMin === 0 ? 1 : round4(worst / maxMin),
      nightsVsMaxMin: round4(metrics.unitsAllocated / Math.max(1, nightsAtMaxMin)),
      nightsVsMax: round4(metrics.unitsAllocated / Math.max(1, maxNights)),
    },
    ...(integerAboveWorst ? { integerAboveWorst } : {}),
  };
}

/**
 * The integer programme (not its relaxation) with every child's share above the allocator's worst: at
 * least the worst plus a margin smaller than the gap between any two shares (units got / wanted, wants
 * being whole numbers), so no better integer share is ruled out by the margin.
 */
function proveWorst(
  highs: Awaited<ReturnType<typeof highsLoader>>,
  model: Model,
  result: ReturnType<typeof allocate>,
  solveOptions: Record<string, unknown>,
): NonNullable<OptimalityFigures['integerAboveWorst']> {
  const shares = result.explanations.filter((e) => e.unitsWanted > 0).map((e) => e.unitsGot / e.unitsWanted);
  const worst = Math.min(...shares);
  const largestWant = Math.max(...model.participants.map((child) => child.unitsWanted));
  const margin = 1 / (2 * largestWant * largestWant);
  const started = performance.now();
  const { solver: _interiorPoint, ...mip } = solveOptions;
  const solution = highs.solve(lp(model, 'z', [`z >= ${worst + margin}`]), mip);
  const found = solution.Status === 'Optimal' ? round4(primal(solution, 'z')) : Number.NaN;
  return { status: solution.Status, worstShare: found, solveMs: Math.round(performance.now() - started) };
}

/** Places the optimum's choices child by child, in date order, through checkPlacement; counts refusals. */
function replay(state: RoundState, chosen: Model['vars']): number {
  const booked = new Map<number, number>();
  let refusals = 0;
  const byChild = new Map<ChildEntry, number[]>();
  for (const { child, candidate } of chosen) {
    const list = byChild.get(child) ?? [];
    list.push(child.candSlot[candidate] as number);
    byChild.set(child, list);
  }
  for (const [child, slots] of byChild) {
    const stays: StayInfo[] = [...(state.input.existingStays[child.child.id] ?? [])];
    for (const slot of slots.sort((a, b) => a - b)) {
      const entry = state.slot(slot);
      const info = { ...entry.info, booked: entry.bookedBefore + (booked.get(slot) ?? 0) };
      const { refusals: refused } = checkPlacement({ child: child.child, slot: info, stays, entitlements: child.entitlements });
      if (refused.length > 0) refusals += 1;
      stays.push(entry.stay);
      booked.set(slot, (booked.get(slot) ?? 0) + 1);
    }
  }
  return refusals;
}

type Solution = ReturnType<Awaited<ReturnType<typeof highsLoader>>['solve']>;

/** Only an 'Optimal' solve has an optimum to compare with (see OptimalityFigures.status). */
function solved(solution: Solution): boolean {
  return solution.Status === 'Optimal';
}

function primal(solution: Solution, column: string): number {
  const value = solution.Columns[column];
  return value && 'Primal' in value ? value.Primal : 0;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export function printOptimality(rows: OptimalityFigures[]): void {
  console.log('Allocator vs the exact optimum (HiGHS), generated counties with 20 providers over 13 weeks:');
  // A stage HiGHS did not solve to optimality says so, with its status, instead of printing its leftovers as figures.
  const figure = (status: string, value: number, digits: number) => (status === 'Optimal' ? value.toFixed(digits) : `not solved: ${status}`);
  for (const row of rows) {
    const { status } = row;
    console.log(
      `  ${row.children} children, ${row.slots} slots, ${row.variables} variables (${row.relaxed ? 'LP relaxation, an upper bound' : 'exact integer optimum'}; solve ${row.exact.solveMs} ms, allocator ${row.allocator.ms} ms):\n` +
        `    worst-served share  ${row.allocator.worstShare.toFixed(3)} vs exact max-min ${figure(status.maxMin, row.exact.maxMinShare, 3)}  ratio ${figure(status.maxMin, row.ratios.worstShare, 3)}\n` +
        `    nights              ${row.allocator.nights} vs ${figure(status.nightsAtMaxMin, row.exact.nightsAtMaxMin, 0)} at the max-min share (ratio ${figure(status.nightsAtMaxMin, row.ratios.nightsVsMaxMin, 4)}), ` +
        `${figure(status.maxNights, row.exact.maxNights, 0)} with no fairness (ratio ${figure(status.maxNights, row.ratios.nightsVsMax, 4)})\n` +
        `    children with nothing ${row.allocator.childrenWithNothing}; split stays ${row.allocator.splitStays} (avoidable ${row.allocator.avoidableSplits}); ` +
        `requests honoured ${(row.allocator.requestsHonoured * 100).toFixed(1)}%; optimum replay refusals ${row.exact.replayRefusals}`,
    );
    const proof = row.integerAboveWorst;
    if (proof) {
      console.log(
        `    integer programme, every child above ${row.allocator.worstShare.toFixed(3)} (${proof.solveMs} ms): ` +
          (proof.status === 'Infeasible'
            ? `infeasible — ${row.allocator.worstShare.toFixed(3)} is the exact integer max-min`
            : proof.status === 'Optimal'
              ? `a worst share of ${proof.worstShare.toFixed(3)} exists`
              : `not settled: ${proof.status}`),
      );
    }
  }
}

/**
 * Sizes as `children[:lp][:prove]`: 120 children solve exactly in about a minute and a half; larger ones use
 * the relaxation, and `prove` asks the integer programme whether any allocation beats the allocator's worst
 * share (about a minute and a half at 300 children; at 600 it does not settle in ten minutes).
 */
export async function runOptimalityBench(spec = process.env.BENCH_OPT_CHILDREN ?? '120,300:lp:prove,600:lp'): Promise<OptimalityFigures[]> {
  const rows: OptimalityFigures[] = [];
  for (const size of spec.split(',')) {
    const [children, ...modes] = size.split(':');
    rows.push(await measureOptimality({ children: Number(children), relaxed: modes.includes('lp'), prove: modes.includes('prove') }));
  }
  printOptimality(rows);
  return rows;
}

// Resolved, so `npx tsx bench/optimality.bench.ts` (a relative path) runs it as well as an absolute one.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await runOptimalityBench();
