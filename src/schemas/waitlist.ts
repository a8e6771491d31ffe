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
  })
  .openapi('WaitlistEntry');

export const AcceptedOfferSchema = z.object({ entry: WaitlistEntrySchema, bookingId: Uuid, warnings: z.array(LimitWarningSchema) }).openapi('AcceptedOffer');
