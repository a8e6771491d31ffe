/**
 * What-if scenarios. Saving one records it and its job in one transaction (the
 * job outbox); the worker builds the allocator's input exactly as an
 * allocation round's worker does (loadRoundInput), adds what the comparison
 * needs (each slot's rule and prices), applies the changes to a copy and runs
 * the allocator on both (src/domain/scenarios.ts). The only row it writes is the
 * scenario's own: no booking, slot, rule or price is touched.
 */
import { db } from '../db.js';
import { ENGLAND_CALENDAR } from '../domain/calendar-england.js';
import type { PriceInfo } from '../domain/costs.js';
import { compare, type ScenarioChange, type ScenarioWorld } from '../domain/scenarios.js';
import type { Scenario } from '../generated/prisma/client.js';
import { ApiError, notFound } from '../errors.js';
import { flushOutboxSoon, recordJob } from '../jobs/outbox.js';
import { logger } from '../logger.js';
import { ScenarioChangesColumn, ScenarioResultColumn, toJson } from '../schemas/json-columns.js';
import type { CreateScenarioInput } from '../schemas/scenarios.js';
import { loadRoundInput } from './allocation-rounds.js';
import { requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { seededPeriod } from './seeded-run.js';
import { iso, isoOrNull } from './serialize.js';
import { transaction } from './tx.js';
import { paginate } from '../schemas/paging.js';

export function scenarioView(s: Scenario) {
  return {
    id: s.id,
    name: s.name,
    periodStart: s.periodStart,
    periodEnd: s.periodEnd,
    seed: s.seed,
    status: s.status,
    changes: ScenarioChangesColumn.parse(s.changes),
    result: ScenarioResultColumn.parse(s.result),
    error: s.error,
    runMs: s.runMs,
    createdAt: iso(s.createdAt),
    completedAt: isoOrNull(s.completedAt),
  };
}
export type ScenarioView = ReturnType<typeof scenarioView>;

/** Every provider and rule a change names must exist, or the scenario would silently compare nothing. */
async function assertReferences(changes: ScenarioChange[]) {
  const providerIds = [...new Set(changes.flatMap((c) => ('providerId' in c ? [c.providerId] : [])))];
  const ruleIds = [...new Set(changes.flatMap((c) => ('capacityRuleId' in c ? [c.capacityRuleId] : [])))];
  const [providers, rules] = await Promise.all([
    db().provider.count({ where: { id: { in: providerIds } } }),
    db().capacityRule.count({ where: { id: { in: ruleIds } } }),
  ]);
  if (providers !== providerIds.length) throw new ApiError('UNPROCESSABLE', 'A change names a provider that does not exist');
  if (rules !== ruleIds.length) throw new ApiError('UNPROCESSABLE', 'A change names a capacity rule that does not exist');
}

export async function createScenario(principal: Principal, input: CreateScenarioInput) {
  requireRole(principal, 'COORDINATOR');
  const changes = input.changes as ScenarioChange[];
  await assertReferences(changes);
  const scenario = await transaction(async (tx) => {
    const created = await tx.scenario.create({
      data: {
        authorityId: principal.authorityId,
        name: input.name,
        ...seededPeriod(input),
        changes: toJson(ScenarioChangesColumn, changes),
      },
    });
    await recordJob(tx, 'runScenario', { scenarioId: created.id });
    await audit(tx, principal, { action: 'scenario.created', entityType: 'Scenario', entityId: created.id, authorityId: principal.authorityId, after: input });
    return created;
  });
  flushOutboxSoon();
  return scenarioView(scenario);
}

export async function getScenario(principal: Principal, id: string) {
  requireRole(principal, 'COORDINATOR');
  const s = await db().scenario.findFirst({ where: { id, authorityId: principal.authorityId } });
  if (!s) throw notFound('Scenario');
  return scenarioView(s);
}

/** Newest first (ids are random, so the order is by when each was saved, the id only breaking ties); the cursor is the last id shown. */
export async function listScenarios(principal: Principal, q: { limit: number; cursor?: string }) {
  requireRole(principal, 'COORDINATOR');
  const after = q.cursor ? await db().scenario.findFirst({ where: { id: q.cursor, authorityId: principal.authorityId }, select: { id: true, createdAt: true } }) : null;
  const rows = await db().scenario.findMany({
    where: {
      authorityId: principal.authorityId,
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  return paginate(rows, q.limit, scenarioView);
}

/** Scenarios side by side, in the order asked; each must be this authority's. */
export async function compareScenarios(principal: Principal, ids: string[]) {
  requireRole(principal, 'COORDINATOR');
  const rows = await db().scenario.findMany({ where: { id: { in: ids }, authorityId: principal.authorityId } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw notFound('Scenario');
  return ids.map((id) => scenarioView(byId.get(id)!));
}

/** One row per scenario and side (baseline, scenario, difference), for CSV. */
export function comparisonRows(items: ScenarioView[]) {
  return items.flatMap((s) =>
    s.result
      ? (['baseline', 'scenario', 'difference'] as const).map((side) => ({ scenarioId: s.id, name: s.name, periodStart: s.periodStart, periodEnd: s.periodEnd, side, ...s.result![side] }))
      : [{ scenarioId: s.id, name: s.name, periodStart: s.periodStart, periodEnd: s.periodEnd, side: s.status.toLowerCase() }],
  );
}
export const COMPARISON_COLUMNS = [
  'scenarioId', 'name', 'periodStart', 'periodEnd', 'side', 'childrenWithRequests', 'childrenPlaced', 'nightsDelivered', 'sessionsDelivered', 'unitsWanted',
  'worstServedShare', 'childrenWithNothing', 'unmetComplexHealthNights', 'costPence', 'costPerExtraNightPence', 'unpricedBookings',
] as const;

/** The copy the scenario changes: the round's own snapshot, plus each slot's rule and the rules' prices. */
export async function loadScenarioWorld(scenario: Pick<Scenario, 'authorityId' | 'periodStart' | 'periodEnd' | 'seed'>): Promise<ScenarioWorld> {
  const input = await loadRoundInput({ ...scenario, calendar: ENGLAND_CALENDAR });
  const slotIds = input.slots.map((s) => s.id);
  const slotRows = await db().slot.findMany({ where: { id: { in: slotIds } }, select: { id: true, capacityRuleId: true, localDate: true } });
  const ruleIds = [...new Set(slotRows.map((s) => s.capacityRuleId))];
  const [prices, providers] = await Promise.all([
    db().capacityPrice.findMany({ where: { capacityRuleId: { in: ruleIds } } }),
    db().provider.findMany({ select: { id: true, kind: true } }),
  ]);
  const byRule: Record<string, PriceInfo[]> = {};
  for (const p of prices) (byRule[p.capacityRuleId] ??= []).push({ unit: p.unit, pence: p.pence, effectiveFrom: p.effectiveFrom, effectiveTo: p.effectiveTo });
  return {
    input,
    slotRule: Object.fromEntries(slotRows.map((s) => [s.id, { capacityRuleId: s.capacityRuleId, localDate: s.localDate }])),
    prices: byRule,
    providers: Object.fromEntries(providers.map((p) => [p.id, { kind: p.kind }])),
  };
}

/** The worker's job: a finished scenario is left alone, so a re-delivered job does nothing. */
export async function runScenario(scenarioId: string): Promise<{ status: string }> {
  const claimed = await db().scenario.updateMany({ where: { id: scenarioId, status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'RUNNING', startedAt: new Date() } });
  if (claimed.count === 0) return { status: (await db().scenario.findUnique({ where: { id: scenarioId } }))?.status ?? 'MISSING' };
  const scenario = await db().scenario.findUniqueOrThrow({ where: { id: scenarioId } });
  const started = performance.now();
  const world = await loadScenarioWorld(scenario);
  const result = compare(world, ScenarioChangesColumn.parse(scenario.changes));
  const runMs = Math.round(performance.now() - started);
  logger.info('scenario computed', { scenarioId, runMs, children: world.input.requests.length, slots: world.input.slots.length });
  await db().scenario.updateMany({
    where: { id: scenarioId, status: 'RUNNING' },
    data: { status: 'COMPLETED', completedAt: new Date(), runMs, result: toJson(ScenarioResultColumn, result) },
  });
  return { status: 'COMPLETED' };
}

export async function markScenarioFailed(scenarioId: string, error: string) {
  await db().scenario.updateMany({ where: { id: scenarioId, status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'FAILED', error } });
}

export interface ScenarioChoice {
  id: string;
  name: string;
  kind: string;
  rules: { id: string; name: string | null; rrule: string; startTime: string; durationMinutes: number; places: number; capabilities: string[] }[];
}

/**
 * What the scenario form offers to change: providers the authority can place
 * children with — those it runs or holds a block contract at first, then the
 * rest — with their rules. Filtered in SQL, so a database holding many
 * providers still lists the authority's own.
 */
export async function scenarioChoices(principal: Principal, limit = 300): Promise<ScenarioChoice[]> {
  requireRole(principal, 'COORDINATOR');
  const a = principal.authorityId;
  const visibleRule = { active: true, OR: [{ reservedForAuthorityId: null }, { reservedForAuthorityId: a }] };
  const include = {
    capacityRules: { where: visibleRule, orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }], select: { id: true, name: true, rrule: true, startTime: true, durationMinutes: true, places: true, capabilities: true } },
  };
  const orderBy = [{ name: 'asc' as const }, { id: 'asc' as const }];
  const own = await db().provider.findMany({
    where: { status: { not: 'CLOSED' }, OR: [{ operatorAuthorityId: a }, { capacityRules: { some: { active: true, reservedForAuthorityId: a } } }] },
    include, orderBy, take: limit,
  });
  const rest = own.length < limit
    ? await db().provider.findMany({ where: { status: { not: 'CLOSED' }, id: { notIn: own.map((p) => p.id) }, capacityRules: { some: visibleRule } }, include, orderBy, take: limit - own.length })
    : [];
  return [...own, ...rest].map((p) => ({ id: p.id, name: p.name, kind: p.kind, rules: p.capacityRules }));
}

/** Names of the providers and rules the scenarios' changes refer to, to say the changes in words. */
export async function scenarioNames(items: ScenarioView[]) {
  const changes = items.flatMap((s) => s.changes);
  const ruleIds = [...new Set(changes.flatMap((c) => ('capacityRuleId' in c ? [c.capacityRuleId] : [])))];
  const rules = await db().capacityRule.findMany({ where: { id: { in: ruleIds } }, select: { id: true, name: true, providerId: true } });
  const providerIds = [...new Set([...changes.flatMap((c) => ('providerId' in c ? [c.providerId] : [])), ...rules.map((r) => r.providerId)])];
  const providers = await db().provider.findMany({ where: { id: { in: providerIds } }, select: { id: true, name: true } });
  const provider = new Map(providers.map((p) => [p.id, p.name]));
  return { provider, rule: new Map(rules.map((r) => [r.id, { name: r.name, providerName: provider.get(r.providerId) ?? 'a provider' }])) };
}
