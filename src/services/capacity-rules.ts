/**
 * Publishing recurring capacity. Saving a rule and queueing its slot generation
 * happen in one transaction (through the job outbox), so a rule is never saved
 * without its slots eventually following.
 */
import { db, type Tx } from '../db.js';
import type { CapacityRule } from '../generated/prisma/client.js';
import { expandRule, RecurrenceLimitError } from '../domain/capacity/recurrence.js';
import { addDays, londonDateOf } from '../domain/london-time.js';
import { config } from '../config.js';
import { notFound, unprocessable } from '../errors.js';
import { flushOutboxSoon, recordJob } from '../jobs/outbox.js';
import type { CreateCapacityRuleInput, UpdateCapacityRuleInput } from '../schemas/providers.js';
import { assertReadsProvider, loadOperatedProvider, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { isoOrNull } from './serialize.js';
import { transaction } from './tx.js';
import { GenerationConflictsColumn } from '../schemas/json-columns.js';

/** What a rule offers, as stored: its name, when its places recur and how many there are (the API's view and the Open Referral feed both show it). */
export function publishedRule(r: Pick<CapacityRule, 'name' | 'rrule' | 'startDate' | 'untilDate' | 'startTime' | 'durationMinutes' | 'places'>) {
  return { name: r.name, rrule: r.rrule, startDate: r.startDate, untilDate: r.untilDate, startTime: r.startTime, durationMinutes: r.durationMinutes, places: r.places };
}

export function capacityRuleView(r: CapacityRule) {
  return {
    id: r.id,
    providerId: r.providerId,
    carerId: r.carerId,
    ...publishedRule(r),
    capabilities: r.capabilities,
    exdates: r.exdates,
    reservedForAuthorityId: r.reservedForAuthorityId,
    standingForClosureId: r.standingForClosureId,
    active: r.active,
    version: r.version,
    generatedVersion: r.generatedVersion,
    generatedAt: isoOrNull(r.generatedAt),
    generationConflicts: GenerationConflictsColumn.parse(r.generationConflicts),
  };
}

/** The window slots are materialised for: today (London) to the rolling horizon. */
export function generationWindow(now = new Date()): { from: Date; to: Date; fromDate: string; toDate: string } {
  const fromDate = londonDateOf(now);
  const toDate = addDays(fromDate, config().SLOT_HORIZON_DAYS);
  return { from: now, to: new Date(`${toDate}T23:59:59Z`), fromDate, toDate };
}

/** Refuse a rule whose expansion would be unreasonably large before it is stored. */
function assertExpandable(rule: Pick<CapacityRule, 'rrule' | 'startDate' | 'untilDate' | 'startTime' | 'durationMinutes' | 'exdates'>) {
  const { from, to } = generationWindow();
  try {
    expandRule({ ...rule, until: rule.untilDate }, from, to);
  } catch (err) {
    if (err instanceof RecurrenceLimitError) {
      throw unprocessable(
        err.limit === 'PERIODS_SEARCHED'
          ? `This rule never seems to occur (searched too far without a date): ${err.message}`
          : `This rule would create too many slots in the ${config().SLOT_HORIZON_DAYS}-day horizon: ${err.message}`,
      );
    }
    throw err;
  }
}

async function assertRuleReferences(
  tx: Tx,
  providerId: string,
  input: { carerId?: string; reservedForAuthorityId?: string | null },
) {
  const provider = await tx.provider.findUnique({ where: { id: providerId } });
  if (!provider) throw notFound('Provider');
  if (provider.status === 'CLOSED') throw unprocessable('A closed provider cannot publish capacity');
  if (provider.kind === 'FAMILY_BASED' && !input.carerId) {
    throw unprocessable('Family-based capacity is offered by a foster carer: give carerId');
  }
  if (input.carerId) {
    const carer = await tx.fosterCarer.findUnique({ where: { id: input.carerId } });
    if (!carer || carer.providerId !== providerId) throw unprocessable('carerId is not a carer of this provider');
  }
  if (input.reservedForAuthorityId) {
    const authority = await tx.authority.findUnique({ where: { id: input.reservedForAuthorityId } });
    if (!authority) throw unprocessable('reservedForAuthorityId is not a known authority');
  }
}

export async function createCapacityRule(principal: Principal, providerId: string, input: CreateCapacityRuleInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  await loadOperatedProvider(db(), principal, providerId);
  assertExpandable({ ...input, untilDate: input.untilDate ?? null, exdates: input.exdates });
  const rule = await transaction(async (tx) => {
    await assertRuleReferences(tx, providerId, input);
    const created = await tx.capacityRule.create({
      data: {
        providerId,
        carerId: input.carerId ?? null,
        name: input.name ?? null,
        rrule: input.rrule.replace(/^RRULE:/i, ''),
        startDate: input.startDate,
        untilDate: input.untilDate ?? null,
        startTime: input.startTime,
        durationMinutes: input.durationMinutes,
        places: input.places,
        capabilities: input.capabilities,
        exdates: [...new Set(input.exdates)].sort(),
        reservedForAuthorityId: input.reservedForAuthorityId ?? null,
      },
    });
    await recordJob(tx, 'generateSlots', { ruleId: created.id, version: created.version });
    await audit(tx, principal, { action: 'capacity_rule.created', entityType: 'CapacityRule', entityId: created.id, after: input });
    return created;
  });
  flushOutboxSoon();
  return capacityRuleView(rule);
}

export async function updateCapacityRule(principal: Principal, ruleId: string, input: UpdateCapacityRuleInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const rule = await transaction(async (tx) => {
    const before = await tx.capacityRule.findUnique({ where: { id: ruleId } });
    if (!before) throw notFound('Capacity rule');
    // A provider token sees another provider's rule as not found, as before the operator rule.
    if (principal.role === 'PROVIDER' && principal.providerId !== before.providerId) throw notFound('Capacity rule');
    await loadOperatedProvider(tx, principal, before.providerId);
    const merged = { ...before, ...input, rrule: (input.rrule ?? before.rrule).replace(/^RRULE:/i, '') };
    if (merged.untilDate && merged.untilDate < merged.startDate) throw unprocessable('untilDate is before startDate');
    assertExpandable(merged);
    await assertRuleReferences(tx, before.providerId, {
      carerId: before.carerId ?? undefined,
      reservedForAuthorityId: input.reservedForAuthorityId,
    });
    const after = await tx.capacityRule.update({
      where: { id: ruleId },
      data: {
        ...input,
        rrule: merged.rrule,
        exdates: input.exdates ? [...new Set(input.exdates)].sort() : undefined,
        version: { increment: 1 },
      },
    });
    await recordJob(tx, 'generateSlots', { ruleId, version: after.version });
    await audit(tx, principal, {
      action: 'capacity_rule.updated',
      entityType: 'CapacityRule',
      entityId: ruleId,
      before: capacityRuleView(before),
      after: capacityRuleView(after),
    });
    return after;
  });
  flushOutboxSoon();
  return capacityRuleView(rule);
}

export async function listCapacityRules(principal: Principal, providerId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  assertReadsProvider(principal, providerId);
  if (!(await db().provider.findUnique({ where: { id: providerId }, select: { id: true } }))) throw notFound('Provider');
  const rules = await db().capacityRule.findMany({ where: { providerId }, orderBy: { createdAt: 'asc' } });
  return rules.map(capacityRuleView);
}

export async function getCapacityRule(principal: Principal, ruleId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const rule = await db().capacityRule.findUnique({ where: { id: ruleId } });
  if (!rule) throw notFound('Capacity rule');
  assertReadsProvider(principal, rule.providerId);
  return capacityRuleView(rule);
}

/**
 * The authorities a provider can block-contract places to: every authority (an
 * English county has one; the country ~150), and always those the provider's
 * rules already name, however many there are.
 */
export async function blockContractAuthorities(principal: Principal, providerId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  assertReadsProvider(principal, providerId);
  const [all, named] = await Promise.all([
    db().authority.findMany({ select: { id: true, name: true }, orderBy: [{ name: 'asc' }, { id: 'asc' }], take: 500 }),
    db().authority.findMany({ select: { id: true, name: true }, where: { reservedRules: { some: { providerId } } } }),
  ]);
  const byId = new Map([...all, ...named].map((a) => [a.id, a]));
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
