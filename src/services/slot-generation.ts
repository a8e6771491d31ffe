/**
 * Materialise a capacity rule's slots for the rolling horizon, idempotently:
 * running it twice, or after a crash half-way, leaves the same slots. An edit
 * never duplicates a slot (one slot per rule and local date) and never removes
 * or reshapes a slot that holds a booking or an offer — those are kept as they
 * are and reported as conflicts on the rule for the coordinator to resolve.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { CapacityRule, Slot } from '../generated/prisma/client.js';
import { expandRule, type Occurrence } from '../domain/capacity/recurrence.js';
import { db } from '../db.js';
import { logger } from '../logger.js';
import { generationWindow } from './capacity-rules.js';
import { londonDateOf, londonWallTimeToInstant } from '../domain/london-time.js';
import { transaction } from './tx.js';

export interface GenerationConflict {
  localDate: string;
  slotId: string;
  reason: string;
}

export interface GenerationResult {
  ruleId: string;
  version: number;
  created: number;
  updated: number;
  withdrawn: number;
  conflicts: GenerationConflict[];
}

const sameNeeds = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

function desiredShape(rule: CapacityRule, o: Occurrence) {
  return {
    startsAt: o.start,
    endsAt: o.end,
    capacity: rule.places,
    capabilities: rule.capabilities,
    reservedForAuthorityId: rule.reservedForAuthorityId,
    carerId: rule.carerId,
  };
}

function differs(slot: Slot, want: ReturnType<typeof desiredShape>): boolean {
  return (
    slot.status !== 'ACTIVE' ||
    slot.startsAt.getTime() !== want.startsAt.getTime() ||
    slot.endsAt.getTime() !== want.endsAt.getTime() ||
    slot.capacity !== want.capacity ||
    !sameNeeds(slot.capabilities, want.capabilities) ||
    slot.reservedForAuthorityId !== want.reservedForAuthorityId ||
    slot.carerId !== want.carerId
  );
}

export async function generateSlotsForRule(ruleId: string, now = new Date()): Promise<GenerationResult | null> {
  return transaction(async (tx) => {
    // One generation per rule at a time; bookings of its slots wait on the slot locks below.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM capacity_rule WHERE id = ${ruleId} FOR UPDATE`;
    if (locked.length === 0) return null;
    const rule = await tx.capacityRule.findUniqueOrThrow({ where: { id: ruleId }, include: { provider: true } });
    const { from, to } = generationWindow(now);
    const occurrences =
      rule.active && rule.provider.status !== 'CLOSED'
        ? expandRule({ rrule: rule.rrule, startDate: rule.startDate, until: rule.untilDate, startTime: rule.startTime, durationMinutes: rule.durationMinutes, exdates: rule.exdates }, from, to)
        : [];
    await tx.$queryRaw`SELECT id FROM slot WHERE "capacityRuleId" = ${ruleId} AND "startsAt" >= ${now} FOR UPDATE`;
    const existing = await tx.slot.findMany({ where: { capacityRuleId: ruleId, startsAt: { gte: now } } });
    const byDate = new Map(existing.map((s) => [s.localDate, s]));
    const wanted = new Set(occurrences.map((o) => o.localDate));
    const result: GenerationResult = { ruleId, version: rule.version, created: 0, updated: 0, withdrawn: 0, conflicts: [] };

    const toCreate: Prisma.SlotCreateManyInput[] = [];
    for (const o of occurrences) {
      const want = desiredShape(rule, o);
      const slot = byDate.get(o.localDate);
      if (!slot) {
        toCreate.push({ ...want, providerId: rule.providerId, capacityRuleId: rule.id, localDate: o.localDate });
        continue;
      }
      if (!differs(slot, want)) continue;
      const taken = slot.booked + slot.held;
      if (taken === 0) {
        await tx.slot.update({ where: { id: slot.id }, data: { ...want, status: 'ACTIVE' } });
        result.updated++;
        continue;
      }
      // Children are booked here: only a change that keeps every booking valid is applied.
      const reshaped =
        slot.startsAt.getTime() !== want.startsAt.getTime() ||
        slot.endsAt.getTime() !== want.endsAt.getTime() ||
        !sameNeeds(slot.capabilities, want.capabilities) ||
        slot.reservedForAuthorityId !== want.reservedForAuthorityId ||
        slot.carerId !== want.carerId;
      if (reshaped) {
        result.conflicts.push({ localDate: o.localDate, slotId: slot.id, reason: `${taken} place(s) booked; times, capabilities or reservation kept as they were` });
      } else {
        const capacity = Math.max(want.capacity, taken);
        if (capacity !== want.capacity) {
          result.conflicts.push({ localDate: o.localDate, slotId: slot.id, reason: `${taken} place(s) booked; capacity kept at ${capacity}` });
        }
        if (capacity !== slot.capacity) {
          await tx.slot.update({ where: { id: slot.id }, data: { capacity } });
          result.updated++;
        }
      }
    }
    if (toCreate.length) result.created = (await tx.slot.createMany({ data: toCreate, skipDuplicates: true })).count;

    for (const slot of existing) {
      if (wanted.has(slot.localDate) || slot.status === 'WITHDRAWN') continue;
      if (slot.booked + slot.held === 0) {
        await tx.slot.update({ where: { id: slot.id }, data: { status: 'WITHDRAWN' } });
        result.withdrawn++;
      } else {
        result.conflicts.push({ localDate: slot.localDate, slotId: slot.id, reason: `${slot.booked + slot.held} place(s) booked; the rule no longer includes this date, slot kept` });
      }
    }
    await tx.capacityRule.update({
      where: { id: ruleId },
      data: { generatedVersion: rule.version, generatedAt: now, generationConflicts: result.conflicts as unknown as Prisma.InputJsonValue },
    });
    if (result.conflicts.length) logger.warn('slot generation conflicts', { ruleId, conflicts: result.conflicts.length });
    return result;
  }, { timeoutMs: 60_000 });
}

/**
 * The rolling horizon moves every day: regenerate every active rule whose slots do not reach today's horizon yet.
 * A rule generated since London midnight at its current version, its home unchanged since, already does: the
 * window ends on the same date, so generating again would find nothing to do. Every worker queues this job when it
 * starts, and regenerating a national deployment's rules (a year of slots each, every one locked) took minutes per
 * worker start and held up bookings of those slots meanwhile.
 */
export async function extendHorizonForAllRules(now = new Date()): Promise<number> {
  const midnight = londonWallTimeToInstant(londonDateOf(now), '00:00');
  const rules = await db().$queryRaw<{ id: string }[]>`
    SELECT r.id FROM capacity_rule r JOIN provider p ON p.id = r."providerId"
    WHERE r.active AND (r."generatedAt" IS NULL OR r."generatedAt" < ${midnight} OR r."generatedVersion" <> r.version OR p."updatedAt" > r."generatedAt")
    ORDER BY r.id`;
  for (const r of rules) await generateSlotsForRule(r.id, now);
  return rules.length;
}
