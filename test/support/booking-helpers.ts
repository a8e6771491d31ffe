/**
 * Helpers for the booking, waitlist and swap tests: single future
 * slots, bookings through the API, foster carers with training, and stays
 * written straight to the database where the API cannot make them (past
 * breaks for the looked-after limits, clashes that appear after a swap was
 * proposed).
 */
import { db } from '../../src/db.js';
import type { CareNeed } from '../../src/domain/care-needs.js';
import { nightsOf } from '../../src/domain/eligibility.js';
import { addDays, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { toDbDate } from '../../src/services/serialize.js';
import { expectProblem, post, type ApiResponse } from './api.js';
import { makeChild, makeFamily, makeSlots } from './factories.js';

/** Minutes for a stay from 17:00 on one day to 10:00 `nights` days later (the usual overnight break). */
export const overnightMinutes = (nights: number) => nights * 24 * 60 - 7 * 60;

/** The one slot of a rule that runs on `date` only. */
export async function makeSlot(providerId: string, date: string, options: Omit<Parameters<typeof makeSlots>[1], 'startDate' | 'untilDate'> = {}) {
  const { slots } = await makeSlots(providerId, { ...options, startDate: date, untilDate: date });
  if (slots.length !== 1) throw new Error(`expected one slot on ${date}, got ${slots.length}`);
  return slots[0]!;
}

/** A family with one child (and the child's default award unless overridden). */
export async function makeFamilyWithChild(authorityId: string, childOptions: Parameters<typeof makeChild>[2] = {}) {
  const { family, familyToken } = await makeFamily(authorityId);
  const child = await makeChild(family.id, authorityId, childOptions);
  return { family, familyToken, child };
}

export interface BookingBody {
  id: string;
  childId: string;
  slotId: string;
  status: string;
  source: string;
  replacesBookingId: string | null;
  warnings: { code: string; days: number; limit: number; detail: string }[];
}

/** A coordinator booking that must succeed. */
export async function book(coordinatorToken: string, childId: string, slotId: string): Promise<BookingBody> {
  const res = await post<BookingBody>('/v1/bookings', coordinatorToken, { childId, slotId });
  if (res.status !== 201) throw new Error(`booking failed with ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The refusal reasons of a 422 BOOKING_REFUSED response. */
export function refusalReasons(res: ApiResponse): string[] {
  expectProblem(res, 422, 'BOOKING_REFUSED');
  return (res.body.reasons as { reason: string }[]).map((r) => r.reason);
}

/** A foster carer of a family-based provider with training records (local dates). */
export async function makeCarer(providerId: string, training: { need: CareNeed; completedOn: string; expiresOn: string }[] = []) {
  return db().fosterCarer.create({
    data: {
      providerId,
      name: 'Test carer',
      training: {
        create: training.map((t) => ({ need: t.need, course: `${t.need} course`, completedOn: toDbDate(t.completedOn), expiresOn: toDbDate(t.expiresOn) })),
      },
    },
  });
}

/**
 * A CONFIRMED stay of `nights` nights from 17:00 on `date`, written straight to
 * the database in a slot of its own (past dates included). The rule is inactive
 * so slot generation never reshapes the slot.
 */
export async function insertStay(child: { id: string; authorityId: string }, providerId: string, date: string, nights: number, options: { startTime?: string; endTime?: string } = {}) {
  const startsAt = londonWallTimeToInstant(date, options.startTime ?? '17:00');
  const endsAt = londonWallTimeToInstant(addDays(date, nights), options.endTime ?? '10:00');
  const minutes = Math.round((endsAt.getTime() - startsAt.getTime()) / 60_000);
  const rule = await db().capacityRule.create({
    data: { providerId, rrule: 'FREQ=DAILY', startDate: date, untilDate: date, startTime: options.startTime ?? '17:00', durationMinutes: minutes, places: 1, capabilities: [], exdates: [], active: false },
  });
  const slot = await db().slot.create({
    data: { providerId, capacityRuleId: rule.id, localDate: date, startsAt, endsAt, capacity: 1, capabilities: [] },
  });
  return db().booking.create({
    data: { childId: child.id, slotId: slot.id, authorityId: child.authorityId, status: 'CONFIRMED', source: 'MANUAL', startsAt, endsAt, nights: nightsOf({ start: startsAt, end: endsAt }) },
  });
}
