/**
 * Provider closure and re-homing (issue 5; the West Sussex case in
 * ../shared/seeds/002_*). Recording a closure stops new bookings from its date
 * and queues the plan job. The job runs in two idempotent phases, so it can be
 * killed anywhere and re-run:
 *  1. plan: the pure planner (src/domain/rehoming) decides an outcome for every
 *     affected booking; all outcome rows and transport runs are written in one
 *     transaction (unique per closure and booking);
 *  2. apply: each child's outcomes are carried out in one short transaction
 *     and stamped `appliedAt`, through the same placeChild as any booking — so a
 *     receiving slot can never overfill and nothing is moved twice.
 * Nothing is silently dropped: every affected booking ends MOVED, OFFERED,
 * PENDING_TRAINING, WAITLISTED or CANCELLED_BY_FAMILY, and the counts add up.
 */
import { randomBytes } from 'node:crypto';
import { config } from '../config.js';
import { db, type Tx } from '../db.js';
import type { Booking, Closure, Prisma, RehomingOutcome as OutcomeRow } from '../generated/prisma/client.js';
import type { CareNeed } from '../domain/care-needs.js';
import { addDays, londonDateOf, londonWallTimeToInstant } from '../domain/london-time.js';
import type { StayInfo } from '../domain/model.js';
import { DEFAULT_REHOMING_PREFERENCES, planRehoming, type RehomingOutcome, type RehomingPlan, type RehomingPreference } from '../domain/rehoming/index.js';
import { ApiError, notFound } from '../http/problem.js';
import { flushOutboxSoon, recordJob } from '../jobs/outbox.js';
import { logger } from '../logger.js';
import type { ClosureListInput, StartClosureInput } from '../schemas/closures.js';
import { LIVE_BOOKING_STATUSES, requireRole, type Principal } from './access.js';
import { audit, type Actor } from './audit.js';
import { releaseBooking } from './bookings.js';
import { notify } from './notifications.js';
import { evaluatePlacement, loadChildContext, lockSlot, placeChild, slotWithProvider, toEntitlementInfo, toSlotInfo, type SlotForPlacement } from './placement.js';
import { iso, isoOrNull } from './serialize.js';
import { seatOnPlannedRuns } from './transport-seats.js';
import { transaction } from './tx.js';
import { addToWaitlist } from './waitlist.js';

const WORKER: Actor = { role: 'SYSTEM', job: 'rehoming' };
const PLANNABLE = ['ALLOCATED', 'CONFIRMED'] as const;

interface ClosureSettings {
  order: RehomingPreference[];
  maxDateShiftDays: number;
}

