/**
 * What-if scenarios (seeds/002: "upgrades to homes so they can take children
 * with complex health needs"): a change to capacity or prices applied to a copy
 * of a period's allocator input, run through the same allocator as a round, and
 * compared with the unchanged baseline. Pure: the copy is plain data, so a
 * scenario can never touch live bookings or places.
 */
import { allocate } from './allocation/index.js';
import type { AllocationInput, AllocationResult } from './allocation/types.js';
import { COMPLEX_HEALTH_NEEDS, type CareNeed } from './care-needs.js';
import { priceOn, type PriceInfo } from './costs.js';
import { londonDateOf, londonWallTimeToInstant } from './london-time.js';
import type { ProviderKind, SlotInfo } from './model.js';
import { expandRule } from './capacity/recurrence.js';

export type ScenarioChange =
  /**
   * k of a provider's places meet a need from a date (a home upgrade: nursing cover, training, equipment);
   * with `pencePerUnit` the upgraded places cost that a night or session (nursing cover costs more), otherwise the rule's price.
   */
  | { kind: 'ADD_CAPABILITY'; providerId: string; capability: CareNeed; places: number; from: string; pencePerUnit?: number }
  /** New recurring capacity at a provider, as a capacity rule would publish it. */
  | { kind: 'ADD_RULE'; providerId: string; rrule: string; startTime: string; durationMinutes: number; places: number; capabilities: CareNeed[]; from: string; until?: string; pencePerUnit?: number }
  /** A rule's places withdrawn from a date. */
  | { kind: 'REMOVE_RULE'; capacityRuleId: string; from: string }
  /** No breaks at a provider from a date. */
  | { kind: 'CLOSE_PROVIDER'; providerId: string; from: string }
  /** A rule's price from a date (pence per night or session). */
  | { kind: 'CHANGE_PRICE'; capacityRuleId: string; pence: number; from: string };

/** What the copy needs beyond the allocator's input: which rule each slot came from, its prices, and the providers. */
export interface ScenarioWorld {
  input: AllocationInput;
  slotRule: Record<string, { capacityRuleId: string; localDate: string }>;
  prices: Record<string, PriceInfo[]>;
  providers: Record<string, { kind: ProviderKind }>;
}

const VIRTUAL = '~';

/** Apply changes in order to a copy of the world. Derived slots get ids `<slot>~upgrade-<n>` or `rule-<n>~<date>`. */
export function applyChanges(world: ScenarioWorld, changes: readonly ScenarioChange[]): ScenarioWorld {
  let slots: SlotInfo[] = world.input.slots.map((s) => ({ ...s, capabilities: [...s.capabilities] }));
  const slotRule = { ...world.slotRule };
  const prices: Record<string, PriceInfo[]> = Object.fromEntries(Object.entries(world.prices).map(([k, v]) => [k, [...v]]));
  changes.forEach((change, n) => {
    switch (change.kind) {
      case 'ADD_CAPABILITY': {
        const from = londonWallTimeToInstant(change.from, '00:00');
        const next: SlotInfo[] = [];
        for (const s of slots) {
          next.push(s);
          if (s.providerId !== change.providerId || s.start < from || s.capabilities.includes(change.capability)) continue;
          // Upgrade up to k of this slot's free places; places already booked stay as they are.
          const k = Math.min(change.places, s.capacity - s.booked);
          if (k <= 0) continue;
          s.capacity -= k;
          const id = `${s.id}${VIRTUAL}upgrade-${n}`;
          next.push({ ...s, id, capacity: k, booked: 0, capabilities: [...s.capabilities, change.capability] });
          const rule = slotRule[s.id];
          if (rule && change.pencePerUnit !== undefined) {
            // The upgraded places are priced as a rule of their own from the change's date.
            const upgraded = `${rule.capacityRuleId}${VIRTUAL}upgrade-${n}`;
            slotRule[id] = { capacityRuleId: upgraded, localDate: rule.localDate };
            prices[upgraded] ??= [{ unit: londonDateOf(s.end) > rule.localDate ? 'NIGHT' : 'SESSION', pence: change.pencePerUnit, effectiveFrom: change.from, effectiveTo: null }];
          } else if (rule) slotRule[id] = rule;
        }
        slots = next.filter((s) => s.capacity > 0 || s.booked > 0);
        break;
      }
      case 'ADD_RULE': {
        const kind = world.providers[change.providerId]?.kind ?? 'RESIDENTIAL';
        const { start, end } = world.input.period;
        const ruleId = `rule-${n}`;
        const occurrences = expandRule({ rrule: change.rrule, startDate: change.from, startTime: change.startTime, durationMinutes: change.durationMinutes, exdates: [], until: change.until ?? null }, start, end);
        for (const o of occurrences) {
          const id = `${ruleId}${VIRTUAL}${o.localDate}`;
          slots.push({ id, providerId: change.providerId, providerKind: kind, start: o.start, end: o.end, capacity: change.places, booked: 0, capabilities: [...change.capabilities], reservedForAuthorityId: null });
          slotRule[id] = { capacityRuleId: ruleId, localDate: o.localDate };
        }
        if (change.pencePerUnit !== undefined) {
          const overnight = occurrences[0] ? londonDateOf(occurrences[0].end) > occurrences[0].localDate : true;
          prices[ruleId] = [{ unit: overnight ? 'NIGHT' : 'SESSION', pence: change.pencePerUnit, effectiveFrom: change.from, effectiveTo: null }];
        }
        break;
      }
      case 'REMOVE_RULE':
        slots = slots.filter((s) => slotRule[s.id]?.capacityRuleId !== change.capacityRuleId || slotRule[s.id]!.localDate < change.from || s.booked > 0);
        break;
      case 'CLOSE_PROVIDER': {
        const from = londonWallTimeToInstant(change.from, '00:00');
        // Live bookings there stay in the copy's stays (a closure re-homes them; that is the closure planner's job, not this one's).
        slots = slots.filter((s) => s.providerId !== change.providerId || s.start < from);
        break;
      }
      case 'CHANGE_PRICE': {
        const old = (prices[change.capacityRuleId] ?? []).filter((p) => p.unit !== 'BLOCK');
        const unit = old[0]?.unit ?? 'NIGHT';
        prices[change.capacityRuleId] = [
          ...(prices[change.capacityRuleId] ?? []).map((p) => (p.unit === unit && p.effectiveFrom < change.from && (p.effectiveTo === null || p.effectiveTo >= change.from) ? { ...p, effectiveTo: dayBefore(change.from) } : p)),
          { unit, pence: change.pence, effectiveFrom: change.from, effectiveTo: null },
        ];
        break;
      }
    }
  });
  return { ...world, input: { ...world.input, slots }, slotRule, prices };
}

