/**
 * Loading what the pure eligibility rules need (src/domain/eligibility.ts) from
 * the database, and the one transaction step that books a child into a slot.
 * Every path that creates a booking — direct booking, waitlist offers, swaps,
 * allocation rounds, re-homing — goes through `placeChild`, so the hard
 * constraints are checked the same way everywhere and held by PostgreSQL
 * (slot CHECK, overlap EXCLUDE) even if two processes race.
 */
import { randomUUID } from 'node:crypto';
import { executeSql, queryRows, type AnyTx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Booking, BookingSource, BookingStatus, Slot } from '../generated/prisma/client.js';
import type { CareNeed } from '../domain/care-needs.js';
import { chargeFor, type FundingShareInfo, type PriceInfo } from '../domain/costs.js';
import { checkPlacement, nightsOf, upgradesRelied, type EligibilityResult, type LimitWarning, type Refusal } from '../domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import { isClosedFrom, isSuspendedFor } from '../domain/provider-closing.js';
import type { ChildInfo, EntitlementInfo, SlotInfo, StayInfo, UpgradeInfo } from '../domain/model.js';
import { ApiError, notFound } from '../errors.js';
import { auditInsert, type Actor } from './audit.js';
import { isCapacityViolation, isOverlapViolation } from './db-errors.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';

/** Suspensions of placements at a provider (closure rows naming the suspending authority). */
export const providerSuspensions = { where: { suspendedAuthorityId: { not: null } }, select: { suspendedAuthorityId: true, effectiveFrom: true } } satisfies Prisma.Provider$closuresArgs;

export const slotWithProvider = {
  provider: { select: { id: true, kind: true, status: true, closingFrom: true, name: true, closures: providerSuspensions } },
  carer: { include: { training: true } },
} satisfies Prisma.SlotInclude;


/** What placement needs of a slot; both a Prisma row with `slotWithProvider` and lockSlot's raw row fit it. */
export interface SlotForPlacement
  extends Pick<Slot, 'id' | 'providerId' | 'localDate' | 'startsAt' | 'endsAt' | 'capacity' | 'booked' | 'held' | 'reservedForAuthorityId' | 'carerId' | 'status'> {
  capabilities: string[];
  provider: { id: string; kind: 'RESIDENTIAL' | 'COMMUNITY' | 'FAMILY_BASED'; status: 'ACTIVE' | 'CLOSING' | 'CLOSED'; closingFrom: Date | null; name: string; closures: { suspendedAuthorityId: string | null; effectiveFrom: Date }[] };
  carer: { training: { need: string; completedOn: Date; expiresOn: Date }[] } | null;
  /** Prices of the slot's rule in force on its date (lockSlot loads them; a booking's cost is fixed from them). */
  prices?: PriceInfo[];
  /** Home upgrades in force on its date, with the places already relying on each (lockSlot and slotUpgrades load them). */
  upgrades?: UpgradeInfo[];
}

/** The part of a slot toSlotInfo reads (an allocation round's snapshot loads only this). */
export type SlotInfoSource = Pick<SlotForPlacement, 'id' | 'providerId' | 'startsAt' | 'endsAt' | 'capacity' | 'booked' | 'held' | 'capabilities' | 'reservedForAuthorityId' | 'carerId' | 'upgrades'> & {
  provider: Pick<SlotForPlacement['provider'], 'kind'>;
  carer: SlotForPlacement['carer'];
};

export function toSlotInfo(slot: SlotInfoSource): SlotInfo {
  return {
    id: slot.id,
    providerId: slot.providerId,
    providerKind: slot.provider.kind,
    start: slot.startsAt,
    end: slot.endsAt,
    capacity: slot.capacity,
    // Places held for open waitlist offers are as unavailable as booked ones.
    booked: slot.booked + slot.held,
    capabilities: slot.capabilities as CareNeed[],
    reservedForAuthorityId: slot.reservedForAuthorityId,
    carerTraining: slot.carer?.training.map((t) => ({ need: t.need as CareNeed, completedOn: t.completedOn, expiresOn: t.expiresOn })),
    carerId: slot.carerId,
    ...(slot.upgrades?.length ? { upgrades: slot.upgrades } : {}),
  };
}

/**
 * The home upgrades in force on the date of the slot aliased `s`, as JSON, each
 * with how many places rely on it at overlapping times: live bookings and open
 * offers at the provider whose child has the need and whose place does not
 * meet it by itself. `exceptChildId`: the child being placed (its own offer is
 * the place it is taking, not a rival).
 */
