import { z } from '@hono/zod-openapi';
import { PLACE_REQUIRED_NEEDS, type CareNeed } from '../domain/care-needs.js';
import { CareNeedSchema, Instant, LocalDate, Text, Uuid } from './common.js';

/**
 * A home upgrade (the West Sussex case, ../shared/seeds/002_*: homes upgraded so
 * they could take children with complex health needs): from a date the home
 * meets a need in a number of its places, whatever its places' own capabilities.
 */
export const RecordUpgradeBody = z
  .object({
    need: CareNeedSchema.refine((n: CareNeed) => PLACE_REQUIRED_NEEDS.includes(n), 'must be a need a place has to meet (a complex health need, hoist, wheelchair or two-to-one staffing)').openapi({
      description: 'The need the home will meet',
    }),
    places: z.number().int().min(1).max(50).openapi({ description: 'How many children with the need it can take at any one time' }),
    from: LocalDate.openapi({ description: 'First local date it meets the need' }),
    note: Text().trim().max(500).optional().openapi({ description: 'What the upgrade is (nursing cover, training, equipment)' }),
  })
  .strict()
  .openapi('RecordUpgrade');

export const UpgradeSchema = z
  .object({
    id: Uuid,
    providerId: Uuid,
    providerName: z.string(),
    authorityId: Uuid.nullable().openapi({ description: 'The authority whose coordinator recorded it; null when the provider did' }),
    need: CareNeedSchema,
    places: z.number().int(),
    from: LocalDate,
    note: z.string().nullable(),
    createdAt: Instant,
  })
  .openapi('ProviderUpgrade');

export const UpgradeListSchema = z.object({ items: z.array(UpgradeSchema) }).openapi('ProviderUpgradeList');

export type RecordUpgradeInput = z.infer<typeof RecordUpgradeBody>;
