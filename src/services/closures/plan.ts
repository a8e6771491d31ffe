/**
 * Phase 1 of a closure: find everything that points at the closing home from
 * its date and let the pure planner (src/domain/rehoming) decide an outcome for
 * each; all outcome rows and transport runs are written in one transaction.
 *
 * "Everything" (DESIGN.md, Closures: from its date nothing may point at a
 * closing home) is:
 *  - the live bookings there;
 *  - the offers and training holds that earlier closures' plans made there
 *    (a home that took children from a closed home can close in turn): these
 *    are planned like bookings, keyed by the booking the child first lost, and
 *    the earlier outcome is handed on to the new one when it is applied;
 *  - every other waiting-list entry or offer there, moved to other places the
 *    same day when the closure is applied (apply.ts).
 */
import { storedKind } from '../../domain/rehoming/outcome.js';
import { db } from '../../db.js';
import type { Closure } from '../../generated/prisma/client.js';
import type { CareNeed } from '../../domain/care-needs.js';
import type { StayInfo } from '../../domain/model.js';
import { isSuspendedFor } from '../../domain/provider-closing.js';
import { z } from '@hono/zod-openapi';
import { planPerAuthority, type RehomingInput, type TrainingAction, type RehomingOutcome, type RehomingPlan, type RehomingPreference } from '../../domain/rehoming/index.js';
import { FamilyPrioritySchema, RehomingPreferenceSchema, type FamilyPriority } from '../../schemas/closures.js';
import { LIVE_BOOKING_STATUSES, UPCOMING_BOOKING_STATUSES } from '../../domain/booking-status.js';
import { providerSuspensions, slotUpgrades, slotWithProvider, toEntitlementInfo, toSlotInfo } from '../placement.js';
import { generateStandingPlaces } from './standing-places.js';
import { transaction } from '../tx.js';
import { ClosureSettingsColumn, ClosureSummaryColumn, OutcomeDetailColumn, OutcomeTrainingColumn, OutcomeTransportColumn, toJson, type ClosureSettings } from '../../schemas/json-columns.js';

const childFacts = { select: { familyId: true, firstName: true, needs: true, needsTransport: true, needsEscort: true, authorityId: true, family: { select: { lat: true, lng: true } } } } as const;

/** One thing at the closing home the plan must find a new place for. */
export interface AffectedItem {
  /** The live booking there, or for an earlier closure's offer or hold the booking the child first lost. */
  bookingId: string;
  /** The place at the closing home: the booked, offered or held slot. */
  slotId: string;
  startsAt: Date;
  childId: string;
  authorityId: string;
  child: { familyId: string; firstName: string; needs: CareNeed[]; needsTransport: boolean; needsEscort: boolean; authorityId: string; family: { lat: number | null; lng: number | null } };
  /** Set when this is an earlier closure's OFFER (the family had not yet answered) or training HOLD. */
  from: { outcomeId: string; kind: 'OFFER' | 'HOLD' } | null;
}

/**
 * What points at a provider from an instant: its live bookings and the open
 * offers and holds other closures made there (`excludeClosureId`: the closure
 * being planned, whose own outcomes are not "earlier").
 */
export async function affectedAt(providerId: string, from: Date, excludeClosureId: string | null, onlyAuthorityId: string | null = null): Promise<AffectedItem[]> {
  const authority = onlyAuthorityId ? { authorityId: onlyAuthorityId } : {};
  const bookings = await db().booking.findMany({
    where: { slot: { providerId }, startsAt: { gte: from }, status: { in: [...UPCOMING_BOOKING_STATUSES] }, ...authority },
    include: { child: childFacts },
    orderBy: { startsAt: 'asc' },
  });
  const closingSlots = await db().slot.findMany({ where: { providerId, startsAt: { gte: from } }, select: { id: true, startsAt: true } });
  const slotStart = new Map(closingSlots.map((s) => [s.id, s.startsAt]));
  const pointing = await db().rehomingOutcome.findMany({
    where: {
      ...(excludeClosureId ? { closureId: { not: excludeClosureId } } : {}),
      supersededByOutcomeId: null,
      appliedAt: { not: null },
      outcome: { in: ['OFFERED', 'PENDING_TRAINING'] },
      toSlotId: { in: [...slotStart.keys()] },
      ...(onlyAuthorityId ? { booking: authority } : {}),
    },
    include: { booking: { include: { child: childFacts } } },
    orderBy: { createdAt: 'asc' },
  });
  const openOffers = new Set(
    (await db().waitlistEntry.findMany({ where: { id: { in: pointing.flatMap((o) => (o.waitlistEntryId ? [o.waitlistEntryId] : [])) }, status: 'OFFERED' }, select: { id: true } })).map((e) => e.id),
  );
  const items: AffectedItem[] = bookings.map((b) => ({
    bookingId: b.id,
    slotId: b.slotId,
    startsAt: b.startsAt,
    childId: b.childId,
    authorityId: b.authorityId,
    child: { ...b.child, needs: b.child.needs as CareNeed[] },
    from: null,
  }));
  const seen = new Set(items.map((i) => i.bookingId));
  for (const o of pointing) {
    const kind = o.outcome === 'PENDING_TRAINING' ? 'HOLD' : o.waitlistEntryId && openOffers.has(o.waitlistEntryId) ? 'OFFER' : null;
    if (!kind || seen.has(o.bookingId)) continue;
    seen.add(o.bookingId);
    items.push({
      bookingId: o.bookingId,
      slotId: o.toSlotId!,
      startsAt: slotStart.get(o.toSlotId!)!,
      childId: o.childId,
      authorityId: o.booking.authorityId,
      child: { ...o.booking.child, needs: o.booking.child.needs as CareNeed[] },
      from: { outcomeId: o.id, kind },
    });
  }
  return items;
}