export function upgradesOfSlot(exceptChildId: string | null): Prisma.Sql {
  const relying = (table: Prisma.Sql, live: Prisma.Sql) => Prisma.sql`(SELECT count(*) FROM ${table} x JOIN slot s2 ON s2.id = x."slotId" JOIN child c ON c.id = x."childId"
      WHERE s2."providerId" = s."providerId" AND ${live} AND s2."startsAt" < s."endsAt" AND s2."endsAt" > s."startsAt"
        AND u.need = ANY(c.needs) AND NOT (u.need = ANY(s2.capabilities)) AND x."childId" <> ${exceptChildId ?? ''})`;
  return Prisma.sql`(SELECT COALESCE(json_agg(json_build_object('id', u.id, 'need', u.need, 'places', u.places, 'from', u."fromDate",
        'used', ${relying(Prisma.sql`booking`, Prisma.sql`x.status IN (${Prisma.join(LIVE_BOOKING_STATUSES)})`)} + ${relying(Prisma.sql`waitlist_entry`, Prisma.sql`x.status = 'OFFERED'`)}) ORDER BY u.need), '[]'::json)
      FROM provider_upgrade u WHERE u."providerId" = s."providerId" AND u."fromDate" <= s."localDate")`;
}

/** Upgrades (with their places in use) for many slots at once, by slot id; slots without any are left out. */
export async function slotUpgrades(tx: AnyTx, slotIds: readonly string[], exceptChildId: string | null = null): Promise<Map<string, UpgradeInfo[]>> {
  if (slotIds.length === 0) return new Map();
  const rows = await queryRows<{ id: string; upgrades: UpgradeInfo[] }>(tx, 'slot-upgrades', Prisma.sql`
    SELECT s.id, ${upgradesOfSlot(exceptChildId)} AS upgrades FROM slot s
    WHERE s.id = ANY(${[...slotIds]}::text[]) AND EXISTS (SELECT 1 FROM provider_upgrade u WHERE u."providerId" = s."providerId" AND u."fromDate" <= s."localDate")`);
  return new Map(rows.map((r) => [r.id, r.upgrades.map((u) => ({ ...u, used: Number(u.used) }))]));
}

/** Entitlement periods are stored as inclusive local dates; the rules work on instants [start, end). */
export function toEntitlementInfo(e: { childId: string; periodStart: string; periodEnd: string; nights: number; daySessions: number }): EntitlementInfo {
  return {
    childId: e.childId,
    periodStart: londonWallTimeToInstant(e.periodStart, '00:00'),
    periodEnd: londonWallTimeToInstant(addDays(e.periodEnd, 1), '00:00'),
    nights: e.nights,
    daySessions: e.daySessions,
  };
}

export interface ChildContext {
  child: ChildInfo & { familyId: string };
  stays: StayInfo[];
  entitlements: EntitlementInfo[];
  /** The child's funding package, which splits each booking's cost between funders. */
  fundingShares: FundingShareInfo[];
}

