/**
 * The funding review page (seeds/000): for a period, spend against budget by
 * funder, what a delivered night costs by provider and kind, promised against
 * delivered with the shortfall's cost, unmet demand by need and month, and the
 * children furthest behind — charts with text alternatives, and the same
 * figures as a CSV/JSON pack.
 */
import { Hono, type Context } from 'hono';
import { addDays, daysBetween } from '../../domain/london-time.js';
import { financialYearOf } from '../../domain/calendar-england.js';
import { csvResponse } from '../../http/csv.js';
import { FUNDER_LABELS } from '../../domain/costs.js';
import { fundingReview, REVIEW_SECTIONS, type ReviewSection } from '../../services/funding-review.js';
import { BarChart } from '../charts.js';
import { addNavItem, DataTable, DateInput, Layout, Button, human, SummaryList } from '../layout.js';
import { isDate, mergeDates, today } from '../forms.js';
import { monthOf, period, wholeNights } from '../format.js';
import { money } from '../money.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';

export const fundingReviewPages = new Hono<WebEnv>();
fundingReviewPages.use('/coordinator/funding-review', requirePage('COORDINATOR'));
fundingReviewPages.use('/coordinator/funding-review/*', requirePage('COORDINATOR'));
addNavItem('COORDINATOR', { href: '/coordinator/funding-review', label: 'Funding review' });

const pounds = (pence: number) => Math.round(pence / 100);

function periodOf(c: Context<WebEnv>) {
  const query = mergeDates(c.req.query());
  const fy = financialYearOf(today());
  const from = isDate(query.from) ? query.from : fy.from;
  // The API's limit on a report's length holds here too.
  const to = isDate(query.to) && query.to >= from && daysBetween(from, query.to) <= 800 ? query.to : fy.to < from ? addDays(from, 364) : fy.to;
  return { from, to };
}

/** The pack, downloaded with the page's session (the API's /v1/reports/funding-review needs a bearer token). */
fundingReviewPages.get('/coordinator/funding-review/pack.json', async (c) => {
  const { from, to } = periodOf(c);
  return c.json(await fundingReview(principalOf(c, 'COORDINATOR'), { from, to }), 200, { 'Content-Disposition': `attachment; filename="funding-review-${from}-${to}.json"` });
});
fundingReviewPages.get('/coordinator/funding-review/:section{[a-z-]+\\.csv}', async (c) => {
  const name = c.req.param('section').replace(/\.csv$/, '') as ReviewSection;
  if (!(name in REVIEW_SECTIONS)) return c.notFound();
  const { from, to } = periodOf(c);
  const review = await fundingReview(principalOf(c, 'COORDINATOR'), { from, to });
  const { rows, columns } = REVIEW_SECTIONS[name];
  return csvResponse(c, `funding-review-${name}-${from}-${to}.csv`, rows(review) as Record<string, unknown>[], [...columns]);
});