export async function startClosure(principal: Principal, providerId: string, input: StartClosureInput) {
  requireRole(principal, 'COORDINATOR');
  const today = londonDateOf(new Date());
  if (input.effectiveFrom < today) {
    throw new ApiError('VALIDATION_FAILED', 'effectiveFrom cannot be in the past', { errors: [{ path: 'body.effectiveFrom', message: `must be ${today} or later` }] });
  }
  const closure = await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM provider WHERE id = ${providerId} FOR UPDATE`;
    const provider = await tx.provider.findUnique({ where: { id: providerId } });
    if (!provider) throw notFound('Provider');
    if (provider.status !== 'ACTIVE') throw new ApiError('CONFLICT', `The provider is already ${provider.status.toLowerCase()}`);
    const effectiveFrom = londonWallTimeToInstant(input.effectiveFrom, '00:00');
    await tx.provider.update({ where: { id: providerId }, data: { status: 'CLOSING', closingFrom: effectiveFrom } });
    const settings: ClosureSettings = { order: input.preferences ?? [...DEFAULT_REHOMING_PREFERENCES], maxDateShiftDays: input.maxDateShiftDays };
    const created = await tx.closure.create({
      data: {
        providerId,
        authorityId: principal.authorityId,
        effectiveFrom,
        reason: input.reason,
        seed: input.seed ?? randomBytes(8).toString('hex'),
        preferences: settings as unknown as Prisma.InputJsonValue,
      },
    });
    await recordJob(tx, 'planClosure', { closureId: created.id });
    await audit(tx, principal, { action: 'provider.closing', entityType: 'Provider', entityId: providerId, authorityId: principal.authorityId, before: { status: provider.status }, after: { status: 'CLOSING', closureId: created.id, effectiveFrom: input.effectiveFrom } });
    return created;
  });
  flushOutboxSoon();
  return getClosure(principal, closure.id);
}

/** The live state of an outcome: an OFFERED move resolves when the family answers the offer. */
function currentOutcome(o: OutcomeRow, entries: Map<string, { status: string; bookingId: string | null }>) {
  if (o.outcome !== 'OFFERED' || !o.waitlistEntryId) return { outcome: o.outcome, newBookingId: o.newBookingId, reason: o.reason };
  const entry = entries.get(o.waitlistEntryId);
  switch (entry?.status) {
    case 'ACCEPTED':
      return { outcome: 'MOVED' as const, newBookingId: entry.bookingId, reason: `${o.reason} The family accepted the offer.` };
    case 'DECLINED':
    case 'WITHDRAWN':
      return { outcome: 'CANCELLED_BY_FAMILY' as const, newBookingId: null, reason: `The family declined the place offered on another date. (Offered: ${o.reason})` };
    case 'EXPIRED':
      return { outcome: 'WAITLISTED' as const, newBookingId: null, reason: `The offer of another date was not answered in time and the place passed on. (Offered: ${o.reason})` };
    default:
      return { outcome: 'OFFERED' as const, newBookingId: null, reason: o.reason };
  }
}

export async function getClosure(principal: Principal, closureId: string) {
  requireRole(principal, 'COORDINATOR');
  const closure = await db().closure.findUnique({ where: { id: closureId } });
  if (!closure) throw notFound('Closure');
  // A provider can serve several authorities: each coordinator sees the outcomes of its own children only
  // (invariant 5), and the coordinator of an authority whose children were affected can follow them too.
  if (closure.authorityId !== principal.authorityId && (await db().rehomingOutcome.count({ where: { closureId, booking: { authorityId: principal.authorityId } } })) === 0) {
    throw notFound('Closure');
  }
  return closureView(closure, principal.authorityId);
}

/** Closures a coordinator follows: those its authority started, and others that affected its children. Newest first. */
export async function listClosures(principal: Principal, q: ClosureListInput) {
  requireRole(principal, 'COORDINATOR');
  const rows = await db().closure.findMany({
    where: {
      status: q.status,
      OR: [{ authorityId: principal.authorityId }, { outcomes: { some: { booking: { authorityId: principal.authorityId } } } }],
    },
    include: { provider: { select: { name: true } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    take: q.limit + 1,
  });
  const shown = rows.slice(0, q.limit);
  // Each summary is the detail view without its outcome rows, so the counts are getClosure's; the page's views are read together.
  const items = (await closureViews(shown, principal.authorityId)).map(({ outcomes: _outcomes, trainingActions: _actions, preferences: _preferences, ...summary }, i) => ({
    ...summary,
    providerName: shown[i]!.provider.name,
  }));
  return { items, nextCursor: rows.length > q.limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * Send a FAILED closure back to the worker. Both phases are idempotent (the
 * plan is written once; applied outcomes are stamped), so a retry carries on
 * from where the failed job stopped.
 */
export async function retryClosure(principal: Principal, closureId: string) {
  requireRole(principal, 'COORDINATOR');
  await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM closure WHERE id = ${closureId} FOR UPDATE`;
    const closure = await tx.closure.findUnique({ where: { id: closureId } });
    // Only the authority that closed the provider runs its closure; others follow their children's outcomes.
    if (!closure || closure.authorityId !== principal.authorityId) throw notFound('Closure');
    if (closure.status !== 'FAILED') throw new ApiError('CONFLICT', `Only a failed closure can be retried; this one is ${closure.status.toLowerCase()}`);
    const retried = await tx.closure.update({ where: { id: closureId }, data: { status: 'QUEUED', error: null, retries: { increment: 1 } } });
    await recordJob(tx, 'planClosure', { closureId, retry: retried.retries });
    await audit(tx, principal, { action: 'closure.retried', entityType: 'Closure', entityId: closureId, authorityId: principal.authorityId, before: { status: 'FAILED', error: closure.error }, after: { status: 'QUEUED', retries: retried.retries } });
  });
  flushOutboxSoon();
  return getClosure(principal, closureId);
}

/**
 * Names for the ids a closure view refers to — its provider, the children,
 * the receiving breaks and the carers — for the coordinator's page. Takes a
 * view getClosure already scoped to the coordinator, so it names nothing else.
 */
