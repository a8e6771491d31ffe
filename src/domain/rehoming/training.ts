/**
 * Foster carer training gaps. DESIGN.md invariant 3: a family-based break can
 * take a child with a complex health need only if the carer's training for that
 * need is valid for the whole stay. When a carer is otherwise a fit, the gap is
 * an action for the coordinator (carer, course, by when) rather
 * than a dead end — the seed case (../shared/seeds/002_*) met closures partly
 * through "increased training and support for foster carers".
 */
import { isComplexHealthNeed, type CareNeed } from '../care-needs.js';
import { unmetNeeds } from '../eligibility.js';
import { londonDateOf } from '../london-time.js';
import type { ChildInfo, SlotInfo, TrainingRecordInfo } from '../model.js';

/** The course a carer attends to meet each complex health need (names as the training providers use them). */
export const TRAINING_COURSES = {
  GASTROSTOMY: 'Gastrostomy feeding',
  EPILEPSY_RESCUE_MEDICATION: 'Buccal midazolam administration',
  OXYGEN: 'Oxygen therapy',
  VENTILATION: 'Ventilation and tracheostomy care',
} as const satisfies Partial<Record<CareNeed, string>>;

/** Human name of the course for `need`; needs outside the table get a generic name rather than none. */
export function courseFor(need: CareNeed): string {
  return (TRAINING_COURSES as Partial<Record<CareNeed, string>>)[need] ?? `${need.toLowerCase().replaceAll('_', ' ')} training`;
}

export interface FosterCarerInfo {
  id: string;
  providerId: string;
  training: TrainingRecordInfo[];
}

/** Why the carer's existing records do not cover the stay. */
export type TrainingGapKind = 'MISSING' | 'EXPIRED' | 'EXPIRES_DURING_STAY' | 'NOT_YET_COMPLETED';

export interface TrainingAction {
  carerId: string;
  need: CareNeed;
  course: string;
  /** The training must be completed (and valid through the stay) before this instant: the slot's start. */
  neededBy: Date;
  gap: TrainingGapKind;
  detail: string;
}

/**
 * The training `carer` must complete so that `slot` meets every complex health
 * need of `child`; empty when the carer is already fully trained for it. The
 * decision of which needs are unmet is eligibility.ts's (so it cannot drift from
 * direct booking); this only names the course and says why the record falls short.
 * Running it again after a record is added is the confirmation re-check.
 */
export function trainingGap(carer: FosterCarerInfo, child: ChildInfo, slot: SlotInfo): TrainingAction[] {
  if (slot.providerKind !== 'FAMILY_BASED') return [];
  const withCarer: SlotInfo = { ...slot, carerTraining: carer.training };
  return unmetNeeds(child, withCarer)
    .filter(isComplexHealthNeed)
    .map((need) => {
      const { gap, detail } = describeGap(carer.training.filter((r) => r.need === need), slot);
      return { carerId: carer.id, need, course: courseFor(need), neededBy: slot.start, gap, detail };
    });
}

function describeGap(records: TrainingRecordInfo[], slot: SlotInfo): { gap: TrainingGapKind; detail: string } {
  const startDate = londonDateOf(slot.start);
  if (records.length === 0) return { gap: 'MISSING', detail: `no training on record; needed before ${startDate}` };
  const latest = records.reduce((a, b) => (b.expiresOn > a.expiresOn ? b : a));
  const expires = londonDateOf(latest.expiresOn);
  if (latest.expiresOn < slot.start) return { gap: 'EXPIRED', detail: `training expired ${expires}; renew before ${startDate}` };
  if (latest.completedOn > slot.start) {
    return { gap: 'NOT_YET_COMPLETED', detail: `training is only completed on ${londonDateOf(latest.completedOn)}; needed before ${startDate}` };
  }
  return { gap: 'EXPIRES_DURING_STAY', detail: `training expires ${expires}, during the stay; renew before ${startDate}` };
}
