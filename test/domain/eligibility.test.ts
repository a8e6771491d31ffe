import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANNUAL_STAY_LIMIT_DAYS,
  checkPlacement,
  isEligible,
  nightsOf,
  overlaps,
  refusalReasons,
  unmetNeeds,
  type RefusalReason,
} from '../../src/domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo, TrainingRecordInfo } from '../../src/domain/model.js';

const at = londonWallTimeToInstant;

function child(overrides: Partial<ChildInfo> = {}): ChildInfo {
  return { id: 'child-1', authorityId: 'authority-1', needs: [], ...overrides };
}

/** A Friday 17:00 to Sunday 10:00 weekend (two nights) in a residential unit. */
function slot(overrides: Partial<SlotInfo> = {}): SlotInfo {
  return {
    id: 'slot-1',
    providerId: 'provider-1',
    providerKind: 'RESIDENTIAL',
    start: at('2025-10-24', '17:00'),
    end: at('2025-10-26', '10:00'),
    capacity: 2,
    booked: 0,
    capabilities: [],
    reservedForAuthorityId: null,
    ...overrides,
  };
}

/** A stay of `nights` nights from 17:00 on `startDate` to 10:00 on the last morning. */
function stay(startDate: string, nights: number, providerId = 'provider-2'): StayInfo {
  return { providerId, start: at(startDate, '17:00'), end: at(addDays(startDate, nights), '10:00') };
}

function award(overrides: Partial<EntitlementInfo> = {}): EntitlementInfo {
  return {
    childId: 'child-1',
    periodStart: at('2025-04-01', '00:00'),
    periodEnd: at('2026-04-01', '00:00'),
    nights: 36,
    daySessions: 12,
    ...overrides,
  };
}

/** A generous award over several years, so tests of other rules are not refused for entitlement. */
const unlimited = award({ periodStart: at('2020-01-01', '00:00'), periodEnd: at('2030-01-01', '00:00'), nights: 1000, daySessions: 1000 });

function training(need: TrainingRecordInfo['need'], completedOn: string, expiresOn: string): TrainingRecordInfo {
  return { need, completedOn: at(completedOn, '00:00'), expiresOn: at(expiresOn, '00:00') };
}

/** checkPlacement's reasons; the allocator's quiet refusalReasons must give the same ones for every case here. */
function reasons(input: Parameters<typeof checkPlacement>[0]): RefusalReason[] {
  const given = checkPlacement(input).refusals.map((r) => r.reason);
  expect(refusalReasons(input)).toEqual(given);
  return given;
}

describe('nightsOf', () => {
  it('counts London date boundaries crossed', () => {
    expect(nightsOf({ start: at('2025-10-24', '17:00'), end: at('2025-10-26', '10:00') })).toBe(2);
    expect(nightsOf({ start: at('2025-07-05', '10:00'), end: at('2025-07-05', '16:00') })).toBe(0);
  });

  it('counts by London dates, not UTC dates, across BST and the clock changes', () => {
    // 00:30 to 10:00 London on one summer date, although the UTC dates differ.
    expect(nightsOf({ start: new Date('2025-06-30T23:30:00Z'), end: new Date('2025-07-01T09:00:00Z') })).toBe(0);
    expect(nightsOf({ start: at('2025-10-25', '17:00'), end: at('2025-10-26', '10:00') })).toBe(1);
    expect(nightsOf({ start: at('2026-03-28', '17:00'), end: at('2026-03-29', '10:00') })).toBe(1);
  });
});

describe('overlaps', () => {
  const a = { start: at('2025-10-24', '17:00'), end: at('2025-10-26', '10:00') };

  it('treats intervals as half-open: touching ends do not overlap', () => {
    expect(overlaps(a, { start: a.end, end: at('2025-10-26', '16:00') })).toBe(false);
    expect(overlaps({ start: at('2025-10-24', '10:00'), end: a.start }, a)).toBe(false);
  });

  it('detects any shared instant', () => {
    expect(overlaps(a, { start: at('2025-10-26', '09:59'), end: at('2025-10-26', '16:00') })).toBe(true);
    expect(overlaps(a, { start: at('2025-10-25', '10:00'), end: at('2025-10-25', '16:00') })).toBe(true);
  });
});

