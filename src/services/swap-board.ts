/**
 * The swap board: a family lists a break it would give up; other families of
 * the same authority see the place and dates (never whose it is) when one of
 * their children could take it and the other child could take one of their
 * breaks in return, and offer that exchange. The offer is an ordinary swap
 * proposal (src/services/swaps.ts), answered and completed as any other.
 */
import { db } from '../db.js';
import type { Booking } from '../generated/prisma/client.js';
import { ApiError, notFound } from '../errors.js';
import type { BoardPlace } from '../schemas/swap-board.js';
import { bookingScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { breakPlaces, type BreakPlace } from './break-details.js';
import { evaluatePlacement, loadChildContext, slotWithProvider, type ChildContext, type SlotForPlacement } from './placement.js';
import { iso } from './serialize.js';
import { proposeSwap } from './swaps.js';
import { transaction } from './tx.js';

const SWAPPABLE: Booking['status'][] = ['ALLOCATED', 'CONFIRMED'];

const boardPlace = (p: BreakPlace): BoardPlace => ({
  providerName: p.providerName,
  providerKind: p.providerKind,
  address: p.address,
  phone: p.phone,
  startsAt: p.startsAt,
  endsAt: p.endsAt,
  localDate: p.localDate,
  nights: p.nights,
  capabilities: p.capabilities,
  journey: p.journey,
});

/** A listing shows while it is not withdrawn and its break is still a future one that can be swapped. */
const liveListing = (now: Date) => ({ withdrawnAt: null, booking: { status: { in: SWAPPABLE }, startsAt: { gt: now } } });

export async function listOnSwapBoard(principal: Principal, bookingId: string) {
  requireRole(principal, 'FAMILY');
  const now = new Date();
  const listingId = await transaction(async (tx) => {
    const booking = await tx.booking.findFirst({ where: { AND: [{ id: bookingId }, bookingScope(principal)] } });
    if (!booking) throw notFound('Booking');
    if (!SWAPPABLE.includes(booking.status) || booking.startsAt <= now) throw new ApiError('CONFLICT', 'Only a confirmed break that has not started yet can go on the swap board');
    // Listing again after withdrawing reopens the same row: one listing per break.
    const listing = await tx.swapListing.upsert({
      where: { bookingId },
      create: { bookingId, authorityId: booking.authorityId, familyId: principal.familyId },
      update: { withdrawnAt: null },
    });
    await audit(tx, principal, { action: 'swap_listing.listed', entityType: 'SwapListing', entityId: listing.id, bookingId, authorityId: booking.authorityId });
    return listing.id;
  });
  return (await ownListings(principal, now)).find((l) => l.id === listingId)!;
}

export async function withdrawFromSwapBoard(principal: Principal, listingId: string) {
  requireRole(principal, 'FAMILY');
  await transaction(async (tx) => {
    const listing = await tx.swapListing.findFirst({ where: { id: listingId, familyId: principal.familyId, withdrawnAt: null } });
    if (!listing) throw notFound('Swap board listing');
    await tx.swapListing.update({ where: { id: listingId }, data: { withdrawnAt: new Date() } });
    await audit(tx, principal, { action: 'swap_listing.withdrawn', entityType: 'SwapListing', entityId: listingId, bookingId: listing.bookingId, authorityId: listing.authorityId });
  });
}

/** Offer one of your breaks for a listed one: a swap proposal the listing family answers on its page. */
export async function offerFromSwapBoard(principal: Principal, listingId: string, bookingId: string) {
  requireRole(principal, 'FAMILY');
  const listing = await db().swapListing.findFirst({ where: { id: listingId, authorityId: principal.authorityId, ...liveListing(new Date()) } });
  if (!listing) throw notFound('Swap board listing');
  if (listing.familyId === principal.familyId) throw new ApiError('UNPROCESSABLE', 'This is your own break on the swap board');
  return proposeSwap(principal, { bookingId, withBookingId: listing.bookingId });
}

/** Which of the family's breaks are on the board now (the family's home page marks them). */
export async function listedBookingIds(principal: Principal): Promise<Set<string>> {
  requireRole(principal, 'FAMILY');
  const rows = await db().swapListing.findMany({ where: { familyId: principal.familyId, ...liveListing(new Date()) }, select: { bookingId: true } });
  return new Set(rows.map((r) => r.bookingId));
}

async function ownListings(principal: Extract<Principal, { role: 'FAMILY' }>, now: Date) {
  const rows = await db().swapListing.findMany({ where: { familyId: principal.familyId, ...liveListing(now) }, include: { booking: true }, orderBy: { createdAt: 'asc' } });
  const family = await db().family.findUniqueOrThrow({ where: { id: principal.familyId } });
  const places = await breakPlaces(principal, rows.map((r) => r.booking.slotId), family);
  return rows.flatMap((r) => {
    const place = places.get(r.booking.slotId);
    return place ? [{ id: r.id, bookingId: r.bookingId, childId: r.booking.childId, place: boardPlace(place), createdAt: iso(r.createdAt) }] : [];
  });
}

/** The child's context with one of its breaks given up (a child holds at most one live booking of a slot). */
const without = (ctx: ChildContext, slotId: string): ChildContext => ({ ...ctx, stays: ctx.stays.filter((s) => s.slotId !== slotId) });
/** The slot as it would be once its holder has moved out: one place emptier. */
const vacated = (slot: SlotForPlacement): SlotForPlacement => ({ ...slot, booked: slot.booked - 1 });

/**
 * The board as one family sees it. Each exchange it offers is one proposeSwap
 * would accept now: each child fits the other's break (needs, training,
 * entitlement, dates, overlap) with its own break set aside.
 */
export async function swapBoard(principal: Principal) {
  requireRole(principal, 'FAMILY');
  const now = new Date();
  const prisma = db();
  const [listed, others, mine, family] = await Promise.all([
    ownListings(principal, now),
    prisma.swapListing.findMany({ where: { authorityId: principal.authorityId, familyId: { not: principal.familyId }, ...liveListing(now) }, include: { booking: true }, orderBy: { booking: { startsAt: 'asc' } }, take: 200 }),
    prisma.booking.findMany({ where: { child: { familyId: principal.familyId }, status: { in: SWAPPABLE }, startsAt: { gt: now } }, orderBy: { startsAt: 'asc' } }),
    prisma.family.findUniqueOrThrow({ where: { id: principal.familyId }, include: { children: { select: { id: true } } } }),
  ]);
  const slotIds = [...new Set([...others.map((l) => l.booking.slotId), ...mine.map((b) => b.slotId)])];
  const childIds = [...new Set([...family.children.map((c) => c.id), ...others.map((l) => l.booking.childId)])];
  const [slots, contexts, places, openSwaps] = await Promise.all([
    prisma.slot.findMany({ where: { id: { in: slotIds } }, include: slotWithProvider }).then((rows) => new Map(rows.map((s) => [s.id, s as SlotForPlacement]))),
    Promise.all(childIds.map((id) => loadChildContext(prisma, id, { lock: false }))).then((rows) => new Map(rows.map((ctx) => [ctx.child.id, ctx]))),
    breakPlaces(principal, slotIds, family),
    prisma.swap.findMany({ where: { status: { in: ['PROPOSED', 'ACCEPTED'] }, bookingAId: { in: mine.map((b) => b.id) } }, select: { bookingAId: true, bookingBId: true } }),
  ]);
  const offered = new Set(openSwaps.map((s) => `${s.bookingAId}|${s.bookingBId}`));
  const fits = (ctx: ChildContext | undefined, givingUp: string, slot: SlotForPlacement | undefined) => Boolean(ctx && slot && evaluatePlacement(without(ctx, givingUp), vacated(slot), now).refusals.length === 0);

  const available = [];
  let notSuitable = 0;
  for (const listing of others) {
    const theirs = listing.booking;
    const theirSlot = slots.get(theirs.slotId);
    const theirChild = contexts.get(theirs.childId);
    const forChildren = family.children.flatMap(({ id }) => {
      const exchangeFor = mine
        .filter((b) => b.childId === id && fits(contexts.get(id), b.slotId, theirSlot) && fits(theirChild, theirs.slotId, slots.get(b.slotId)))
        .flatMap((b) => {
          const place = places.get(b.slotId);
          return place ? [{ bookingId: b.id, place: boardPlace(place), alreadyOffered: offered.has(`${b.id}|${theirs.id}`) }] : [];
        });
      return exchangeFor.length ? [{ childId: id, exchangeFor }] : [];
    });
    const place = places.get(theirs.slotId);
    if (!forChildren.length || !place) notSuitable++;
    else available.push({ listingId: listing.id, place: boardPlace(place), forChildren });
  }
  return { listed, available, notSuitable };
}
