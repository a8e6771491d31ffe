/**
 * A closure touches every authority whose children were booked at the home
 * (DESIGN.md, Tenancy: a closure or suspension re-homes each affected
 * authority's children with that authority's own places, transport and
 * preference order). Each authority gets a plan of its own — its block
 * contracts and the open places, its vehicles — made one after the other, so an
 * open place one authority's plan takes is no longer free for the next.
 */
import type { MoveTransport, RehomingInput, RehomingOutcome, RehomingPlan } from './planner.js';
import { mergeUpgrades, planRehoming } from './planner.js';
import { overlaps } from '../eligibility.js';

/** Run ids are plan-local (`run-1`, …): prefix them per authority so the merged plan's stay unique. */
function prefixTransport(t: MoveTransport | null, prefix: string): MoveTransport | null {
  if (!t || 'unmet' in t) return t;
  return { outbound: `${prefix}${t.outbound}`, return: `${prefix}${t.return}` };
}

/** Plan each authority's part in the order given (deterministic for the same inputs) and merge the plans. */
export function planPerAuthority(parts: RehomingInput[]): RehomingPlan {
  if (parts.length === 0) throw new RangeError('planPerAuthority needs at least one part');
  const taken = new Map<string, number>();
  // A home upgrade's places are shared by every authority too: uses by earlier parts, with their times.
  const upgradeUses: { upgradeId: string; start: Date; end: Date }[] = [];
  const plans = parts.map((input, i) => {
    const candidateSlots = input.candidateSlots.map((s) => ({
      ...s,
      booked: s.booked + (taken.get(s.id) ?? 0),
      ...(s.upgrades ? { upgrades: s.upgrades.map((u) => ({ ...u, used: u.used + upgradeUses.filter((x) => x.upgradeId === u.id && overlaps(x, s)).length })) } : {}),
    }));
    const plan = planRehoming({ ...input, candidateSlots });
    const slotById = new Map(input.candidateSlots.map((s) => [s.id, s]));
    for (const o of plan.outcomes) {
      if (o.outcome === 'WAITLISTED') continue;
      taken.set(o.toSlotId, (taken.get(o.toSlotId) ?? 0) + 1);
      const slot = slotById.get(o.toSlotId)!;
      for (const u of o.upgrades) upgradeUses.push({ upgradeId: u.upgradeId, start: slot.start, end: slot.end });
    }
    if (parts.length === 1) return plan;
    const prefix = `a${i}-`;
    return {
      ...plan,
      outcomes: plan.outcomes.map((o): RehomingOutcome => (o.outcome === 'WAITLISTED' ? o : { ...o, transport: prefixTransport(o.transport, prefix) })),
      transport: { runs: plan.transport.runs.map((r) => ({ ...r, id: `${prefix}${r.id}` })) },
    };
  });
  if (plans.length === 1) return plans[0]!;
  const first = plans[0]!;
  const summary = { ...first.summary };
  for (const p of plans.slice(1)) for (const k of Object.keys(summary) as (keyof typeof summary)[]) summary[k] += p.summary[k];
  return {
    ...first,
    order: plans.flatMap((p) => p.order),
    outcomes: plans.flatMap((p) => p.outcomes),
    // One action per carer and need, however many authorities' children wait for it.
    trainingActions: [...new Map(plans.flatMap((p) => p.trainingActions).map((a) => [`${a.carerId}|${a.need}`, a] as const)).values()],
    upgradesUsed: mergeUpgrades(plans.flatMap((p) => p.outcomes)),
    transport: { runs: plans.flatMap((p) => p.transport.runs) },
    summary,
  };
}
