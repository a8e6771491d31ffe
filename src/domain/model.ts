/**
 * Plain data shapes the pure domain functions work on. Services map database
 * rows onto these; domain code never sees Prisma types, so it stays I/O-free and
 * easy to test and benchmark.
 */
import type { CareNeed } from './care-needs.js';

export type ProviderKind = 'RESIDENTIAL' | 'COMMUNITY' | 'FAMILY_BASED';

export interface TrainingRecordInfo {
  /** The need this course qualifies the carer to meet (e.g. buccal midazolam -> EPILEPSY_RESCUE_MEDICATION). */
  need: CareNeed;
  completedOn: Date;
  expiresOn: Date;
}

export interface SlotInfo {
  id: string;
  providerId: string;
  providerKind: ProviderKind;
  start: Date;
  end: Date;
  /** Places in this slot (one capacity rule occurrence = one group of identical places). */
  capacity: number;
  /** Places already taken by live bookings. */
  booked: number;
  /** What these places can meet. For FAMILY_BASED slots complex needs are met by carer training instead. */
  capabilities: CareNeed[];
  /** Block contract: only children of this authority may use the places; null = open to all. */
  reservedForAuthorityId: string | null;
  /** FAMILY_BASED slots belong to one foster carer; their valid training decides complex needs. */
  carerTraining?: TrainingRecordInfo[];
  /** That carer: a stay kept "in one home" means the same carer, not just the same scheme. */
  carerId?: string | null;
  /** Home upgrades in force on the slot's date: needs the provider meets beyond `capabilities`, in a limited number of places. */
  upgrades?: UpgradeInfo[];
}

/**
 * A home upgrade (nursing cover, training, equipment): from `from` the provider
 * meets `need` in at most `places` places at any one time, wherever its places'
 * own capabilities do not. `used`: places relying on it that overlap the slot.
 */
export interface UpgradeInfo {
  id: string;
  need: CareNeed;
  places: number;
  from: string;
  used: number;
}

export interface ChildInfo {
  id: string;
  authorityId: string;
  needs: CareNeed[];
}

/** A live booking of a child (ALLOCATED, CONFIRMED or ATTENDED) as far as hard constraints care. */
export interface StayInfo {
  slotId?: string;
  providerId: string;
  start: Date;
  end: Date;
}

export interface EntitlementInfo {
  childId: string;
  periodStart: Date; // inclusive, local midnight as instant
  periodEnd: Date; // exclusive
  nights: number;
  daySessions: number;
}
