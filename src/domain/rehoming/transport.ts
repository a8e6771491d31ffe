/**
 * Specialist transport to and from a break (the seed case
 * ../shared/seeds/002_* moved families with "specialist transport to the
 * residential short break home").
 *
 * Runs are per (vehicle, direction, provider, time): children going to the same
 * provider at the same time share a run. Hard rules, each checked on every
 * assignment: a run never exceeds the vehicle's seats or wheelchair spaces; a
 * child needing an escort only travels in a vehicle with one; a vehicle is never
 * in two runs whose time windows overlap, counting runs it already has.
 *
 * Greedy and deterministic: groups in time order, the hardest children to seat
 * first, vehicles in a fixed order. Not optimal packing, but explainable, and a
 * child with no vehicle is reported, never dropped.
 */
import { compareIds } from '../allocation/round-state.js';
import { overlaps } from '../eligibility.js';
import { travelMinutes, type LatLng } from '../geo.js';
import { londonDateOf, londonWallTimeOf } from '../london-time.js';

export interface Vehicle {
  id: string;
  /** The authority whose vehicle it is: it carries only that authority's children (when both are known). */
  authorityId?: string;
  /** Passenger seats, not counting driver and escort. */
  seats: number;
  /** Wheelchair spaces; a wheelchair user travels in one of these, not in a seat. */
  wheelchairSpaces: number;
  hasEscort: boolean;
  base: LatLng;
}

/** When a vehicle is already committed: from leaving its base to being back. */
export interface VehicleBusyInterval {
  vehicleId: string;
  departAt: Date;
  returnAt: Date;
}

/** One child's journey to a break and home again. */
export interface TransportRequest {
  /** Caller's key for the journey (the planner uses the affected booking's id): a child may have several breaks. */
  requestId: string;
  childId: string;
  /** The child's authority; only its own vehicles (or vehicles of no stated authority) carry the child. */
  authorityId?: string;
  providerId: string;
  providerLocation: LatLng;
  /** Pick-up and drop-off point; null when unknown (the run is then sized by the 90-minute floor alone). */
  home: LatLng | null;
  /** The slot's start (arrive by) and end (collect at). */
  start: Date;
  end: Date;
  wheelchair: boolean;
  needsEscort: boolean;
}

export interface TransportInput {
  vehicles: Vehicle[];
  existingRuns: VehicleBusyInterval[];
  requests: TransportRequest[];
}

export type TransportDirection = 'TO_BREAK' | 'FROM_BREAK';

export interface PlannedRun {
  /** Plan-local reference (`run-1`, …), stable for the same input. */
  id: string;
  vehicleId: string;
  providerId: string;
  direction: TransportDirection;
  /** Leaves its base. */
  departAt: Date;
  /** TO_BREAK: at the provider (the slot start). FROM_BREAK: the last child is home. */
  arriveBy: Date;
  /** Back at its base; the vehicle is busy from departAt to returnAt. */
  returnAt: Date;
  passengers: { requestId: string; childId: string }[];
}

export type RequestTransport = { outbound: string; return: string } | { unmet: string };

export interface TransportPlan {
  runs: PlannedRun[];
  byRequest: Record<string, RequestTransport>;
}

/**
 * Pick-up windows. Without a routing service the time a run takes is estimated
 * (geo.ts: straight line x 1.3 at 40 km/h) over the homes in nearest-first
 * order, plus a few minutes per child to board safely. Estimates run short in
 * traffic, so a run is never given less than 90 minutes either side of the time
 * it serves: leave base at least 90 minutes before the slot starts, be back at
 * least 90 minutes after (and likewise around the slot's end for the return).
 */
export const MIN_WINDOW_MINUTES = 90;
const BOARDING_MINUTES = 5;
const MS_PER_MINUTE = 60_000;

interface Leg {
  request: TransportRequest;
  direction: TransportDirection;
  /** The slot start (TO_BREAK) or end (FROM_BREAK). */
  anchor: Date;
}

interface OpenRun {
  vehicle: Vehicle;
  providerId: string;
  providerLocation: LatLng;
  direction: TransportDirection;
  anchor: Date;
  legs: Leg[];
  window: { departAt: Date; arriveBy: Date; returnAt: Date };
}

