/**
 * Property-based tests over random small rounds: no hard
 * constraint is ever broken, results are deterministic for a seed, and the
 * seed only decides ties. Final bookings are re-checked from scratch here —
 * capacity, needs, reservation, overlap and entitlement by independent
 * arithmetic, and every booking once more by checkPlacement with all the
 * child's other stays — never through the allocator's own bookkeeping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTHORITY, PERIOD_START, at, daySession, entitlement, night, roundInput } from '../../fixtures/allocation-builders.js';
import { COMPLEX_HEALTH_NEEDS, PLACE_REQUIRED_NEEDS, type CareNeed } from '../../src/domain/care-needs.js';
import { checkPlacement } from '../../src/domain/eligibility.js';
import { addDays, daysBetween, londonDateOf } from '../../src/domain/london-time.js';
import type { ChildInfo, SlotInfo, StayInfo } from '../../src/domain/model.js';
import { allocate, allocateFirstComeFirstServed, usableSlots } from '../../src/domain/allocation/index.js';
import type { AllocationInput, AllocationResult, Preference } from '../../src/domain/allocation/index.js';

const NEEDS: CareNeed[] = ['GASTROSTOMY', 'EPILEPSY_RESCUE_MEDICATION', 'WHEELCHAIR', 'AUTISM'];
const OTHER_AUTHORITY = 'authority-b';
const DAYS = 14;

const slotArbitrary = fc.record({
  day: fc.integer({ min: 0, max: DAYS - 1 }),
  nights: fc.constantFrom(0, 1, 1, 2),
  provider: fc.integer({ min: 1, max: 3 }),
  familyBased: fc.boolean(),
  capacity: fc.integer({ min: 1, max: 3 }),
  booked: fc.constantFrom(0, 0, 0, 1, 2),
  capabilities: fc.subarray(NEEDS),
  reserved: fc.integer({ min: 0, max: 9 }),
  trainingExpiresDay: fc.integer({ min: 0, max: DAYS + 5 }),
});

const childArbitrary = fc.record({
  needs: fc.subarray(NEEDS, { maxLength: 2 }),
  otherAuthority: fc.integer({ min: 0, max: 9 }),
  nights: fc.integer({ min: 0, max: 4 }),
  sessions: fc.integer({ min: 0, max: 2 }),
  // Live bookings, some long ago: up to 4 × 25 nights can reach the 75-day limit.
  existing: fc.array(fc.record({ day: fc.integer({ min: -300, max: DAYS }), nights: fc.integer({ min: 0, max: 25 }) }), {
    maxLength: 4,
  }),
  preferences: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('SLOT' as const), index: fc.integer({ min: 0, max: 10 }) }),
      fc.record({
        kind: fc.constant('DAYS' as const),
        daysOfWeek: fc.subarray([0, 1, 2, 3, 4, 5, 6], { minLength: 1 }),
        provider: fc.integer({ min: 0, max: 3 }),
      }),
    ),
    { maxLength: 4 },
  ),
  /** 0: already 75 nights away in the last 12 months. */
  awayMuch: fc.integer({ min: 0, max: 5 }),
  flexible: fc.boolean(),
  nightsWanted: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
  credit: fc.constantFrom(0, 0, 0.5, -0.5, 1),
  requests: fc.integer({ min: 0, max: 9 }),
  /** The request's own dates: a stretch inside the round (or all of it). */
  period: fc.record({ from: fc.integer({ min: 0, max: DAYS - 1 }), days: fc.integer({ min: 1, max: DAYS }) }),
  stayNights: fc.constantFrom(1, 1, 1, 2),
});

const roundArbitrary = fc
  .record({
    slots: fc.array(slotArbitrary, { minLength: 1, maxLength: 10 }),
    children: fc.array(childArbitrary, { minLength: 1, maxLength: 6 }),
    seed: fc.string({ maxLength: 8 }),
  })
  .map(({ slots, children, seed }) => buildRound(slots, children, seed));

type SlotSpec = typeof slotArbitrary extends fc.Arbitrary<infer T> ? T : never;
type ChildSpec = typeof childArbitrary extends fc.Arbitrary<infer T> ? T : never;