const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 864e5).toISOString().slice(0, 10);

export interface ScenarioFigures {
  childrenWithRequests: number;
  childrenPlaced: number;
  nightsDelivered: number;
  sessionsDelivered: number;
  unitsWanted: number;
  worstServedShare: number;
  childrenWithNothing: number;
  /** Nights wanted and not given to children with a complex health need. */
  unmetComplexHealthNights: number;
  /** At the prices in force on each break's date; block-contracted places cost nothing extra. */
  costPence: number;
  /** Bookings on places with no price: their cost is unknown, not zero. */
  unpricedBookings: number;
}

export function figuresOf(world: ScenarioWorld, result: AllocationResult): ScenarioFigures {
  const complex = new Set(world.input.children.filter((c) => c.needs.some((n) => COMPLEX_HEALTH_NEEDS.includes(n))).map((c) => c.id));
  const placed = new Set(result.bookings.map((b) => b.childId));
  // An explanation's unitsWanted is what could be offered (0 when no preferred place can meet the child's needs,
  // which is exactly the unmet demand a scenario is about); the demand is what the family asked for.
  const asked = new Map(world.input.requests.map((r) => [r.id, r.nightsWanted ?? 0]));
  const wanted = (e: AllocationResult['explanations'][number]) => Math.max(e.unitsWanted, asked.get(e.requestId) ?? 0);
  let costPence = 0;
  let unpriced = 0;
  for (const b of result.bookings) {
    const rule = world.slotRule[b.slotId];
    const price = rule ? priceOn(world.prices[rule.capacityRuleId] ?? [], rule.localDate, b.nights > 0) : null;
    if (!price) unpriced++;
    else if (price.unit !== 'BLOCK') costPence += price.pence * Math.max(1, b.nights);
  }
  return {
    childrenWithRequests: result.explanations.length,
    childrenPlaced: placed.size,
    nightsDelivered: result.bookings.reduce((n, b) => n + b.nights, 0),
    sessionsDelivered: result.bookings.filter((b) => b.nights === 0).length,
    unitsWanted: result.explanations.reduce((n, e) => n + wanted(e), 0),
    worstServedShare: Math.round(result.metrics.maxMin.share * 1000) / 1000,
    childrenWithNothing: result.metrics.childrenWithNothing,
    unmetComplexHealthNights: result.explanations.filter((e) => complex.has(e.childId)).reduce((n, e) => n + Math.max(0, wanted(e) - e.unitsGot), 0),
    costPence,
    unpricedBookings: unpriced,
  };
}

export interface ScenarioComparison {
  baseline: ScenarioFigures;
  scenario: ScenarioFigures;
  difference: {
    childrenPlaced: number;
    nightsDelivered: number;
    worstServedShare: number;
    unmetComplexHealthNights: number;
    costPence: number;
    /** Extra cost over extra nights; null when the change delivers no extra nights. */
    costPerExtraNightPence: number | null;
  };
  /** Children whose units went up or down, so a coordinator can see who an upgrade reaches. */
  childrenBetterOff: number;
  childrenWorseOff: number;
}

export function compare(world: ScenarioWorld, changes: readonly ScenarioChange[]): ScenarioComparison {
  const changed = applyChanges(world, changes);
  const before = allocate(world.input);
  const after = allocate(changed.input);
  const baseline = figuresOf(world, before);
  const scenario = figuresOf(changed, after);
  const got = (r: AllocationResult) => new Map(r.explanations.map((e) => [e.childId, e.unitsGot]));
  const [b, a] = [got(before), got(after)];
  const extraNights = scenario.nightsDelivered - baseline.nightsDelivered;
  return {
    baseline,
    scenario,
    difference: {
      childrenPlaced: scenario.childrenPlaced - baseline.childrenPlaced,
      nightsDelivered: extraNights,
      worstServedShare: Math.round((scenario.worstServedShare - baseline.worstServedShare) * 1000) / 1000,
      unmetComplexHealthNights: scenario.unmetComplexHealthNights - baseline.unmetComplexHealthNights,
      costPence: scenario.costPence - baseline.costPence,
      costPerExtraNightPence: extraNights > 0 ? Math.round((scenario.costPence - baseline.costPence) / extraNights) : null,
    },
    childrenBetterOff: [...a].filter(([id, units]) => units > (b.get(id) ?? 0)).length,
    childrenWorseOff: [...a].filter(([id, units]) => units < (b.get(id) ?? 0)).length,
  };
}