/**
 * Everything the planner needs for one authority's part, read once: its
 * children's affected places, the open places and its own block contracts
 * (not where it has suspended its placements), and its own vehicles.
 */
export async function loadPlanInput(providerId: string, seed: string, settings: ClosureSettings, authorityId: string, affected: AffectedItem[], answers: FamilyAnswers = new Map(), closureId: string | null = null): Promise<RehomingInput> {
  const provider = await db().provider.findUniqueOrThrow({ where: { id: providerId } });
  const starts = affected.map((b) => b.startsAt.getTime());
  const windowStart = new Date(Math.max(Date.now(), Math.min(...starts) - (settings.maxDateShiftDays + 1) * 864e5));
  const windowEnd = new Date(Math.max(...starts) + (settings.maxDateShiftDays + 2) * 864e5);
  const childIds = [...new Set(affected.map((b) => b.childId))];
  const [open, stays, entitlements, vehicles, runs] = await Promise.all([
    db().slot.findMany({
      where: {
        status: 'ACTIVE',
        startsAt: { gte: windowStart, lt: windowEnd },
        providerId: { not: providerId },
        provider: { status: 'ACTIVE' },
        OR: [{ reservedForAuthorityId: null }, { reservedForAuthorityId: authorityId }],
      },
      include: { ...slotWithProvider, provider: { select: { id: true, kind: true, status: true, closingFrom: true, name: true, lat: true, lng: true, closures: providerSuspensions } }, capacityRule: { select: { standingForClosureId: true } } },
    }),
    db().booking.findMany({
      where: { childId: { in: childIds }, status: { in: [...LIVE_BOOKING_STATUSES] }, id: { notIn: affected.map((b) => b.bookingId) } },
      include: { slot: { select: { providerId: true } } },
    }),
    db().entitlement.findMany({ where: { childId: { in: childIds } } }),
    db().vehicle.findMany({ where: { authorityId } }),
    db().transportRun.findMany({ where: { returnAt: { gte: windowStart }, departAt: { lt: windowEnd } } }),
  ]);
  const slots = open.filter((s) => !isSuspendedFor(s.provider, s.startsAt, authorityId));
  const upgrades = await slotUpgrades(db(), slots.map((s) => s.id));
  const staysByChild: Record<string, StayInfo[]> = {};
  for (const b of stays) (staysByChild[b.childId] ??= []).push({ slotId: b.slotId, providerId: b.slot.providerId, start: b.startsAt, end: b.endsAt });
  const carers = new Map(slots.flatMap((s) => (s.carer ? [[s.carer.id, s.carer] as const] : [])));
  const affectedSlots = await db().slot.findMany({ where: { id: { in: affected.map((b) => b.slotId) } }, include: slotWithProvider });
  const slotById = new Map(affectedSlots.map((s) => [s.id, s]));
  return {
    seed,
    closingProviderId: providerId,
    closingProviderLocation: { lat: provider.lat, lng: provider.lng },
    affected: affected.map((b) => {
      const slot = slotById.get(b.slotId)!;
      const answer = answers.get(b.childId);
      return {
        bookingId: b.bookingId,
        groupKey: `${slot.providerId}/${slot.localDate}`,
        ...(answer ? { ranking: answer.ranking, preferences: familyOrder(answer.priority, settings.order) } : {}),
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
    candidateSlots: slots.map((s) => ({
      ...toSlotInfo({ ...s, upgrades: upgrades.get(s.id) }),
      carerId: s.carerId,
      provider: { id: s.provider.id, kind: s.provider.kind, name: s.provider.name, location: { lat: s.provider.lat, lng: s.provider.lng } },
      ...(closureId && s.capacityRule.standingForClosureId === closureId ? { standing: true } : {}),
    })),
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

/** A training action as its JSON column keeps it: the date as ISO text, as JSON writes it. */
const storedAction = (a: TrainingAction) => ({ ...a, neededBy: a.neededBy.toISOString() });

export function closureSettings(closure: Closure): ClosureSettings {
  return ClosureSettingsColumn.parse(closure.preferences);
}

/** A family's consultation answer for a child, by child id. */
export type FamilyAnswers = Map<string, { ranking: string[]; priority: FamilyPriority }>;

/** The planner preference each thing a family says matters most puts first. */
export const PRIORITY_PREFERENCE: Record<FamilyPriority, RehomingPreference> = {
  SAME_DATES: 'SAME_DATES',
  SAME_FRIENDS: 'CONTINUITY',
  SHORTEST_JOURNEY: 'TRAVEL_TIME',
  KEEP_CARER: 'SAME_KIND',
};

/** What the family said matters most first, then the coordinator's order. */
export function familyOrder(priority: FamilyPriority, order: RehomingPreference[]): RehomingPreference[] {
  const first = PRIORITY_PREFERENCE[priority];
  return [first, ...order.filter((p) => p !== first)];
}

/** The answers families gave to a closure's consultation. */
export async function consultationAnswers(closureId: string): Promise<FamilyAnswers> {
  const rows = await db().consultationResponse.findMany({ where: { closureId } });
  return new Map(rows.map((r) => [r.childId, { ranking: r.ranking, priority: FamilyPrioritySchema.parse(r.priority) }]));
}

/**
 * The plan for affected places: one part per authority (the closing authority's
 * first, then by id), merged. Each part uses that authority's own coordinators'
 * preference order when they have set one (DESIGN.md, Tenancy); the recording
 * authority's part uses the order given for this closure.
 */
export async function planAffected(providerId: string, seed: string, settings: ClosureSettings, affected: AffectedItem[], firstAuthorityId: string | null = null, answers: FamilyAnswers = new Map(), closureId: string | null = null): Promise<RehomingPlan | null> {
  if (affected.length === 0) return null;
  const authorities = [...new Set(affected.map((i) => i.authorityId))].sort((a, b) => Number(b === firstAuthorityId) - Number(a === firstAuthorityId) || a.localeCompare(b));
  const ownOrders = new Map((await db().authority.findMany({ where: { id: { in: authorities } }, select: { id: true, rehomingOrder: true } })).map((a) => [a.id, a.rehomingOrder]));
  const parts = [];
  for (const authorityId of authorities) {
    const own = ownOrders.get(authorityId) ?? [];
    const order = authorityId !== firstAuthorityId && own.length > 0 ? z.array(RehomingPreferenceSchema).parse(own) : settings.order;
    parts.push(await loadPlanInput(providerId, seed, { ...settings, order }, authorityId, affected.filter((i) => i.authorityId === authorityId), answers, closureId));
  }
  return planPerAuthority(parts);
}

/** Phase 1: plan once and store every outcome; a re-run finds them and skips to phase 2. */
export async function planOnce(closureId: string): Promise<void> {
  const closure = await db().closure.findUniqueOrThrow({ where: { id: closureId } });
  if ((await db().rehomingOutcome.count({ where: { closureId } })) > 0) return;
  await db().closure.update({ where: { id: closureId }, data: { status: 'PLANNING' } });
  const affected = await affectedAt(closure.providerId, closure.effectiveFrom, closureId, closure.suspendedAuthorityId);
  await generateStandingPlaces(closureId);
  const plan = await planAffected(closure.providerId, closure.seed, closureSettings(closure), affected, closure.authorityId, await consultationAnswers(closureId), closureId);
  const itemOf = new Map(affected.map((i) => [i.bookingId, i]));
  await transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM closure WHERE id = ${closureId} FOR UPDATE`;
    if ((await tx.rehomingOutcome.count({ where: { closureId } })) > 0) return;
    if (plan) {
      await tx.rehomingOutcome.createMany({
        data: plan.outcomes.map((o) => {
          const item = itemOf.get(o.bookingId)!;
          const order = plan.order.find((e) => e.bookingId === o.bookingId);
          const base = { closureId, bookingId: o.bookingId, childId: o.childId, fromOutcomeId: item.from?.outcomeId ?? null };
          const from = item.from ? { replaces: item.from.kind, fromSlotId: item.slotId } : {};
          if (o.outcome === 'WAITLISTED') {
            return { ...base, outcome: 'WAITLISTED' as const, reason: o.reason, detail: toJson(OutcomeDetailColumn, { refusals: o.refusals, order, ...from }) };
          }
          const { outcome, bookingId: _b, childId: _c, toSlotId, explanation, transport, ...facts } = o;
          return {
            ...base,
            outcome: storedKind(o, item.from?.kind === 'OFFER'),
            toSlotId,
            reason: explanation,
            detail: toJson(OutcomeDetailColumn, { ...facts, actions: o.outcome === 'PENDING_TRAINING' ? o.actions.map(storedAction) : undefined, order, ...from }),
            transport: transport ? toJson(OutcomeTransportColumn, transport) : undefined,
            trainingAction: outcome === 'PENDING_TRAINING' ? toJson(OutcomeTrainingColumn, o.actions.map(storedAction)) : undefined,
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
        summary: toJson(ClosureSummaryColumn, { affected: affected.length, planned: plan?.summary ?? null, order: plan?.order ?? [], trainingActions: (plan?.trainingActions ?? []).map(storedAction), upgradesUsed: plan?.upgradesUsed ?? [] }),
      },
    });
  });
}