describe('unmetNeeds', () => {
  it('ignores needs that do not restrict the place', () => {
    expect(unmetNeeds(child({ needs: ['AUTISM', 'CHALLENGING_BEHAVIOUR'] }), slot())).toEqual([]);
  });

  it('matches place-required needs against capabilities', () => {
    const c = child({ needs: ['WHEELCHAIR', 'GASTROSTOMY', 'HOIST'] });
    expect(unmetNeeds(c, slot({ capabilities: ['WHEELCHAIR', 'GASTROSTOMY'] }))).toEqual(['HOIST']);
  });

  describe('family-based', () => {
    const c = child({ needs: ['GASTROSTOMY', 'WHEELCHAIR'] });
    const familySlot = (carerTraining: TrainingRecordInfo[]) =>
      slot({ providerKind: 'FAMILY_BASED', capabilities: ['GASTROSTOMY', 'WHEELCHAIR'], carerTraining });

    it('meets a complex need with training valid for the whole stay', () => {
      expect(unmetNeeds(c, familySlot([training('GASTROSTOMY', '2025-01-01', '2026-01-01')]))).toEqual([]);
    });

    it('does not accept a capability in place of carer training', () => {
      expect(unmetNeeds(c, familySlot([]))).toEqual(['GASTROSTOMY']);
    });

    it('refuses training that expires mid-stay or is completed after the stay starts', () => {
      expect(unmetNeeds(c, familySlot([training('GASTROSTOMY', '2025-01-01', '2025-10-25')]))).toEqual(['GASTROSTOMY']);
      expect(unmetNeeds(c, familySlot([training('GASTROSTOMY', '2025-10-25', '2026-10-25')]))).toEqual(['GASTROSTOMY']);
    });

    it('uses capabilities for the non-complex needs', () => {
      const noWheelchair = slot({ providerKind: 'FAMILY_BASED', capabilities: [], carerTraining: [training('GASTROSTOMY', '2025-01-01', '2026-01-01')] });
      expect(unmetNeeds(c, noWheelchair)).toEqual(['WHEELCHAIR']);
    });
  });
});

