/** Prices, funding packages and budgets: what breaks cost and who pays (src/domain/costs.ts). */
import { z } from '@hono/zod-openapi';
import { FUNDERS } from '../domain/costs.js';
import { CareNeedSchema, LocalDate, Uuid } from './common.js';

export const FunderSchema = z.enum(FUNDERS).openapi('Funder');
export const PriceUnitSchema = z.enum(['NIGHT', 'SESSION', 'BLOCK']).openapi('PriceUnit');
// Stored as PostgreSQL integer: at most £20 million in one price or budget.
const Pence = z.number().int().min(0).max(2_000_000_000).openapi({ description: 'Pence (GBP), at most 2,000,000,000 (£20 million)' });

export const CreatePriceBody = z
  .object({
    unit: PriceUnitSchema.openapi({ description: 'NIGHT for an overnight rule, SESSION for a day rule, BLOCK for a rule block-contracted to your authority (the whole sum for the period)' }),
    pence: Pence,
    effectiveFrom: LocalDate,
    effectiveTo: LocalDate.optional().openapi({ description: 'Last date (inclusive); required for a BLOCK price' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.effectiveTo && v.effectiveTo < v.effectiveFrom) ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'must be on or after effectiveFrom' });
    if (v.unit === 'BLOCK' && !v.effectiveTo) ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'a block contract is priced for a period: give effectiveTo' });
  })
  .openapi('CreatePrice');

export const PriceSchema = z
  .object({ id: Uuid, capacityRuleId: Uuid, unit: PriceUnitSchema, pence: z.number().int(), effectiveFrom: z.string(), effectiveTo: z.string().nullable() })
  .openapi('Price');

export const FundingShareBody = z
  .object({
    funder: FunderSchema,
    percent: z.number().min(0.01).max(100).multipleOf(0.01).openapi({ description: 'Share of each break’s cost, e.g. 50 or 33.34' }),
    need: CareNeedSchema.nullable().optional().openapi({ description: 'Only for breaks whose place meets this need of the child (e.g. the ICB pays for nursing-cover nights for GASTROSTOMY)' }),
  })
  .strict();

export const SetFundingBody = z
  .object({ shares: z.array(FundingShareBody).max(40).openapi({ description: 'The whole package (replaces the old one). Empty: the authority’s social care pays for everything.' }) })
  .strict()
  .openapi('SetFunding');

export const FundingSchema = z
  .object({
    childId: Uuid,
    shares: z.array(z.object({ funder: FunderSchema, percent: z.number(), basisPoints: z.number().int(), need: CareNeedSchema.nullable() })),
  })
  .openapi('FundingPackage');

export const SetBudgetBody = z
  .object({ funder: FunderSchema, periodStart: LocalDate, periodEnd: LocalDate, pence: Pence })
  .strict()
  .superRefine((v, ctx) => {
    if (v.periodEnd < v.periodStart) ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'must be on or after periodStart' });
  })
  .openapi('SetBudget');

export const BudgetSchema = z
  .object({ id: Uuid, funder: FunderSchema, periodStart: z.string(), periodEnd: z.string(), pence: z.number().int() })
  .openapi('Budget');

/** Booking.fundingSplit, as fixed when booked; parsed on read (a JSON column is an edge). */
export const FundingSplitSchema = z
  .array(z.object({ funder: FunderSchema, basisPoints: z.number().int(), pence: z.number().int() }))
  .nullable()
  .openapi('FundingSplit');

export type CreatePriceInput = z.infer<typeof CreatePriceBody>;
export type SetFundingInput = z.infer<typeof SetFundingBody>;
export type SetBudgetInput = z.infer<typeof SetBudgetBody>;
