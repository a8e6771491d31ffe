/**
 * Where and when a break is, how far it is from the child's home, and how the
 * child gets there: what a family needs to decide on an offer, a swap or a
 * waiting-list place, and what a provider needs to expect an arrival. Read
 * only; every row is reached through the caller's own children or bookings.
 */
import { db } from '../db.js';
import { unmetNeeds } from '../domain/eligibility.js';
import type { ChildInfo } from '../domain/model.js';
import { slotWithProvider, toSlotInfo } from './placement.js';
import { haversineKm, travelMinutes } from '../domain/geo.js';
import { childScope, requireRole, type Principal } from './access.js';
import { iso } from './serialize.js';
import { roundExplanations } from '../schemas/json-columns.js';

export interface BreakPlace {
  slotId: string;
  providerId: string;
  providerName: string;
  providerKind: string;
  address: string;
  phone: string | null;
  startsAt: string;
  endsAt: string;
  localDate: string;
  /** Whole nights: an overnight break ends on a later London date. */
  nights: number;
  capabilities: string[];
  /** The road journey from the family's home, when both places are known. */
  journey: { miles: number; minutes: number } | null;
}

export interface TransportLeg {
  bookingId: string;
  direction: string;
  vehicle: string;
  departAt: string;
  returnAt: string;
  hasEscort: boolean;
}

const KM_PER_MILE = 1.609344;

/**
 * The places behind some slots, with the journey from `home` (the family's
 * address). Slots are readable by every role (GET /v1/slots); callers pass
 * only slots of their own bookings, offers, waiting-list entries or requests.
 */
export async function breakPlaces(principal: Principal, slotIds: string[], home: { lat: number | null; lng: number | null } | null): Promise<Map<string, BreakPlace>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR', 'PROVIDER');
  const ids = [...new Set(slotIds)];
  if (!ids.length) return new Map();
  const slots = await db().slot.findMany({ where: { id: { in: ids } }, include: { provider: true } });
  const from = home?.lat != null && home.lng != null ? { lat: home.lat, lng: home.lng } : null;
  return new Map(
    slots.map((s) => {
      const to = { lat: s.provider.lat, lng: s.provider.lng };
      const nights = Math.max(0, Math.round((Date.parse(`${londonDate(s.endsAt)}T00:00:00Z`) - Date.parse(`${s.localDate}T00:00:00Z`)) / 864e5));
      return [
        s.id,
        {
          slotId: s.id,
          providerId: s.providerId,
          providerName: s.provider.name,
          providerKind: s.provider.kind,
          address: `${s.provider.addressLine}, ${s.provider.postcode}`,
          phone: s.provider.phone,
          startsAt: iso(s.startsAt),
          endsAt: iso(s.endsAt),
          localDate: s.localDate,
          nights,
          capabilities: s.capabilities,
          journey: from ? { miles: Math.round((haversineKm(from, to) / KM_PER_MILE) * 10) / 10, minutes: travelMinutes(from, to) } : null,
        },
      ];
    }),
  );
}

const londonDateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const londonDate = (d: Date) => londonDateFormat.format(d);

/** The transport runs each booking's child has a seat on, scoped to the caller's own children (family, coordinator) or bookings (provider). */
export async function transportFor(principal: Principal, bookingIds: string[]): Promise<Map<string, TransportLeg[]>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR', 'PROVIDER');
  const ids = [...new Set(bookingIds)];
  if (!ids.length) return new Map();
  const scope = principal.role === 'PROVIDER' ? { slot: { providerId: principal.providerId } } : { child: childScope(principal) };
  const seats = await db().transportSeat.findMany({
    where: { bookingId: { in: ids }, booking: scope },
    include: { run: { include: { vehicle: true } } },
    orderBy: { run: { departAt: 'asc' } },
  });
  const out = new Map<string, TransportLeg[]>();
  for (const s of seats) {
    const legs = out.get(s.bookingId) ?? [];
    legs.push({ bookingId: s.bookingId, direction: s.run.direction, vehicle: s.run.vehicle.name, departAt: iso(s.run.departAt), returnAt: iso(s.run.returnAt), hasEscort: s.run.vehicle.hasEscort });
    out.set(s.bookingId, legs);
  }
  return out;
}

