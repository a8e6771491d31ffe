/** Break requests: a family's ranked preferences for a period, which feed allocation rounds. */
import { db } from '../db.js';
import type { BreakRequest, Prisma } from '../generated/prisma/client.js';
import { ApiError, notFound } from '../http/problem.js';
import type { CreateRequestInput, Preference } from '../schemas/requests.js';
import { childScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { iso } from './serialize.js';
import { transaction } from './tx.js';

export function requestView(r: BreakRequest) {
  return {
    id: r.id,
    childId: r.childId,
    authorityId: r.authorityId,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    preferences: r.preferences as Preference[],
    flexible: r.flexible,
    transportNeeded: r.transportNeeded,
    nightsWanted: r.nightsWanted,
    notes: r.notes,
    status: r.status,
    createdByRole: r.createdByRole,
    createdAt: iso(r.createdAt),
  };
}

export async function createRequest(principal: Principal, input: CreateRequestInput) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  return transaction(async (tx) => {
    const child = await tx.child.findFirst({ where: { AND: [{ id: input.childId }, childScope(principal)] } });
    if (!child) throw notFound('Child');
    const slotIds = input.preferences.flatMap((p) => (p.kind === 'SLOT' ? [p.slotId] : []));
    const slots = await tx.slot.findMany({ where: { id: { in: slotIds } } });
    const problems = slotIds.flatMap((id, i) => {
      const slot = slots.find((s) => s.id === id);
      if (!slot || slot.status !== 'ACTIVE' || (slot.reservedForAuthorityId && slot.reservedForAuthorityId !== child.authorityId)) {
        return [{ path: `body.preferences.${i}.slotId`, message: 'no such slot open to this child' }];
      }
      if (slot.localDate < input.periodStart || slot.localDate > input.periodEnd) {
        return [{ path: `body.preferences.${i}.slotId`, message: 'slot is outside the requested period' }];
      }
      return [];
    });
    const providerIds = input.preferences.flatMap((p) => (p.kind === 'DAYS' && p.providerId ? [p.providerId] : []));
    const known = new Set((await tx.provider.findMany({ where: { id: { in: providerIds } }, select: { id: true } })).map((p) => p.id));
    for (const id of providerIds) if (!known.has(id)) problems.push({ path: 'body.preferences', message: `unknown provider ${id}` });
    if (problems.length) throw new ApiError('UNPROCESSABLE', 'Some preferences cannot be used', { errors: problems });
    const request = await tx.breakRequest.create({
      data: {
        childId: child.id,
        authorityId: child.authorityId,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        preferences: input.preferences as Prisma.InputJsonValue,
        flexible: input.flexible,
        transportNeeded: input.transportNeeded,
        nightsWanted: input.nightsWanted ?? null,
        notes: input.notes ?? null,
        createdByRole: principal.role,
      },
    });
    await audit(tx, principal, { action: 'request.created', entityType: 'BreakRequest', entityId: request.id, authorityId: child.authorityId, after: input });
    return requestView(request);
  });
}

export async function listRequests(principal: Principal, q: { childId?: string; status?: BreakRequest['status']; periodStart?: string; limit: number; cursor?: string }) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const rows = await db().breakRequest.findMany({
    where: {
      AND: [
        { child: childScope(principal) },
        q.childId ? { childId: q.childId } : {},
        q.status ? { status: q.status } : {},
        q.periodStart ? { periodStart: q.periodStart } : {},
        q.cursor ? { id: { gt: q.cursor } } : {},
      ],
    },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
  });
  const items = rows.slice(0, q.limit).map(requestView);
  return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
}
