/**
 * How long a what-if scenario takes to run: the scenarios worker's whole job
 * (runScenario: load the period's requests and places as a round does, apply
 * the change to a copy, allocate baseline and copy, compare) for the demo
 * county as `npm start` loads it and its saved scenario "upgrade one home for gastrostomy, 2 places", and for
 * the same county grown to about 2,000 children; then the pure comparison alone
 * on the generated 2,000-child county the allocator bench uses (60 providers,
 * four weeks), for a county whose places grew with its children.
 *
 * Each size is seeded into a database of its own (`<db>_scenarios`, dropped
 * and made again), so no other county's places join the copy. Run it with
 * `npm run bench -- scenarios`; it runs in a process of its own.
 */
import { BENCH_DATABASE_URL, freshDatabase, median, table } from './support.js';

const SCENARIOS_DATABASE_URL = BENCH_DATABASE_URL.replace(/_bench(\?|$)/, '_scenarios$1');
process.env.DATABASE_URL = SCENARIOS_DATABASE_URL;
const RUNS = 3;

async function timeCounty(families: number) {
  await freshDatabase(SCENARIOS_DATABASE_URL);
  const { db, disconnectDb } = await import('../src/db.js');
  const { seedDemoCounty } = await import('../fixtures/demo-county.js');
  const { seedDemoActivity } = await import('../fixtures/demo-activity.js');
  const { runScenario, loadScenarioWorld } = await import('../src/services/scenarios.js');
  const { compare } = await import('../src/domain/scenarios.js');
  const { ScenarioChangeSchema } = await import('../src/schemas/scenarios.js');

  const { seedDemoRequests } = await import('../fixtures/demo-requests.js');
  const { mintToken, resolveToken } = await import('../src/services/tokens.js');

  // As `npm start` loads it (fixtures/demo.ts): the year so far, the saved scenario, and the next round's open requests.
  const summary = await seedDemoCounty({ families });
  const activity = await seedDemoActivity(summary.authorityId, summary.providerIds);
  const coordinator = await resolveToken(await mintToken({ role: 'COORDINATOR', authorityId: summary.authorityId }, { label: 'bench' }));
  if (coordinator?.role === 'COORDINATOR') await seedDemoRequests(coordinator);
  // The first run is the worker's job as it happens, written to the scenario row.
  const t = performance.now();
  await runScenario(activity.scenarioId);
  const jobMs = performance.now() - t;
  const scenario = await db().scenario.findUniqueOrThrow({ where: { id: activity.scenarioId } });
  const changes = ScenarioChangeSchema.array().parse(scenario.changes) as Parameters<typeof compare>[1];
  const loads: number[] = [];
  const computes: number[] = [];
  let world = await loadScenarioWorld(scenario);
  for (let i = 0; i < RUNS; i++) {
    const a = performance.now();
    world = await loadScenarioWorld(scenario);
    const b = performance.now();
    compare(world, changes);
    computes.push(performance.now() - b);
    loads.push(b - a);
  }
  await disconnectDb();
  return {
    county: `demo county, ${summary.children} children`,
    requests: world.input.requests.length,
    slots: world.input.slots.length,
    'job ms': Math.round(jobMs),
    'load ms (median)': Math.round(median(loads)),
    'allocate both ms (median)': Math.round(median(computes)),
    result: scenario.result,
  };
}

async function timeGenerated() {
  const { generateCounty } = await import('../fixtures/county-generator.js');
  const { compare } = await import('../src/domain/scenarios.js');
  const input = generateCounty({ seed: 'scenarios-bench', children: 2000, providers: 60, weeks: 4 });
  const home = input.slots.find((s) => s.providerKind === 'RESIDENTIAL')!;
  // Each generated slot stands for its own rule, priced by its kind as the demo county prices them.
  const pence = { RESIDENTIAL: 42_000, COMMUNITY: 8_500, FAMILY_BASED: 26_000 } as const;
  const world = {
    input,
    slotRule: Object.fromEntries(input.slots.map((s) => [s.id, { capacityRuleId: s.id, localDate: s.start.toISOString().slice(0, 10) }])),
    prices: Object.fromEntries(input.slots.map((s) => [s.id, [{ unit: (s.providerKind === 'COMMUNITY' ? 'SESSION' : 'NIGHT') as 'NIGHT' | 'SESSION', pence: pence[s.providerKind], effectiveFrom: '2000-01-01', effectiveTo: null }]])),
    providers: Object.fromEntries(input.slots.map((s) => [s.providerId, { kind: s.providerKind }])),
  };
  const from = input.slots.map((s) => s.start.toISOString().slice(0, 10)).sort()[0]!;
  const changes = [{ kind: 'ADD_CAPABILITY' as const, providerId: home.providerId, capability: 'GASTROSTOMY' as const, places: 2, from, pencePerUnit: 78_000 }];
  const ms: number[] = [];
  let result: ReturnType<typeof compare> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    result = compare(world, changes);
    ms.push(performance.now() - t);
  }
  return {
    county: `generated county, ${input.children.length} children, 60 providers`,
    requests: input.requests.length,
    slots: input.slots.length,
    'job ms': '–',
    'load ms (median)': '–',
    'allocate both ms (median)': Math.round(median(ms)),
    result,
  };
}

export async function runScenariosBench() {
  const demo = await timeCounty(120);
  const large = await timeCounty(Number(process.env.BENCH_SCENARIO_FAMILIES ?? 1700));
  const generated = await timeGenerated();
  const rows = [demo, large, generated];
  console.log(`\nWhat-if scenario "upgrade one home for gastrostomy, 2 places" (job: runScenario end to end; median of ${RUNS} for the parts)\n${table(rows.map(({ result: _r, ...row }) => row))}`);
  for (const r of rows) {
    const c = r.result as { baseline: Record<string, number>; scenario: Record<string, number>; difference: Record<string, number | null> } | undefined;
    if (c) console.log(`${r.county}: nights ${c.baseline.nightsDelivered} -> ${c.scenario.nightsDelivered}, unmet complex-health nights ${c.baseline.unmetComplexHealthNights} -> ${c.scenario.unmetComplexHealthNights}, worst-served ${c.baseline.worstServedShare} -> ${c.scenario.worstServedShare}, cost +${c.difference.costPence}p, per extra night ${c.difference.costPerExtraNightPence === null ? '– (no extra night)' : `${c.difference.costPerExtraNightPence}p`}`);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runScenariosBench();
  process.exit(0);
}