describe('checkPlacement', () => {
  it('places a child when every rule holds', () => {
    const result = checkPlacement({ child: child(), slot: slot(), stays: [], entitlements: [award()] });
    expect(result).toEqual({ refusals: [], warnings: [] });
    expect(isEligible(result)).toBe(true);
  });

  it('refuses a full slot', () => {
    const result = checkPlacement({ child: child(), slot: slot({ booked: 2 }), stays: [], entitlements: [award()] });
    expect(result.refusals).toEqual([{ reason: 'SLOT_FULL', detail: 'The 2 places in this slot are all taken' }]);
    expect(isEligible(result)).toBe(false);
    expect(checkPlacement({ child: child(), slot: slot({ capacity: 1, booked: 1 }), stays: [], entitlements: [award()] }).refusals[0]?.detail).toBe(
      'The only place in this slot is taken',
    );
  });

  it("refuses places reserved for another authority's children", () => {
    const reserved = (authority: string) => slot({ reservedForAuthorityId: authority });
    expect(reasons({ child: child(), slot: reserved('authority-2'), stays: [], entitlements: [award()] })).toEqual([
      'RESERVED_FOR_OTHER_AUTHORITY',
    ]);
    expect(reasons({ child: child(), slot: reserved('authority-1'), stays: [], entitlements: [award()] })).toEqual([]);
  });

  it('explains which needs are not met and why', () => {
    const result = checkPlacement({
      child: child({ needs: ['GASTROSTOMY', 'EPILEPSY_RESCUE_MEDICATION', 'WHEELCHAIR'] }),
      slot: slot({
        providerKind: 'FAMILY_BASED',
        carerTraining: [training('GASTROSTOMY', '2024-01-03', '2025-10-25')],
      }),
      stays: [],
      entitlements: [award()],
    });
    expect(result.refusals).toEqual([
      {
        reason: 'NEEDS_NOT_MET',
        detail:
          "This place cannot meet: GASTROSTOMY (carer's training expires 2025-10-25, before the stay ends); " +
          'EPILEPSY_RESCUE_MEDICATION (the carer has no training for it); WHEELCHAIR',
      },
    ]);
  });

  it('refuses a booking that overlaps another stay, including one in the same slot', () => {
    const existing = { ...stay('2025-10-25', 1), slotId: 'slot-other' };
    const result = checkPlacement({ child: child(), slot: slot(), stays: [existing], entitlements: [unlimited] });
    expect(result.refusals).toEqual([
      {
        reason: 'OVERLAPPING_BOOKING',
        detail: 'Your child is already booked for a break from 2025-10-25 17:00 to 2025-10-26 10:00, which overlaps this one',
      },
    ]);
    const sameSlot = { slotId: 'slot-1', providerId: 'provider-1', start: slot().start, end: slot().end };
    expect(reasons({ child: child(), slot: slot(), stays: [sameSlot], entitlements: [unlimited] })).toEqual(['OVERLAPPING_BOOKING']);
  });

  describe('entitlement', () => {
    it('refuses when no award covers the date', () => {
      const result = checkPlacement({
        child: child(),
        slot: slot(),
        stays: [],
        entitlements: [award({ periodEnd: at('2025-10-24', '00:00') }), award({ childId: 'child-2' })],
      });
      expect(result.refusals).toEqual([
        { reason: 'ENTITLEMENT_EXCEEDED', detail: 'Your child has no short-breaks award covering 2025-10-24' },
      ]);
    });

    it('counts the nights of stays starting in the award period', () => {
      // 34 nights used (the March stay is before the period): the last 2 of 36 fit exactly, a third does not.
      const stays = [stay('2025-05-02', 20), stay('2025-07-04', 14), stay('2025-03-07', 10)];
      expect(reasons({ child: child(), slot: slot(), stays, entitlements: [award()] })).toEqual([]);
      const result = checkPlacement({ child: child(), slot: slot(), stays: [...stays, stay('2025-08-01', 1)], entitlements: [award()] });
      expect(result.refusals).toEqual([
        {
          reason: 'ENTITLEMENT_EXCEEDED',
          detail: 'This break needs 2 nights, but 1 of the 36 nights awarded for 2025-04-01 to 2026-03-31 is left',
        },
      ]);
    });

    it('adds up several awards covering the date', () => {
      const stays = [stay('2025-05-02', 20), stay('2025-07-04', 15)];
      const topUp = award({ periodStart: at('2025-10-01', '00:00'), periodEnd: at('2026-01-01', '00:00'), nights: 2, daySessions: 0 });
      expect(reasons({ child: child(), slot: slot(), stays, entitlements: [award()] })).toEqual(['ENTITLEMENT_EXCEEDED']);
      expect(reasons({ child: child(), slot: slot(), stays, entitlements: [award(), topUp] })).toEqual([]);
    });

    it('counts a day session against day sessions, not nights', () => {
      const saturday = slot({ start: at('2025-07-05', '10:00'), end: at('2025-07-05', '16:00') });
      const sessions = (n: number) =>
        Array.from({ length: n }, (_, i) => {
          const date = addDays('2025-04-05', 7 * i);
          return { providerId: 'provider-2', start: at(date, '10:00'), end: at(date, '16:00') };
        });
      const noNights = award({ nights: 0 });
      expect(reasons({ child: child(), slot: saturday, stays: sessions(11), entitlements: [noNights] })).toEqual([]);
      expect(checkPlacement({ child: child(), slot: saturday, stays: sessions(12), entitlements: [noNights] }).refusals).toEqual([
        {
          reason: 'ENTITLEMENT_EXCEEDED',
          detail: 'This day session would go over the award: 12 of the 12 day sessions awarded for 2025-04-01 to 2026-03-31 are already booked',
        },
      ]);
    });
  });

  it('reports every refusal at once', () => {
    const result = checkPlacement({
      child: child({ needs: ['OXYGEN'] }),
      slot: slot({ booked: 2, reservedForAuthorityId: 'authority-2' }),
      stays: [stay('2025-10-25', 1)],
      entitlements: [],
    });
    expect(result.refusals.map((r) => r.reason)).toEqual([
      'SLOT_FULL',
      'RESERVED_FOR_OTHER_AUTHORITY',
      'NEEDS_NOT_MET',
      'OVERLAPPING_BOOKING',
      'ENTITLEMENT_EXCEEDED',
    ]);
  });

  describe('single continuous stay (reg. 48: at most 17 days)', () => {
    const candidate = slot();

    it('merges back-to-back bookings at the same provider and warns from 14 days', () => {
      const before = { providerId: 'provider-1', start: at('2025-10-10', '17:00'), end: at('2025-10-24', '10:00') };
      const result = checkPlacement({ child: child(), slot: candidate, stays: [before], entitlements: [unlimited] });
      expect(result.refusals).toEqual([]);
      expect(result.warnings).toEqual([
        {
          code: 'SINGLE_STAY_NEAR_LIMIT',
          detail: 'This would be one continuous stay of 16 nights with this provider, close to the limit of 17 days',
          days: 16,
          limit: 17,
        },
      ]);
    });

    it('refuses a continuous stay over 17 days, merging stays on both sides', () => {
      const before = { providerId: 'provider-1', start: at('2025-10-12', '17:00'), end: at('2025-10-24', '09:00') };
      const after = { providerId: 'provider-1', start: at('2025-10-26', '18:00'), end: at('2025-10-30', '10:00') };
      const result = checkPlacement({ child: child(), slot: candidate, stays: [before, after], entitlements: [unlimited] });
      expect(result.refusals.map((r) => r.reason)).toEqual(['SINGLE_STAY_LIMIT']);
      expect(result.refusals[0]?.detail).toMatch(/one continuous stay of 18 nights/);
      expect(checkPlacement({ child: child(), slot: candidate, stays: [before], entitlements: [unlimited] }).refusals).toEqual([]);
    });

    it('does not merge stays at another provider or more than 12 hours apart', () => {
      const elsewhere = { providerId: 'provider-2', start: at('2025-10-08', '17:00'), end: at('2025-10-24', '10:00') };
      const gap = { providerId: 'provider-1', start: at('2025-10-08', '17:00'), end: at('2025-10-24', '04:59') };
      for (const before of [elsewhere, gap]) {
        expect(checkPlacement({ child: child(), slot: candidate, stays: [before], entitlements: [unlimited] })).toEqual({
          refusals: [],
          warnings: [],
        });
      }
    });

    it('does not apply to day sessions', () => {
      const daySession = slot({ start: at('2025-10-24', '10:00'), end: at('2025-10-24', '16:00') });
      const before = { providerId: 'provider-1', start: at('2025-10-04', '17:00'), end: at('2025-10-24', '09:00') };
      expect(checkPlacement({ child: child(), slot: daySession, stays: [before], entitlements: [unlimited] })).toEqual({
        refusals: [],
        warnings: [],
      });
    });
  });

  describe('rolling 12 months (reg. 48: at most 75 days)', () => {
    // 14 five-night stays, every 24 days from 2024-11-04 to 2025-09-17: 70 nights in 11 months.
    const seventyNights = Array.from({ length: 14 }, (_, i) => stay(addDays('2024-11-04', 24 * i), 5));
    const sixNights = (date: string) => slot({ start: at(date, '17:00'), end: at(addDays(date, 6), '10:00') });

    it('refuses a 6-night stay that would make 76 nights in a 12-month window', () => {
      const result = checkPlacement({ child: child(), slot: sixNights('2025-10-06'), stays: seventyNights, entitlements: [unlimited] });
      expect(result.refusals).toEqual([
        {
          reason: 'ANNUAL_STAY_LIMIT',
          detail:
            'This would make 76 nights away in the 12 months 2024-10-12 to 2025-10-11; more than 75 in any 12 months would make your child "looked after" by the council',
        },
      ]);
    });

    it('allows it, with a warning, once the earliest stay falls outside every 12-month window around it', () => {
      const result = checkPlacement({ child: child(), slot: sixNights('2025-11-10'), stays: seventyNights, entitlements: [unlimited] });
      expect(result.refusals).toEqual([]);
      expect(result.warnings).toEqual([
        expect.objectContaining({ code: 'ANNUAL_STAY_NEAR_LIMIT', days: 71, limit: ANNUAL_STAY_LIMIT_DAYS }),
      ]);
    });

    it('counts only the nights of a stay that fall inside the window', () => {
      // The first stay's last night (2024-11-08) is inside the window ending 2025-11-07; its other 4 are not.
      const result = checkPlacement({ child: child(), slot: sixNights('2025-11-02'), stays: seventyNights, entitlements: [unlimited] });
      expect(result.warnings).toEqual([expect.objectContaining({ code: 'ANNUAL_STAY_NEAR_LIMIT', days: 72 })]);
      const limit = checkPlacement({ child: child(), slot: sixNights('2025-10-28'), stays: seventyNights, entitlements: [unlimited] });
      expect(limit.refusals.map((r) => r.reason)).toEqual(['ANNUAL_STAY_LIMIT']);
    });

    it('agrees with a brute-force check of every 365-day window', () => {
      const day = (n: number) => addDays('2024-01-01', n);
      // Dense enough that about a third of runs go over the limit and a tenth land in the warning band.
      const stayArb = fc.record({ start: fc.integer({ min: 0, max: 730 }), nights: fc.integer({ min: 1, max: 10 }) });
      fc.assert(
        fc.property(fc.array(stayArb, { minLength: 5, maxLength: 35, size: 'max' }), stayArb, (existing, candidate) => {
          const stays = existing.map((s) => stay(day(s.start), s.nights));
          const awayNights = new Set([...existing, candidate].flatMap((s) => Array.from({ length: s.nights }, (_, i) => s.start + i)));
          let worst = 0;
          for (let windowStart = candidate.start - 364; windowStart < candidate.start + candidate.nights; windowStart++) {
            let count = 0;
            for (let d = windowStart; d < windowStart + 365; d++) if (awayNights.has(d)) count++;
            worst = Math.max(worst, count);
          }
          const candidateSlot = slot({ providerId: 'provider-9', start: at(day(candidate.start), '17:00'), end: at(day(candidate.start + candidate.nights), '10:00') });
          const result = checkPlacement({ child: child(), slot: candidateSlot, stays, entitlements: [unlimited] });
          const refused = result.refusals.some((r) => r.reason === 'ANNUAL_STAY_LIMIT');
          expect(refused).toBe(worst > ANNUAL_STAY_LIMIT_DAYS);
          expect(refusalReasons({ child: child(), slot: candidateSlot, stays, entitlements: [unlimited] })).toEqual(result.refusals.map((r) => r.reason));
          const warning = result.warnings.find((w) => w.code === 'ANNUAL_STAY_NEAR_LIMIT');
          expect(warning?.days).toBe(!refused && worst >= 65 ? worst : undefined);
        }),
        { numRuns: 150 },
      );
    });
  });
});

