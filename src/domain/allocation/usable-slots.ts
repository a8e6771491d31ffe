/**
 * Which of a period's slots a round's requests can use, for reading only those
 * when the allocation over them is provably the allocation over every slot.
 *
 * The allocator places a child only in one of its candidates (a slot a ranked
 * preference names or matches, or, for a flexible request, any suitable slot),
 * and every move, swap and stay repair looks only at candidates. The one thing
 * the other slots decide is which needs are scarce this round (RoundState
 * scarceNeeds, from every free place): a need is scarce only when a child of
 * the round has it, so without a child needing what a place must provide
 * (PLACE_REQUIRED_NEEDS) no slot outside the candidates changes anything. A
 * flexible request, or a DAYS preference with no provider, can use any home in
 * the country: then every slot is read.
 */
import { PLACE_REQUIRED_NEEDS } from '../care-needs.js';
import type { ChildInfo } from '../model.js';
import type { BreakRequestInfo } from './types.js';

/** The slots named and the providers whose slots the requests can use; null when it must be every slot. */
export function usableSlots(requests: readonly BreakRequestInfo[], children: readonly ChildInfo[]): { slotIds: string[]; providerIds: string[] } | null {
  if (children.some((child) => child.needs.some((need) => PLACE_REQUIRED_NEEDS.includes(need)))) return null;
  const slotIds = new Set<string>();
  const providerIds = new Set<string>();
  for (const request of requests) {
    if (request.flexible) return null;
    for (const preference of request.preferences) {
      if (preference.kind === 'SLOT') slotIds.add(preference.slotId);
      else if (preference.providerId === undefined) return null;
      else providerIds.add(preference.providerId);
    }
  }
  return { slotIds: [...slotIds], providerIds: [...providerIds] };
}