/** A child's live stays as JSON, for a statement with the child's id in `childId`. */
function liveStaysOf(childId: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(SELECT COALESCE(json_agg(json_build_object('id', b.id, 'slotId', b."slotId", 'providerId', s."providerId", 'start', b."startsAt", 'end', b."endsAt")), '[]'::json)
         FROM booking b JOIN slot s ON s.id = b."slotId"
        WHERE b."childId" = ${childId} AND b.status IN (${Prisma.join(LIVE_BOOKING_STATUSES)}))`;
}

interface StayRow {
  id: string;
  slotId: string;
  providerId: string;
  start: string;
  end: string;
}

function toStays(rows: StayRow[], exclude: readonly string[]): StayInfo[] {
  return rows
    .filter((b) => !exclude.includes(b.id))
    .map((b) => ({ slotId: b.slotId, providerId: b.providerId, start: new Date(b.start), end: new Date(b.end) }));
}

/**
 * Load a child's context, normally locking the child row first so two bookings
 * for one child are checked one after the other. `lock: false` is for advisory
 * reads (waitlist offers) whose result is re-checked under locks later.
 */
export async function loadChildContext(tx: AnyTx, childId: string, options: { excludeBookingIds?: string[]; lock?: boolean } = {}): Promise<ChildContext> {
  // Under READ COMMITTED a statement that waited for the child's lock reads everything else from the snapshot it
  // started with, so it would miss the stays the transaction it waited for has just booked: lock, then read.
  if (options.lock !== false) await readChildContext(tx, childId, { lock: true, stays: false });
  const ctx = await readChildContext(tx, childId, { lock: false, stays: true });
  return { ...ctx, stays: toStays(ctx.stays ?? [], options.excludeBookingIds ?? []) };
}

/**
 * The child's row and awards, and its live stays only when asked: placeChild reads those after the
 * slot's lock instead (see lockSlot), so aggregating them here as well would be work thrown away.
 */
async function readChildContext(tx: AnyTx, childId: string, options: { lock: boolean; stays: boolean }): Promise<Omit<ChildContext, 'stays'> & { stays?: StayRow[] }> {
  // One round trip on the hottest path: the child (locked), its awards and, when asked, its live stays.
  const lock = options.lock ? Prisma.sql`FOR UPDATE OF c` : Prisma.empty;
  const stays = options.stays ? Prisma.sql`${liveStaysOf(Prisma.sql`c.id`)} AS stays,` : Prisma.empty;
  const name = `child-context${options.lock ? '-locked' : ''}${options.stays ? '' : '-without-stays'}`;
  const rows = await queryRows<ChildRow>(tx, name, Prisma.sql`
    SELECT c.id, c."authorityId", c."familyId", c.needs::text[] AS needs, ${stays}
      (SELECT COALESCE(json_agg(json_build_object('childId', e."childId", 'periodStart', e."periodStart", 'periodEnd', e."periodEnd", 'nights', e.nights, 'daySessions', e."daySessions")), '[]'::json)
         FROM entitlement e WHERE e."childId" = c.id) AS entitlements,
      (SELECT COALESCE(json_agg(json_build_object('funder', f.funder, 'basisPoints', f."basisPoints", 'need', f.need)), '[]'::json)
         FROM funding_share f WHERE f."childId" = c.id) AS "fundingShares"
    FROM child c WHERE c.id = ${childId} ${lock}`);
  const child = rows[0];
  if (!child) throw notFound('Child');
  return {
    child: { id: child.id, authorityId: child.authorityId, familyId: child.familyId, needs: child.needs as CareNeed[] },
    stays: child.stays,
    entitlements: child.entitlements.map(toEntitlementInfo),
    fundingShares: child.fundingShares,
  };
}

interface ChildRow {
  id: string;
  authorityId: string;
  familyId: string;
  needs: string[];
  stays?: StayRow[];
  entitlements: { childId: string; periodStart: string; periodEnd: string; nights: number; daySessions: number }[];
  fundingShares: FundingShareInfo[];
}

interface LockedSlotRow extends Omit<SlotForPlacement, 'provider' | 'carer'> {
  carerId: string | null;
  providerKind: SlotForPlacement['provider']['kind'];
  providerStatus: SlotForPlacement['provider']['status'];
  closingFrom: Date | null;
  providerName: string;
  suspensions: { suspendedAuthorityId: string; effectiveFrom: string }[];
  training: { need: string; completedOn: string; expiresOn: string }[];
  prices: PriceInfo[];
  upgrades: UpgradeInfo[];
  childStays?: StayRow[];
}

/**
 * Lock a slot row (the lock every booking of it queues on) and load what placement needs.
 *
 * With `staysOfChild`, the same statement also reads that child's live stays. A caller that already
 * holds the child's lock must read them here, not in the statement that took the lock: under READ
 * COMMITTED a statement that waited for a lock still sees the data of the moment it started, so a
 * booking for the same child committed while it waited would be missed (and the entitlement or the
 * nights-away limits could be exceeded by two bookings made at once). This statement starts after
 * the lock is held, so it sees every stay.
 */
export async function lockSlot(tx: AnyTx, slotId: string, options: { staysOfChild?: string } = {}): Promise<SlotForPlacement & { childStays?: StayRow[] }> {
  const childStays = options.staysOfChild ? Prisma.sql`, ${liveStaysOf(Prisma.sql`${options.staysOfChild}`)} AS "childStays"` : Prisma.empty;
  const rows = await queryRows<LockedSlotRow>(tx, options.staysOfChild ? 'lock-slot-child-stays' : 'lock-slot', Prisma.sql`
    SELECT s.id, s."providerId", s."localDate", s."startsAt", s."endsAt", s.capacity, s.booked, s.held,
           s.capabilities::text[] AS capabilities, s."reservedForAuthorityId", s.status::text AS status, s."carerId",
           p.kind::text AS "providerKind", p.status::text AS "providerStatus", p."closingFrom", p.name AS "providerName",
           (SELECT COALESCE(json_agg(json_build_object('need', t.need, 'completedOn', t."completedOn", 'expiresOn', t."expiresOn")), '[]'::json)
              FROM training_record t WHERE t."carerId" = s."carerId") AS training,
           (SELECT COALESCE(json_agg(json_build_object('unit', cp.unit, 'pence', cp.pence, 'effectiveFrom', cp."effectiveFrom", 'effectiveTo', cp."effectiveTo")), '[]'::json)
              FROM capacity_price cp WHERE cp."capacityRuleId" = s."capacityRuleId" AND cp."effectiveFrom" <= s."localDate"
               AND (cp."effectiveTo" IS NULL OR cp."effectiveTo" >= s."localDate")) AS prices,
           (SELECT COALESCE(json_agg(json_build_object('suspendedAuthorityId', k."suspendedAuthorityId", 'effectiveFrom', k."effectiveFrom")), '[]'::json)
              FROM closure k WHERE k."providerId" = s."providerId" AND k."suspendedAuthorityId" IS NOT NULL) AS suspensions,
           ${upgradesOfSlot(options.staysOfChild ?? null)} AS upgrades
           ${childStays}
    FROM slot s JOIN provider p ON p.id = s."providerId"
    WHERE s.id = ${slotId}
    FOR UPDATE OF s`);
  const row = rows[0];
  if (!row) throw notFound('Slot');
  const training = row.carerId ? row.training.map((t) => ({ need: t.need, completedOn: new Date(t.completedOn), expiresOn: new Date(t.expiresOn) })) : null;
  return {
    id: row.id,
    providerId: row.providerId,
    localDate: row.localDate,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    capacity: row.capacity,
    booked: row.booked,
    held: row.held,
    capabilities: row.capabilities,
    reservedForAuthorityId: row.reservedForAuthorityId,
    carerId: row.carerId,
    status: row.status,
    provider: {
      id: row.providerId,
      kind: row.providerKind,
      status: row.providerStatus,
      closingFrom: row.closingFrom,
      name: row.providerName,
      closures: row.suspensions.map((k) => ({ suspendedAuthorityId: k.suspendedAuthorityId, effectiveFrom: new Date(k.effectiveFrom) })),
    },
    carer: training ? { training } : null,
    prices: row.prices,
    upgrades: row.upgrades.map((u) => ({ ...u, used: Number(u.used) })),
    childStays: row.childStays,
  };
}

export type PlacementRefusal = Refusal | { reason: 'SLOT_WITHDRAWN' | 'SLOT_IN_PAST' | 'PROVIDER_CLOSING' | 'PLACEMENTS_SUSPENDED'; detail: string };

/** Refusals that come from the slot's state (and, for a suspension, the child's authority) rather than the child's needs. */
function slotStateRefusals(slot: SlotForPlacement, authorityId: string, now: Date): PlacementRefusal[] {
  const out: PlacementRefusal[] = [];
  if (slot.status !== 'ACTIVE') out.push({ reason: 'SLOT_WITHDRAWN', detail: 'The provider no longer offers this slot' });
  if (slot.startsAt <= now) out.push({ reason: 'SLOT_IN_PAST', detail: 'This break has already started' });
  if (isClosedFrom(slot.provider, slot.startsAt)) out.push({ reason: 'PROVIDER_CLOSING', detail: `${slot.provider.name} is closing and takes no bookings from this date` });
  else if (isSuspendedFor(slot.provider, slot.startsAt, authorityId)) {
    out.push({ reason: 'PLACEMENTS_SUSPENDED', detail: `The child's authority has suspended its placements at ${slot.provider.name} from this date` });
  }
  return out;
}

