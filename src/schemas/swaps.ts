import { z } from '@hono/zod-openapi';
import { Instant, Text, Uuid } from './common.js';
import { pageFields } from './paging.js';

export const SwapStatusSchema = z.enum(['PROPOSED', 'ACCEPTED', 'COMPLETED', 'REJECTED', 'EXPIRED', 'SUPERSEDED', 'WITHDRAWN']).openapi('SwapStatus');

export const CreateSwapBody = z
  .object({
    bookingId: Uuid.openapi({ description: 'Your booking, which the other family would take' }),
    withBookingId: Uuid.openapi({ description: 'The other family’s booking, which your child would take' }),
  })
  .strict()
  .refine((v) => v.bookingId !== v.withBookingId, { path: ['withBookingId'], message: 'must be a different booking' })
  .openapi('CreateSwap');

export const SwapActionBody = z.object({ reason: Text().trim().max(500).optional() }).strict().openapi('SwapAction');

export const SwapSchema = z
  .object({
    id: Uuid,
    authorityId: Uuid,
    bookingAId: Uuid,
    bookingBId: Uuid,
    status: SwapStatusSchema,
    requiresApproval: z.boolean(),
    expiresAt: Instant,
    acceptedAt: Instant.nullable(),
    approvedAt: Instant.nullable(),
    completedAt: Instant.nullable(),
    closedReason: z.string().nullable(),
    /** After completion: the bookings each child now holds. */
    newBookingIds: z.array(Uuid),
    createdAt: Instant,
  })
  .openapi('Swap');

export const SwapQuery = z.object({ status: SwapStatusSchema.optional(), ...pageFields() });

export type CreateSwapInput = z.infer<typeof CreateSwapBody>;
