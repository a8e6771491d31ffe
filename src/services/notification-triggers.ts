/**
 * The messages a change sends, one function per trigger, each called inside
 * the transaction that makes the change (so the message is written exactly
 * when the change commits). Features built elsewhere call these: a closure
 * consultation calls notifyConsultationInvitation, a consent or passport
 * change calls notifyPassportChanged.
 */
import type { Tx } from '../db.js';
import { dayText } from '../domain/notification-text.js';
import type { Closure, Swap } from '../generated/prisma/client.js';
import type { Role } from './access.js';
import { bookingFacts, breakLabel } from './notification-facts.js';
import { notify } from './notifications.js';
import { UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';

export const REHOMING_OUTCOME_WORDS = {
  MOVED: 'moved to another place',
  OFFERED: 'another date offered',
  WAITLISTED: 'waiting for a place',
  PENDING_TRAINING: 'waiting for a carer to complete training',
  CANCELLED_BY_FAMILY: 'cancelled by you',
} as const;

const WHO: Record<Role, string> = { FAMILY: 'the family', PROVIDER: 'the provider', COORDINATOR: 'the coordinator', TRANSPORT: 'the transport team', ADMIN: 'a platform administrator' };

/** A break cancelled: the family is told unless it cancelled itself, the provider unless it did. */
export async function notifyBookingCancelled(tx: Tx, bookingId: string, by: Role, reason: string): Promise<void> {
  const f = await bookingFacts(tx, bookingId);
  if (by !== 'FAMILY') {
    await notify(tx, {
      kind: 'BOOKING_CANCELLED',
      dedupeKey: `cancelled-${bookingId}-family`,
      recipientRole: 'FAMILY',
      recipientId: f.familyId,
      fields: { child_name: f.childName, provider_name: f.providerName, break_date: f.breakDate, reason },
      link: '/family',
      payload: { bookingId },
    });
  }
  if (by !== 'PROVIDER') {
    await notify(tx, {
      kind: 'PROVIDER_BOOKING_CANCELLED',
      dedupeKey: `cancelled-${bookingId}-provider`,
      recipientRole: 'PROVIDER',
      recipientId: f.providerId,
      authorityId: f.authorityId,
      fields: { child_name: f.childName, break_date: f.breakDate, cancelled_by: WHO[by] },
      link: '/provider',
      payload: { bookingId },
    });
  }
}

/** The family whose break is asked for hears of the proposal. */
export async function notifySwapProposed(tx: Tx, swap: Swap): Promise<void> {
  const theirs = await bookingFacts(tx, swap.bookingBId);
  await notify(tx, {
    kind: 'SWAP_PROPOSED',
    dedupeKey: `swap-${swap.id}-proposed`,
    recipientRole: 'FAMILY',
    recipientId: theirs.familyId,
    fields: { child_name: theirs.childName, your_break: await breakLabel(tx, swap.bookingBId), their_break: await breakLabel(tx, swap.bookingAId) },
    link: '/family#swaps',
    payload: { swapId: swap.id },
  });
}

const ANSWER_WORDS = {
  ACCEPTED: 'accepted by the other family; it now waits for the coordinator to approve it',
  COMPLETED: 'completed: the breaks have changed over',
  REJECTED: 'declined',
  WITHDRAWN: 'withdrawn by the family that proposed it',
} as const;

/** Both families hear how a swap ended (or, when it waits for approval, that the other family accepted). */
export async function notifySwapAnswered(tx: Tx, swap: Swap, answer: keyof typeof ANSWER_WORDS, actor: Role): Promise<void> {
  // The family that answered knows; the proposer learns of an acceptance or refusal, the other family of a withdrawal.
  const sides = [
    { bookingId: swap.bookingAId, proposer: true },
    { bookingId: swap.bookingBId, proposer: false },
  ].filter((s) => answer === 'COMPLETED' || actor === 'COORDINATOR' || (answer === 'WITHDRAWN' ? !s.proposer : s.proposer));
  for (const side of sides) {
    const f = await bookingFacts(tx, side.bookingId);
    await notify(tx, {
      kind: 'SWAP_ANSWERED',
      dedupeKey: `swap-${swap.id}-${answer.toLowerCase()}-${f.familyId}`,
      recipientRole: 'FAMILY',
      recipientId: f.familyId,
      fields: { child_name: f.childName, your_break: `${f.breakDateTime} at ${f.providerName}`, answer: ANSWER_WORDS[answer] },
      link: '/family#swaps',
      payload: { swapId: swap.id },
    });
  }
}

/** Coordinators of each authority with children the closure could not place are told who is still waiting. */
export async function notifyClosureLeftWaiting(tx: Tx, closure: Closure): Promise<void> {
  const waiting = await tx.rehomingOutcome.findMany({
    where: { closureId: closure.id, outcome: 'WAITLISTED' },
    select: { booking: { select: { authorityId: true, startsAt: true, child: { select: { firstName: true, lastName: true } } } } },
    orderBy: { createdAt: 'asc' },
  });
  if (!waiting.length) return;
  const provider = await tx.provider.findUniqueOrThrow({ where: { id: closure.providerId }, select: { name: true } });
  const byAuthority = new Map<string, string[]>();
  for (const w of waiting) {
    const line = `- ${w.booking.child.firstName} ${w.booking.child.lastName}: ${dayText(w.booking.startsAt)}`;
    byAuthority.set(w.booking.authorityId, [...(byAuthority.get(w.booking.authorityId) ?? []), line]);
  }
  for (const [authorityId, lines] of byAuthority) {
    await notify(tx, {
      kind: 'CLOSURE_LEFT_WAITING',
      dedupeKey: `closure-${closure.id}-waiting-${authorityId}`,
      recipientRole: 'COORDINATOR',
      recipientId: authorityId,
      fields: { provider_name: provider.name, waiting_count: String(lines.length), children: lines.join('\n') },
      link: `/coordinator/closures/${closure.id}`,
      payload: { closureId: closure.id },
    });
  }
}

/** For the closure consultation: invite a family to rank the alternatives for its child. */
export async function notifyConsultationInvitation(tx: Tx, input: { closureId: string; childId: string; respondBy: Date; link?: string }): Promise<void> {
  const closure = await tx.closure.findUniqueOrThrow({ where: { id: input.closureId }, select: { effectiveFrom: true, provider: { select: { name: true } } } });
  const child = await tx.child.findUniqueOrThrow({ where: { id: input.childId }, select: { firstName: true, familyId: true } });
  await notify(tx, {
    kind: 'CONSULTATION_INVITATION',
    dedupeKey: `consultation-${input.closureId}-${input.childId}`,
    recipientRole: 'FAMILY',
    recipientId: child.familyId,
    fields: { child_name: child.firstName, provider_name: closure.provider.name, closing_date: dayText(closure.effectiveFrom), respond_by: dayText(input.respondBy) },
    link: input.link ?? '/family',
    payload: { closureId: input.closureId, childId: input.childId },
  });
}

/**
 * A child's passport or needs changed: every provider with a future live
 * booking of the child is told what changed (the field names, never the
 * contents: the provider reads them, logged, in its pages).
 */
export async function notifyPassportChanged(tx: Tx, input: { childId: string; changed: string[]; changeId: string; now?: Date }): Promise<void> {
  const now = input.now ?? new Date();
  const bookings = await tx.booking.findMany({
    where: { childId: input.childId, status: { in: [...UPCOMING_BOOKING_STATUSES] }, endsAt: { gt: now } },
    select: { authorityId: true, startsAt: true, slot: { select: { providerId: true } }, child: { select: { firstName: true, lastName: true } } },
    orderBy: { startsAt: 'asc' },
  });
  const seen = new Set<string>();
  for (const b of bookings) {
    if (seen.has(b.slot.providerId)) continue;
    seen.add(b.slot.providerId);
    await notify(tx, {
      kind: 'PASSPORT_CHANGED',
      dedupeKey: `passport-${input.changeId}-${b.slot.providerId}`,
      recipientRole: 'PROVIDER',
      recipientId: b.slot.providerId,
      authorityId: b.authorityId,
      fields: { child_name: b.child.firstName, next_break: dayText(b.startsAt), changed: input.changed.join(', ') },
      link: `/provider/children/${input.childId}`,
      payload: { childId: input.childId },
    });
  }
}