function buildRound(slotSpecs: SlotSpec[], childSpecs: ChildSpec[], seed: string): AllocationInput {
  const slots = slotSpecs.map((spec, i) => buildSlot(spec, i));
  const children: ChildInfo[] = childSpecs.map((spec, i) => ({
    id: `child-${i}`,
    authorityId: spec.otherAuthority === 0 ? OTHER_AUTHORITY : AUTHORITY,
    needs: spec.needs,
  }));
  const existingStays: Record<string, StayInfo[]> = {};
  childSpecs.forEach((spec, i) => {
    const past = spec.awayMuch === 0 ? [{ day: -200, nights: 25 }, { day: -150, nights: 25 }, { day: -100, nights: 25 }] : [];
    existingStays[`child-${i}`] = [...past, ...spec.existing].map(({ day, nights }) => {
      const date = addDays(PERIOD_START, day);
      return { providerId: 'provider-1', start: at(date, '16:00'), end: at(addDays(date, nights), nights === 0 ? '18:00' : '11:00') };
    });
  });
  return roundInput({
    seed,
    slots,
    children,
    entitlements: childSpecs.map((spec, i) => entitlement(`child-${i}`, spec.nights, spec.sessions)),
    existingStays,
    requests: childSpecs.flatMap((spec, i) =>
      spec.requests === 0
        ? []
        : [
            {
              id: `request-${i}`,
              childId: `child-${i}`,
              preferences: spec.preferences.map((p): Preference =>
                p.kind === 'SLOT'
                  ? { kind: 'SLOT', slotId: `slot-${p.index}` }
                  : { kind: 'DAYS', daysOfWeek: p.daysOfWeek, ...(p.provider > 0 ? { providerId: `provider-${p.provider}` } : {}) },
              ),
              flexible: spec.flexible,
              transportNeeded: false,
              nightsWanted: spec.nightsWanted,
              period: { from: addDays(PERIOD_START, spec.period.from), to: addDays(PERIOD_START, Math.min(DAYS - 1, spec.period.from + spec.period.days - 1)) },
              stayNights: spec.stayNights,
            },
          ],
    ),
    history: childSpecs.map((spec, i) => ({ childId: `child-${i}`, credit: spec.credit, rounds: [] })),
  });
}

function buildSlot(spec: SlotSpec, index: number): SlotInfo {
  const date = addDays(PERIOD_START, spec.day);
  const options = {
    providerId: `provider-${spec.provider}`,
    providerKind: spec.familyBased ? ('FAMILY_BASED' as const) : ('RESIDENTIAL' as const),
    capacity: spec.capacity,
    booked: Math.min(spec.booked, spec.capacity),
    capabilities: spec.capabilities,
    reservedForAuthorityId: spec.reserved === 0 ? OTHER_AUTHORITY : null,
    ...(spec.familyBased
      ? {
          carerTraining: COMPLEX_HEALTH_NEEDS.filter((need) => spec.capabilities.includes(need)).map((need) => ({
            need,
            completedOn: at('2024-01-01', '09:00'),
            expiresOn: at(addDays(PERIOD_START, spec.trainingExpiresDay), '12:00'),
          })),
        }
      : {}),
  };
  const id = `slot-${index}`;
  return spec.nights === 0 ? daySession(id, date, options) : night(id, date, { ...options, nights: spec.nights });
}

/** London nights of a stay, counted here from calendar dates, not by the code under test. */
function nights(stay: { start: Date; end: Date }): number {
  return daysBetween(londonDateOf(stay.start), londonDateOf(stay.end));
}

