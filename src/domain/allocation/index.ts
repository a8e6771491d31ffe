export { allocate } from './allocator.js';
export { allocateFirstComeFirstServed } from './fcfs.js';
export { DEFAULT_SCARCITY_CALENDAR, ScarcityPricer } from './scarcity.js';
export { DEFAULT_HISTORY_WINDOW } from './history.js';
export { FlowNetwork, allocationUpperBound, type BoundChild, type BoundSlot } from './max-flow.js';
export { fairnessMetrics, gini, jainIndex, maxMinGap, scarceShareByChild, standardDeviation } from './metrics.js';
export { SeededRandom, hashString, lotteryTicket } from './random.js';
export type * from './types.js';
