/**
 * Helpers for the closure and re-homing tests: polling a closure,
 * tokens for receiving providers, and the database's own view of what a
 * closure must never break (history, transport capacity).
 */
import { db } from '../../src/db.js';
import { addJob } from '../../src/jobs/queues.js';
import { mintToken } from '../../src/services/tokens.js';
import { expect } from 'vitest';
import { get, post } from './api.js';

export interface OutcomeView {
  id: string;
  bookingId: string;
  childId: string;
  outcome: 'MOVED' | 'OFFERED' | 'WAITLISTED' | 'PENDING_TRAINING' | 'CANCELLED_BY_FAMILY';
  toSlotId: string | null;
  newBookingId: string | null;
  waitlistEntryId: string | null;
  reason: string;
  detail: any;
  trainingAction: any;
  transport: any;
  applied: boolean;
  fromOutcomeId: string | null;
  supersededByOutcomeId: string | null;
}

export interface ClosureView {
  id: string;
  providerId: string;
  authorityId: string;
  status: 'CONSULTING' | 'QUEUED' | 'PLANNING' | 'APPLYING' | 'COMPLETED' | 'FAILED';
  error: string | null;
  counts: Record<'affected' | 'MOVED' | 'OFFERED' | 'WAITLISTED' | 'PENDING_TRAINING' | 'CANCELLED_BY_FAMILY' | 'notYetPlanned', number>;
  waitlistEntriesMoved: number;
  trainingActions: any[];
  outcomes: OutcomeView[];
}

/**
 * POST a closure that must be accepted (202). The job is recorded in the shared
 * outbox; any test process's sweeper may push it to that process's own queue
 * prefix, so it is also added (same deterministic jobId) to this file's queue,
 * which this file's workers serve.
 */
export async function closeProvider(coordinatorToken: string, providerId: string, body: Record<string, unknown>): Promise<ClosureView> {
  const res = await post<ClosureView>(`/v1/providers/${providerId}/closure`, coordinatorToken, { confirm: true, reason: 'The home is closing', ...body });
  if (res.status !== 202) throw new Error(`closure refused with ${res.status}: ${JSON.stringify(res.body)}`);
  // A closure that consults the families first queues nothing until the coordinator proceeds.
  const consults = body.consultUntil !== undefined;
  expect(await db().jobOutbox.count({ where: { jobId: `closure-${res.body.id}` } })).toBe(consults ? 0 : 1);
  if (!consults) await addJob('planClosure', { closureId: res.body.id });
  return res.body;
}

/** Poll GET /v1/closures/:id until the job has finished (COMPLETED or FAILED). */
export async function waitForClosure(coordinatorToken: string, closureId: string, timeoutMs = 90_000): Promise<ClosureView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get<ClosureView>(`/v1/closures/${closureId}`, coordinatorToken);
    if (res.status !== 200) throw new Error(`GET closure answered ${res.status}: ${JSON.stringify(res.body)}`);
    if (res.body.status === 'COMPLETED' || res.body.status === 'FAILED') return res.body;
    if (Date.now() > deadline) throw new Error(`closure ${closureId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Poll the closure until `ready` holds for it. */
export async function waitForClosureState(coordinatorToken: string, closureId: string, what: string, ready: (c: ClosureView) => boolean, timeoutMs = 90_000): Promise<ClosureView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get<ClosureView>(`/v1/closures/${closureId}`, coordinatorToken);
    if (res.status === 200 && ready(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const providerTokens = new Map<string, string>();
/** A provider's bearer token (minted once per provider per test file). */
export async function providerTokenFor(providerId: string): Promise<string> {
  let token = providerTokens.get(providerId);
  if (!token) {
    token = await mintToken({ role: 'PROVIDER', providerId });
    providerTokens.set(providerId, token);
  }
  return token;
}

/** Every count adds up: one outcome per affected booking, nothing not yet planned. */
export function countsAddUp(c: ClosureView): boolean {
  const { affected, MOVED, OFFERED, WAITLISTED, PENDING_TRAINING, CANCELLED_BY_FAMILY, notYetPlanned } = c.counts;
  return notYetPlanned === 0 && MOVED + OFFERED + WAITLISTED + PENDING_TRAINING + CANCELLED_BY_FAMILY === affected && c.outcomes.length === affected;
}

/**
 * Transport runs that carry more children than their vehicle has seats or
 * wheelchair spaces (a wheelchair user takes a space, not a seat), a child who
 * needs an escort in a vehicle without one, and one vehicle in two runs at once.
 */
export async function transportViolations(vehicleIds: string[]) {
  const overloaded = await db().$queryRaw<{ id: string; wheelchairs: bigint; others: bigint }[]>`
    SELECT r.id,
           count(*) FILTER (WHERE 'WHEELCHAIR' = ANY(c.needs)) AS wheelchairs,
           count(*) FILTER (WHERE NOT ('WHEELCHAIR' = ANY(c.needs))) AS others
    FROM transport_run r
    JOIN vehicle v ON v.id = r."vehicleId"
    JOIN transport_seat s ON s."runId" = r.id
    JOIN child c ON c.id = s."childId"
    WHERE r."vehicleId" = ANY(${vehicleIds}::text[])
    GROUP BY r.id, v.seats, v."wheelchairSpaces"
    HAVING count(*) FILTER (WHERE 'WHEELCHAIR' = ANY(c.needs)) > v."wheelchairSpaces"
        OR count(*) FILTER (WHERE NOT ('WHEELCHAIR' = ANY(c.needs))) > v.seats`;
  const unescorted = await db().$queryRaw<{ id: string }[]>`
    SELECT r.id FROM transport_run r
    JOIN vehicle v ON v.id = r."vehicleId"
    JOIN transport_seat s ON s."runId" = r.id
    JOIN child c ON c.id = s."childId"
    WHERE r."vehicleId" = ANY(${vehicleIds}::text[]) AND c."needsEscort" AND NOT v."hasEscort"`;
  const doubleBooked = await db().$queryRaw<{ a: string; b: string }[]>`
    SELECT a.id AS a, b.id AS b FROM transport_run a JOIN transport_run b
      ON a."vehicleId" = b."vehicleId" AND a.id < b.id
     AND tstzrange(a."departAt", a."returnAt") && tstzrange(b."departAt", b."returnAt")
    WHERE a."vehicleId" = ANY(${vehicleIds}::text[])`;
  return { overloaded, unescorted, doubleBooked };
}