export function evaluatePlacement(ctx: ChildContext, slot: SlotForPlacement, now = new Date()): { refusals: PlacementRefusal[]; warnings: LimitWarning[] } {
  const result: EligibilityResult = checkPlacement({ child: ctx.child, slot: toSlotInfo(slot), stays: ctx.stays, entitlements: ctx.entitlements });
  return { refusals: [...slotStateRefusals(slot, ctx.child.authorityId, now), ...result.refusals], warnings: result.warnings };
}

export function refusedError(refusals: PlacementRefusal[], warnings: LimitWarning[] = []): ApiError {
  return new ApiError('BOOKING_REFUSED', refusals.map((r) => r.detail).join('. '), { reasons: refusals, warnings });
}

export interface PlaceChildInput {
  childId: string;
  slotId: string;
  source: BookingSource;
  status?: BookingStatus;
  requestId?: string | null;
  roundId?: string | null;
  replacesBookingId?: string | null;
  /** Bookings the new one replaces, ignored for overlap and entitlement (swaps, re-homing). */
  excludeBookingIds?: string[];
  /** Places this booking takes from an open offer's hold rather than from the free places. */
  fromHeldPlace?: boolean;
  /** Checked as soon as the child is loaded, before anything else: may this caller book this child? */
  authorise?: (child: ChildContext['child']) => void;
  auditAction?: string;
}

