/**
 * Fair allocation rounds: max-min filling with rotation (allocator.ts), the first-come-first-
 * served baseline it is measured against, fairness metrics and the max-flow
 * bound. Pure: plain data in, JSON-serialisable data out.
 */
export { allocate } from './allocator.js';
export { allocateFirstComeFirstServed } from './fcfs.js';
export { DEFAULT_SCARCITY_CALENDAR, ScarcityPricer, type SlotPrice } from './scarcity.js';
export { DEFAULT_HISTORY_WINDOW } from './history.js';
export { FlowNetwork, allocationUpperBound, type BoundChild, type BoundSlot } from './max-flow.js';
export {
  fairnessMetrics,
  gini,
  jainIndex,
  maxMinGap,
  scarceShareByChild,
  standardDeviation,
  type ChildOutcome,
  type ScarceShare,
} from './metrics.js';
export { SeededRandom, hashString, lotteryTicket } from './random.js';
export type * from './types.js';
export { usableSlots } from './usable-slots.js';
