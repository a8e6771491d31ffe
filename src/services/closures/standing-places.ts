/**
 * Standing places (the West Sussex case, ../shared/seeds/002_*: the council gave
 * the families "a space available all year at an alternative home"). Recording
 * a closure may reserve a block of places at another home for a year from the
 * closing date: a capacity rule reserved for the closing authority (a block
 * contract, like any other: other authorities' children are refused it), with
 * the home's main pattern of breaks and its prices, and marked as this
 * closure's standing place. The closure's plan gives those places to the
 * affected children first (planner.ts); the home's other places and bookings
 * are left as they are.
 */
import type { Prisma } from '../../generated/prisma/client.js';
import { addDays, londonDateOf } from '../../domain/london-time.js';
import type { Tx } from '../../db.js';
import { db } from '../../db.js';
import { ApiError } from '../../errors.js';
import type { ConfirmClosureInput } from '../../schemas/closures.js';
import type { Principal } from '../access.js';
import { audit } from '../audit.js';
import { generateSlotsForRule } from '../slot-generation.js';
import { HOLDS_PLANNED_PLACE } from '../../domain/rehoming/outcome.js';

const YEAR_DAYS = 365;

/** Reserve the standing place a closure asks for, inside the transaction that records it. */
export async function reserveStandingPlace(tx: Tx, principal: Principal, closure: { id: string; providerId: string; effectiveFrom: Date }, input: NonNullable<ConfirmClosureInput['standingPlace']>) {
  const field = (message: string) => ({ errors: [{ path: 'body.standingPlace.providerId', message }] });
  if (principal.role !== 'COORDINATOR') throw new ApiError('UNPROCESSABLE', 'A standing place is reserved for an authority’s children: only a coordinator can ask for one', field('only a coordinator'));
  if (input.providerId === closure.providerId) throw new ApiError('UNPROCESSABLE', 'The standing place must be at another home than the one closing', field('must be another home'));
  const home = await tx.provider.findUnique({ where: { id: input.providerId } });
  if (!home) throw new ApiError('UNPROCESSABLE', 'The home for the standing place was not found', field('not a known provider'));
  if (home.status !== 'ACTIVE') throw new ApiError('UNPROCESSABLE', `${home.name} is ${home.status.toLowerCase()}`, field('must be open'));
  // Another council's home is that council's to commit; a provider's own home takes block contracts from anyone.
  if (home.operatorAuthorityId && home.operatorAuthorityId !== principal.authorityId) {
    throw new ApiError('FORBIDDEN', `${home.name} is run by another council: only its coordinators can reserve places there`);
  }
  const from = londonDateOf(closure.effectiveFrom);
  const until = addDays(from, YEAR_DAYS - 1);
  // The home's main pattern (most places) open to this authority: a standing place is a place like its others, all year.
  const template = await tx.capacityRule.findFirst({
    where: { providerId: home.id, active: true, carerId: null, standingForClosureId: null, OR: [{ reservedForAuthorityId: null }, { reservedForAuthorityId: principal.authorityId }] },
    orderBy: [{ places: 'desc' }, { id: 'asc' }],
    include: { prices: true },
  });
  if (!template) throw new ApiError('UNPROCESSABLE', `${home.name} publishes no open pattern of breaks to reserve places in`, field('has no open capacity'));
  const closing = await tx.provider.findUniqueOrThrow({ where: { id: closure.providerId }, select: { name: true } });
  const rule = await tx.capacityRule.create({
    data: {
      providerId: home.id,
      name: `Standing place for children from ${closing.name}`,
      rrule: template.rrule,
      startDate: template.startDate > from ? template.startDate : from,
      // A year, whatever the home's own pattern does: the block is a commitment of its own.
      untilDate: until,
      startTime: template.startTime,
      durationMinutes: template.durationMinutes,
      places: input.places,
      capabilities: template.capabilities,
      exdates: template.exdates,
      reservedForAuthorityId: principal.authorityId,
      standingForClosureId: closure.id,
    },
  });
  // The places cost what the home's others cost on the same dates.
  const prices = template.prices.filter((p) => p.effectiveTo === null || p.effectiveTo >= from);
  if (prices.length) await tx.capacityPrice.createMany({ data: prices.map((p) => ({ capacityRuleId: rule.id, unit: p.unit, pence: p.pence, effectiveFrom: p.effectiveFrom, effectiveTo: p.effectiveTo })) });
  await audit(tx, principal, {
    action: 'closure.standing_place_reserved',
    entityType: 'CapacityRule',
    entityId: rule.id,
    authorityId: principal.authorityId,
    after: { closureId: closure.id, providerId: home.id, places: input.places, from: rule.startDate, until: rule.untilDate, copiedFrom: template.id } as Prisma.InputJsonValue,
  });
  return rule;
}

/** Materialise a closure's standing places now (idempotent), so its consultation and plan can see them. */
export async function generateStandingPlaces(closureId: string): Promise<void> {
  const rules = await db().capacityRule.findMany({ where: { standingForClosureId: closureId }, select: { id: true } });
  for (const r of rules) await generateSlotsForRule(r.id);
}

/** A closure's standing places as its recording authority sees them, with how many of its children the plan put in them. */
export async function standingPlacesOf(closureId: string, outcomes: { outcome: string; toSlotId: string | null; childId: string }[]) {
  const rules = await db().capacityRule.findMany({ where: { standingForClosureId: closureId }, include: { provider: { select: { name: true } } }, orderBy: { createdAt: 'asc' } });
  if (rules.length === 0) return [];
  const slots = await db().slot.findMany({ where: { capacityRuleId: { in: rules.map((r) => r.id) }, id: { in: outcomes.flatMap((o) => (o.toSlotId && HOLDS_PLANNED_PLACE.has(o.outcome) ? [o.toSlotId] : [])) } }, select: { id: true, capacityRuleId: true } });
  const ruleOf = new Map(slots.map((s) => [s.id, s.capacityRuleId]));
  return rules.map((r) => ({
    capacityRuleId: r.id,
    providerId: r.providerId,
    providerName: r.provider.name,
    places: r.places,
    from: r.startDate,
    until: r.untilDate,
    // Children, not breaks: a child with several affected breaks may have more than one of them in the block.
    childrenPlaced: new Set(outcomes.filter((o) => o.toSlotId && HOLDS_PLANNED_PLACE.has(o.outcome) && ruleOf.get(o.toSlotId) === r.id).map((o) => o.childId)).size,
  }));
}
