/**
 * Property tests of the re-homing planner on small random closures: whatever
 * the input, every affected booking is accounted for exactly once and no
 * planned place or transport run breaks a hard rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isComplexHealthNeed, type CareNeed } from '../../src/domain/care-needs.js';
import { checkPlacement, overlaps, unmetNeeds } from '../../src/domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import type { ProviderKind, SlotInfo, StayInfo, TrainingRecordInfo } from '../../src/domain/model.js';
import { planRehoming, type CandidateSlot, type RehomingInput, type RehomingPlan } from '../../src/domain/rehoming/index.js';

const at = londonWallTimeToInstant;
const FIRST_DAY = '2027-02-01';
const NEEDS: CareNeed[] = ['GASTROSTOMY', 'OXYGEN', 'EPILEPSY_RESCUE_MEDICATION', 'WHEELCHAIR', 'HOIST', 'AUTISM'];

const locationArb = fc.record({
  lat: fc.double({ min: 50.7, max: 51.2, noNaN: true }),
  lng: fc.double({ min: -0.9, max: -0.05, noNaN: true }),
});
const needsArb = fc.subarray(NEEDS, { maxLength: 2 });
/** A break on day `day` of the horizon: a day session (0 nights) or 1–2 nights. */
const breakArb = fc.record({ day: fc.nat(9), nights: fc.integer({ min: 0, max: 2 }) });

