/**
 * Consultation before the plan (DESIGN.md, Closures; the West Sussex case in
 * ../shared/seeds/002_*: the council "gathered the views of those families who
 * used the services" before deciding). A closure recorded with `consultUntil`
 * waits in CONSULTING: every affected family is invited, sees the alternatives
 * the planner itself would consider for its child (alternativesFor: the same
 * eligibility, the same date window), ranks them and says what matters most.
 * When the coordinator proceeds, the plan uses each family's ranking first,
 * then the coordinator's order (plan.ts), and the closure keeps a decision
 * record: who answered, who got their first choice, who is without a place.
 */
import { db } from '../../db.js';
import type { Closure } from '../../generated/prisma/client.js';
import { alternativesFor } from '../../domain/rehoming/index.js';
import { londonDateOf } from '../../domain/london-time.js';
import { ApiError, notFound } from '../../errors.js';
import { recordJob, flushOutboxSoon } from '../../jobs/outbox.js';
import { FamilyPrioritySchema, type FamilyPriority } from '../../schemas/closures.js';
import type { ConsultationResponseInput, FamilyConsultation } from '../../schemas/consultations.js';
import { requireRole, type Principal } from '../access.js';
import { audit } from '../audit.js';
import { notifyConsultationInvitation } from '../notification-triggers.js';
import { iso } from '../serialize.js';
import { transaction } from '../tx.js';
import { affectedAt, closureSettings, loadPlanInput, type AffectedItem } from './plan.js';
import { requireConfirmation } from './start.js';
import { closureView, getClosure, type OutcomeView } from './view.js';
import { OutcomeDetailColumn, familyRankOf } from '../../schemas/json-columns.js';
import { HOLDS_PLANNED_PLACE } from '../../domain/rehoming/outcome.js';

/** Everything a closure re-plans, as it stands while it consults (nothing is planned yet). */
function affectedNow(closure: Closure): Promise<AffectedItem[]> {
  return affectedAt(closure.providerId, closure.effectiveFrom, closure.id, closure.suspendedAuthorityId);
}

/** Invite every affected family (one notification per child; CONSULTATION_INVITATION). Safe to call twice: the notification is deduplicated. */
export async function inviteFamilies(closure: Closure): Promise<void> {
  if (closure.status !== 'CONSULTING' || !closure.consultationDeadline) return;
  const childIds = [...new Set((await affectedNow(closure)).map((i) => i.childId))];
  if (childIds.length === 0) return;
  await transaction(async (tx) => {
    for (const childId of childIds) {
      await notifyConsultationInvitation(tx, { closureId: closure.id, childId, respondBy: new Date(closure.consultationDeadline!.getTime() - 1), link: `/family/consultations/${closure.id}` });
    }
  });
}

const isOpen = (closure: Closure, now = new Date()) => closure.status === 'CONSULTING' && !!closure.consultationDeadline && now < closure.consultationDeadline;

interface ChildAlternative {
  providerId: string;
  name: string;
  kind: 'RESIDENTIAL' | 'COMMUNITY' | 'FAMILY_BASED';
  address: string;
  travelMinutes: number | null;
  transport: string;
  dates: string[];
  trainingNeeded: boolean;
}

/**
 * Each child's alternatives, grouped by home: nearest first. Computed per
 * authority with that authority's places (its block contracts, not where it
 * has suspended placements), exactly as its part of the plan will be.
 */