export function assignTransport(input: TransportInput): TransportPlan {
  const vehicles = [...input.vehicles].sort((a, b) => compareIds(a.id, b.id));
  const requests = [...input.requests].sort((a, b) => compareIds(a.requestId, b.requestId));
  if (new Set(requests.map((r) => r.requestId)).size !== requests.length) throw new Error('transport requestIds must be unique');

  // A child is only useful to carry one way: when either leg fails, drop the
  // child from both and plan again, so no seat is held for a half journey.
  // Each pass removes at least one request, so this ends.
  const unmet = new Map<string, string>();
  for (;;) {
    const live = requests.filter((r) => !unmet.has(r.requestId));
    const { runs, failures } = assignLegs(vehicles, input.existingRuns, live);
    if (failures.size === 0) return finish(runs, requests, unmet);
    for (const [requestId, reason] of failures) unmet.set(requestId, reason);
  }
}

function finish(runs: OpenRun[], requests: TransportRequest[], unmet: Map<string, string>): TransportPlan {
  const ordered = [...runs].sort(
    (a, b) =>
      a.window.departAt.getTime() - b.window.departAt.getTime() ||
      compareIds(a.vehicle.id, b.vehicle.id) ||
      compareIds(a.direction, b.direction),
  );
  const planned: PlannedRun[] = ordered.map((run, i) => ({
    id: `run-${i + 1}`,
    vehicleId: run.vehicle.id,
    providerId: run.providerId,
    direction: run.direction,
    ...run.window,
    passengers: run.legs.map((leg) => ({ requestId: leg.request.requestId, childId: leg.request.childId })),
  }));
  const runOf = new Map<string, string>();
  for (const run of planned) for (const p of run.passengers) runOf.set(`${run.direction}|${p.requestId}`, run.id);

  const byRequest: Record<string, RequestTransport> = {};
  for (const request of requests) {
    const reason = unmet.get(request.requestId);
    const outbound = runOf.get(`TO_BREAK|${request.requestId}`);
    const back = runOf.get(`FROM_BREAK|${request.requestId}`);
    byRequest[request.requestId] =
      reason !== undefined || outbound === undefined || back === undefined
        ? { unmet: reason ?? 'no vehicle could be planned' }
        : { outbound, return: back };
  }
  return { runs: planned, byRequest };
}

function assignLegs(
  vehicles: Vehicle[],
  existing: VehicleBusyInterval[],
  requests: TransportRequest[],
): { runs: OpenRun[]; failures: Map<string, string> } {
  const legs: Leg[] = requests.flatMap((request) => [
    { request, direction: 'TO_BREAK' as const, anchor: request.start },
    { request, direction: 'FROM_BREAK' as const, anchor: request.end },
  ]);
  // Time order, so earlier journeys get first call on vehicles as a dispatcher
  // would plan a day; within one journey, children with the fewest usable
  // vehicles (escort, wheelchair) are seated first.
  legs.sort(
    (a, b) =>
      a.anchor.getTime() - b.anchor.getTime() ||
      compareIds(a.direction, b.direction) ||
      compareIds(a.request.providerId, b.request.providerId) ||
      difficulty(b.request) - difficulty(a.request) ||
      compareIds(a.request.childId, b.request.childId) ||
      compareIds(a.request.requestId, b.request.requestId),
  );

  const runs: OpenRun[] = [];
  const failures = new Map<string, string>();
  for (const leg of legs) {
    if (failures.has(leg.request.requestId)) continue;
    const sameJourney = runs.filter(
      (run) =>
        run.direction === leg.direction &&
        run.providerId === leg.request.providerId &&
        run.anchor.getTime() === leg.anchor.getTime(),
    );
    const joined = sameJourney.find((run) => tryAdd(run, leg, runs, existing));
    if (joined) continue;

    const fresh = vehicles
      .filter((vehicle) => suits(vehicle, leg.request))
      .sort(
        (a, b) =>
          travelMinutes(a.base, leg.request.providerLocation) - travelMinutes(b.base, leg.request.providerLocation) ||
          compareIds(a.id, b.id),
      )
      .map((vehicle): OpenRun => ({
        vehicle,
        providerId: leg.request.providerId,
        providerLocation: leg.request.providerLocation,
        direction: leg.direction,
        anchor: leg.anchor,
        legs: [leg],
        window: windowOf(vehicle, leg.request.providerLocation, leg.direction, leg.anchor, [leg]),
      }))
      .find((run) => isFree(run.vehicle.id, run.window, runs, existing, null));
    if (fresh) runs.push(fresh);
    else failures.set(leg.request.requestId, noVehicleReason(vehicles, leg));
  }
  return { runs, failures };
}

/** Higher = fewer vehicles can take the child. */
function difficulty(request: TransportRequest): number {
  return (request.needsEscort ? 2 : 0) + (request.wheelchair ? 1 : 0);
}

