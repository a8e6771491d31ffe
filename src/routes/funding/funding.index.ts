/** Prices on capacity rules, children's funding packages, funders' budgets and the money report. */
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { csvResponse, wantsCsv } from '../../http/csv.js';
import { bearerSecurity, errorResponses, IdempotencyHeader, IdParam, jsonBody, jsonContent } from '../../http/openapi.js';
import { BudgetSchema, CreatePriceBody, FundingSchema, PriceSchema, SetBudgetBody, SetFundingBody } from '../../schemas/funding.js';
import { CostReportSchema, FundingReviewSchema } from '../../schemas/reports.js';
import * as prices from '../../services/capacity-prices.js';
import * as costs from '../../services/cost-reports.js';
import * as funding from '../../services/funding.js';
import { fundingReview, REVIEW_SECTIONS, type ReviewSection } from '../../services/funding-review.js';
import { csvContent, ReportFields, ReportQuery, reportPeriodRefinement } from '../reports/reports.index.js';

const security = bearerSecurity;

export const createPriceRoute = createRoute({
  method: 'post', path: '/v1/capacity-rules/{id}/prices', tags: ['Costs'], security,
  summary: 'Price a rule’s places from a date (pence per night, per session, or a block contract’s sum); closes the open-ended price it supersedes',
  request: { params: IdParam, headers: IdempotencyHeader, body: jsonBody(CreatePriceBody) },
  responses: { 201: jsonContent(PriceSchema, 'Created'), ...errorResponses },
});
export const listPricesRoute = createRoute({
  method: 'get', path: '/v1/capacity-rules/{id}/prices', tags: ['Costs'], security,
  request: { params: IdParam },
  responses: { 200: jsonContent(z.object({ items: z.array(PriceSchema) }), 'Prices, oldest first'), ...errorResponses },
});
export const getFundingRoute = createRoute({
  method: 'get', path: '/v1/children/{id}/funding', tags: ['Costs'], security,
  summary: 'The child’s funding package: who pays what share of its breaks',
  request: { params: IdParam },
  responses: { 200: jsonContent(FundingSchema, 'The package (empty: the authority’s social care pays)'), ...errorResponses },
});
export const setFundingRoute = createRoute({
  method: 'put', path: '/v1/children/{id}/funding', tags: ['Costs'], security,
  summary: 'Replace the child’s funding package; bookings made from now on are split by it',
  request: { params: IdParam, body: jsonBody(SetFundingBody) },
  responses: { 200: jsonContent(FundingSchema, 'The new package'), ...errorResponses },
});
export const setBudgetRoute = createRoute({
  method: 'put', path: '/v1/budgets', tags: ['Costs'], security,
  summary: 'Set a funder’s short-breaks budget for a period (replaces the sum for the same funder and period)',
  request: { body: jsonBody(SetBudgetBody) },
  responses: { 200: jsonContent(BudgetSchema, 'The budget'), ...errorResponses },
});
export const listBudgetsRoute = createRoute({
  method: 'get', path: '/v1/budgets', tags: ['Costs'], security,
  request: { query: ReportQuery },
  responses: { 200: jsonContent(z.object({ items: z.array(BudgetSchema) }), 'Budgets overlapping the period'), ...errorResponses },
});
export const costReportRoute = createRoute({
  method: 'get', path: '/v1/reports/costs', tags: ['Reports'], security,
  summary: 'Committed, delivered and cancelled spend per funder, provider and need (pence), with block contracts',
  request: { query: ReportQuery },
  responses: { 200: { description: 'JSON, or CSV (one row per funder, provider and need) when asked', content: { 'application/json': { schema: CostReportSchema }, ...csvContent } }, ...errorResponses },
});

const ReviewQuery = ReportFields.extend({
  section: z.enum(Object.keys(REVIEW_SECTIONS) as [ReviewSection, ...ReviewSection[]]).optional().openapi({ description: 'For CSV: which table of the pack (default spend-by-funder)' }),
}).superRefine(reportPeriodRefinement);
export const fundingReviewRoute = createRoute({
  method: 'get', path: '/v1/reports/funding-review', tags: ['Reports'], security,
  summary: 'The funding review for a period: spend vs budget by funder, cost per delivered night, promised vs delivered and the shortfall’s cost, unmet demand by need and month, children furthest behind',
  request: { query: ReviewQuery },
  responses: { 200: { description: 'JSON (all sections), or one section as CSV', content: { 'application/json': { schema: FundingReviewSchema }, ...csvContent } }, ...errorResponses },
});

export const fundingRouter = createRouter()
  .openapi(createPriceRoute, async (c) => c.json(await prices.createPrice(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 201))
  .openapi(listPricesRoute, async (c) => c.json({ items: await prices.listPrices(c.get('principal'), c.req.valid('param').id) }, 200))
  .openapi(getFundingRoute, async (c) => c.json(await funding.getFunding(c.get('principal'), c.req.valid('param').id), 200))
  .openapi(setFundingRoute, async (c) => c.json(await funding.setFunding(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200))
  .openapi(setBudgetRoute, async (c) => c.json(await funding.setBudget(c.get('principal'), c.req.valid('json')), 200))
  .openapi(listBudgetsRoute, async (c) => c.json({ items: await funding.listBudgets(c.get('principal'), c.req.valid('query')) }, 200))
  .openapi(costReportRoute, async (c) => {
    const q = c.req.valid('query');
    const report = await costs.costReport(c.get('principal'), q);
    if (wantsCsv(c)) return csvResponse(c, `costs-${q.from}-${q.to}.csv`, costs.costReportRows(report), [...costs.COST_CSV_COLUMNS]) as never;
    return c.json(report satisfies z.infer<typeof CostReportSchema>, 200);
  })
  .openapi(fundingReviewRoute, async (c) => {
    const q = c.req.valid('query');
    const review = await fundingReview(c.get('principal'), q);
    if (wantsCsv(c)) {
      const section = q.section ?? 'spend-by-funder';
      const { rows, columns } = REVIEW_SECTIONS[section];
      return csvResponse(c, `funding-review-${section}-${q.from}-${q.to}.csv`, rows(review) as Record<string, unknown>[], [...columns]) as never;
    }
    return c.json(review satisfies z.infer<typeof FundingReviewSchema>, 200);
  });
