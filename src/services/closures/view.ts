/**
 * Reading closures: one closure with its outcomes, the list a coordinator
 * follows, and names for the page. Each coordinator sees only its own
 * authority's children (DESIGN.md invariant 5).
 *
 * An outcome an earlier closure made may point at a home that later closed too
 * (an offer or a training hold there): that later closure re-plans it and the
 * earlier outcome is marked superseded. The earlier closure's view then shows
 * where the child's place went, following the chain, so no plan keeps saying
 * "Offered: <a closed home>".
 */
import { db } from '../../db.js';
import type { Closure, RehomingOutcome as OutcomeRow } from '../../generated/prisma/client.js';
import { notFound } from '../../errors.js';
import type { ClosureListInput } from '../../schemas/closures.js';
import { requireRole, type Principal } from '../access.js';
import { iso, isoOrNull } from '../serialize.js';
import { consultationSummary } from './consultation.js';
import { standingPlacesOf } from './standing-places.js';
import { currentOutcome } from '../../domain/rehoming/outcome.js';
import { ClosureSettingsColumn, ClosureSummaryColumn, OutcomeDetailColumn, OutcomeTrainingColumn, OutcomeTransportColumn } from '../../schemas/json-columns.js';

type EntryState = { status: string; bookingId: string | null };

export async function getClosure(principal: Principal, closureId: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const closure = await db().closure.findUnique({ where: { id: closureId } });
  if (!closure) throw notFound('Closure');
  if (principal.role === 'PROVIDER') {
    // The provider follows its own closure's progress and counts; where each child goes is each authority's.
    if (closure.providerId !== principal.providerId || closure.suspendedAuthorityId) throw notFound('Closure');
    return { ...(await closureView(closure)), outcomes: [], trainingActions: [], consultation: null, standingPlaces: [], upgradesUsed: [] };
  }
  // A provider can serve several authorities: each coordinator sees the outcomes of its own children only
  // (invariant 5), and the coordinator of an authority whose children were affected can follow them too.
  if (closure.authorityId !== principal.authorityId && (await db().rehomingOutcome.count({ where: { closureId, booking: { authorityId: principal.authorityId } } })) === 0) {
    throw notFound('Closure');
  }
  const view = await closureView(closure, principal.authorityId);
  const mine = new Set(view.outcomes.map((o) => o.childId));
  // Only the children this coordinator follows, and the standing places its own authority reserved.
  const upgradesUsed = (ClosureSummaryColumn.parse(closure.summary)?.upgradesUsed ?? [])
    .map((u) => ({ ...u, childIds: u.childIds.filter((id) => mine.has(id)) }))
    .filter((u) => u.childIds.length > 0);
  return {
    ...view,
    consultation: await consultationSummary(closure, principal.authorityId, view.outcomes),
    standingPlaces: closure.authorityId === principal.authorityId ? await standingPlacesOf(closure.id, view.outcomes) : [],
    upgradesUsed,
  };
}
export type ClosureView = Awaited<ReturnType<typeof getClosure>>;

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
 * Names for the ids a closure view refers to — its provider, the children,
 * the receiving breaks and the carers — for the coordinator's page. Takes a
 * view getClosure already scoped to the coordinator, so it names nothing else.
 */
export async function closurePlanNames(view: ClosureView) {
  const slotIds = view.outcomes.flatMap((o) => (o.toSlotId ? [o.toSlotId] : []));
  const carerIds = (view.trainingActions as { carerId: string }[]).map((a) => a.carerId);
  const answers = view.consultation?.answers ?? [];
  const [children, slots, carers, provider, ranked] = await Promise.all([
    db().child.findMany({ where: { id: { in: [...view.outcomes.map((o) => o.childId), ...answers.map((a) => a.childId)] } }, select: { id: true, firstName: true, lastName: true } }),
    db().slot.findMany({ where: { id: { in: slotIds } }, select: { id: true, startsAt: true, provider: { select: { name: true } } } }),
    db().fosterCarer.findMany({ where: { id: { in: carerIds } }, select: { id: true, name: true, provider: { select: { name: true } } } }),
    db().provider.findUnique({ where: { id: view.providerId }, select: { name: true } }),
    db().provider.findMany({ where: { id: { in: [...answers.flatMap((a) => a.ranking), ...view.upgradesUsed.map((u) => u.providerId)] } }, select: { id: true, name: true } }),
  ]);
  return {
    provider: provider?.name ?? 'The provider',
    child: new Map(children.map((ch) => [ch.id, `${ch.firstName} ${ch.lastName}`])),
    slot: new Map(slots.map((sl) => [sl.id, { providerName: sl.provider.name, startsAt: sl.startsAt }])),
    carer: new Map(carers.map((k) => [k.id, `${k.name} (${k.provider.name})`])),
    home: new Map(ranked.map((h) => [h.id, h.name])),
  };
}