/** Whether the vehicle could ever carry this child (its council's, escort, a wheelchair space or a seat). */
function suits(vehicle: Vehicle, request: TransportRequest): boolean {
  if (vehicle.authorityId !== undefined && request.authorityId !== undefined && vehicle.authorityId !== request.authorityId) return false;
  if (request.needsEscort && !vehicle.hasEscort) return false;
  return request.wheelchair ? vehicle.wheelchairSpaces > 0 : vehicle.seats > 0;
}

function tryAdd(run: OpenRun, leg: Leg, runs: OpenRun[], existing: VehicleBusyInterval[]): boolean {
  if (!suits(run.vehicle, leg.request)) return false;
  const legs = [...run.legs, leg];
  const wheelchairs = legs.filter((l) => l.request.wheelchair).length;
  if (wheelchairs > run.vehicle.wheelchairSpaces || legs.length - wheelchairs > run.vehicle.seats) return false;
  // Another pick-up can lengthen the route and so the window; it must still fit the vehicle's day.
  const window = windowOf(run.vehicle, run.providerLocation, run.direction, run.anchor, legs);
  if (!isFree(run.vehicle.id, window, runs, existing, run)) return false;
  run.legs = legs;
  run.window = window;
  return true;
}

function isFree(
  vehicleId: string,
  window: OpenRun['window'],
  runs: OpenRun[],
  existing: VehicleBusyInterval[],
  self: OpenRun | null,
): boolean {
  const busy = { start: window.departAt, end: window.returnAt };
  return (
    existing.every((e) => e.vehicleId !== vehicleId || !overlaps(busy, { start: e.departAt, end: e.returnAt })) &&
    runs.every(
      (r) => r === self || r.vehicle.id !== vehicleId || !overlaps(busy, { start: r.window.departAt, end: r.window.returnAt }),
    )
  );
}

/** The run's window from the estimated route (see MIN_WINDOW_MINUTES for why it is padded). */
function windowOf(
  vehicle: Vehicle,
  provider: LatLng,
  direction: TransportDirection,
  anchor: Date,
  legs: Leg[],
): OpenRun['window'] {
  const homes = legs.flatMap((leg) => leg.request.home ?? []);
  const at = (minutes: number) => new Date(anchor.getTime() + minutes * MS_PER_MINUTE);
  if (direction === 'TO_BREAK') {
    const { minutes } = route(vehicle.base, homes, provider);
    const collect = minutes + BOARDING_MINUTES * legs.length;
    return {
      departAt: at(-Math.max(MIN_WINDOW_MINUTES, collect)),
      arriveBy: anchor,
      returnAt: at(Math.max(MIN_WINDOW_MINUTES, travelMinutes(provider, vehicle.base))),
    };
  }
  const { minutes, last } = route(provider, homes, null);
  const dropOff = minutes + BOARDING_MINUTES * legs.length;
  return {
    departAt: at(-Math.max(MIN_WINDOW_MINUTES, travelMinutes(vehicle.base, provider))),
    arriveBy: at(dropOff),
    returnAt: at(Math.max(MIN_WINDOW_MINUTES, dropOff + travelMinutes(last, vehicle.base))),
  };
}

/** Minutes from `from` through every stop, nearest next (ties by list order), then to `to` if given. */
function route(from: LatLng, stops: LatLng[], to: LatLng | null): { minutes: number; last: LatLng } {
  let here = from;
  let minutes = 0;
  const left = [...stops];
  while (left.length > 0) {
    let best = 0;
    for (let i = 1; i < left.length; i++) {
      if (travelMinutes(here, left[i]!) < travelMinutes(here, left[best]!)) best = i;
    }
    const next = left.splice(best, 1)[0]!;
    minutes += travelMinutes(here, next);
    here = next;
  }
  if (to) minutes += travelMinutes(here, to);
  return { minutes, last: here };
}

function noVehicleReason(vehicles: Vehicle[], leg: Leg): string {
  const { request } = leg;
  const what = [request.wheelchair ? 'a wheelchair space' : 'a seat', ...(request.needsEscort ? ['an escort'] : [])].join(
    ' and ',
  );
  if (!vehicles.some((vehicle) => suits(vehicle, request))) return `no vehicle has ${what}`;
  const journey = leg.direction === 'TO_BREAK' ? 'to the break' : 'home from the break';
  return `no free vehicle with ${what} ${journey} on ${londonDateOf(leg.anchor)} ${partOfDay(leg.anchor)}`;
}

function partOfDay(instant: Date): string {
  const hour = Number(londonWallTimeOf(instant).slice(0, 2));
  return hour < 12 ? 'morning' : hour < 17 ? 'afternoon' : 'evening';
}