/** Whether each request asked for transport, for requests of the caller's own children. */
export async function transportAsked(principal: Principal, requestIds: string[]): Promise<Set<string>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const ids = [...new Set(requestIds)];
  if (!ids.length) return new Set();
  const rows = await db().breakRequest.findMany({ where: { id: { in: ids }, transportNeeded: true, child: childScope(principal) }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/**
 * The two breaks of each swap the caller's family is party to (it proposed it,
 * or the other break is its own), so each side sees what it would get before
 * agreeing. Nothing about the other family is returned: only the break.
 */
export async function swapSlots(principal: Principal, swapIds: string[]): Promise<Map<string, { slotA: string; slotB: string }>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const ids = [...new Set(swapIds)];
  if (!ids.length) return new Map();
  const swaps = await db().swap.findMany({ where: { id: { in: ids }, authorityId: principal.authorityId } });
  const bookings = new Map(
    (await db().booking.findMany({ where: { id: { in: swaps.flatMap((s) => [s.bookingAId, s.bookingBId]) } }, select: { id: true, slotId: true, child: { select: { familyId: true } } } })).map((b) => [b.id, b]),
  );
  const out = new Map<string, { slotA: string; slotB: string }>();
  for (const s of swaps) {
    const a = bookings.get(s.bookingAId);
    const b = bookings.get(s.bookingBId);
    if (!a || !b) continue;
    if (principal.role === 'FAMILY' && a.child.familyId !== principal.familyId && b.child.familyId !== principal.familyId) continue;
    out.set(s.id, { slotA: a.slotId, slotB: b.slotId });
  }
  return out;
}

/**
 * Which of these slots can meet the child's needs (DESIGN.md invariant 3:
 * capabilities, and for a family-based break the carer's training on the
 * dates), so a request form offers only places the child could be booked into.
 */
export async function slotsMeetingNeeds(principal: Principal, childId: string, slotIds: string[]): Promise<Set<string>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const child = await db().child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] }, select: { id: true, authorityId: true, needs: true } });
  if (!child || !slotIds.length) return new Set();
  const slots = await db().slot.findMany({ where: { id: { in: [...new Set(slotIds)] } }, include: slotWithProvider });
  return new Set(slots.filter((s) => unmetNeeds(child satisfies ChildInfo, toSlotInfo(s)).length === 0).map((s) => s.id));
}

export interface RequestOutcome {
  roundId: string;
  publishedAt: string | null;
  summary: string;
  unitsGot: number;
  unitsWanted: number;
  position: number;
  of: number;
}

/** What the published round that took each request said about it (the family's own words: "you were 14th of 20"). */
export async function requestOutcomes(principal: Principal, requests: { id: string; periodStart: string; periodEnd: string }[]): Promise<Map<string, RequestOutcome>> {
  requireRole(principal, 'FAMILY', 'COORDINATOR');
  const out = new Map<string, RequestOutcome>();
  if (!requests.length) return out;
  const from = requests.reduce((m, r) => (r.periodStart < m ? r.periodStart : m), requests[0]!.periodStart);
  const to = requests.reduce((m, r) => (r.periodEnd > m ? r.periodEnd : m), requests[0]!.periodEnd);
  const rounds = await db().allocationRound.findMany({
    where: { authorityId: principal.authorityId, status: 'PUBLISHED', periodStart: { lte: to }, periodEnd: { gte: from } },
    orderBy: { createdAt: 'desc' },
    take: 50,
  });
  const wanted = new Set(requests.map((r) => r.id));
  for (const round of rounds) {
    for (const e of roundExplanations(round.result)) {
      if (!wanted.has(e.requestId) || out.has(e.requestId)) continue;
      out.set(e.requestId, { roundId: round.id, publishedAt: round.publishedAt ? iso(round.publishedAt) : null, summary: e.summary, unitsGot: e.unitsGot, unitsWanted: e.unitsWanted, position: e.position, of: e.of });
    }
  }
  return out;
}