/** The closure with its outcomes: all of them (`forAuthorityId` null, for the provider's summary) or one authority's. */
export async function closureView(closure: Closure, forAuthorityId: string | null = null) {
  return (await closureViews([closure], forAuthorityId))[0]!;
}

/** How many later closures one outcome can be handed through; a chain is as long as the homes that closed in turn. */
const MAX_CHAIN = 20;

/** closureView for several closures in a few queries, whatever their number (the list of closures). */
async function closureViews(closures: Closure[], forAuthorityId: string | null) {
  const closureIds = closures.map((k) => k.id);
  const outcomeRows = await db().rehomingOutcome.findMany({
    where: { closureId: { in: closureIds }, ...(forAuthorityId ? { booking: { authorityId: forAuthorityId } } : {}) },
    orderBy: { createdAt: 'asc' },
  });
  // The outcomes later closures made in their place, one level per query.
  const successors = new Map<string, OutcomeRow>();
  let next = outcomeRows.flatMap((o) => (o.supersededByOutcomeId ? [o.supersededByOutcomeId] : []));
  for (let depth = 0; next.length > 0 && depth < MAX_CHAIN; depth++) {
    const found = await db().rehomingOutcome.findMany({ where: { id: { in: next } } });
    for (const o of found) successors.set(o.id, o);
    next = found.flatMap((o) => (o.supersededByOutcomeId && !successors.has(o.supersededByOutcomeId) ? [o.supersededByOutcomeId] : []));
  }
  const entryIds = [...outcomeRows, ...successors.values()].flatMap((o) => (o.waitlistEntryId ? [o.waitlistEntryId] : []));
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
    return viewOf(closure, outcomes, allOutcomes, entries, successors, forAuthorityId);
  });
}

export type OutcomeView = Awaited<ReturnType<typeof closureView>>['outcomes'][number];

/** The last outcome in an outcome's chain of later closures (itself when none re-planned it). */
function latestOf(o: OutcomeRow, successors: Map<string, OutcomeRow>): { latest: OutcomeRow; handedOn: number } {
  let latest = o;
  let handedOn = 0;
  while (latest.supersededByOutcomeId && successors.has(latest.supersededByOutcomeId) && handedOn < MAX_CHAIN) {
    latest = successors.get(latest.supersededByOutcomeId)!;
    handedOn++;
  }
  return { latest, handedOn };
}

/** One closure's view from its rows; `allOutcomes` counts every authority's, so the counts add up to `affected`. */
function viewOf(closure: Closure, outcomes: OutcomeRow[], allOutcomes: number, entries: Map<string, EntryState>, successors: Map<string, OutcomeRow>, forAuthorityId: string | null) {
  const summary = ClosureSummaryColumn.parse(closure.summary);
  const planned = summary?.affected ?? 0;
  const notYetPlanned = Math.max(0, planned - allOutcomes);
  const counts = { affected: outcomes.length + notYetPlanned, MOVED: 0, OFFERED: 0, WAITLISTED: 0, PENDING_TRAINING: 0, CANCELLED_BY_FAMILY: 0, notYetPlanned };
  const views = outcomes.map((o) => {
    const { latest, handedOn } = latestOf(o, successors);
    const now = currentOutcome(latest, entries);
    counts[now.outcome]++;
    return {
      id: o.id,
      bookingId: o.bookingId,
      childId: o.childId,
      outcome: now.outcome,
      toSlotId: latest.toSlotId,
      newBookingId: now.newBookingId,
      waitlistEntryId: latest.waitlistEntryId,
      reason: handedOn ? `The place this plan chose was at a home that then closed too; its closure re-planned it: ${now.reason}` : now.reason,
      detail: OutcomeDetailColumn.parse(latest.detail),
      trainingAction: OutcomeTrainingColumn.parse(latest.trainingAction),
      transport: OutcomeTransportColumn.parse(latest.transport),
      applied: o.appliedAt !== null,
      fromOutcomeId: o.fromOutcomeId,
      supersededByOutcomeId: o.supersededByOutcomeId,
    };
  });
  const visibleActions = new Set(outcomes.flatMap((o) => (OutcomeTrainingColumn.parse(o.trainingAction) ?? []).map((a) => `${a.carerId}|${a.need}`)));
  const trainingActions = (summary?.trainingActions ?? []).filter(
    (a) => !forAuthorityId || visibleActions.has(`${a.carerId}|${a.need}`),
  );
  const waitlistEntriesMoved = summary?.waitlistEntriesMoved ?? 0;
  return {
    id: closure.id,
    providerId: closure.providerId,
    authorityId: closure.authorityId,
    suspendedAuthorityId: closure.suspendedAuthorityId,
    effectiveFrom: iso(closure.effectiveFrom),
    reason: closure.reason,
    status: closure.status,
    retries: closure.retries,
    preferences: ClosureSettingsColumn.parse(closure.preferences),
    error: closure.error,
    createdAt: iso(closure.createdAt),
    completedAt: isoOrNull(closure.completedAt),
    counts,
    waitlistEntriesMoved,
    trainingActions,
    outcomes: views,
  };
}
