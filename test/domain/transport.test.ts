import { describe, expect, it } from 'vitest';
import { overlaps } from '../../src/domain/eligibility.js';
import type { LatLng } from '../../src/domain/geo.js';
import { londonWallTimeToInstant } from '../../src/domain/london-time.js';
import {
  MIN_WINDOW_MINUTES,
  assignTransport,
  type TransportPlan,
  type TransportRequest,
  type Vehicle,
} from '../../src/domain/rehoming/transport.js';

const at = londonWallTimeToInstant;
const WORTHING: LatLng = { lat: 50.817, lng: -0.372 };
const HORSHAM: LatLng = { lat: 51.063, lng: -0.327 };
const CRAWLEY: LatLng = { lat: 51.109, lng: -0.187 };

function vehicle(id: string, overrides: Partial<Vehicle> = {}): Vehicle {
  return { id, seats: 4, wheelchairSpaces: 1, hasEscort: false, base: WORTHING, ...overrides };
}

function request(requestId: string, overrides: Partial<TransportRequest> = {}): TransportRequest {
  return {
    requestId,
    childId: `child-${requestId}`,
    providerId: 'weald',
    providerLocation: HORSHAM,
    home: CRAWLEY,
    start: at('2027-02-05', '17:00'),
    end: at('2027-02-06', '10:00'),
    wheelchair: false,
    needsEscort: false,
    ...overrides,
  };
}

function runsOf(plan: TransportPlan, requestId: string) {
  const assigned = plan.byRequest[requestId];
  if (!assigned || 'unmet' in assigned) throw new Error(`${requestId}: ${JSON.stringify(assigned)}`);
  return {
    outbound: plan.runs.find((r) => r.id === assigned.outbound)!,
    back: plan.runs.find((r) => r.id === assigned.return)!,
  };
}

describe('assignTransport', () => {
  it('groups children going to the same provider at the same time into one run each way', () => {
    const plan = assignTransport({ vehicles: [vehicle('minibus', { seats: 8 })], existingRuns: [], requests: [request('a'), request('b'), request('c')] });
    expect(plan.runs).toHaveLength(2);
    const { outbound, back } = runsOf(plan, 'a');
    expect(outbound).toMatchObject({ vehicleId: 'minibus', providerId: 'weald', direction: 'TO_BREAK', arriveBy: at('2027-02-05', '17:00') });
    expect(back).toMatchObject({ direction: 'FROM_BREAK' });
    expect(outbound.passengers.map((p) => p.childId)).toEqual(['child-a', 'child-b', 'child-c']);
    // The pick-up window is never shorter than 90 minutes either side.
    expect(outbound.arriveBy.getTime() - outbound.departAt.getTime()).toBeGreaterThanOrEqual(MIN_WINDOW_MINUTES * 60_000);
    expect(outbound.returnAt.getTime() - outbound.arriveBy.getTime()).toBeGreaterThanOrEqual(MIN_WINDOW_MINUTES * 60_000);
    expect(back.departAt.getTime()).toBeLessThanOrEqual(at('2027-02-06', '10:00').getTime() - MIN_WINDOW_MINUTES * 60_000);
  });

  it('never exceeds seats or wheelchair spaces: a second vehicle takes the overflow', () => {
    const vehicles = [vehicle('car', { seats: 2, wheelchairSpaces: 0 }), vehicle('van', { seats: 2, wheelchairSpaces: 1, base: CRAWLEY })];
    const requests = [request('a'), request('b'), request('c'), request('w1', { wheelchair: true }), request('w2', { wheelchair: true })];
    const plan = assignTransport({ vehicles, existingRuns: [], requests });
    for (const run of plan.runs) {
      const v = vehicles.find((x) => x.id === run.vehicleId)!;
      const wheelchairs = run.passengers.filter((p) => p.childId.startsWith('child-w')).length;
      expect(wheelchairs).toBeLessThanOrEqual(v.wheelchairSpaces);
      expect(run.passengers.length - wheelchairs).toBeLessThanOrEqual(v.seats);
    }
    // Only one wheelchair space in the fleet: the second wheelchair user is told so.
    expect(plan.byRequest.w1).toHaveProperty('outbound');
    expect(plan.byRequest.w2).toEqual({ unmet: 'no free vehicle with a wheelchair space to the break on 2027-02-05 evening' });
    expect(['a', 'b', 'c'].every((id) => 'outbound' in plan.byRequest[id]!)).toBe(true);
  });

  it('puts a child who needs an escort only in a vehicle with one', () => {
    const vehicles = [vehicle('a-plain', { base: HORSHAM }), vehicle('b-escorted', { hasEscort: true })];
    const plan = assignTransport({ vehicles, existingRuns: [], requests: [request('e', { needsEscort: true }), request('p')] });
    expect(runsOf(plan, 'e').outbound.vehicleId).toBe('b-escorted');
    const none = assignTransport({ vehicles: [vehicle('plain')], existingRuns: [], requests: [request('e', { needsEscort: true, wheelchair: true })] });
    expect(none.byRequest.e).toEqual({ unmet: 'no vehicle has a wheelchair space and an escort' });
  });

  it('never puts a vehicle in two overlapping runs, counting the runs it already has', () => {
    const busy = { vehicleId: 'only', departAt: at('2027-02-05', '16:00'), returnAt: at('2027-02-05', '19:00') };
    const blocked = assignTransport({ vehicles: [vehicle('only')], existingRuns: [busy], requests: [request('a')] });
    expect(blocked.byRequest.a).toEqual({ unmet: 'no free vehicle with a seat to the break on 2027-02-05 evening' });
    // A half journey holds no seat: the return run is not planned either.
    expect(blocked.runs).toEqual([]);

    // Two providers at the same time need two vehicles.
    const plan = assignTransport({
      vehicles: [vehicle('v1'), vehicle('v2')],
      existingRuns: [],
      requests: [request('a'), request('b', { providerId: 'other', providerLocation: CRAWLEY })],
    });
    expect(new Set(plan.runs.filter((r) => r.direction === 'TO_BREAK').map((r) => r.vehicleId))).toEqual(new Set(['v1', 'v2']));
    for (const r of plan.runs) {
      for (const s of plan.runs) {
        if (r !== s && r.vehicleId === s.vehicleId) {
          expect(overlaps({ start: r.departAt, end: r.returnAt }, { start: s.departAt, end: s.returnAt })).toBe(false);
        }
      }
    }
  });

  it('is deterministic whatever the input order', () => {
    const vehicles = [vehicle('v1', { seats: 2 }), vehicle('v2', { seats: 3, hasEscort: true, base: CRAWLEY })];
    const requests = ['a', 'b', 'c', 'd'].map((id, i) => request(id, { needsEscort: i === 2, wheelchair: i === 3 }));
    const plan = assignTransport({ vehicles, existingRuns: [], requests });
    expect(assignTransport({ vehicles: [...vehicles].reverse(), existingRuns: [], requests: [...requests].reverse() })).toEqual(plan);
  });
});
