import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../../http/app.js';
import { csvResponse, wantsCsv } from '../../http/csv.js';
import { bearerSecurity, errorResponses } from '../../http/openapi.js';
import { LocalDate } from '../../schemas/common.js';
import { CapacityReportSchema, EntitlementsReportSchema, LookedAfterReportSchema } from '../../schemas/reports.js';
import * as reports from '../../services/reports.js';
import type { LedgerRow } from '../../services/reports.js';

const tags = ['Reports'];
/** A report's period and format; other reports extend the fields and reuse the refinement. */
export const ReportFields = z.object({ from: LocalDate, to: LocalDate, format: z.enum(['json', 'csv']).optional().openapi({ description: 'Or send Accept: text/csv' }) });
export const reportPeriodRefinement = (v: { from: string; to: string }, ctx: z.RefinementCtx) => {
  if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' });
  if ((Date.parse(v.to) - Date.parse(v.from)) / 864e5 > 800) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a report covers at most 800 days' });
};
export const ReportQuery = ReportFields.superRefine(reportPeriodRefinement);
export const csvContent = { 'text/csv': { schema: z.string() } };
const report = (path: string, summary: string, schema: z.ZodType) =>
  createRoute({
    method: 'get', path, tags, security: bearerSecurity, summary,
    request: { query: ReportQuery },
    responses: { 200: { description: 'JSON, or CSV when asked', content: { 'application/json': { schema }, ...csvContent } }, ...errorResponses },
  });

export const LEDGER_COLUMNS: (keyof LedgerRow)[] = [
  'childId', 'childName', 'periodStart', 'periodEnd', 'awardedNights', 'awardedSessions', 'requestedNights', 'allocatedNights', 'allocatedSessions',
  'deliveredNights', 'deliveredSessions', 'upcomingNights', 'upcomingSessions', 'awaitingAttendanceNights', 'awaitingAttendanceSessions', 'cancelledByFamilyNights', 'cancelledByFamilySessions',
  'cancelledByProviderNights', 'cancelledByProviderSessions', 'missedNights', 'missedSessions', 'shortfallNights', 'shortfallSessions', 'expectedToDateNights', 'expectedToDateSessions',
  'behindNights', 'behindSessions', 'flagged', 'committedPence', 'deliveredPence', 'cancelledPence',
];

export const entitlementsReportRoute = report('/v1/reports/entitlements', 'Awarded vs requested vs allocated vs delivered per child; furthest behind first', EntitlementsReportSchema);
export const capacityReportRoute = report('/v1/reports/capacity', 'Published, booked and attended places, occupancy and unmet demand per provider and capability', CapacityReportSchema);
export const lookedAfterReportRoute = report('/v1/reports/looked-after', 'Children near or over the 17-night and 75-nights-in-12-months limits', LookedAfterReportSchema);

export const reportsRouter = createRouter()
  .openapi(entitlementsReportRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await reports.entitlementLedger(c.get('principal'), q);
    if (wantsCsv(c)) return csvResponse(c, `entitlements-${q.from}-${q.to}.csv`, rows, LEDGER_COLUMNS) as never;
    return c.json({ from: q.from, to: q.to, children: rows } satisfies z.infer<typeof EntitlementsReportSchema>, 200);
  })
  .openapi(capacityReportRoute, async (c) => {
    const q = c.req.valid('query');
    const result = await reports.capacityReport(c.get('principal'), q);
    if (wantsCsv(c)) return csvResponse(c, `capacity-${q.from}-${q.to}.csv`, result.capacity, ['providerId', 'providerName', 'kind', 'capability', 'published', 'booked', 'attended', 'occupancy']) as never;
    return c.json(result satisfies z.infer<typeof CapacityReportSchema>, 200);
  })
  .openapi(lookedAfterReportRoute, async (c) => {
    const q = c.req.valid('query');
    const result = await reports.lookedAfterReport(c.get('principal'), q);
    if (wantsCsv(c)) {
      return csvResponse(c, `looked-after-${q.from}-${q.to}.csv`, result.children, ['childId', 'childName', 'status', 'longestStayNights', 'longestStayStart', 'busiestYearNights', 'busiestYearFrom']) as never;
    }
    return c.json(result satisfies z.infer<typeof LookedAfterReportSchema>, 200);
  });
