/**
 * Allocation rounds. The API records the round and its job in one transaction
 * (202, poll); the worker loads a snapshot, runs the pure allocator
 * (src/domain/allocation) and writes every booking and the results in ONE
 * transaction — so a worker killed mid-round leaves either none of the round's
 * bookings or all of them, and a re-delivered job finds the round COMPLETED and
 * does nothing. Each booking still goes through placeChild, so the allocator's
 * plan is re-checked under the same locks as any direct booking.
 */
import { db, type Tx } from '../db.js';
import { Prisma, type AllocationRound } from '../generated/prisma/client.js';
import { allocate, usableSlots } from '../domain/allocation/index.js';
import { writeUnits } from '../domain/allocation/write-units.js';
import type { BreakRequestInfo, ScarcityCalendar } from '../domain/allocation/types.js';
import { ENGLAND_CALENDAR } from '../domain/calendar-england.js';
import type { CareNeed } from '../domain/care-needs.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import type { StayInfo } from '../domain/model.js';
import { ApiError, notFound } from '../errors.js';
import { flushOutboxSoon, recordJob } from '../jobs/outbox.js';
import { logger } from '../logger.js';
import { CreditHistoryColumn, RequestPreferencesColumn, RoundCalendarColumn, RoundMetricsColumn, RoundResultColumn, toJson, type RoundResult } from '../schemas/json-columns.js';
import type { StartRoundInput } from '../schemas/rounds.js';
import { requireRole, type Principal } from './access.js';
import { audit, type Actor } from './audit.js';
import { releaseBooking } from './bookings.js';
import { seededPeriod } from './seeded-run.js';
import { notify } from './notifications.js';
import { breaksInWords } from '../domain/notification-kinds.js';
import { placeChild, toEntitlementInfo, toSlotInfo, type SlotInfoSource } from './placement.js';
import { iso, isoOrNull } from './serialize.js';
import { sqlTransaction, transaction } from './tx.js';
import { addToWaitlist } from './waitlist.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';
import { paginate } from '../schemas/paging.js';

const WORKER: Actor = { role: 'SYSTEM', job: 'allocation' };

export function roundView(round: AllocationRound, bookings: number, onlyChildIds?: Set<string>) {
  const result = round.result === null ? null : RoundResultColumn.parse(round.result);
  const explanations = (result?.explanations ?? []).filter((e) => !onlyChildIds || onlyChildIds.has(e.childId));
  return {
    id: round.id,
    authorityId: round.authorityId,
    periodStart: round.periodStart,
    periodEnd: round.periodEnd,
    seed: round.seed,
    status: round.status,
    createdAt: iso(round.createdAt),
    startedAt: isoOrNull(round.startedAt),
    completedAt: isoOrNull(round.completedAt),
    publishedAt: isoOrNull(round.publishedAt),
    discardedAt: isoOrNull(round.discardedAt),
    error: round.error,
    bookings,
    // A family sees its own children's explanations and nothing about others.
    metrics: onlyChildIds || round.metrics === null ? null : RoundMetricsColumn.parse(round.metrics),
    explanations,
    lottery: onlyChildIds ? (result?.lottery ?? []).filter((l) => onlyChildIds.has(l.childId)) : (result?.lottery ?? []),
    order: onlyChildIds ? [] : (result?.order ?? []),
  };
}

export async function startRound(principal: Principal, input: StartRoundInput) {
  requireRole(principal, 'COORDINATOR');
  const round = await transaction(async (tx) => {
    // One live round per authority and overlapping period: two would race for the same places.
    const clash = await tx.allocationRound.findFirst({
      where: {
        authorityId: principal.authorityId,
        status: { in: ['QUEUED', 'RUNNING', 'COMPLETED'] },
        periodStart: { lte: input.periodEnd },
        periodEnd: { gte: input.periodStart },
      },
    });
    if (clash) throw new ApiError('CONFLICT', `Round ${clash.id} for an overlapping period is ${clash.status.toLowerCase()}; publish or discard it first`, { roundId: clash.id });
    const calendar: ScarcityCalendar = { ...ENGLAND_CALENDAR, ...input.calendar };
    const created = await tx.allocationRound.create({
      data: {
        authorityId: principal.authorityId,
        ...seededPeriod(input),
        calendar: toJson(RoundCalendarColumn, calendar),
      },
    });
    await recordJob(tx, 'runAllocationRound', { roundId: created.id });
    await audit(tx, principal, { action: 'round.started', entityType: 'AllocationRound', entityId: created.id, authorityId: principal.authorityId, after: input });
    return created;
  });
  flushOutboxSoon();
  return roundView(round, 0);
}

