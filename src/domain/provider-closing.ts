/**
 * When a provider is off sale (DESIGN.md invariant 8: from a closure's date
 * nothing points at the closing provider, and its slots are never on sale).
 * One rule, used by every booking path (placement), the waiting list and
 * break requests; src/services/slots.ts spells the same rule in SQL for lists.
 */
export interface ProviderOpenness {
  status: 'ACTIVE' | 'CLOSING' | 'CLOSED';
  /** Set when a closure is recorded: nothing starting on or after it. */
  closingFrom: Date | null;
  /** Commissioning authorities that suspended their own placements here, each from a date (closure rows with suspendedAuthorityId). */
  closures?: { suspendedAuthorityId: string | null; effectiveFrom: Date }[];
}

/** True when a break starting at `startsAt` at this provider can no longer be booked, offered or requested. */
export function isClosedFrom(provider: ProviderOpenness, startsAt: Date): boolean {
  return provider.status === 'CLOSED' || (provider.closingFrom !== null && startsAt >= provider.closingFrom);
}

/**
 * True when the child's authority has suspended its placements at this
 * provider for a break starting then: the provider stays open to others.
 */
export function isSuspendedFor(provider: ProviderOpenness, startsAt: Date, authorityId: string): boolean {
  return (provider.closures ?? []).some((k) => k.suspendedAuthorityId === authorityId && startsAt >= k.effectiveFrom);
}