const scenarioArb = fc.record({
  providers: fc.array(fc.record({ kind: fc.constantFrom<ProviderKind>('RESIDENTIAL', 'COMMUNITY', 'FAMILY_BASED'), location: locationArb }), {
    minLength: 1,
    maxLength: 4,
  }),
  carers: fc.array(
    fc.array(fc.record({ need: fc.constantFrom<CareNeed>('GASTROSTOMY', 'OXYGEN', 'EPILEPSY_RESCUE_MEDICATION'), completed: fc.integer({ min: -400, max: 5 }), expires: fc.integer({ min: -10, max: 20 }) }), { maxLength: 2 }),
    { minLength: 1, maxLength: 3 },
  ),
  slots: fc.array(
    fc.record({
      provider: fc.nat(3),
      when: breakArb,
      capacity: fc.integer({ min: 1, max: 3 }),
      booked: fc.nat(1),
      capabilities: fc.subarray(NEEDS, { minLength: 3 }),
      carer: fc.nat(2),
      reservedElsewhere: fc.nat(4).map((n) => n === 0),
    }),
    { maxLength: 20 },
  ),
  children: fc.array(
    fc.record({
      needs: needsArb,
      home: fc.option(locationArb, { nil: null }),
      needsTransport: fc.boolean(),
      needsEscort: fc.boolean(),
      nights: fc.integer({ min: 0, max: 10 }),
      daySessions: fc.integer({ min: 0, max: 3 }),
      stays: fc.array(breakArb, { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  affected: fc.array(fc.record({ child: fc.nat(4), when: breakArb, group: fc.nat(2) }), { maxLength: 8 }),
  vehicles: fc.array(fc.record({ seats: fc.nat(3), wheelchairSpaces: fc.nat(2), hasEscort: fc.boolean(), base: locationArb }), { maxLength: 3 }),
  busy: fc.array(fc.record({ vehicle: fc.nat(2), day: fc.nat(10), hour: fc.integer({ min: 6, max: 20 }) }), { maxLength: 3 }),
  preferences: fc.shuffledSubarray(['SAME_DATES', 'CONTINUITY', 'TRAVEL_TIME', 'SAME_KIND'] as const, { minLength: 0 }),
  maxDateShiftDays: fc.integer({ min: 0, max: 4 }),
  seed: fc.string({ maxLength: 6 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function interval(when: { day: number; nights: number }): { start: Date; end: Date } {
  const date = addDays(FIRST_DAY, when.day);
  return when.nights === 0
    ? { start: at(date, '10:00'), end: at(date, '16:00') }
    : { start: at(date, '17:00'), end: at(addDays(date, when.nights), '10:00') };
}

function record(need: CareNeed, completed: number, expires: number): TrainingRecordInfo {
  return { need, completedOn: at(addDays(FIRST_DAY, completed), '00:00'), expiresOn: at(addDays(FIRST_DAY, expires), '00:00') };
}

function build(s: Scenario): RehomingInput {
  const providers = s.providers.map((p, i) => ({ id: `p${i}`, ...p }));
  const familyBased = providers.filter((p) => p.kind === 'FAMILY_BASED');
  const carers = familyBased.flatMap((p) =>
    s.carers.map((records, i) => ({ id: `${p.id}-carer${i}`, providerId: p.id, training: records.map((r) => record(r.need, r.completed, r.expires)) })),
  );
  const candidateSlots: CandidateSlot[] = s.slots.map((slot, i) => {
    const provider = providers[slot.provider % providers.length]!;
    const carer = provider.kind === 'FAMILY_BASED' ? carers.filter((c) => c.providerId === provider.id)[slot.carer % s.carers.length]! : null;
    return {
      id: `s${i}`,
      providerId: provider.id,
      providerKind: provider.kind,
      ...interval(slot.when),
      capacity: slot.capacity,
      booked: Math.min(slot.booked, slot.capacity),
      capabilities: slot.capabilities,
      reservedForAuthorityId: slot.reservedElsewhere ? 'another-authority' : null,
      ...(carer ? { carerId: carer.id, carerTraining: carer.training } : {}),
      provider: { id: provider.id, kind: provider.kind, location: provider.location },
    };
  });
  const children = s.children.map((c, i) => ({
    id: `c${i}`,
    authorityId: 'a',
    needs: c.needs,
    home: c.home,
    needsTransport: c.needsTransport,
    needsEscort: c.needsEscort,
    wheelchair: c.needs.includes('WHEELCHAIR'),
  }));
  const stays: Record<string, StayInfo[]> = {};
  s.children.forEach((c, i) => (stays[`c${i}`] = c.stays.map((w) => ({ providerId: 'elsewhere', ...interval(w) }))));
  return {
    seed: s.seed,
    closingProviderId: 'closing',
    closingProviderLocation: { lat: 51, lng: -0.3 },
    affected: s.affected.map((a, i) => ({
      bookingId: `b${i}`,
      child: children[a.child % children.length]!,
      slot: {
        id: `closing-${a.when.day}-${a.when.nights}`,
        providerId: 'closing',
        providerKind: 'RESIDENTIAL',
        ...interval(a.when),
        capacity: 6,
        booked: 6,
        capabilities: NEEDS,
        reservedForAuthorityId: null,
      },
      groupKey: `g${a.group}`,
    })),
    candidateSlots,
    stays,
    entitlements: s.children.map((c, i) => ({
      childId: `c${i}`,
      periodStart: at('2027-01-01', '00:00'),
      periodEnd: at('2027-04-01', '00:00'),
      nights: c.nights,
      daySessions: c.daySessions,
    })),
    carers,
    vehicles: s.vehicles.map((v, i) => ({ id: `v${i}`, ...v })),
    transportRuns: s.vehicles.length === 0 ? [] : s.busy.map((b) => {
      const start = at(addDays(FIRST_DAY, b.day), `${String(b.hour).padStart(2, '0')}:00`);
      return { vehicleId: `v${b.vehicle % s.vehicles.length}`, departAt: start, returnAt: new Date(start.getTime() + 3 * 3600_000) };
    }),
    preferences: [...s.preferences],
    maxDateShiftDays: s.maxDateShiftDays,
  };
}

/** Every hard rule, re-checked against the plan's final state. */
function verify(input: RehomingInput, plan: RehomingPlan): void {
  expect(plan.outcomes.map((o) => o.bookingId)).toEqual(input.affected.map((a) => a.bookingId));
  expect(plan.summary.MOVED + plan.summary.PENDING_TRAINING + plan.summary.WAITLISTED).toBe(input.affected.length);
  expect(plan.summary.affected).toBe(input.affected.length);

  const slotById = new Map(input.candidateSlots.map((s) => [s.id, s]));
  const affectedById = new Map(input.affected.map((a) => [a.bookingId, a]));
  const holds = plan.outcomes.flatMap((o) => (o.outcome === 'WAITLISTED' ? [] : [o]));

  for (const hold of holds) {
    const slot = slotById.get(hold.toSlotId)!;
    const { child } = affectedById.get(hold.bookingId)!;
    expect(slot.providerId).not.toBe('closing');
    const others = holds.filter((h) => h !== hold);
    // The slot as it ends up, less this hold; the child's stays plus every other planned place.
    const slotNow: SlotInfo = { ...slot, booked: slot.booked + others.filter((h) => h.toSlotId === slot.id).length };
    const stays = [
      ...(input.stays[child.id] ?? []),
      ...others.filter((h) => h.childId === child.id).map((h) => slotById.get(h.toSlotId)!),
    ];
    const { refusals } = checkPlacement({ child, slot: slotNow, stays, entitlements: input.entitlements });
    if (hold.outcome === 'MOVED') {
      expect(refusals).toEqual([]);
      // Invariant 3: complex health needs only where met.
      expect(unmetNeeds(child, slot)).toEqual([]);
    } else {
      expect(slot.providerKind).toBe('FAMILY_BASED');
      expect(refusals.map((r) => r.reason)).toEqual(['NEEDS_NOT_MET']);
      const unmet = unmetNeeds(child, slot);
      expect(unmet.every(isComplexHealthNeed)).toBe(true);
      expect(hold.actions.map((a) => a.need).sort()).toEqual([...unmet].sort());
      expect(hold.actions.every((a) => a.neededBy.getTime() === slot.start.getTime())).toBe(true);
    }
    expect(hold.transport === null).toBe(!child.needsTransport);
  }

  // Invariant 1, with the plan's own moves added: never over a slot's places.
  for (const slot of input.candidateSlots) {
    const planned = holds.filter((h) => h.toSlotId === slot.id).length;
    if (planned > 0) expect(slot.booked + planned).toBeLessThanOrEqual(slot.capacity);
  }

  // Transport: capacity, escorts, and no vehicle in two places at once.
  const runs = plan.transport.runs;
  for (const run of runs) {
    const vehicle = input.vehicles.find((v) => v.id === run.vehicleId)!;
    const riders = run.passengers.map((p) => affectedById.get(p.requestId)!.child);
    const wheelchairs = riders.filter((c) => c.wheelchair).length;
    expect(wheelchairs).toBeLessThanOrEqual(vehicle.wheelchairSpaces);
    expect(riders.length - wheelchairs).toBeLessThanOrEqual(vehicle.seats);
    if (riders.some((c) => c.needsEscort)) expect(vehicle.hasEscort).toBe(true);
    const busy = { start: run.departAt, end: run.returnAt };
    for (const other of runs) {
      if (other !== run && other.vehicleId === run.vehicleId) expect(overlaps(busy, { start: other.departAt, end: other.returnAt })).toBe(false);
    }
    for (const existing of input.transportRuns) {
      if (existing.vehicleId === run.vehicleId) expect(overlaps(busy, { start: existing.departAt, end: existing.returnAt })).toBe(false);
    }
  }
  for (const hold of holds) {
    if (hold.transport && 'outbound' in hold.transport) {
      const ref = hold.transport;
      const outbound = runs.find((r) => r.id === ref.outbound)!;
      const back = runs.find((r) => r.id === ref.return)!;
      expect(outbound.direction).toBe('TO_BREAK');
      expect(back.direction).toBe('FROM_BREAK');
      for (const run of [outbound, back]) {
        expect(run.providerId).toBe(hold.toProviderId);
        expect(run.passengers.some((p) => p.requestId === hold.bookingId)).toBe(true);
      }
    }
  }
  // Every passenger is a child with a held place and a full round trip.
  for (const run of runs) {
    for (const p of run.passengers) expect(holds.find((h) => h.bookingId === p.requestId)?.transport).toHaveProperty('outbound');
  }
}

function byBooking(plan: RehomingPlan): string {
  return JSON.stringify([...plan.outcomes].sort((a, b) => (a.bookingId < b.bookingId ? -1 : 1)));
}

describe('planRehoming properties', () => {
  it('accounts for every affected booking once and never breaks a hard rule', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const input = build(scenario);
        verify(input, planRehoming(input));
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic for a seed, whatever order the inputs arrive in', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const input = build(scenario);
        const plan = planRehoming(input);
        const reordered = planRehoming({
          ...input,
          affected: [...input.affected].reverse(),
          candidateSlots: [...input.candidateSlots].reverse(),
          carers: [...input.carers].reverse(),
          vehicles: [...input.vehicles].reverse(),
        });
        expect(byBooking(reordered)).toBe(byBooking(plan));
        expect(reordered.transport).toEqual(plan.transport);
        expect(reordered.order).toEqual(plan.order);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the generator', () => {
  it('produces every kind of outcome and transport runs, so the properties above are not vacuous', () => {
    const totals = { MOVED: 0, PENDING_TRAINING: 0, WAITLISTED: 0, runs: 0, unmetTransport: 0 };
    for (const scenario of fc.sample(scenarioArb, { numRuns: 300, seed: 42 })) {
      const plan = planRehoming(build(scenario));
      totals.MOVED += plan.summary.MOVED;
      totals.PENDING_TRAINING += plan.summary.PENDING_TRAINING;
      totals.WAITLISTED += plan.summary.WAITLISTED;
      totals.runs += plan.transport.runs.length;
      totals.unmetTransport += plan.outcomes.filter((o) => o.outcome !== 'WAITLISTED' && o.transport && 'unmet' in o.transport).length;
    }
    expect(Object.values(totals).every((n) => n > 0)).toBe(true);
  });
});
