/**
 * Who is offered a freed place first. The order is the allocator's rotation
 * order (src/domain/allocation/allocator.ts: highest Karma credit — served worst
 * so far — first, ties by the seeded lottery ticket), with one rule in front of
 * it: children re-homed after a closure wait ahead of ordinary requests, since
 * they lost a place they already had rather than asked for a new one.
 */
import { lotteryTicket } from './allocation/random.js';

export interface WaitingEntry {
  id: string;
  childId: string;
  rehoming: boolean;
  createdAt: Date;
}

export function waitlistOrder<E extends WaitingEntry>(entries: readonly E[], credits: ReadonlyMap<string, number>, seed: string): E[] {
  const key = (e: E) => ({ credit: credits.get(e.childId) ?? 0, ticket: lotteryTicket(seed, e.childId) });
  return [...entries].sort((a, b) => {
    if (a.rehoming !== b.rehoming) return a.rehoming ? -1 : 1;
    const ka = key(a);
    const kb = key(b);
    return kb.credit - ka.credit || ka.ticket - kb.ticket || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);
  });
}