async function alternativesByChild(closure: Closure, items: AffectedItem[]): Promise<Map<string, ChildAlternative[]>> {
  const settings = closureSettings(closure);
  const byChild = new Map<string, Map<string, ChildAlternative>>();
  const vehicles = new Set((await db().vehicle.findMany({ where: { authorityId: { in: [...new Set(items.map((i) => i.authorityId))] } }, select: { authorityId: true } })).map((v) => v.authorityId));
  for (const authorityId of new Set(items.map((i) => i.authorityId))) {
    const mine = items.filter((i) => i.authorityId === authorityId);
    const input = await loadPlanInput(closure.providerId, closure.seed, settings, authorityId, mine, new Map(), closure.id);
    const found = alternativesFor(input);
    const providerIds = [...new Set([...found.values()].flatMap((list) => list.map((a) => a.slot.providerId)))];
    const addresses = new Map((await db().provider.findMany({ where: { id: { in: providerIds } }, select: { id: true, addressLine: true, postcode: true } })).map((p) => [p.id, `${p.addressLine}, ${p.postcode}`]));
    for (const item of mine) {
      const homes = byChild.get(item.childId) ?? new Map<string, ChildAlternative>();
      for (const a of found.get(item.bookingId) ?? []) {
        const home = homes.get(a.slot.providerId) ?? {
          providerId: a.slot.providerId,
          name: a.slot.provider.name ?? 'Another provider',
          kind: a.slot.provider.kind,
          address: addresses.get(a.slot.providerId) ?? '',
          travelMinutes: a.travelMinutes,
          transport: !item.child.needsTransport
            ? 'You take your child, as now'
            : vehicles.has(authorityId)
              ? `Council specialist transport from home${item.child.needsEscort ? ', with an escort' : ''}`
              : 'Transport needed: your council will arrange it',
          dates: [],
          trainingNeeded: false,
        };
        const date = londonDateOf(a.slot.start);
        if (!home.dates.includes(date)) home.dates.push(date);
        home.trainingNeeded ||= a.trainingNeeded;
        homes.set(a.slot.providerId, home);
      }
      byChild.set(item.childId, homes);
    }
  }
  return new Map(
    [...byChild].map(([childId, homes]) => [
      childId,
      [...homes.values()].map((h) => ({ ...h, dates: h.dates.sort() })).sort((a, b) => (a.travelMinutes ?? 1e9) - (b.travelMinutes ?? 1e9) || a.name.localeCompare(b.name)),
    ]),
  );
}

/** What happens next for a child the plan could not place, in the family's words. */
function nextSteps(o: OutcomeView, childName: string): string | null {
  switch (o.outcome) {
    case 'WAITLISTED':
      return `${childName} is first in line for any place that day that can meet their needs, ahead of ordinary requests; if one frees up you will be offered it straight away. Your council's short-breaks team will also contact you about other dates, and you can ask for a break on any date from your home page.`;
    case 'OFFERED':
      return 'Accept or decline the offer on your home page before it expires.';
    case 'PENDING_TRAINING':
      return "The place is held for your child while the foster carer completes the training; you will be told when it is confirmed, or offered another place if it cannot be.";
    default:
      return null;
  }
}