/** Independent re-check of every hard constraint on the final bookings. */
function expectNoConstraintBroken(input: AllocationInput, result: AllocationResult): void {
  const slotById = new Map(input.slots.map((slot) => [slot.id, slot]));
  const childById = new Map(input.children.map((c) => [c.id, c]));
  const requestByChild = new Map(input.requests.map((r) => [r.childId, r]));

  // Capacity.
  const perSlot = new Map<string, number>();
  for (const booking of result.bookings) perSlot.set(booking.slotId, (perSlot.get(booking.slotId) ?? 0) + 1);
  for (const [slotId, count] of perSlot) {
    const slot = slotById.get(slotId) as SlotInfo;
    expect(slot.booked + count).toBeLessThanOrEqual(slot.capacity);
  }

  for (const c of input.children) {
    const mine = result.bookings.filter((booking) => booking.childId === c.id);
    if (mine.length === 0) continue;
    expect(mine.every((booking) => booking.requestId === requestByChild.get(c.id)?.id)).toBe(true);
    const placed = mine.map((booking) => slotById.get(booking.slotId) as SlotInfo);
    const existing = input.existingStays[c.id] ?? [];

    for (const slot of placed) {
      // Needs: complex needs by carer training valid for the whole stay in family-based care, else capabilities.
      for (const need of c.needs.filter((n) => PLACE_REQUIRED_NEEDS.includes(n))) {
        const byTraining = slot.providerKind === 'FAMILY_BASED' && COMPLEX_HEALTH_NEEDS.includes(need);
        const met = byTraining
          ? (slot.carerTraining ?? []).some((t) => t.need === need && t.completedOn <= slot.start && t.expiresOn >= slot.end)
          : slot.capabilities.includes(need);
        expect(met, `${c.id} in ${slot.id} needs ${need}`).toBe(true);
      }
      expect([null, c.authorityId]).toContain(slot.reservedForAuthorityId);
    }

    // Overlap: new bookings with each other and with live stays.
    placed.forEach((slot, i) => {
      for (const other of [...existing, ...placed.slice(i + 1)]) {
        expect(slot.start < other.end && other.start < slot.end, `${c.id}: ${slot.id} overlaps`).toBe(false);
      }
    });

    // Entitlement: every stay starting in the award's period counts against it.
    const award = input.entitlements.find((e) => e.childId === c.id);
    const counted = [...existing, ...placed].filter((s) => award && award.periodStart <= s.start && s.start < award.periodEnd);
    if (placed.some((slot) => nights(slot) > 0)) {
      expect(counted.reduce((sum, s) => sum + nights(s), 0)).toBeLessThanOrEqual(award?.nights ?? 0);
    }
    if (placed.some((slot) => nights(slot) === 0)) {
      expect(counted.filter((s) => nights(s) === 0).length).toBeLessThanOrEqual(award?.daySessions ?? 0);
    }

    // Everything else (17-day and 75-day limits included): each booking as if it were placed last.
    placed.forEach((slot, i) => {
      const others = [...existing, ...placed.filter((_, j) => j !== i)];
      const othersHere = result.bookings.filter((b) => b.slotId === slot.id).length - 1;
      const { refusals } = checkPlacement({
        child: childById.get(c.id) as ChildInfo,
        slot: { ...slot, booked: slot.booked + othersHere },
        stays: others,
        entitlements: input.entitlements.filter((e) => e.childId === c.id),
      });
      expect(refusals, `${c.id} in ${slot.id}`).toEqual([]);
    });
  }

  // What the family asked for: every night on the request's dates, in a slot a preference names or matches (or
  // any slot, if flexible); a whole-stay request only ever gets whole stays, each in one home.
  for (const booking of result.bookings) {
    const slot = slotById.get(booking.slotId) as SlotInfo;
    const asked = requestByChild.get(booking.childId) as AllocationInput['requests'][number];
    const first = londonDateOf(slot.start);
    const dates = nights(slot) === 0 ? [first] : Array.from({ length: nights(slot) }, (_, i) => addDays(first, i));
    const period = asked.period as { from: string; to: string };
    expect(dates.every((date) => period.from <= date && date <= period.to), `${booking.slotId} outside ${period.from}..${period.to}`).toBe(true);
    const weekday = new Date(`${first}T12:00:00Z`).getUTCDay();
    const matches = asked.preferences.some((p) =>
      p.kind === 'SLOT' ? p.slotId === slot.id : p.daysOfWeek.includes(weekday) && (p.providerId === undefined || p.providerId === slot.providerId),
    );
    expect(asked.flexible || matches, `${booking.slotId} matches no preference of ${asked.id}`).toBe(true);
  }
  for (const asked of input.requests) {
    const together = asked.stayNights ?? 1;
    if (together < 2) continue;
    const mine = result.bookings.filter((b) => b.childId === asked.childId).map((b) => slotById.get(b.slotId) as SlotInfo);
    expect(mine.every((slot) => nights(slot) > 0), 'a whole-stay request gets no day sessions').toBe(true);
    // Runs of nights in one home that follow on from each other; each must be whole stays.
    const sorted = [...mine].sort((a, b) => a.start.getTime() - b.start.getTime());
    const runs: { provider: string; end: string; nights: number }[] = [];
    for (const slot of sorted) {
      const last = runs.at(-1);
      if (last && last.provider === slot.providerId && last.end === londonDateOf(slot.start)) {
        last.nights += nights(slot);
        last.end = londonDateOf(slot.end);
      } else runs.push({ provider: slot.providerId, end: londonDateOf(slot.end), nights: nights(slot) });
    }
    for (const run of runs) expect(run.nights % together, `${asked.childId}: a stay of ${run.nights} nights`).toBe(0);
  }
  expect(result.metrics.requestsHonoured.outside).toBe(0);
  // Every child who asked and got nothing is counted, whether or not anything was awarded.
  expect(result.metrics.childrenWithNothing).toBe(result.explanations.filter((e) => e.unitsGot === 0).length);

  // No child gets more than it could want, and the max-flow bound is an upper bound.
  for (const explanation of result.explanations) expect(explanation.unitsGot).toBeLessThanOrEqual(explanation.unitsWanted);
  expect(result.metrics.unitsAllocated).toBeLessThanOrEqual(result.metrics.upperBound);
}