describe('refusalReasons', () => {
  it('refuses exactly what checkPlacement refuses for stays run together at one provider, gaps and all', () => {
    // Stays at one provider a few hours apart, so the 17-day rule merges some of them: around the limit
    // and the warning, where the quiet path's shortcut must not skip a refusal.
    const hour = 3_600_000;
    const stayArb = fc.record({ gapHours: fc.integer({ min: 0, max: 30 }), hours: fc.integer({ min: 14, max: 120 }) });
    fc.assert(
      fc.property(fc.array(stayArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), (runs, candidateAt) => {
        const stays: StayInfo[] = [];
        let at = at0.getTime();
        for (const { gapHours, hours } of runs) {
          at += gapHours * hour;
          stays.push({ providerId: 'provider-1', start: new Date(at), end: new Date(at + hours * hour) });
          at += hours * hour;
        }
        const chosen = stays.splice(Math.min(candidateAt, stays.length - 1), 1)[0] as StayInfo;
        const input = { child: child(), slot: slot({ start: chosen.start, end: chosen.end }), stays, entitlements: [unlimited] };
        expect(refusalReasons(input)).toEqual(checkPlacement(input).refusals.map((r) => r.reason));
      }),
      { numRuns: 300 },
    );
  });
});

const at0 = at('2025-06-02', '17:00');