fundingReviewPages.get('/coordinator/funding-review', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { from, to } = periodOf(c);
  const r = await fundingReview(p, { from, to });
  const pv = r.promisedVsDelivered;
  const needs = [...new Set(r.unmetDemand.map((u) => u.need))].sort();
  const qs = `from=${from}&to=${to}`;
  return c.html(
    <Layout title="Funding review" session={p} csrf={c.get('csrfToken')} current="/coordinator/funding-review">
      <p class="govuk-body">{period(from, to)}. Money is as fixed on each booking when it was booked; block contracts count pro rata to the days of the period.</p>
      <form method="get" action="/coordinator/funding-review">
        <DateInput name="from" legend="From" value={from} />
        <DateInput name="to" legend="To" value={to} />
        <Button variant="secondary">Show this period</Button>
      </form>

      <h2 class="govuk-heading-m">Spend against budget</h2>
      <BarChart id="committed-by-funder" title="Committed spend by funder (£)" unit="£" bars={r.spendByFunder.map((f) => ({ label: human(f.funder), value: pounds(f.committedPence) }))} />
      <DataTable label="Spend against budget table" caption="By funder" headers={['Funder', 'Budget for the period', 'Committed', 'Delivered', 'Cancelled', 'Left', 'Committed of budget']} numeric={[1, 2, 3, 4, 5, 6]}>
        {r.spendByFunder.map((f) => (
          <tr>
            <th scope="row">{FUNDER_LABELS[f.funder]}</th>
            <td>{f.budgetPence ? money(f.budgetPence) : 'No budget set'}</td>
            <td>{money(f.committedPence)}</td>
            <td>{money(f.deliveredPence)}</td>
            <td>{money(f.cancelledPence)}</td>
            <td>{f.budgetPence ? money(f.remainingPence) : '–'}</td>
            <td>{f.committedShare === null ? '–' : `${Math.round(f.committedShare * 100)}%`}</td>
          </tr>
        ))}
      </DataTable>

      <h2 class="govuk-heading-m">What a delivered night costs</h2>
      <BarChart id="cost-per-night-by-kind" title="Cost per delivered night or session by kind of provider (£)" unit="£" bars={r.unitCosts.byKind.map((k) => ({ label: human(k.kind), value: pounds((k.kind === 'COMMUNITY' ? k.costPerDeliveredSessionPence : k.costPerDeliveredNightPence) ?? 0) }))} />
      <DataTable label="Cost per delivered night table" caption="By provider (block contracts included in the cost of the nights delivered)" headers={['Provider', 'Kind', 'Nights delivered', 'Cost per night', 'Sessions delivered', 'Cost per session']} numeric={[2, 3, 4, 5]}>
        {r.unitCosts.byProvider.map((x) => (
          <tr>
            <th scope="row">{x.providerName}</th>
            <td>{human(x.kind)}</td>
            <td>{x.deliveredNights}</td>
            <td>{money(x.costPerDeliveredNightPence)}</td>
            <td>{x.deliveredSessions}</td>
            <td>{money(x.costPerDeliveredSessionPence)}</td>
          </tr>
        ))}
      </DataTable>

      <h2 class="govuk-heading-m">Promised against delivered</h2>
      <BarChart id="promised-delivered" title="Nights awarded, delivered, booked ahead and short" unit="nights" bars={[
        { label: 'Awarded', value: pv.awardedNights },
        { label: 'Delivered', value: pv.deliveredNights },
        { label: 'Booked', value: pv.bookedAheadNights },
        { label: 'Short', value: pv.shortfallNights },
      ]} />
      <SummaryList rows={[
        { key: 'Children with an award', value: String(pv.children) },
        { key: 'Nights awarded / delivered', value: `${pv.awardedNights} / ${pv.deliveredNights} (${pv.bookedAheadNights} booked ahead)` },
        { key: 'Nights short', value: String(pv.shortfallNights) },
        { key: 'Day sessions awarded / delivered / short', value: `${pv.awardedSessions} / ${pv.deliveredSessions} / ${pv.shortfallSessions}` },
        { key: 'Average committed cost', value: `${money(pv.averageNightPence)} a night, ${money(pv.averageSessionPence)} a session` },
        { key: 'Cost of the shortfall', value: `${money(pv.shortfallCostPence)} (at the average cost)` },
      ]} />

      <h2 class="govuk-heading-m">Unmet demand</h2>
      <p class="govuk-body">Nights and sessions asked for and not given, from published allocation rounds (a round says how many a child missed, not on which dates, so a round over several months counts its misses in each month by its days) and places still waited for. A child counts under each of their needs.</p>
      <BarChart id="unmet-by-need" title="Unmet nights and sessions in rounds by need" unit="units" bars={needs.map((n) => ({ label: n === 'NONE' ? 'None' : human(n).slice(0, 10), value: r.unmetDemand.filter((u) => u.need === n).reduce((k, u) => k + u.roundUnits, 0) }))} />
      <DataTable label="Unmet demand table" caption="By month and need" headers={['Month', 'Need', 'In rounds', 'On waiting lists', 'Children']} numeric={[2, 3, 4]}>
        {r.unmetDemand.map((u) => (
          <tr>
            <th scope="row">{monthOf(`${u.month}-01`)}</th>
            <td>{u.need === 'NONE' ? 'No recorded need' : human(u.need)}</td>
            <td>{u.roundUnits}</td>
            <td>{u.waitingListUnits}</td>
            <td>{u.children}</td>
          </tr>
        ))}
      </DataTable>

      <h2 class="govuk-heading-m">Children furthest behind</h2>
      <DataTable label="Children furthest behind table" caption="Furthest behind what was due by today first, then most nights short by the end of the period" headers={['Child', 'Nights awarded', 'Delivered', 'Behind (nights)', 'Short (nights)', 'Short (day sessions)', 'Cost of their shortfall']} numeric={[1, 2, 3, 4, 5, 6]}>
        {r.furthestBehind.map((x) => (
          <tr>
            <th scope="row">{x.childName}</th>
            <td>{x.awardedNights}</td>
            <td>{x.deliveredNights}</td>
            <td>{wholeNights(x.behindNights)}</td>
            <td>{x.shortfallNights}</td>
            <td>{x.shortfallSessions}</td>
            <td>{money(x.shortfallCostPence)}</td>
          </tr>
        ))}
      </DataTable>

      <h2 class="govuk-heading-m">Download the pack</h2>
      <ul class="govuk-list">
        <li>
          <a class="govuk-link" href={`/coordinator/funding-review/pack.json?${qs}`}>Everything as JSON</a>
        </li>
        {Object.keys(REVIEW_SECTIONS).map((s) => (
          <li>
            <a class="govuk-link" href={`/coordinator/funding-review/${s}.csv?${qs}`}>{`${human(s.replaceAll('-', '_'))} (CSV)`}</a>
          </li>
        ))}
      </ul>
    </Layout>,
  );
});