export async function closurePlanNames(view: Awaited<ReturnType<typeof getClosure>>) {
  const slotIds = view.outcomes.flatMap((o) => (o.toSlotId ? [o.toSlotId] : []));
  const carerIds = (view.trainingActions as { carerId: string }[]).map((a) => a.carerId);
  const [children, slots, carers, provider] = await Promise.all([
    db().child.findMany({ where: { id: { in: view.outcomes.map((o) => o.childId) } }, select: { id: true, firstName: true, lastName: true } }),
    db().slot.findMany({ where: { id: { in: slotIds } }, select: { id: true, startsAt: true, provider: { select: { name: true } } } }),
    db().fosterCarer.findMany({ where: { id: { in: carerIds } }, select: { id: true, name: true, provider: { select: { name: true } } } }),
    db().provider.findUnique({ where: { id: view.providerId }, select: { name: true } }),
  ]);
  return {
    provider: provider?.name ?? 'The provider',
    child: new Map(children.map((ch) => [ch.id, `${ch.firstName} ${ch.lastName}`])),
    slot: new Map(slots.map((sl) => [sl.id, { providerName: sl.provider.name, startsAt: sl.startsAt }])),
    carer: new Map(carers.map((k) => [k.id, `${k.name} (${k.provider.name})`])),
  };
}

/** The closure with its outcomes: all of them (`forAuthorityId` null, for the provider's summary) or one authority's. */
async function closureView(closure: Closure, forAuthorityId: string | null = null) {
  return (await closureViews([closure], forAuthorityId))[0]!;
}

/** closureView for several closures in three queries, whatever their number (the list of closures). */
async function closureViews(closures: Closure[], forAuthorityId: string | null) {
  const closureIds = closures.map((k) => k.id);
  const outcomeRows = await db().rehomingOutcome.findMany({
    where: { closureId: { in: closureIds }, ...(forAuthorityId ? { booking: { authorityId: forAuthorityId } } : {}) },
    orderBy: { createdAt: 'asc' },
  });
  const entryIds = outcomeRows.flatMap((o) => (o.waitlistEntryId ? [o.waitlistEntryId] : []));
  const [entryRows, totals] = await Promise.all([
    db().waitlistEntry.findMany({ where: { id: { in: entryIds } } }),
    // Outcomes of every authority: what is not yet planned is the closure's, not one authority's.
    forAuthorityId ? db().rehomingOutcome.groupBy({ by: ['closureId'], where: { closureId: { in: closureIds } }, _count: { _all: true } }) : null,
  ]);
  const entries = new Map(entryRows.map((e) => [e.id, e]));
  const outcomesOf = new Map<string, OutcomeRow[]>();
  for (const o of outcomeRows) {
    const list = outcomesOf.get(o.closureId);
    if (list) list.push(o);
    else outcomesOf.set(o.closureId, [o]);
  }
  const allOutcomesOf = totals ? new Map(totals.map((t) => [t.closureId, t._count._all])) : null;
  return closures.map((closure) => {
    const outcomes = outcomesOf.get(closure.id) ?? [];
    const allOutcomes = allOutcomesOf ? (allOutcomesOf.get(closure.id) ?? 0) : outcomes.length;
    return viewOf(closure, outcomes, allOutcomes, entries, forAuthorityId);
  });
}

/** One closure's view from its rows; `allOutcomes` counts every authority's, so the counts add up to `affected`. */
function viewOf(closure: Closure, outcomes: OutcomeRow[], allOutcomes: number, entries: Map<string, { status: string; bookingId: string | null }>, forAuthorityId: string | null) {
  const planned = (closure.summary as { affected?: number } | null)?.affected ?? 0;
  const notYetPlanned = Math.max(0, planned - allOutcomes);
  const counts = { affected: outcomes.length + notYetPlanned, MOVED: 0, OFFERED: 0, WAITLISTED: 0, PENDING_TRAINING: 0, CANCELLED_BY_FAMILY: 0, notYetPlanned };
  const views = outcomes.map((o) => {
    const now = currentOutcome(o, entries);
    counts[now.outcome]++;
    return {
      id: o.id,
      bookingId: o.bookingId,
      childId: o.childId,
      outcome: now.outcome,
      toSlotId: o.toSlotId,
      newBookingId: now.newBookingId,
      waitlistEntryId: o.waitlistEntryId,
      reason: now.reason,
      detail: o.detail,
      trainingAction: o.trainingAction ?? null,
      transport: o.transport ?? null,
      applied: o.appliedAt !== null,
    };
  });
  const visibleActions = new Set(outcomes.flatMap((o) => ((o.trainingAction as { carerId: string; need: string }[] | null) ?? []).map((a) => `${a.carerId}|${a.need}`)));
  const trainingActions = ((closure.summary as { trainingActions?: { carerId: string; need: string }[] } | null)?.trainingActions ?? []).filter(
    (a) => !forAuthorityId || visibleActions.has(`${a.carerId}|${a.need}`),
  );
  return {
    id: closure.id,
    providerId: closure.providerId,
    authorityId: closure.authorityId,
    effectiveFrom: iso(closure.effectiveFrom),
    reason: closure.reason,
    status: closure.status,
    retries: closure.retries,
    preferences: closure.preferences,
    error: closure.error,
    createdAt: iso(closure.createdAt),
    completedAt: isoOrNull(closure.completedAt),
    counts,
    trainingActions,
    outcomes: views,
  };
}

