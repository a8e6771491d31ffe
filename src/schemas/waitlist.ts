import { z } from '@hono/zod-openapi';
import { Instant, Uuid } from './common.js';
import { LimitWarningSchema } from './bookings.js';

export const JoinWaitlistBody = z.object({ childId: Uuid, slotId: Uuid, requestId: Uuid.optional() }).strict().openapi('JoinWaitlist');
export const WaitlistQuery = z.object({ childId: Uuid.optional(), slotId: Uuid.optional() });

export const WaitlistEntrySchema = z
  .object({
    id: Uuid,
    childId: Uuid,
    slotId: Uuid,
    requestId: Uuid.nullable(),
    status: z.enum(['WAITING', 'OFFERED', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'WITHDRAWN']),
    rehoming: z.boolean(),
    position: z.number().int().nullable().openapi({ description: 'Place in the queue while WAITING (1 = next offer)' }),
    offeredAt: Instant.nullable(),
    offerExpiresAt: Instant.nullable(),
    bookingId: Uuid.nullable(),
    createdAt: Instant,
    place: z
      .object({ providerId: Uuid, providerName: z.string(), addressLine: z.string(), postcode: z.string(), localDate: z.string(), startsAt: Instant, endsAt: Instant })
      .nullable()
      .optional()
      .openapi({ description: 'The place waited for or offered: where and when (listed entries)' }),
    rehomingOffer: z
      .object({
        closureId: Uuid,
        reason: z.string().openapi({ description: 'Why the plan chose this place, in words' }),
        dayShift: z.number().int().nullable().openapi({ description: 'Days from the lost break (negative = earlier)' }),
        travelMinutes: z.number().int().nullable().openapi({ description: 'Estimated journey from home' }),
        transport: z.string().openapi({ description: 'Specialist transport: arranged both ways, not needed, or why it could not be arranged' }),
      })
      .nullable()
      .optional()
      .openapi({ description: "A re-homing offer: the closure's reasons, the journey and the transport" }),
  })
  .openapi('WaitlistEntry');

export const AcceptedOfferSchema = z.object({ entry: WaitlistEntrySchema, bookingId: Uuid, warnings: z.array(LimitWarningSchema) }).openapi('AcceptedOffer');
