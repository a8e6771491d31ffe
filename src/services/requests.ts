/** Break requests: a family's ranked preferences for a period, which feed allocation rounds. */
import { db, type Tx } from '../db.js';
import type { BreakRequest } from '../generated/prisma/client.js';
import { isClosedFrom, isSuspendedFor } from '../domain/provider-closing.js';
import { ApiError, notFound } from '../errors.js';
import type { CreateRequestInput, UpdateRequestInput } from '../schemas/requests.js';
import { childScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { iso } from './serialize.js';
import { providerSuspensions } from './placement.js';
import { transaction } from './tx.js';
import { paginate } from '../schemas/paging.js';
import { RequestPreferencesColumn, toJson } from '../schemas/json-columns.js';

export function requestView(r: BreakRequest) {
  return {
    id: r.id,
    childId: r.childId,
    authorityId: r.authorityId,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    preferences: RequestPreferencesColumn.parse(r.preferences),
    flexible: r.flexible,
    transportNeeded: r.transportNeeded,
    nightsWanted: r.nightsWanted,
    stayNights: r.stayNights,
    notes: r.notes,
    status: r.status,
    createdByRole: r.createdByRole,
    createdAt: iso(r.createdAt),
  };
}

/** The columns a request's own fields are stored in (filing and changing write the same). */
const requestColumns = (input: UpdateRequestInput) => ({
  periodStart: input.periodStart,
  periodEnd: input.periodEnd,
  preferences: toJson(RequestPreferencesColumn, input.preferences),
  flexible: input.flexible,
  transportNeeded: input.transportNeeded,
  nightsWanted: input.nightsWanted ?? null,
  stayNights: input.stayNights ?? null,
  notes: input.notes ?? null,
});

export async function createRequest(principal: Principal, input: CreateRequestInput) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  return transaction(async (tx) => {
    const child = await tx.child.findFirst({ where: { AND: [{ id: input.childId }, childScope(principal)] } });
    if (!child) throw notFound('Child');
    await checkPreferences(tx, child, input);
    const request = await tx.breakRequest.create({
      data: {
        childId: child.id,
        authorityId: child.authorityId,
        ...requestColumns(input),
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
  return paginate(rows, q.limit, requestView);
}

/** Every ranked slot must be open to the child, inside the period and at a provider still taking bookings. */
async function checkPreferences(tx: Tx, child: { authorityId: string }, input: Pick<CreateRequestInput, 'preferences' | 'periodStart' | 'periodEnd'>) {
  const slotIds = input.preferences.flatMap((p) => (p.kind === 'SLOT' ? [p.slotId] : []));
  const slots = await tx.slot.findMany({ where: { id: { in: slotIds } }, include: { provider: { select: { status: true, closingFrom: true, closures: providerSuspensions } } } });
  const problems = slotIds.flatMap((id, i) => {
    const slot = slots.find((s) => s.id === id);
    if (!slot || slot.status !== 'ACTIVE' || (slot.reservedForAuthorityId && slot.reservedForAuthorityId !== child.authorityId)) {
      return [{ path: `body.preferences.${i}.slotId`, message: 'no such slot open to this child' }];
    }
    if (isClosedFrom(slot.provider, slot.startsAt)) return [{ path: `body.preferences.${i}.slotId`, message: 'the provider is closing and takes no bookings from this date' }];
    if (isSuspendedFor(slot.provider, slot.startsAt, child.authorityId)) return [{ path: `body.preferences.${i}.slotId`, message: "the child's authority has suspended its placements at this provider from this date" }];
    if (slot.localDate < input.periodStart || slot.localDate > input.periodEnd) {
      return [{ path: `body.preferences.${i}.slotId`, message: 'slot is outside the requested period' }];
    }
    return [];
  });
  const providerIds = input.preferences.flatMap((p) => (p.kind === 'DAYS' && p.providerId ? [p.providerId] : []));
  const known = new Map((await tx.provider.findMany({ where: { id: { in: providerIds } }, select: { id: true, status: true } })).map((p) => [p.id, p.status]));
  for (const id of providerIds) {
    if (!known.has(id)) problems.push({ path: 'body.preferences', message: `unknown provider ${id}` });
    else if (known.get(id) === 'CLOSED') problems.push({ path: 'body.preferences', message: `provider ${id} has closed` });
  }
  if (problems.length) throw new ApiError('UNPROCESSABLE', 'Some preferences cannot be used', { errors: problems });
}

async function ownRequest(tx: Tx, principal: Principal, requestId: string) {
  // Locked, so an edit and a withdrawal of the same request cannot interleave.
  await tx.$queryRaw`SELECT id FROM break_request WHERE id = ${requestId} FOR UPDATE`;
  const request = await tx.breakRequest.findFirst({ where: { id: requestId, child: childScope(principal) }, include: { child: true } });
  if (!request) throw notFound('Request');
  return request;
}

/**
 * A request can change only while no round has it: open, and no round of the
 * authority that overlaps its period is queued, running or waiting to be
 * published (that round read the request as it was, and its bookings must
 * match the preferences it read: DESIGN.md invariant 7).
 */
async function assertChangeable(tx: Tx, request: BreakRequest) {
  if (request.status !== 'OPEN') {
    throw new ApiError('CONFLICT', request.status === 'WITHDRAWN' ? 'This request was withdrawn' : 'This request has been through an allocation round; cancel a break you do not want instead');
  }
  const busy = await tx.allocationRound.findFirst({
    where: { authorityId: request.authorityId, status: { in: ['QUEUED', 'RUNNING', 'COMPLETED'] }, periodStart: { lte: request.periodEnd }, periodEnd: { gte: request.periodStart } },
  });
  if (busy) throw new ApiError('CONFLICT', 'An allocation round for this period is being worked out or waiting to be published; the request can change once it is published or discarded');
}

export async function getRequest(principal: Principal, requestId: string) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const request = await db().breakRequest.findFirst({ where: { id: requestId, child: childScope(principal) } });
  if (!request) throw notFound('Request');
  return requestView(request);
}

/** Replace an open request's period, preferences and details (the child stays the same). */
export async function updateRequest(principal: Principal, requestId: string, input: UpdateRequestInput) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  return transaction(async (tx) => {
    const request = await ownRequest(tx, principal, requestId);
    await assertChangeable(tx, request);
    await checkPreferences(tx, request.child, input);
    const updated = await tx.breakRequest.update({
      where: { id: request.id },
      data: requestColumns(input),
    });
    await audit(tx, principal, { action: 'request.updated', entityType: 'BreakRequest', entityId: request.id, authorityId: request.authorityId, before: requestView(request), after: input });
    return requestView(updated);
  });
}

/** Withdraw an open request: the next round leaves it out. Kept, with its history, as WITHDRAWN. */
export async function withdrawRequest(principal: Principal, requestId: string) {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  return transaction(async (tx) => {
    const request = await ownRequest(tx, principal, requestId);
    await assertChangeable(tx, request);
    const updated = await tx.breakRequest.update({ where: { id: request.id }, data: { status: 'WITHDRAWN' } });
    await audit(tx, principal, { action: 'request.withdrawn', entityType: 'BreakRequest', entityId: request.id, authorityId: request.authorityId, before: { status: request.status }, after: { status: 'WITHDRAWN' } });
    return requestView(updated);
  });
}