/** Everything the planner needs, read once. */
async function loadPlanInput(closure: Closure, affected: (Booking & { child: { familyId: string; firstName: string; needs: CareNeed[]; needsTransport: boolean; needsEscort: boolean; authorityId: string; family: { lat: number | null; lng: number | null } } })[]) {
  const settings = closure.preferences as unknown as ClosureSettings;
  const provider = await db().provider.findUniqueOrThrow({ where: { id: closure.providerId } });
  const starts = affected.map((b) => b.startsAt.getTime());
  const windowStart = new Date(Math.max(Date.now(), Math.min(...starts) - (settings.maxDateShiftDays + 1) * 864e5));
  const windowEnd = new Date(Math.max(...starts) + (settings.maxDateShiftDays + 2) * 864e5);
  const childIds = [...new Set(affected.map((b) => b.childId))];
  const authorityIds = [...new Set(affected.map((b) => b.authorityId))];
  const [slots, stays, entitlements, vehicles, runs] = await Promise.all([
    db().slot.findMany({
      where: {
        status: 'ACTIVE',
        startsAt: { gte: windowStart, lt: windowEnd },
        providerId: { not: closure.providerId },
        provider: { status: 'ACTIVE' },
        OR: [{ reservedForAuthorityId: null }, { reservedForAuthorityId: { in: authorityIds } }],
      },
      include: { ...slotWithProvider, provider: { select: { id: true, kind: true, status: true, closingFrom: true, name: true, lat: true, lng: true } } },
    }),
    db().booking.findMany({
      where: { childId: { in: childIds }, status: { in: [...LIVE_BOOKING_STATUSES] }, id: { notIn: affected.map((b) => b.id) } },
      include: { slot: { select: { providerId: true } } },
    }),
    db().entitlement.findMany({ where: { childId: { in: childIds } } }),
    db().vehicle.findMany({ where: { authorityId: { in: authorityIds } } }),
    db().transportRun.findMany({ where: { returnAt: { gte: windowStart }, departAt: { lt: windowEnd } } }),
  ]);
  const staysByChild: Record<string, StayInfo[]> = {};
  for (const b of stays) (staysByChild[b.childId] ??= []).push({ slotId: b.slotId, providerId: b.slot.providerId, start: b.startsAt, end: b.endsAt });
  const carers = new Map(slots.flatMap((s) => (s.carer ? [[s.carer.id, s.carer] as const] : [])));
  const affectedSlots = await db().slot.findMany({ where: { id: { in: affected.map((b) => b.slotId) } }, include: slotWithProvider });
  const slotById = new Map(affectedSlots.map((s) => [s.id, s]));
  return {
    seed: closure.seed,
    closingProviderId: closure.providerId,
    closingProviderLocation: { lat: provider.lat, lng: provider.lng },
    affected: affected.map((b) => {
      const slot = slotById.get(b.slotId)!;
      return {
        bookingId: b.id,
        groupKey: `${slot.providerId}/${slot.localDate}`,
        slot: toSlotInfo(slot),
        child: {
          id: b.childId,
          authorityId: b.child.authorityId,
          needs: b.child.needs,
          home: b.child.family.lat !== null && b.child.family.lng !== null ? { lat: b.child.family.lat, lng: b.child.family.lng } : null,
          needsTransport: b.child.needsTransport,
          needsEscort: b.child.needsEscort,
          wheelchair: b.child.needs.includes('WHEELCHAIR'),
        },
      };
    }),
    candidateSlots: slots.map((s) => ({ ...toSlotInfo(s), carerId: s.carerId, provider: { id: s.provider.id, kind: s.provider.kind, name: s.provider.name, location: { lat: s.provider.lat, lng: s.provider.lng } } })),
    stays: staysByChild,
    entitlements: entitlements.map(toEntitlementInfo),
    carers: [...carers.values()].map((c) => ({ id: c.id, providerId: c.providerId, training: c.training.map((t) => ({ need: t.need as CareNeed, completedOn: t.completedOn, expiresOn: t.expiresOn })) })),
    vehicles: vehicles.map((v) => ({ id: v.id, authorityId: v.authorityId, seats: v.seats, wheelchairSpaces: v.wheelchairSpaces, hasEscort: v.hasEscort, base: { lat: v.baseLat, lng: v.baseLng } })),
    transportRuns: runs.map((r) => ({ vehicleId: r.vehicleId, departAt: r.departAt, returnAt: r.returnAt })),
    preferences: settings.order,
    maxDateShiftDays: settings.maxDateShiftDays,
    notBefore: new Date(),
  };
}