export interface Placement {
  booking: Booking;
  slot: SlotForPlacement;
  warnings: LimitWarning[];
}

/**
 * Book a child inside the caller's transaction. Locks child then slot (always in
 * that order, so concurrent bookings cannot deadlock), checks every rule, then
 * inserts; the database constraints are the last word if anything raced.
 */
export async function placeChild(tx: AnyTx, actor: Actor, input: PlaceChildInput, now = new Date()): Promise<Placement> {
  const locked = await readChildContext(tx, input.childId, { lock: true, stays: false });
  input.authorise?.(locked.child);
  let slot = await lockSlot(tx, input.slotId, { staysOfChild: input.childId });
  if (upgradesRelied(locked.child, toSlotInfo(slot)).length > 0) {
    // An upgrade's places are shared by every slot of the provider at the same time, so the slot lock
    // alone does not serialise them: one lock per provider, then the count is read again under it.
    await queryRows(tx, 'upgrade-lock', Prisma.sql`SELECT pg_advisory_xact_lock(hashtext(${`upgrade:${slot.providerId}`}))::text AS locked`);
    slot = await lockSlot(tx, input.slotId, { staysOfChild: input.childId });
  }
  const ctx: ChildContext = { ...locked, stays: toStays(slot.childStays ?? [], input.excludeBookingIds ?? []) };
  if (input.fromHeldPlace) {
    if (slot.held < 1) throw new ApiError('CONFLICT', 'The held place for this offer is no longer there');
    await executeSql(tx, 'slot-release-held', Prisma.sql`UPDATE slot SET held = held - 1 WHERE id = ${slot.id}`);
    slot.held -= 1;
  }
  const { refusals, warnings } = evaluatePlacement(ctx, slot, now);
  if (refusals.length) throw refusedError(refusals, warnings);
  const nights = nightsOf({ start: slot.startsAt, end: slot.endsAt });
  // The cost and who pays are fixed now, in the same statement as the booking (src/domain/costs.ts).
  const charge = chargeFor({ nights, localDate: slot.localDate, prices: slot.prices ?? [], shares: ctx.fundingShares, childNeeds: ctx.child.needs, slotCapabilities: slot.capabilities as CareNeed[] });
  const bookingId = randomUUID();
  const status = input.status ?? 'CONFIRMED';
  // The booking and its audit event in one statement (one round trip); the slot CHECK and the overlap
  // EXCLUDE still have the last word, and the audit row's reference to the booking is checked at its end.
  const event = auditInsert(actor, {
    action: input.auditAction ?? 'booking.created',
    entityType: 'Booking',
    entityId: bookingId,
    bookingId,
    authorityId: ctx.child.authorityId,
    after: { status, source: input.source, slotId: input.slotId, childId: input.childId, warnings },
  });
  let booking: Booking;
  try {
    const rows = await queryRows<Booking>(tx, 'booking-insert', Prisma.sql`
      WITH created AS (
        INSERT INTO booking (id, "childId", "slotId", "authorityId", status, source, "startsAt", "endsAt", nights,
                             "requestId", "roundId", "replacesBookingId", "costPence", "priceUnit", "fundingSplit", "updatedAt")
        VALUES (${bookingId}, ${input.childId}, ${input.slotId}, ${ctx.child.authorityId}, ${status}::"BookingStatus",
                ${input.source}::"BookingSource", ${slot.startsAt}, ${slot.endsAt}, ${nights},
                ${input.requestId ?? null}, ${input.roundId ?? null}, ${input.replacesBookingId ?? null},
                ${charge.costPence}, ${charge.priceUnit}::"PriceUnit", ${charge.fundingSplit ? JSON.stringify(charge.fundingSplit) : null}::jsonb, now())
        RETURNING *
      ), audited AS (${event})
      SELECT * FROM created`);
    booking = rows[0]!;
  } catch (err) {
    if (isCapacityViolation(err)) throw refusedError([{ reason: 'SLOT_FULL', detail: 'The slot has no free place' }]);
    if (isOverlapViolation(err)) throw refusedError([{ reason: 'OVERLAPPING_BOOKING', detail: 'The child already has a booking at that time' }]);
    throw err;
  }
  return { booking, slot, warnings };
}
