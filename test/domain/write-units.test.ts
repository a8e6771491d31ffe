import { describe, expect, it } from 'vitest';
import { writeUnits } from '../../src/domain/allocation/write-units.js';
import type { AllocatedBooking } from '../../src/domain/allocation/types.js';

const night = (id: string, date: string) => ({ id, start: new Date(`${date}T17:00:00Z`), end: new Date(new Date(`${date}T10:00:00Z`).getTime() + 86_400_000) });
const booked = (slotId: string, requestId: string, nights = 1): AllocatedBooking => ({ childId: `child-${requestId}`, slotId, requestId, preferenceRank: 1, units: nights, nights, cost: 1, transportNeeded: false });

describe('what a round writes all or nothing', () => {
  const slots = [night('fri1', '2027-01-08'), night('sat1', '2027-01-09'), night('fri2', '2027-01-15'), night('sat2', '2027-01-16'), night('tue', '2027-01-12')];

  it('keeps each weekend of a whole-stay request together, and each weekend apart from the next', () => {
    const plan = [booked('sat2', 'weekends'), booked('fri1', 'weekends'), booked('tue', 'single'), booked('fri2', 'weekends'), booked('sat1', 'weekends')];
    const units = writeUnits(plan, [{ id: 'weekends', stayNights: 2 }, { id: 'single', stayNights: 1 }], slots);
    expect(units.map((unit) => unit.map((b) => b.slotId))).toEqual([['fri1', 'sat1'], ['fri2', 'sat2'], ['tue']]);
  });

  it('writes the nights of a request that did not ask for them together one by one', () => {
    const plan = [booked('fri1', 'r'), booked('sat1', 'r')];
    expect(writeUnits(plan, [{ id: 'r', stayNights: 1 }], slots)).toEqual([[plan[0]], [plan[1]]]);
    expect(writeUnits(plan, [{ id: 'r', stayNights: null }], slots)).toEqual([[plan[0]], [plan[1]]]);
  });

  it('refuses a plan that books a slot its snapshot does not hold', () => {
    expect(() => writeUnits([booked('elsewhere', 'r'), booked('fri1', 'r')], [{ id: 'r', stayNights: 2 }], slots)).toThrow(/does not hold/);
  });
});
