/**
 * Home upgrades: the operator of a home (its council's coordinators, or the
 * provider itself) records that from a date the home meets a need in a number
 * of places — nursing cover, training, equipment. From then on direct booking,
 * waitlist offers and closure plans may place children with that need there,
 * in at most that many places at any one time (eligibility.ts, placement.ts),
 * and a re-homing outcome that relies on it names it.
 */
import { db } from '../db.js';
import type { ProviderUpgrade } from '../generated/prisma/client.js';
import { londonDateOf } from '../domain/london-time.js';
import { ApiError, notFound } from '../errors.js';
import type { RecordUpgradeInput } from '../schemas/upgrades.js';
import { loadOperatedProvider, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { isUniqueViolation } from './db-errors.js';
import { iso } from './serialize.js';
import { transaction } from './tx.js';

function upgradeView(u: ProviderUpgrade & { provider: { name: string } }) {
  return { id: u.id, providerId: u.providerId, providerName: u.provider.name, authorityId: u.authorityId, need: u.need, places: u.places, from: u.fromDate, note: u.note, createdAt: iso(u.createdAt) };
}

export async function recordUpgrade(principal: Principal, providerId: string, input: RecordUpgradeInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const today = londonDateOf(new Date());
  if (input.from < today) throw new ApiError('VALIDATION_FAILED', 'An upgrade cannot start in the past', { errors: [{ path: 'body.from', message: `must be ${today} or later` }] });
  const created = await transaction(async (tx) => {
    await loadOperatedProvider(tx, principal, providerId);
    const provider = await tx.provider.findUniqueOrThrow({ where: { id: providerId } });
    if (provider.status !== 'ACTIVE') throw new ApiError('CONFLICT', `${provider.name} is ${provider.status.toLowerCase()}: an upgrade there would place no one`);
    // A foster carer meets a complex health need through their own training, never through the scheme's.
    if (provider.kind === 'FAMILY_BASED') {
      throw new ApiError('UNPROCESSABLE', 'A family-based scheme meets needs through each carer’s training: record the training on the carer instead', { errors: [{ path: 'body.need', message: 'not for a family-based scheme' }] });
    }
    if (await tx.providerUpgrade.findUnique({ where: { providerId_need: { providerId, need: input.need } } })) {
      throw new ApiError('CONFLICT', `${provider.name} already has an upgrade for ${input.need}`);
    }
    const row = await tx.providerUpgrade
      .create({
        data: { providerId, authorityId: principal.role === 'COORDINATOR' ? principal.authorityId : null, need: input.need, places: input.places, fromDate: input.from, note: input.note ?? null },
        include: { provider: { select: { name: true } } },
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new ApiError('CONFLICT', `${provider.name} already has an upgrade for ${input.need}`);
        throw err;
      });
    await audit(tx, principal, {
      action: 'provider.upgrade_recorded',
      entityType: 'Provider',
      entityId: providerId,
      authorityId: row.authorityId,
      after: { upgradeId: row.id, need: row.need, places: row.places, from: row.fromDate, note: row.note },
    });
    return row;
  });
  return upgradeView(created);
}

/** A provider's upgrades: any coordinator may read them (they decide where its children can go); a provider its own. */
export async function listUpgrades(principal: Principal, providerId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  if (principal.role === 'PROVIDER' && principal.providerId !== providerId) throw notFound('Provider');
  const provider = await db().provider.findUnique({ where: { id: providerId }, select: { id: true } });
  if (!provider) throw notFound('Provider');
  const rows = await db().providerUpgrade.findMany({ where: { providerId }, include: { provider: { select: { name: true } } }, orderBy: [{ fromDate: 'asc' }, { need: 'asc' }] });
  return { items: rows.map(upgradeView) };
}

/** The upgrades at the homes an authority runs, for its coordinators' closures page. */
export async function upgradesOperatedBy(authorityId: string) {
  const rows = await db().providerUpgrade.findMany({ where: { provider: { operatorAuthorityId: authorityId } }, include: { provider: { select: { name: true } } }, orderBy: [{ provider: { name: 'asc' } }, { need: 'asc' }] });
  return rows.map(upgradeView);
}
