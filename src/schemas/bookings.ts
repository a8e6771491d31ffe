import { z } from '@hono/zod-openapi';
import { FundingSplitSchema, PriceUnitSchema } from './funding.js';
import { Instant, LocalDate, Text, Uuid } from './common.js';
import { ATTENDANCE_STATUSES, BOOKING_STATUSES } from '../domain/booking-status.js';
import { pageFields } from './paging.js';

export const BookingStatusSchema = z.enum(BOOKING_STATUSES).openapi('BookingStatus');
export const BookingSourceSchema = z.enum(['ALLOCATION', 'MANUAL', 'SWAP', 'REHOMING']).openapi('BookingSource');

export const CreateBookingBody = z
  .object({ childId: Uuid, slotId: Uuid, requestId: Uuid.optional() })
  .strict()
  .openapi('CreateBooking');

export const CancelBookingBody = z
  .object({ reason: Text().trim().min(1).max(500).default('Cancelled') })
  .strict()
  .openapi('CancelBooking');

export const BookingQuery = z
  .object({
    childId: Uuid.optional(),
    slotId: Uuid.optional(),
    providerId: Uuid.optional(),
    status: BookingStatusSchema.optional(),
    from: LocalDate.optional(),
    to: LocalDate.optional(),
    ...pageFields(),
  });

export const LimitWarningSchema = z
  .object({ code: z.string(), detail: z.string(), days: z.number(), limit: z.number() })
  .openapi('LimitWarning');

export const BookingSchema = z
  .object({
    id: Uuid,
    childId: Uuid,
    slotId: Uuid,
    providerId: Uuid,
    providerName: z.string(),
    authorityId: Uuid,
    status: BookingStatusSchema,
    source: BookingSourceSchema,
    startsAt: Instant,
    endsAt: Instant,
    nights: z.number().int(),
    requestId: Uuid.nullable(),
    roundId: Uuid.nullable(),
    replacesBookingId: Uuid.nullable(),
    cancelledAt: Instant.nullable(),
    cancelledByRole: z.enum(['COORDINATOR', 'PROVIDER', 'FAMILY']).nullable(),
    cancelReason: z.string().nullable(),
    noShowReason: z.string().nullable(),
    attendanceRecordedAt: Instant.nullable(),
    pickedUpAt: Instant.nullable().openapi({ description: 'When the child was collected early, if they were' }),
    costPence: z.number().int().nullable().openapi({ description: 'Fixed when booked, at the price in force on its date; null = no price was published' }),
    priceUnit: PriceUnitSchema.nullable(),
    fundingSplit: FundingSplitSchema,
    createdAt: Instant,
  })
  .openapi('Booking');

export const BookingCreatedSchema = BookingSchema.extend({ warnings: z.array(LimitWarningSchema) }).openapi('BookingCreated');

export const AuditEventSchema = z
  .object({ id: Uuid, at: Instant, actorRole: z.string(), actorId: z.string(), action: z.string(), before: z.unknown().nullable(), after: z.unknown().nullable() })
  .openapi('AuditEvent');

export const BookingDetailSchema = BookingSchema.extend({ history: z.array(AuditEventSchema) }).openapi('BookingDetail');

export type CreateBookingInput = z.infer<typeof CreateBookingBody>;
export type BookingQueryInput = z.infer<typeof BookingQuery>;

export const NO_SHOW_REASONS = ['CHILD_UNWELL', 'FAMILY_CANCELLED_ON_THE_DAY', 'PROVIDER_CANCELLED_ON_THE_DAY', 'TRANSPORT_FAILED', 'OTHER'] as const;

const attendanceFields = {
  status: z.enum(ATTENDANCE_STATUSES),
  reason: z.enum(NO_SHOW_REASONS).optional().openapi({ description: 'Required for NO_SHOW' }),
  note: Text().trim().max(500).optional(),
  pickedUpAt: Instant.optional().openapi({ description: 'An early pick-up: when the child was collected, before the break ended (ATTENDED only)' }),
};

const attendanceRules = (v: { status: (typeof ATTENDANCE_STATUSES)[number]; reason?: string | undefined; pickedUpAt?: string | undefined }, ctx: z.RefinementCtx) => {
  if (v.status === 'NO_SHOW' && !v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'say why the break did not happen' });
  if (v.status === 'NO_SHOW' && v.pickedUpAt) ctx.addIssue({ code: 'custom', path: ['pickedUpAt'], message: 'only a break that happened has a pick-up time' });
  if (v.status === 'ATTENDED' && v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only a NO_SHOW has a reason' });
};

export const RecordAttendanceBody = z.object(attendanceFields).strict().superRefine(attendanceRules).openapi('RecordAttendance');

/** A morning's attendance in one go: all of it is recorded, or (on any refusal) none. */
export const RecordAttendanceManyBody = z
  .object({
    records: z
      .array(z.object({ bookingId: Uuid, ...attendanceFields }).strict().superRefine(attendanceRules))
      .min(1)
      .max(100)
      .superRefine((records, ctx) => {
        const seen = new Set<string>();
        records.forEach((r, i) => {
          if (seen.has(r.bookingId)) ctx.addIssue({ code: 'custom', path: [i, 'bookingId'], message: 'this booking is already in the list' });
          seen.add(r.bookingId);
        });
      }),
  })
  .strict()
  .openapi('RecordAttendanceMany');

export type RecordAttendanceManyInput = z.infer<typeof RecordAttendanceManyBody>;

export type RecordAttendanceInput = z.infer<typeof RecordAttendanceBody>;