async function roundBookingCount(roundId: string) {
  return db().booking.count({ where: { roundId, status: { in: [...LIVE_BOOKING_STATUSES] } } });
}

export async function getRound(principal: Principal, roundId: string) {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  const round = await db().allocationRound.findFirst({ where: { id: roundId, authorityId: principal.authorityId } });
  if (!round) throw notFound('Allocation round');
  if (principal.role === 'FAMILY') {
    // Families see a round only once published, and only their own children in it.
    if (round.status !== 'PUBLISHED') throw notFound('Allocation round');
    const own = await db().child.findMany({ where: { familyId: principal.familyId }, select: { id: true } });
    return roundView(round, 0, new Set(own.map((c) => c.id)));
  }
  return roundView(round, await roundBookingCount(roundId));
}

export async function listRounds(principal: Principal, q: { limit: number; cursor?: string }) {
  requireRole(principal, 'COORDINATOR');
  // Newest first by when each was started: ids are random, so ordering by id alone listed rounds in no order at all.
  const rows = await db().allocationRound.findMany({
    where: { authorityId: principal.authorityId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
    take: q.limit + 1,
  });
  // The list is a summary: explanations and the lottery are on GET /v1/allocation-rounds/:id.
  const listed = paginate(rows, q.limit, async (r) => {
    const view = roundView(r, await roundBookingCount(r.id));
    return { ...view, explanations: view.explanations.slice(0, 0), lottery: view.lottery.slice(0, 0), order: view.order.slice(0, 0) };
  });
  return { ...listed, items: await Promise.all(listed.items) };
}

interface RoundSlotRow {
  id: string;
  providerId: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  booked: number;
  held: number;
  capabilities: string[];
  reservedForAuthorityId: string | null;
  carerId: string | null;
  kind: SlotInfoSource['provider']['kind'];
  training: { need: string; completedOn: string; expiresOn: string }[] | null;
}

/**
 * The period's slots a round may give: active, open to the authority (not a block contract of another), at a home
 * not closed by the slot's start. Every home in the country can be in it (providers are shared), so it is one
 * statement with only what toSlotInfo reads: through the ORM, with each slot's provider, closures and carer, a week's
 * slots took a quarter of a second of every authority's round at a tenth of a national deployment, growing with the
 * nation. `only`: just the slots named and those of the providers named (usableSlots), when nothing else could change
 * the round; a week of the country's 16,800 slots was most of a round's snapshot, allocation and memory.
 */
async function roundSlots(tx: Tx, authorityId: string, start: Date, end: Date, only: { slotIds: string[]; providerIds: string[] } | null) {
  const rows = await tx.$queryRaw<RoundSlotRow[]>`
    SELECT s.id, s."providerId", s."startsAt", s."endsAt", s.capacity, s.booked, s.held, s.capabilities::text[] AS capabilities,
           s."reservedForAuthorityId", s."carerId", p.kind::text AS kind,
           CASE WHEN s."carerId" IS NOT NULL THEN (SELECT COALESCE(json_agg(json_build_object('need', t.need, 'completedOn', t."completedOn", 'expiresOn', t."expiresOn")), '[]'::json)
                                                   FROM training_record t WHERE t."carerId" = s."carerId") END AS training
    FROM slot s JOIN provider p ON p.id = s."providerId"
    WHERE s.status = 'ACTIVE' AND s."startsAt" >= ${start} AND s."startsAt" < ${end}
      AND (s."reservedForAuthorityId" IS NULL OR s."reservedForAuthorityId" = ${authorityId})
      AND p.status <> 'CLOSED' AND (p."closingFrom" IS NULL OR s."startsAt" < p."closingFrom")
      ${only ? Prisma.sql`AND (s.id = ANY(${only.slotIds}::text[]) OR s."providerId" = ANY(${only.providerIds}::text[]))` : Prisma.empty}`;
  return rows.map((r): SlotInfoSource => ({
    ...r,
    provider: { kind: r.kind },
    // A carer's courses are calendar dates, as the ORM reads them: midnight UTC.
    carer: r.training === null ? null : { training: r.training.map((t) => ({ need: t.need, completedOn: new Date(t.completedOn), expiresOn: new Date(t.expiresOn) })) },
  }));
}

/**
 * Everything the allocator needs, read as one consistent snapshot (exported for what-if scenarios, which allocate a
 * copy). `calendar` is the round's JSON column, or for a scenario the default calendar: parsed either way.
 * `onlyUsableSlots`: read only the slots the requests can use when that provably allocates the same (usableSlots);
 * a scenario changes the homes themselves, so it reads every slot.
 */
export async function loadRoundInput(round: Pick<AllocationRound, 'authorityId' | 'periodStart' | 'periodEnd' | 'seed'> & { calendar: unknown }, options: { onlyUsableSlots?: boolean } = {}) {
  const start = londonWallTimeToInstant(round.periodStart, '00:00');
  const end = londonWallTimeToInstant(addDays(round.periodEnd, 1), '00:00');
  return db().$transaction(
    async (tx) => {
      const requests = await tx.breakRequest.findMany({
        where: { authorityId: round.authorityId, status: 'OPEN', periodStart: { lte: round.periodEnd }, periodEnd: { gte: round.periodStart } },
        orderBy: { createdAt: 'asc' },
      });
      // At most one request per child: the latest filed wins.
      const latest = new Map(requests.map((r) => [r.childId, r]));
      const childIds = [...latest.keys()];
      const children = await tx.child.findMany({ where: { id: { in: childIds } }, include: { entitlements: true } });
      const roundChildren = children.map((c) => ({ id: c.id, authorityId: c.authorityId, needs: c.needs as CareNeed[] }));
      const roundRequests = [...latest.values()].map<BreakRequestInfo>((r) => ({
        id: r.id,
        childId: r.childId,
        period: { from: r.periodStart, to: r.periodEnd },
        preferences: RequestPreferencesColumn.parse(r.preferences),
        flexible: r.flexible,
        transportNeeded: r.transportNeeded,
        nightsWanted: r.nightsWanted,
        stayNights: r.stayNights,
        filedAt: r.createdAt,
      }));
      const only = options.onlyUsableSlots ? usableSlots(roundRequests, roundChildren) : null;
      const slots = await roundSlots(tx, round.authorityId, start, end, only);
      const stays = await tx.booking.findMany({
        where: { childId: { in: childIds }, status: { in: [...LIVE_BOOKING_STATUSES] } },
        include: { slot: { select: { providerId: true } } },
      });
      const credits = await tx.allocationCredit.findMany({ where: { childId: { in: childIds } } });
      const existingStays: Record<string, StayInfo[]> = {};
      for (const b of stays) (existingStays[b.childId] ??= []).push({ slotId: b.slotId, providerId: b.slot.providerId, start: b.startsAt, end: b.endsAt });
      return {
        seed: round.seed,
        period: { start, end },
        slots: slots.map(toSlotInfo),
        children: roundChildren,
        entitlements: children.flatMap((c) => c.entitlements.map(toEntitlementInfo)),
        existingStays,
        requests: roundRequests,
        history: credits.map((c) => CreditHistoryColumn.parse(c.history)),
        calendar: RoundCalendarColumn.parse(round.calendar),
      };
    },
    { isolationLevel: 'RepeatableRead', timeout: 60_000 },
  );
}

/** The worker's job. Returns what it did; doing nothing on a finished round is what makes retries safe. */
export async function runRound(roundId: string): Promise<{ status: string; bookings: number }> {
  const round = await db().allocationRound.findUnique({ where: { id: roundId } });
  if (!round) return { status: 'MISSING', bookings: 0 };
  if (round.status !== 'QUEUED' && round.status !== 'RUNNING') return { status: round.status, bookings: await roundBookingCount(roundId) };
  // Conditional: a second delivery of the job (a stalled lock) must not turn a round another
  // delivery just COMPLETED back into RUNNING and overwrite its result.
  const claimed = await db().allocationRound.updateMany({ where: { id: roundId, status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'RUNNING', startedAt: new Date() } });
  if (claimed.count === 0) {
    const now = await db().allocationRound.findUniqueOrThrow({ where: { id: roundId } });
    return { status: now.status, bookings: await roundBookingCount(roundId) };
  }

  const input = await loadRoundInput(round, { onlyUsableSlots: true });
  const started = performance.now();
  const result = allocate(input);
  logger.info('allocation computed', { roundId, ms: Math.round(performance.now() - started), bookings: result.bookings.length });
  return writeRoundResult(round, input, result);
}

type RoundInput = Awaited<ReturnType<typeof loadRoundInput>>;

/**
 * Writes a computed round: every booking through placeChild, then the result, in one transaction.
 * Separate from runRound so a test can book a place between the snapshot and the write.
 * On one pool connection with prepared statements, as the booking path: a round's three statements per booking
 * through the ORM's interactive transaction were most of a round at the national scale.
 */
export async function writeRoundResult(round: Pick<AllocationRound, 'id' | 'authorityId'>, input: RoundInput, result: ReturnType<typeof allocate>) {
  const roundId = round.id;
  return sqlTransaction(async (tx) => {
    // Re-read under lock: a concurrent delivery of the same job may have finished first.
    const [current] = await tx.rows<{ status: string }>('round-lock', Prisma.sql`SELECT status FROM allocation_round WHERE id = ${roundId} FOR UPDATE`);
    if (!current) throw notFound('Allocation round');
    if (current.status !== 'RUNNING' && current.status !== 'QUEUED') return { status: current.status, bookings: 0 };
    const skipped: RoundResult['skipped'] = [];
    let written = 0;
    for (const unit of writeUnits(result.bookings, input.requests, input.slots)) {
      // A whole stay is written under a savepoint, so a night refused part-way undoes the nights before it.
      const together = unit.length > 1;
      if (together) await tx.connection.query('SAVEPOINT whole_stay');
      let refusal: { slotId: string; detail: string } | null = null;
      for (const b of unit) {
        try {
          await placeChild(tx, WORKER, { childId: b.childId, slotId: b.slotId, source: 'ALLOCATION', status: 'ALLOCATED', roundId, requestId: b.requestId, auditAction: 'booking.allocated' });
        } catch (err) {
          // A direct booking since the snapshot may have taken the place; the rest of the round stands.
          if (!(err instanceof ApiError && err.code === 'BOOKING_REFUSED')) throw err;
          refusal = { slotId: b.slotId, detail: err.detail };
          if (together) break;
          skipped.push({ childId: b.childId, slotId: b.slotId, reason: err.detail });
          continue;
        }
        if (!together) written++;
      }
      if (!together) continue;
      if (refusal) {
        await tx.connection.query('ROLLBACK TO SAVEPOINT whole_stay');
        const failed = refusal;
        for (const b of unit) {
          const reason = b.slotId === failed.slotId ? failed.detail : `Part of a ${unit.length}-night stay whose other night could no longer be booked: ${failed.detail}`;
          skipped.push({ childId: b.childId, slotId: b.slotId, reason });
        }
      } else written += unit.length;
      await tx.connection.query('RELEASE SAVEPOINT whole_stay');
    }
    const stored: RoundResult = { bookings: result.bookings, explanations: result.explanations, lottery: result.lottery, order: result.order, historyAfter: result.historyAfter, skipped };
    await tx.execute('round-complete', Prisma.sql`
      UPDATE allocation_round SET status = 'COMPLETED', "completedAt" = ${new Date()},
             result = ${JSON.stringify(toJson(RoundResultColumn, stored))}::jsonb, metrics = ${JSON.stringify(toJson(RoundMetricsColumn, result.metrics))}::jsonb
      WHERE id = ${roundId}`);
    await audit(tx, WORKER, { action: 'round.completed', entityType: 'AllocationRound', entityId: roundId, authorityId: round.authorityId, after: { bookings: written, skipped: skipped.length } });
    return { status: 'COMPLETED', bookings: written };
  });
}

export async function markRoundFailed(roundId: string, error: string) {
  await db().allocationRound.updateMany({ where: { id: roundId, status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'FAILED', error } });
}

async function lockCompletedRound(tx: Parameters<Parameters<typeof transaction>[0]>[0], principal: Principal, roundId: string) {
  requireRole(principal, 'COORDINATOR');
  await tx.$queryRaw`SELECT id FROM allocation_round WHERE id = ${roundId} FOR UPDATE`;
  const round = await tx.allocationRound.findFirst({ where: { id: roundId, authorityId: principal.authorityId } });
  if (!round) throw notFound('Allocation round');
  if (round.status !== 'COMPLETED') throw new ApiError('CONFLICT', `Only a completed round can be published or discarded; this one is ${round.status.toLowerCase()}`);
  return round;
}

/**
 * Publishing confirms the round's bookings, tells each family, carries the
 * rotation credits into the next round, and puts children on the waitlist of
 * the ranked slots they missed.
 */
export async function publishRound(principal: Principal, roundId: string) {
  const round = await transaction(
    async (tx) => {
      const round = await lockCompletedRound(tx, principal, roundId);
      const result = RoundResultColumn.parse(round.result);
      const bookings = await tx.booking.findMany({ where: { roundId, status: 'ALLOCATED' }, include: { child: true } });
      await tx.booking.updateMany({ where: { roundId, status: 'ALLOCATED' }, data: { status: 'CONFIRMED' } });
      for (const h of result.historyAfter) {
        const data = { authorityId: round.authorityId, credit: h.credit, history: toJson(CreditHistoryColumn, h), roundId };
        await tx.allocationCredit.upsert({ where: { childId: h.childId }, create: { childId: h.childId, ...data }, update: data });
      }
      const requestIds = [...new Set(result.explanations.map((e) => e.requestId))];
      await tx.breakRequest.updateMany({ where: { id: { in: requestIds } }, data: { status: 'ALLOCATED' } });
      const children = await tx.child.findMany({ where: { id: { in: result.explanations.map((e) => e.childId) } }, select: { id: true, familyId: true, authorityId: true, firstName: true } });
      const byId = new Map(children.map((c) => [c.id, c]));
      for (const e of result.explanations) {
        const child = byId.get(e.childId);
        if (!child) continue;
        const got = bookings.filter((b) => b.childId === e.childId);
        await notify(tx, {
          kind: 'ALLOCATION_RESULT',
          dedupeKey: `round-${roundId}-${e.childId}`,
          recipientRole: 'FAMILY',
          recipientId: child.familyId,
          fields: { child_name: child.firstName, breaks_allocated: breaksInWords(got.reduce((sum, b) => sum + b.nights, 0), got.filter((b) => b.nights === 0).length), explanation: e.summary },
          link: '/family',
          payload: { roundId, childId: e.childId },
        });
        // Missed ranked slots become waitlist places, so a freed place reaches them first in rotation order;
        // a child with nothing it could be given (no award left, nothing suitable) waits for nothing.
        if (e.unitsWanted === 0) continue;
        for (const p of e.preferences) {
          if (p.preference.kind !== 'SLOT' || p.gotSlotIds.length) continue;
          if (p.unmet.some((u) => u.reason === 'FULL' || u.reason === 'LOWER_IN_ROTATION')) {
            await addToWaitlist(tx, principal, { childId: e.childId, slotId: p.preference.slotId, authorityId: child.authorityId, requestId: e.requestId });
          }
        }
      }
      const updated = await tx.allocationRound.update({ where: { id: roundId }, data: { status: 'PUBLISHED', publishedAt: new Date() } });
      await audit(tx, principal, { action: 'round.published', entityType: 'AllocationRound', entityId: roundId, authorityId: round.authorityId, after: { bookings: bookings.length } });
      return updated;
    },
    { timeoutMs: 5 * 60_000 },
  );
  flushOutboxSoon();
  return roundView(round, await roundBookingCount(roundId));
}

/** Discarding cancels the round's bookings (history kept) and leaves credits as they were. */
export async function discardRound(principal: Principal, roundId: string) {
  const round = await transaction(
    async (tx) => {
      const round = await lockCompletedRound(tx, principal, roundId);
      const bookings = await tx.booking.findMany({ where: { roundId, status: 'ALLOCATED' } });
      for (const b of bookings) await releaseBooking(tx, principal, b, { status: 'CANCELLED', reason: `Allocation round ${roundId} discarded`, cancelledByRole: 'COORDINATOR' });
      const updated = await tx.allocationRound.update({ where: { id: roundId }, data: { status: 'DISCARDED', discardedAt: new Date() } });
      await audit(tx, principal, { action: 'round.discarded', entityType: 'AllocationRound', entityId: roundId, authorityId: round.authorityId, after: { cancelled: bookings.length } });
      return updated;
    },
    { timeoutMs: 5 * 60_000 },
  );
  flushOutboxSoon();
  return roundView(round, 0);
}