function transportRefs(o: RehomingOutcome): string[] {
  if (o.outcome === 'WAITLISTED' || !o.transport || 'unmet' in o.transport) return [];
  return [o.transport.outbound, o.transport.return];
}

/** Phase 1: plan once and store every outcome; a re-run finds them and skips to phase 2. */
async function planOnce(closureId: string): Promise<void> {
  const closure = await db().closure.findUniqueOrThrow({ where: { id: closureId } });
  if ((await db().rehomingOutcome.count({ where: { closureId } })) > 0) return;
  await db().closure.update({ where: { id: closureId }, data: { status: 'PLANNING' } });
  const affected = await db().booking.findMany({
    where: { slot: { providerId: closure.providerId }, startsAt: { gte: closure.effectiveFrom }, status: { in: [...PLANNABLE] } },
    include: { child: { select: { familyId: true, firstName: true, needs: true, needsTransport: true, needsEscort: true, authorityId: true, family: { select: { lat: true, lng: true } } } } },
    orderBy: { startsAt: 'asc' },
  });
  const plan: RehomingPlan | null = affected.length
    ? planRehoming(await loadPlanInput(closure, affected.map((b) => ({ ...b, child: { ...b.child, needs: b.child.needs as CareNeed[] } }))))
    : null;
  await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM closure WHERE id = ${closureId} FOR UPDATE`;
    if ((await tx.rehomingOutcome.count({ where: { closureId } })) > 0) return;
    if (plan) {
      await tx.rehomingOutcome.createMany({
        data: plan.outcomes.map((o) => {
          const order = plan.order.find((e) => e.bookingId === o.bookingId);
          const base = { closureId, bookingId: o.bookingId, childId: o.childId };
          if (o.outcome === 'WAITLISTED') {
            return { ...base, outcome: 'WAITLISTED' as const, reason: o.reason, detail: { refusals: o.refusals, order } as unknown as Prisma.InputJsonValue };
          }
          const { outcome, bookingId: _b, childId: _c, toSlotId, explanation, transport, ...facts } = o;
          const offered = outcome === 'MOVED' && o.dayShift !== 0;
          return {
            ...base,
            outcome: offered ? ('OFFERED' as const) : outcome,
            toSlotId,
            reason: explanation,
            detail: { ...facts, order } as unknown as Prisma.InputJsonValue,
            transport: (transport ?? undefined) as Prisma.InputJsonValue | undefined,
            trainingAction: outcome === 'PENDING_TRAINING' ? (o.actions as unknown as Prisma.InputJsonValue) : undefined,
          };
        }),
        skipDuplicates: true,
      });
      const used = new Set(plan.outcomes.flatMap(transportRefs));
      for (const run of plan.transport.runs.filter((r) => used.has(r.id))) {
        await tx.transportRun.create({ data: { closureId, planRef: run.id, vehicleId: run.vehicleId, providerId: run.providerId, direction: run.direction, departAt: run.departAt, returnAt: run.returnAt } });
      }
    }
    await tx.closure.update({
      where: { id: closureId },
      data: {
        summary: { affected: affected.length, planned: plan?.summary ?? null, order: plan?.order ?? [], trainingActions: plan?.trainingActions ?? [] } as unknown as Prisma.InputJsonValue,
      },
    });
  });
}

async function lockLiveBooking(tx: Tx, bookingId: string): Promise<Booking | null> {
  await tx.$queryRaw`SELECT id FROM booking WHERE id = ${bookingId} FOR UPDATE`;
  const booking = await tx.booking.findUnique({ where: { id: bookingId } });
  return booking && (PLANNABLE as readonly string[]).includes(booking.status) ? booking : null;
}

/** No place could be kept: the old booking ends (unless the caller already ended it), and the child waits — ahead of ordinary requests — for same-day places that would fit. */
async function waitlistChild(tx: Tx, outcome: OutcomeRow, old: Booking, reason: string, options: { released?: boolean } = {}) {
  if (!options.released) await releaseBooking(tx, WORKER, old, { status: 'CANCELLED', reason: `Provider closing: ${reason}` });
  const ctx = await loadChildContext(tx, old.childId, { lock: false });
  const sameDay = await tx.slot.findMany({
    where: { status: 'ACTIVE', startsAt: { gte: londonWallTimeToInstant(londonDateOf(old.startsAt), '00:00'), lt: londonWallTimeToInstant(addDays(londonDateOf(old.startsAt), 1), '00:00') }, provider: { status: 'ACTIVE' } },
    include: slotWithProvider,
  });
  // A place the child already waits for, or holds an offer of (e.g. from another closure), is left as it is.
  const open = new Set(
    (await tx.waitlistEntry.findMany({ where: { childId: old.childId, slotId: { in: sameDay.map((s) => s.id) }, status: { in: ['WAITING', 'OFFERED'] } }, select: { slotId: true } })).map((e) => e.slotId),
  );
  let waiting = 0;
  for (const slot of sameDay) {
    if (open.has(slot.id)) continue;
    const { refusals } = evaluatePlacement(ctx, slot);
    if (refusals.length > 0 && refusals.every((r) => r.reason === 'SLOT_FULL')) {
      await addToWaitlist(tx, WORKER, { childId: old.childId, slotId: slot.id, authorityId: old.authorityId, rehoming: true });
      waiting++;
    }
  }
  await tx.rehomingOutcome.update({
    where: { id: outcome.id },
    data: { outcome: 'WAITLISTED', reason: waiting ? `${reason} Waiting first in line for ${waiting} full place(s) that day.` : reason, appliedAt: new Date() },
  });
}

type Decision =
  | { outcome: OutcomeRow; old: Booking; action: 'MOVED' | 'OFFERED' | 'PENDING_TRAINING'; slot: SlotForPlacement }
  | { outcome: OutcomeRow; old: Booking; action: 'WAITLISTED'; reason: string };

/**
 * Phase 2 for one child: all of its outcomes in one transaction, each stamped
 * `appliedAt` so a re-run skips them. A child's moves depend on each other: the
 * plan moves every affected booking of the child at once, so a new date may
 * overlap another of the child's old bookings that is itself moving. Each chosen
 * place is therefore judged without the child's leaving bookings, those are
 * released, and only then are the new places taken.
 */
async function applyChildOutcomes(closure: Closure, outcomeIds: string[]): Promise<void> {
  await transaction(async (tx) => {
    const ids = [...outcomeIds].sort();
    for (const id of ids) await tx.$queryRaw`SELECT id FROM rehoming_outcome WHERE id = ${id} FOR UPDATE`;
    const pending = (await tx.rehomingOutcome.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })).filter((o) => !o.appliedAt);
    if (pending.length === 0) return;
    const childId = pending[0]!.childId;
    const family = await tx.child.findUniqueOrThrow({ where: { id: childId }, select: { familyId: true, firstName: true } });

    const live: { outcome: OutcomeRow; old: Booking }[] = [];
    for (const outcome of pending) {
      const old = await lockLiveBooking(tx, outcome.bookingId);
      if (old) live.push({ outcome, old });
      else await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { outcome: 'CANCELLED_BY_FAMILY', reason: 'The booking was cancelled before it could be moved', appliedAt: new Date() } });
    }

    // Judge every chosen place as the plan did: without the child's affected bookings, but with the
    // ones kept until carer training is confirmed, and with the places already accepted for the child.
    const base = await loadChildContext(tx, childId, { excludeBookingIds: live.map((l) => l.old.id) });
    const kept = live.filter((l) => l.outcome.outcome === 'PENDING_TRAINING');
    const keptStays = new Map<string, StayInfo>();
    for (const { old } of kept) {
      const { providerId } = await tx.slot.findUniqueOrThrow({ where: { id: old.slotId }, select: { providerId: true } });
      keptStays.set(old.id, { slotId: old.slotId, providerId, start: old.startsAt, end: old.endsAt });
    }
    const accepted: StayInfo[] = [];
    const decisions: Decision[] = [];
    for (const { outcome, old } of live) {
      if (outcome.outcome === 'WAITLISTED') {
        decisions.push({ outcome, old, action: 'WAITLISTED', reason: outcome.reason });
        continue;
      }
      // The chosen place must still be free; if another booking took it since planning, the child waits instead.
      const slot = await lockSlot(tx, outcome.toSlotId!);
      const stays = [...base.stays, ...[...keptStays].filter(([id]) => id !== old.id).map(([, stay]) => stay), ...accepted];
      const { refusals } = evaluatePlacement({ ...base, stays }, slot);
      if (refusals.length === 0 || (outcome.outcome === 'PENDING_TRAINING' && refusals.every((r) => r.reason === 'NEEDS_NOT_MET'))) {
        decisions.push({ outcome, old, action: outcome.outcome as 'MOVED' | 'OFFERED' | 'PENDING_TRAINING', slot });
        accepted.push({ slotId: slot.id, providerId: slot.providerId, start: slot.startsAt, end: slot.endsAt });
      } else {
        decisions.push({ outcome, old, action: 'WAITLISTED', reason: `The place chosen was no longer available (${refusals.map((r) => r.detail).join('; ')}).` });
      }
    }

    // Release the leaving bookings first (a new place may overlap one of them), then take the new places.
    for (const d of decisions) {
      if (d.action === 'PENDING_TRAINING') continue;
      const reason =
        d.action === 'WAITLISTED' ? `Provider closing: ${d.reason}` : d.action === 'MOVED' ? 'Provider closing: moved to another place' : 'Provider closing: another date offered';
      await releaseBooking(tx, WORKER, d.old, { status: d.action === 'MOVED' ? 'REHOMED' : 'CANCELLED', reason });
    }
    // Waitlisting last, so the same-day places it queues the child for are judged with the child's new bookings.
    for (const d of [...decisions.filter((x) => x.action !== 'WAITLISTED'), ...decisions.filter((x) => x.action === 'WAITLISTED')]) {
      const { outcome, old } = d;
      if (d.action === 'WAITLISTED') {
        await waitlistChild(tx, outcome, old, d.reason, { released: true });
      } else if (d.action === 'MOVED') {
        const { booking } = await placeChild(tx, WORKER, {
          childId: old.childId,
          slotId: d.slot.id,
          source: 'REHOMING',
          replacesBookingId: old.id,
          excludeBookingIds: [old.id],
          auditAction: 'booking.rehomed_in',
        });
        await seatOnPlannedRuns(tx, closure.id, outcome.transport, { id: booking.id, childId: outcome.childId });
        await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { newBookingId: booking.id, appliedAt: new Date() } });
        await notify(tx, { dedupeKey: `rehome-${outcome.id}-provider`, recipientRole: 'PROVIDER', recipientId: d.slot.providerId, subject: `New booking: ${family.firstName} (moved from a closing provider)`, body: `${family.firstName} joins you on ${d.slot.localDate}. Their medical passport is available with the booking.`, payload: { bookingId: booking.id } });
      } else {
        // OFFERED and PENDING_TRAINING hold the place until the family or the training answers.
        await tx.slot.update({ where: { id: d.slot.id }, data: { held: { increment: 1 } } });
        if (d.action === 'OFFERED') {
          const expiresAt = new Date(Math.min(Date.now() + config().OFFER_TTL_HOURS * 3600_000, d.slot.startsAt.getTime()));
          const entry = await tx.waitlistEntry.upsert({
            where: { childId_slotId: { childId: old.childId, slotId: d.slot.id } },
            create: { childId: old.childId, slotId: d.slot.id, authorityId: old.authorityId, rehoming: true, status: 'OFFERED', offeredAt: new Date(), offerExpiresAt: expiresAt },
            update: { rehoming: true, status: 'OFFERED', offeredAt: new Date(), offerExpiresAt: expiresAt },
          });
          await recordJob(tx, 'expireOffer', { entryId: entry.id }, { delayUntil: expiresAt });
          await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { waitlistEntryId: entry.id, appliedAt: new Date() } });
        } else {
          // The old booking stays until the training is confirmed or the break comes without it.
          await recordJob(tx, 'recheckTraining', { closureId: closure.id, at: `deadline-${outcome.id}` }, { delayUntil: d.slot.startsAt });
          await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { appliedAt: new Date() } });
        }
      }
    }

    for (const { outcome, old } of live) {
      const final = await tx.rehomingOutcome.findUniqueOrThrow({ where: { id: outcome.id } });
      await notify(tx, {
        dedupeKey: `rehome-${outcome.id}-family`,
        recipientRole: 'FAMILY',
        recipientId: family.familyId,
        subject: `Your short break on ${londonDateOf(old.startsAt)}: the provider is closing`,
        body: final.outcome === 'OFFERED' ? `We can offer another date: ${final.reason} Please accept or decline the offer.` : final.reason,
        payload: { closureId: closure.id, outcomeId: outcome.id },
      });
    }
  });
}

/** The job: plan (once), apply every outcome not yet applied, then finish. */
export async function runClosure(closureId: string): Promise<{ status: string; applied: number }> {
  const closure = await db().closure.findUnique({ where: { id: closureId } });
  if (!closure) return { status: 'MISSING', applied: 0 };
  if (closure.status === 'COMPLETED') return { status: 'COMPLETED', applied: 0 };
  await planOnce(closureId);
  const pending = await db().rehomingOutcome.findMany({ where: { closureId, appliedAt: null }, orderBy: [{ childId: 'asc' }, { id: 'asc' }] });
  const byChild = new Map<string, string[]>();
  for (const o of pending) byChild.set(o.childId, [...(byChild.get(o.childId) ?? []), o.id]);
  for (const ids of byChild.values()) await applyChildOutcomes(closure, ids);
  const done = await transaction(async (tx) => {
    const c = await tx.closure.update({ where: { id: closureId }, data: { status: 'COMPLETED', completedAt: new Date() } });
    const summary = (await closureView(c)).counts;
    await notify(tx, {
      dedupeKey: `closure-${closureId}-provider`,
      recipientRole: 'PROVIDER',
      recipientId: c.providerId,
      subject: 'Re-homing plan for your closure is complete',
      body: `${summary.affected} booking(s) affected: ${summary.MOVED} moved, ${summary.OFFERED} offered another date, ${summary.PENDING_TRAINING} awaiting carer training, ${summary.WAITLISTED} waitlisted, ${summary.CANCELLED_BY_FAMILY} cancelled by the family.`,
    });
    await audit(tx, WORKER, { action: 'closure.completed', entityType: 'Closure', entityId: closureId, authorityId: c.authorityId, after: summary });
    return c;
  });
  logger.info('closure applied', { closureId, applied: pending.length });
  return { status: done.status, applied: pending.length };
}

export async function markClosureFailed(closureId: string, error: string) {
  await db().closure.updateMany({ where: { id: closureId, status: { not: 'COMPLETED' } }, data: { status: 'FAILED', error } });
}

/**
 * Re-check training holds: confirm those whose carer now has valid training,
 * and waitlist those whose date has come without it. Run when training is
 * recorded and at each hold's deadline.
 */
export async function recheckTraining(closureId: string, now = new Date()): Promise<{ confirmed: number; waitlisted: number }> {
  const closure = await db().closure.findUniqueOrThrow({ where: { id: closureId } });
  const holds = await db().rehomingOutcome.findMany({ where: { closureId, outcome: 'PENDING_TRAINING', appliedAt: { not: null } } });
  let confirmed = 0;
  let waitlisted = 0;
  for (const hold of holds) {
    await transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM rehoming_outcome WHERE id = ${hold.id} FOR UPDATE`;
      const outcome = await tx.rehomingOutcome.findUniqueOrThrow({ where: { id: hold.id } });
      if (outcome.outcome !== 'PENDING_TRAINING') return;
      const old = await lockLiveBooking(tx, outcome.bookingId);
      const ctx = await loadChildContext(tx, outcome.childId, { excludeBookingIds: old ? [old.id] : [] });
      const slot = await lockSlot(tx, outcome.toSlotId!);
      // The hold is this child's own place: judge the slot as if it were free.
      const { refusals } = evaluatePlacement(ctx, { ...slot, held: slot.held - 1 }, now);
      if (!old) {
        await tx.slot.update({ where: { id: slot.id }, data: { held: { decrement: 1 } } });
        await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { outcome: 'CANCELLED_BY_FAMILY', reason: 'The booking was cancelled while training was awaited' } });
        return;
      }
      if (refusals.length === 0) {
        await releaseBooking(tx, WORKER, old, { status: 'REHOMED', reason: 'Provider closing: moved once carer training was confirmed' });
        const { booking } = await placeChild(tx, WORKER, { childId: old.childId, slotId: slot.id, source: 'REHOMING', replacesBookingId: old.id, excludeBookingIds: [old.id], fromHeldPlace: true, auditAction: 'booking.rehomed_in' }, now);
        await seatOnPlannedRuns(tx, closure.id, outcome.transport, { id: booking.id, childId: outcome.childId });
        await tx.rehomingOutcome.update({ where: { id: outcome.id }, data: { outcome: 'MOVED', newBookingId: booking.id, reason: `${outcome.reason} Carer training confirmed.` } });
        confirmed++;
      } else if (now >= slot.startsAt || refusals.some((r) => r.reason !== 'NEEDS_NOT_MET')) {
        await tx.slot.update({ where: { id: slot.id }, data: { held: { decrement: 1 } } });
        await waitlistChild(tx, outcome, old, `The carer's training was not in place in time (${refusals.map((r) => r.detail).join('; ')}).`);
        waitlisted++;
      }
    });
  }
  if (confirmed || waitlisted) flushOutboxSoon();
  return { confirmed, waitlisted };
}

/** Called when a training record is added: any closure holding a place with this carer re-checks. */
export async function queueTrainingRechecks(tx: Tx, carerId: string, trainingId: string): Promise<void> {
  const holds = await tx.rehomingOutcome.findMany({ where: { outcome: 'PENDING_TRAINING' }, select: { closureId: true, trainingAction: true } });
  const closures = new Set(holds.filter((h) => (h.trainingAction as { carerId: string }[] | null)?.some((a) => a.carerId === carerId)).map((h) => h.closureId));
  for (const closureId of closures) await recordJob(tx, 'recheckTraining', { closureId, at: `training-${trainingId}` });
}