/** A family's own consultations: every closure that consulted about one of its children. */
export async function listFamilyConsultations(principal: Principal) {
  requireRole(principal, 'FAMILY');
  const children = await db().child.findMany({ where: { familyId: principal.familyId }, select: { id: true } });
  const childIds = children.map((c) => c.id);
  const closures = await db().closure.findMany({
    where: { consultationDeadline: { not: null }, OR: [{ status: 'CONSULTING' }, { outcomes: { some: { childId: { in: childIds } } } }, { responses: { some: { childId: { in: childIds } } } }] },
    include: { provider: { select: { name: true } } },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
  const items = [];
  for (const closure of closures) {
    const affected = closure.status === 'CONSULTING'
      ? (await affectedNow(closure)).filter((i) => i.child.familyId === principal.familyId).map((i) => i.childId)
      : (await db().rehomingOutcome.findMany({ where: { closureId: closure.id, childId: { in: childIds } }, select: { childId: true } })).map((o) => o.childId);
    if (affected.length === 0) continue;
    items.push({ closureId: closure.id, providerName: closure.provider.name, closingFrom: iso(closure.effectiveFrom), respondBy: iso(closure.consultationDeadline!), open: isOpen(closure), status: closure.status, childIds: [...new Set(affected)] });
  }
  return { items };
}

async function familyClosure(principal: Extract<Principal, { role: 'FAMILY' }>, closureId: string) {
  const closure = await db().closure.findUnique({ where: { id: closureId }, include: { provider: { select: { name: true } } } });
  if (!closure || !closure.consultationDeadline) throw notFound('Consultation');
  return closure;
}

/** One consultation as the family sees it: each of its affected children, the alternatives, its answer, and (once planned) what each child got. */
export async function getFamilyConsultation(principal: Principal, closureId: string): Promise<FamilyConsultation> {
  requireRole(principal, 'FAMILY');
  const closure = await familyClosure(principal, closureId);
  const open = isOpen(closure);
  const consulting = closure.status === 'CONSULTING';
  const items = consulting ? (await affectedNow(closure)).filter((i) => i.child.familyId === principal.familyId) : [];
  const view = consulting ? null : await closureView(closure, principal.authorityId);
  const outcomes = view?.outcomes ?? [];
  const familyChildIds = new Set((await db().child.findMany({ where: { familyId: principal.familyId }, select: { id: true } })).map((c) => c.id));
  const mineOutcomes = outcomes.filter((o) => familyChildIds.has(o.childId));
  const childIds = [...new Set([...items.map((i) => i.childId), ...mineOutcomes.map((o) => o.childId)])];
  if (childIds.length === 0) throw notFound('Consultation');
  const alternatives = consulting ? await alternativesByChild(closure, items) : new Map<string, ChildAlternative[]>();
  const [children, answers, slots, originals] = await Promise.all([
    db().child.findMany({ where: { id: { in: childIds } }, select: { id: true, firstName: true, lastName: true } }),
    db().consultationResponse.findMany({ where: { closureId, childId: { in: childIds } } }),
    db().slot.findMany({ where: { id: { in: mineOutcomes.flatMap((o) => (o.toSlotId ? [o.toSlotId] : [])) } }, select: { id: true, startsAt: true, providerId: true, provider: { select: { name: true } } } }),
    db().slot.findMany({
      where: { id: { in: mineOutcomes.map((o) => OutcomeDetailColumn.parse(o.detail).fromSlotId ?? '') } },
      select: { id: true, localDate: true },
    }),
  ]);
  const bookings = new Map((await db().booking.findMany({ where: { id: { in: mineOutcomes.map((o) => o.bookingId) } }, select: { id: true, startsAt: true } })).map((b) => [b.id, b.startsAt]));
  const slotById = new Map(slots.map((s) => [s.id, s]));
  const originalById = new Map(originals.map((s) => [s.id, s.localDate]));
  return {
    closureId,
    providerName: closure.provider.name,
    closingFrom: iso(closure.effectiveFrom),
    respondBy: iso(closure.consultationDeadline!),
    open,
    status: closure.status,
    children: children
      .sort((a, b) => a.firstName.localeCompare(b.firstName))
      .map((child) => {
        const answer = answers.find((a) => a.childId === child.id);
        return {
          childId: child.id,
          name: `${child.firstName} ${child.lastName}`,
          affectedDates: [
            ...new Set([
              ...items.filter((i) => i.childId === child.id).map((i) => londonDateOf(i.startsAt)),
              ...mineOutcomes.filter((o) => o.childId === child.id).map((o) => originalById.get(OutcomeDetailColumn.parse(o.detail).fromSlotId ?? '') ?? londonDateOf(bookings.get(o.bookingId)!)),
            ]),
          ].sort(),
          alternatives: alternatives.get(child.id) ?? [],
          answer: answer ? { ranking: answer.ranking, priority: FamilyPrioritySchema.parse(answer.priority), note: answer.note, respondedAt: iso(answer.updatedAt) } : null,
          outcomes: mineOutcomes
            .filter((o) => o.childId === child.id)
            .map((o) => {
              const slot = HOLDS_PLANNED_PLACE.has(o.outcome) && o.toSlotId ? slotById.get(o.toSlotId) : undefined;
              const detail = OutcomeDetailColumn.parse(o.detail);
              return {
                outcome: o.outcome,
                originalDate: originalById.get(detail.fromSlotId ?? '') ?? londonDateOf(bookings.get(o.bookingId)!),
                place: slot ? { providerId: slot.providerId, name: slot.provider.name, startsAt: iso(slot.startsAt) } : null,
                familyRank: slot ? familyRankOf(detail) : null,
                reason: o.reason,
                nextSteps: nextSteps(o, child.firstName),
              };
            }),
        };
      }),
  };
}

/** A family ranks the alternatives for one child and says what matters most; it may change its answer until the deadline. */
export async function respondToConsultation(principal: Principal, closureId: string, childId: string, input: ConsultationResponseInput) {
  requireRole(principal, 'FAMILY');
  const closure = await familyClosure(principal, closureId);
  const item = (await affectedNow(closure)).filter((i) => i.childId === childId && i.child.familyId === principal.familyId);
  if (closure.status !== 'CONSULTING' && item.length === 0) throw notFound('Consultation');
  if (!isOpen(closure)) throw new ApiError('CONFLICT', `The consultation closed on ${iso(closure.consultationDeadline!)}; the re-homing plan has been or is being made`);
  if (item.length === 0) throw notFound('Child in this consultation');
  const offered = new Set((await alternativesByChild(closure, item)).get(childId)?.map((a) => a.providerId) ?? []);
  const unknown = input.ranking.flatMap((id, i) => (offered.has(id) ? [] : [{ path: `body.ranking.${i}`, message: "is not one of the homes that can meet your child's needs for these dates" }]));
  if (unknown.length) throw new ApiError('UNPROCESSABLE', 'Rank only the homes listed for your child', { errors: unknown });
  await transaction(async (tx) => {
    const data = { ranking: input.ranking, priority: input.priority, note: input.note ?? null };
    const saved = await tx.consultationResponse.upsert({ where: { closureId_childId: { closureId, childId } }, create: { closureId, childId, familyId: principal.familyId, ...data }, update: data });
    await audit(tx, principal, { action: 'consultation.answered', entityType: 'ConsultationResponse', entityId: saved.id, authorityId: principal.authorityId, after: { closureId, childId, ranking: input.ranking, priority: input.priority } });
  });
  return getFamilyConsultation(principal, closureId);
}

/** Who may run the closure: whoever recorded it (as retryClosure). */
function recordedBy(principal: Principal, closure: Closure): boolean {
  return principal.role === 'COORDINATOR' ? closure.authorityId === principal.authorityId : principal.role === 'PROVIDER' && closure.authorityId === null && closure.providerId === principal.providerId;
}

/**
 * Close the consultation and plan with the families' answers. Before the
 * deadline only once every invited family has answered: a family that was told
 * it has until a date must not find the decision made without it.
 */
export async function proceedClosure(principal: Principal, closureId: string, input: { confirm?: boolean }) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const closure = await db().closure.findUnique({ where: { id: closureId } });
  if (!closure || !recordedBy(principal, closure)) throw notFound('Closure');
  requireConfirmation(input.confirm, 'Planning the re-homing', `POST /v1/closures/${closureId}/preview`);
  if (closure.status !== 'CONSULTING') throw new ApiError('CONFLICT', `Only a closure that is consulting can proceed; this one is ${closure.status.toLowerCase()}`);
  if (closure.consultationDeadline && new Date() < closure.consultationDeadline) {
    const children = new Set((await affectedNow(closure)).map((i) => i.childId));
    const answered = await db().consultationResponse.count({ where: { closureId, childId: { in: [...children] } } });
    if (answered < children.size) {
      throw new ApiError('CONFLICT', `${children.size - answered} of ${children.size} children's families have not answered yet; the consultation is open until ${iso(closure.consultationDeadline)}`);
    }
  }
  await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM closure WHERE id = ${closureId} FOR UPDATE`;
    const { count } = await tx.closure.updateMany({ where: { id: closureId, status: 'CONSULTING' }, data: { status: 'QUEUED' } });
    if (count === 0) throw new ApiError('CONFLICT', 'The closure has already proceeded');
    await recordJob(tx, 'planClosure', { closureId });
    await audit(tx, principal, { action: 'closure.consultation_closed', entityType: 'Closure', entityId: closureId, authorityId: closure.authorityId, before: { status: 'CONSULTING' }, after: { status: 'QUEUED', answers: await tx.consultationResponse.count({ where: { closureId } }) } });
  });
  flushOutboxSoon();
  return getClosure(principal, closureId);
}

/**
 * The consultation as one authority's coordinators see it: its families'
 * answers and, once the plan is made, the decision record — who answered, who
 * got the home they ranked first, who is still without a place and why.
 */
export async function consultationSummary(closure: Closure, authorityId: string | null, outcomes: OutcomeView[]) {
  if (!closure.consultationDeadline) return null;
  const consulting = closure.status === 'CONSULTING';
  const scoped = <T extends { authorityId: string }>(items: T[]) => items.filter((i) => !authorityId || i.authorityId === authorityId);
  const affected = consulting ? scoped(await affectedNow(closure)) : [];
  // Once the consultation is closed the families' answers stay on the record, also before the plan is made.
  const answeredChildren = consulting ? [] : await db().consultationResponse.findMany({ where: { closureId: closure.id, ...(authorityId ? { child: { authorityId } } : {}) }, select: { childId: true } });
  const childIds = [...new Set([...affected.map((i) => i.childId), ...outcomes.map((o) => o.childId), ...answeredChildren.map((a) => a.childId)])];
  const children = await db().child.findMany({ where: { id: { in: childIds } }, select: { id: true, familyId: true, firstName: true, lastName: true } });
  const answers = await db().consultationResponse.findMany({ where: { closureId: closure.id, childId: { in: childIds } }, orderBy: { updatedAt: 'asc' } });
  const answered = new Set(answers.map((a) => a.childId));
  const byChild = new Map<string, OutcomeView[]>();
  for (const o of outcomes) byChild.set(o.childId, [...(byChild.get(o.childId) ?? []), o]);
  const name = new Map(children.map((c) => [c.id, `${c.firstName} ${c.lastName}`]));
  const firstChoice = [...byChild].filter(
    ([childId, list]) => answered.has(childId) && list.every((o) => HOLDS_PLANNED_PLACE.has(o.outcome) && familyRankOf(o.detail) === 1),
  ).length;
  const respondedChildren = [...byChild.keys()].filter((id) => answered.has(id)).length;
  return {
    respondBy: iso(closure.consultationDeadline),
    open: isOpen(closure),
    families: new Set(children.map((c) => c.familyId)).size,
    children: children.length,
    responded: { families: new Set(answers.map((a) => a.familyId)).size, children: answered.size },
    answers: answers.map((a) => ({ childId: a.childId, familyId: a.familyId, ranking: a.ranking, priority: FamilyPrioritySchema.parse(a.priority) as FamilyPriority, note: a.note, respondedAt: iso(a.updatedAt) })),
    decision:
      consulting || outcomes.length === 0
        ? null
        : {
            childrenPlanned: byChild.size,
            firstChoice,
            respondedChildren,
            firstChoiceRate: respondedChildren ? firstChoice / respondedChildren : null,
            withoutPlace: [...byChild]
              .filter(([, list]) => list.some((o) => o.outcome === 'WAITLISTED'))
              .map(([childId, list]) => ({ childId, name: name.get(childId) ?? 'A child', reasons: list.filter((o) => o.outcome === 'WAITLISTED').map((o) => o.reason) })),
          },
  };
}
