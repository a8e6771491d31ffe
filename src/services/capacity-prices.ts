/**
 * Prices on capacity rules (what the commissioner pays), in pence, with
 * effective dates. A new price from a date closes the open-ended price it
 * supersedes the day before; any other overlap of the same kind is refused, so
 * exactly one price is in force for a place on any date.
 */
import { db } from '../db.js';
import type { CapacityPrice } from '../generated/prisma/client.js';
import { isOvernight } from '../domain/costs.js';
import { addDays } from '../domain/london-time.js';
import { conflict, notFound, unprocessable } from '../errors.js';
import type { CreatePriceInput } from '../schemas/funding.js';
import { requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { transaction } from './tx.js';

export const priceView = (p: CapacityPrice) => ({ id: p.id, capacityRuleId: p.capacityRuleId, unit: p.unit, pence: p.pence, effectiveFrom: p.effectiveFrom, effectiveTo: p.effectiveTo });

const overlaps = (a: { effectiveFrom: string; effectiveTo: string | null }, b: { effectiveFrom: string; effectiveTo: string | null }) =>
  a.effectiveFrom <= (b.effectiveTo ?? '9999-12-31') && b.effectiveFrom <= (a.effectiveTo ?? '9999-12-31');

export async function createPrice(principal: Principal, ruleId: string, input: CreatePriceInput) {
  requireRole(principal, 'COORDINATOR');
  const price = await transaction(async (tx) => {
    // The rule's row lock orders concurrent price changes, so the overlap check below holds.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM capacity_rule WHERE id = ${ruleId} FOR UPDATE`;
    if (!locked.length) throw notFound('Capacity rule');
    const rule = await tx.capacityRule.findUniqueOrThrow({ where: { id: ruleId } });
    const overnight = isOvernight(rule.startTime, rule.durationMinutes);
    if (input.unit === 'NIGHT' && !overnight) throw unprocessable('This rule’s breaks are day sessions: price it per SESSION');
    if (input.unit === 'SESSION' && overnight) throw unprocessable('This rule’s breaks are overnight: price it per NIGHT');
    if (input.unit === 'BLOCK' && rule.reservedForAuthorityId !== principal.authorityId) {
      throw unprocessable('Only a rule block-contracted to your authority can be priced as a block');
    }
    const next = { effectiveFrom: input.effectiveFrom, effectiveTo: input.effectiveTo ?? null };
    const sameKind = await tx.capacityPrice.findMany({ where: { capacityRuleId: ruleId, unit: input.unit } });
    for (const old of sameKind.filter((p) => overlaps(p, next))) {
      if (old.effectiveTo === null && old.effectiveFrom < next.effectiveFrom) {
        await tx.capacityPrice.update({ where: { id: old.id }, data: { effectiveTo: addDays(next.effectiveFrom, -1) } });
      } else {
        throw conflict(`A ${input.unit.toLowerCase()} price of ${old.pence}p is already in force from ${old.effectiveFrom}${old.effectiveTo ? ` to ${old.effectiveTo}` : ''}`, { priceId: old.id });
      }
    }
    const created = await tx.capacityPrice.create({ data: { capacityRuleId: ruleId, unit: input.unit, pence: input.pence, ...next } });
    await audit(tx, principal, { action: 'capacity_price.created', entityType: 'CapacityRule', entityId: ruleId, authorityId: principal.authorityId, after: priceView(created) });
    return created;
  });
  return priceView(price);
}

export async function listPrices(principal: Principal, ruleId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const rule = await db().capacityRule.findUnique({ where: { id: ruleId }, select: { providerId: true } });
  if (!rule || (principal.role === 'PROVIDER' && principal.providerId !== rule.providerId)) throw notFound('Capacity rule');
  const prices = await db().capacityPrice.findMany({ where: { capacityRuleId: ruleId }, orderBy: [{ unit: 'asc' }, { effectiveFrom: 'asc' }] });
  return prices.map(priceView);
}
