import { z } from '@hono/zod-openapi';
import { Instant, LocalDate, Uuid } from './common.js';

export const ListOnSwapBoardBody = z
  .object({ bookingId: Uuid.openapi({ description: 'Your break that you would give up' }) })
  .strict()
  .openapi('ListOnSwapBoard');

export const OfferFromSwapBoardBody = z
  .object({ bookingId: Uuid.openapi({ description: 'Your break that the other family would get in return' }) })
  .strict()
  .openapi('OfferFromSwapBoard');

/** Where and when a listed break is: never whose it is. */
export const BoardPlaceSchema = z
  .object({
    providerName: z.string(),
    providerKind: z.string(),
    address: z.string(),
    phone: z.string().nullable(),
    startsAt: Instant,
    endsAt: Instant,
    localDate: LocalDate,
    nights: z.number().int(),
    capabilities: z.array(z.string()),
    journey: z.object({ miles: z.number(), minutes: z.number() }).nullable(),
  })
  .openapi('SwapBoardPlace');

export const SwapListingSchema = z
  .object({
    id: Uuid,
    bookingId: Uuid,
    childId: Uuid,
    place: BoardPlaceSchema,
    createdAt: Instant,
  })
  .openapi('SwapListing');

export const SwapBoardEntrySchema = z
  .object({
    listingId: Uuid,
    place: BoardPlaceSchema,
    /** Each of your children who could take the break, and which of your breaks the other child could take in return. */
    forChildren: z.array(
      z.object({
        childId: Uuid,
        exchangeFor: z.array(z.object({ bookingId: Uuid, place: BoardPlaceSchema, alreadyOffered: z.boolean() })),
      }),
    ),
  })
  .openapi('SwapBoardEntry');

export const SwapBoardSchema = z
  .object({
    /** Your breaks on the board. */
    listed: z.array(SwapListingSchema),
    /** Other families' breaks that one of your children could take, in exchange for one of yours the other child could take. */
    available: z.array(SwapBoardEntrySchema),
    /** Listed by other families but not for you: no child of yours could take it, or none of your breaks could go to the other child. */
    notSuitable: z.number().int(),
  })
  .openapi('SwapBoard');

export type BoardPlace = z.infer<typeof BoardPlaceSchema>;
