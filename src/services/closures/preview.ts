/**
 * The preview before a closure or suspension is confirmed ("safe to press"):
 * who is affected, the bookings month by month, and what the planner would do
 * — a dry run of the same plan the job makes, with nothing written. Each
 * authority sees its own children by name and only counts of others'.
 */
import { db } from '../../db.js';
import { DEFAULT_REHOMING_PREFERENCES } from '../../domain/rehoming/index.js';
import { ApiError, notFound } from '../../errors.js';
import type { StartClosureInput } from '../../schemas/closures.js';
import { loadOperatedProvider, requireRole, type Principal } from '../access.js';
import { iso } from '../serialize.js';
import { affectedAt, closureSettings, consultationAnswers, planAffected } from './plan.js';
import { storedKind } from '../../domain/rehoming/outcome.js';
import type { ClosureSettings } from '../../schemas/json-columns.js';
import { effectiveInstant } from './start.js';

type Expected = 'MOVED' | 'OFFERED' | 'PENDING_TRAINING' | 'WAITLISTED';

export async function previewClosure(principal: Principal, providerId: string, input: StartClosureInput, kind: 'CLOSURE' | 'SUSPENSION') {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  if (kind === 'CLOSURE') await loadOperatedProvider(db(), principal, providerId);
  else requireRole(principal, 'COORDINATOR');
  const provider = await db().provider.findUnique({ where: { id: providerId }, select: { id: true, name: true, status: true } });
  if (!provider) throw notFound('Provider');
  const from = effectiveInstant(input.effectiveFrom);
  const settings = { order: input.preferences ?? [...DEFAULT_REHOMING_PREFERENCES], maxDateShiftDays: input.maxDateShiftDays };
  return dryRun(principal, provider, from, kind, input.seed ?? 'preview', settings, null);
}

/**
 * The preview of a closure that consulted, before the coordinator proceeds: the
 * same dry run, with the families' rankings as the plan will use them.
 */
export async function previewConsultedClosure(principal: Principal, closureId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const closure = await db().closure.findUnique({ where: { id: closureId }, include: { provider: { select: { id: true, name: true, status: true } } } });
  const recorded = principal.role === 'COORDINATOR' ? closure?.authorityId === principal.authorityId : closure?.authorityId === null && closure.providerId === principal.providerId;
  if (!closure || !recorded) throw notFound('Closure');
  if (closure.status !== 'CONSULTING') throw new ApiError('CONFLICT', `The closure is already ${closure.status.toLowerCase()}: its plan is on the closure itself`);
  return dryRun(principal, closure.provider, closure.effectiveFrom, closure.suspendedAuthorityId ? 'SUSPENSION' : 'CLOSURE', closure.seed, closureSettings(closure), closure.id);
}

async function dryRun(
  principal: Extract<Principal, { role: 'COORDINATOR' | 'PROVIDER' }>,
  provider: { id: string; name: string; status: 'ACTIVE' | 'CLOSING' | 'CLOSED' },
  from: Date,
  kind: 'CLOSURE' | 'SUSPENSION',
  seed: string,
  settings: ClosureSettings,
  closureId: string | null,
) {
  const providerId = provider.id;
  const ownAuthority = principal.role === 'COORDINATOR' ? principal.authorityId : null;
  const items = await affectedAt(providerId, from, closureId, kind === 'SUSPENSION' ? ownAuthority : null);
  const plan = await planAffected(providerId, seed, settings, items, ownAuthority, closureId ? await consultationAnswers(closureId) : new Map(), closureId);
  const planned = new Map((plan?.outcomes ?? []).map((o) => [o.bookingId, o]));
  const expected: Record<Expected, number> = { MOVED: 0, OFFERED: 0, PENDING_TRAINING: 0, WAITLISTED: 0 };
  const byMonth = new Map<string, number>();
  const own = items.filter((i) => !ownAuthority || i.authorityId === ownAuthority);
  const childIds = [...new Set(own.map((i) => i.childId))];
  const names = new Map((await db().child.findMany({ where: { id: { in: childIds } }, select: { id: true, firstName: true, lastName: true } })).map((c) => [c.id, `${c.firstName} ${c.lastName}`]));
  const children = new Map<string, { childId: string; name: string; places: number; expected: Record<Expected, number>; reasons: string[] }>();
  for (const item of items) {
    const o = planned.get(item.bookingId)!;
    const k = storedKind(o, item.from?.kind === 'OFFER');
    expected[k]++;
    const month = iso(item.startsAt).slice(0, 7);
    byMonth.set(month, (byMonth.get(month) ?? 0) + 1);
    if (ownAuthority && item.authorityId !== ownAuthority) continue;
    const row = children.get(item.childId) ?? { childId: item.childId, name: names.get(item.childId) ?? item.childId, places: 0, expected: { MOVED: 0, OFFERED: 0, PENDING_TRAINING: 0, WAITLISTED: 0 }, reasons: [] };
    row.places++;
    row.expected[k]++;
    row.reasons.push(o.outcome === 'WAITLISTED' ? o.reason : o.explanation);
    children.set(item.childId, row);
  }
  const waitlistEntries = await db().waitlistEntry.count({
    where: { status: { in: ['WAITING', 'OFFERED'] }, slot: { providerId, startsAt: { gte: from } }, ...(kind === 'SUSPENSION' ? { authorityId: ownAuthority! } : {}) },
  });
  return {
    kind,
    providerId,
    providerName: provider.name,
    providerStatus: provider.status,
    effectiveFrom: iso(from),
    affected: {
      places: items.length,
      fromEarlierClosures: items.filter((i) => i.from).length,
      children: new Set(items.map((i) => i.childId)).size,
      families: new Set(items.map((i) => i.child.familyId)).size,
      otherAuthorities: ownAuthority ? items.filter((i) => i.authorityId !== ownAuthority).length : 0,
    },
    byMonth: [...byMonth].sort(([a], [b]) => a.localeCompare(b)).map(([month, places]) => ({ month, places })),
    expected,
    waitlistEntries,
    children: [...children.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}