describe('allocation properties', () => {
  it('never breaks a hard constraint (max-min filling and FCFS baseline)', () => {
    fc.assert(
      fc.property(roundArbitrary, (input) => {
        expectNoConstraintBroken(input, allocate(input));
        expectNoConstraintBroken(input, allocateFirstComeFirstServed(input));
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic for a seed, whatever the order of the input, and JSON-serialisable', () => {
    fc.assert(
      fc.property(roundArbitrary, (input) => {
        const result = allocate(input);
        expect(allocate(structuredClone(input))).toEqual(result);
        const shuffled = { ...input, slots: [...input.slots].reverse(), requests: [...input.requests].reverse() };
        const reordered = allocate(shuffled);
        expect(reordered.bookings).toEqual(result.bookings);
        expect(reordered.order).toEqual(result.order);
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      }),
      { numRuns: 60 },
    );
  });

  it('conserves credit: what participants earn, others spend (Karma)', () => {
    fc.assert(
      fc.property(roundArbitrary, (input) => {
        const before = new Map(input.history.map((h) => [h.childId, h.credit]));
        const result = allocate(input);
        const participants = result.explanations.filter((e) => e.unitsWanted > 0).map((e) => e.childId);
        const change = result.historyAfter
          .filter((h) => participants.includes(h.childId))
          .reduce((sum, h) => sum + h.credit - (before.get(h.childId) ?? 0), 0);
        expect(Math.abs(change)).toBeLessThan(1e-5);
        for (const h of result.historyAfter.filter((h) => !participants.includes(h.childId))) {
          expect(h.credit).toBe(before.get(h.childId));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('lets the seed decide ties only: children are always ordered by credit, and distinct credits fix the result', () => {
    fc.assert(
      fc.property(roundArbitrary, fc.string({ maxLength: 8 }), (input, otherSeed) => {
        const credit = new Map(input.history.map((h) => [h.childId, h.credit]));
        const a = allocate(input);
        const b = allocate({ ...input, seed: otherSeed });
        const credits = (result: AllocationResult) => result.order.map((id) => credit.get(id));
        expect(credits(a)).toEqual(credits(b));
        expect(credits(a)).toEqual([...credits(a)].sort((x, y) => (y as number) - (x as number)));
        const distinct = new Set(credits(a)).size === a.order.length;
        if (distinct) {
          expect(b.order).toEqual(a.order);
          expect(b.bookings).toEqual(a.bookings);
        }
      }),
      { numRuns: 60 },
    );
  });
  it('gives the same round from only the slots its requests can use whenever it is told it may read only those', () => {
    // Rounds as generated (flexible requests, provider-less DAYS and place-required needs read every slot), and the
    // same rounds with none of those, which read only the usable slots.
    const narrowable = (input: AllocationInput): AllocationInput => ({
      ...input,
      children: input.children.map((child) => ({ ...child, needs: child.needs.filter((need) => !PLACE_REQUIRED_NEEDS.includes(need)) })),
      requests: input.requests.map((request) => ({
        ...request,
        flexible: false,
        preferences: request.preferences.map((p) => (p.kind === 'DAYS' && p.providerId === undefined ? { ...p, providerId: 'provider-1' } : p)),
      })),
    });
    fc.assert(
      fc.property(roundArbitrary, fc.boolean(), (generated, narrow) => {
        const input = narrow ? narrowable(generated) : generated;
        const usable = usableSlots(input.requests, input.children);
        if (narrow) expect(usable).not.toBeNull();
        if (!usable) return;
        const ids = new Set(usable.slotIds);
        const providers = new Set(usable.providerIds);
        const slots = input.slots.filter((slot) => ids.has(slot.id) || providers.has(slot.providerId));
        expect(allocate({ ...input, slots })).toEqual(allocate(input));
      }),
      { numRuns: 200 },
    );
  });
});
