/**
 * The care-need vocabulary shared by children (needs) and places (capabilities).
 * DESIGN.md glossary: a child with any complex health need may only be placed
 * where that need is met (invariant 3).
 */
export const CARE_NEEDS = [
  'GASTROSTOMY',
  'OXYGEN',
  'EPILEPSY_RESCUE_MEDICATION',
  'VENTILATION',
  'HOIST',
  'WHEELCHAIR',
  'TWO_TO_ONE_STAFFING',
  'CHALLENGING_BEHAVIOUR',
  'AUTISM',
  'SENSORY_IMPAIRMENT',
] as const;

export type CareNeed = (typeof CARE_NEEDS)[number];

/** Needs that only trained staff (or a carer with valid training) can meet. */
export const COMPLEX_HEALTH_NEEDS: readonly CareNeed[] = [
  'GASTROSTOMY',
  'OXYGEN',
  'EPILEPSY_RESCUE_MEDICATION',
  'VENTILATION',
];

/**
 * Needs a place must physically meet (equipment, staffing ratio) in addition to
 * complex health needs: a wheelchair user cannot be booked into a place with no
 * wheelchair access. The remaining needs (behaviour, autism, sensory) are shared
 * through the medical passport but do not restrict which place fits.
 */
export const PLACE_REQUIRED_NEEDS: readonly CareNeed[] = [
  ...COMPLEX_HEALTH_NEEDS,
  'HOIST',
  'WHEELCHAIR',
  'TWO_TO_ONE_STAFFING',
];

export function isComplexHealthNeed(need: CareNeed): boolean {
  return COMPLEX_HEALTH_NEEDS.includes(need);
}
