import { z } from '@hono/zod-openapi';
import { CareNeedSchema, Instant, LocalDate, Uuid } from './common.js';
import { ProviderKindSchema } from './providers.js';
import { pageFields } from './paging.js';

const SlotWindow = z.object({
  from: LocalDate,
  to: LocalDate,
  providerId: Uuid.optional(),
  capability: CareNeedSchema.optional().openapi({ description: 'Only slots whose places meet this need' }),
  kind: ProviderKindSchema.optional(),
});

function windowOfAtMost400Days(v: { from: string; to: string }, ctx: z.RefinementCtx) {
  if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
  const days = (Date.parse(v.to) - Date.parse(v.from)) / 86_400_000;
  if (days > 400) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a window is at most 400 days' });
}

export const SlotQuery = SlotWindow.extend({
  available: z.enum(['true', 'false']).optional().openapi({ description: 'true = only slots with a free place' }),
  ...pageFields({ max: 500, fallback: 100 }),
}).superRefine(windowOfAtMost400Days);

export const SlotSummaryQuery = SlotWindow.superRefine(windowOfAtMost400Days);

export const SlotDaySchema = z
  .object({
    localDate: z.string(),
    breaks: z.number().int().openapi({ description: 'Active breaks starting that day' }),
    breaksWithFree: z.number().int(),
    places: z.number().int(),
    free: z.number().int().openapi({ description: 'Places neither booked nor held for a waiting-list offer' }),
    providers: z.number().int().openapi({ description: 'Providers with at least one free place that day' }),
  })
  .openapi('SlotDay');

export const SlotDaysSchema = z
  .object({
    days: z.array(SlotDaySchema),
    providers: z.array(
      z.object({ providerId: Uuid, providerName: z.string(), breaks: z.number().int(), breaksWithFree: z.number().int(), places: z.number().int(), free: z.number().int() }),
    ),
  })
  .openapi('SlotDays');

export const SlotSchema = z
  .object({
    id: Uuid,
    providerId: Uuid,
    providerName: z.string(),
    providerKind: ProviderKindSchema,
    capacityRuleId: Uuid,
    carerId: Uuid.nullable(),
    localDate: z.string(),
    startsAt: Instant,
    endsAt: Instant,
    nights: z.number().int(),
    capacity: z.number().int(),
    booked: z.number().int(),
    held: z.number().int(),
    free: z.number().int(),
    capabilities: z.array(CareNeedSchema),
    /** Free places counted under each need these places can meet. */
    freeByCapability: z.record(z.string(), z.number().int()),
    reservedForAuthorityId: Uuid.nullable(),
  })
  .openapi('Slot');
