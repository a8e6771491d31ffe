/**
 * The seed of a seeded run (an allocation round, a what-if scenario, a closure's
 * re-homing): the same inputs and seed give the same result, so a run asked for
 * without a seed gets a random one, stored with it so the run can be replayed.
 */
import { randomBytes } from 'node:crypto';

export const runSeed = (seed: string | undefined): string => seed ?? randomBytes(8).toString('hex');

/** The period and seed an allocation round or a scenario records. */
export function seededPeriod(input: { periodStart: string; periodEnd: string; seed?: string }) {
  return { periodStart: input.periodStart, periodEnd: input.periodEnd, seed: runSeed(input.seed) };
}
