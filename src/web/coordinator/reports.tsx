/**
 * The coordinator's reports: the entitlement ledger as awarded vs
 * delivered bars, a month's free places by need as a heat map, and each
 * closure as a from → to picture; each with a CSV download that works from the
 * browser session (the same rows and columns as /v1/reports, which needs a
 * bearer token a browser does not have).
 */
import { Hono, type Context } from 'hono';
import { addDays } from '../../domain/london-time.js';
import { financialYearOf } from '../../domain/calendar-england.js';
import { PLACE_REQUIRED_NEEDS } from '../../domain/care-needs.js';
import { csvResponse } from '../../http/csv.js';
import { LEDGER_COLUMNS } from '../../routes/reports/reports.index.js';
import { childLabels } from '../../services/child-labels.js';
import { closurePlanNames, getClosure, listClosures } from '../../services/closures/view.js';
import { entitlementLedger } from '../../services/reports.js';
import { slotDays } from '../../services/slots.js';
import { PairedBars } from '../charts.js';
import { DataTable, DateInput, Layout, Scroll, addNavItem, human } from '../layout.js';
import { longDate, monthOf, period } from '../format.js';
import { isDate, mergeDates, today } from '../forms.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';

export const reportPages = new Hono<WebEnv>();
reportPages.use('/coordinator/reports', requirePage('COORDINATOR'));
reportPages.use('/coordinator/reports/*', requirePage('COORDINATOR'));
addNavItem('COORDINATOR', { href: '/coordinator/reports', label: 'Reports' });

/** By default the financial year awards are made for: a calendar year would sum two awards a child holds. */
function yearWindow(c: Context<WebEnv>) {
  const q = mergeDates(c.req.query());
  const year = financialYearOf(today());
  const from = isDate(q.from) ? q.from : year.from;
  const to = isDate(q.to) && q.to >= from ? q.to : year.to < from ? addDays(from, 364) : year.to;
  return { from, to };
}

const monthStart = (c: Context<WebEnv>) => {
  const m = c.req.query('month');
  return m && /^\d{4}-\d{2}$/.test(m) ? `${m}-01` : `${today().slice(0, 7)}-01`;
};
const monthEnd = (first: string) => addDays(`${addDays(first, 32).slice(0, 7)}-01`, -1);
const NEEDS_SHOWN = [null, ...PLACE_REQUIRED_NEEDS] as const;

/** Free places per day for every need a place must meet, one aggregate query per need. */
async function freeByNeed(p: Parameters<typeof slotDays>[0], from: string, to: string) {
  const days = Array.from({ length: Number(to.slice(8)) }, (_, i) => addDays(from, i));
  const rows = await Promise.all(
    NEEDS_SHOWN.map(async (need) => {
      const res = await slotDays(p, { from, to, ...(need ? { capability: need } : {}) });
      const byDate = new Map(res.days.map((d) => [d.localDate, d.free]));
      return { need, free: days.map((d) => byDate.get(d) ?? 0) };
    }),
  );
  return { days, rows };
}

const heat = (n: number, top: number) => (n === 0 ? 0 : Math.min(4, 1 + Math.floor((n / Math.max(1, top)) * 3.999)));

reportPages.get('/coordinator/reports', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { from, to } = yearWindow(c);
  const first = monthStart(c);
  const last = monthEnd(first);
  const [ledger, free, closures] = await Promise.all([entitlementLedger(p, { from, to }), freeByNeed(p, first, last), listClosures(p, { limit: 10 })]);
  const labels = await childLabels(p, ledger.map((r) => r.childId));
  const behindFirst = [...ledger].sort((a, b) => b.behindNights - a.behindNights || a.childName.localeCompare(b.childName)).slice(0, 25);
  const prevMonth = addDays(first, -1).slice(0, 7);
  const nextMonth = addDays(last, 1).slice(0, 7);
  const top = Math.max(1, ...free.rows.flatMap((r) => r.free));
  return c.html(
    <Layout title="Reports" session={p} csrf={c.get('csrfToken')} current="/coordinator/reports">
      <h2 class="govuk-heading-m">Entitlements: awarded and delivered</h2>
      <form method="get" action="/coordinator/reports">
        <DateInput name="from" legend="Awards overlapping from" value={from} />
        <DateInput name="to" legend="To" value={to} />
        <input type="hidden" name="month" value={first.slice(0, 7)} />
        <button type="submit" class="govuk-button govuk-button--secondary">
          Show
        </button>
      </form>
      <p class="govuk-body">
        The {behindFirst.length} children furthest behind their award, {period(from, to)}.{' '}
        <a class="govuk-link" href={`/coordinator/reports/entitlements.csv?from=${from}&to=${to}`} download>
          Download the whole ledger as CSV<span class="govuk-visually-hidden"> ({ledger.length} rows)</span>
        </a>
      </p>
      {behindFirst.length ? (
        <PairedBars
          id="ledger-bars"
          title="Nights awarded, delivered and booked ahead, children furthest behind first"
          unit="nights"
          rows={behindFirst.map((r) => ({ label: `${r.childName} ${labels.get(r.childId)?.reference ?? ''}`.trim(), whole: r.awardedNights, done: r.deliveredNights, ahead: r.upcomingNights }))}
        />
      ) : (
        <p class="govuk-body">No awards overlap this period.</p>
      )}

      <h2 class="govuk-heading-m">Free places in {monthOf(first)}, by need</h2>
      <p class="govuk-body">
        <a class="govuk-link" href={`/coordinator/reports?month=${prevMonth}&from=${from}&to=${to}`}>
          Previous month
        </a>{' '}
        ·{' '}
        <a class="govuk-link" href={`/coordinator/reports?month=${nextMonth}&from=${from}&to=${to}`}>
          Next month
        </a>{' '}
        ·{' '}
        <a class="govuk-link" href={`/coordinator/reports/free-places.csv?month=${first.slice(0, 7)}`} download>
          Download as CSV
        </a>
      </p>
      <Scroll label="Free places by need heat map">
        <table class="govuk-table app-heat">
          <caption class="govuk-table__caption govuk-table__caption--s">Free places each day: darker is more free; a blank cell has none</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">
                Places that meet
              </th>
              {free.days.map((d) => (
                <th scope="col" class="govuk-table__header app-heat-day">
                  <abbr title={longDate(d)}>{Number(d.slice(8))}</abbr>
                </th>
              ))}
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {free.rows.map((r) => (
              <tr class="govuk-table__row">
                <th scope="row" class="govuk-table__header">
                  {r.need ? human(r.need) : 'Any need'}
                </th>
                {r.free.map((n, i) => (
                  <td class={`govuk-table__cell app-heat-cell app-heat-${heat(n, top)}`}>
                    {n ? n : ''}
                    <span class="govuk-visually-hidden">{n ? '' : '0'} free on {longDate(free.days[i]!)}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>

      <h2 class="govuk-heading-m">Closures: where the children went</h2>
      {closures.items.length ? (
        <ul class="govuk-list">
          {closures.items.map((k) => (
            <li>
              <a class="govuk-link" href={`/coordinator/reports/closures/${k.id}`}>
                {k.providerName}, from {longDate(k.effectiveFrom)}
              </a>{' '}
              ({k.counts.affected} booking{k.counts.affected === 1 ? '' : 's'})
            </li>
          ))}
        </ul>
      ) : (
        <p class="govuk-body">No closures yet.</p>
      )}
    </Layout>,
  );
});

reportPages.get('/coordinator/reports/entitlements.csv', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { from, to } = yearWindow(c);
  return csvResponse(c, `entitlements-${from}-${to}.csv`, await entitlementLedger(p, { from, to }), LEDGER_COLUMNS);
});

reportPages.get('/coordinator/reports/free-places.csv', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const first = monthStart(c);
  const free = await freeByNeed(p, first, monthEnd(first));
  const rows = free.days.flatMap((date, i) => free.rows.map((r) => ({ date, need: r.need ?? 'ANY', freePlaces: r.free[i]! })));
  return csvResponse(c, `free-places-${first.slice(0, 7)}.csv`, rows, ['date', 'need', 'freePlaces']);
});

/** One closure as from → to: each child's booking at the closing home, and where it went (or why it did not). */
async function closureFlows(c: Context<WebEnv>) {
  const p = principalOf(c, 'COORDINATOR');
  const view = await getClosure(p, c.req.param('id')!);
  const names = await closurePlanNames(view);
  const flows = view.outcomes.map((o) => {
    const to = o.toSlotId ? names.slot.get(o.toSlotId) : undefined;
    return {
      childId: o.childId,
      childName: names.child.get(o.childId) ?? 'A child',
      from: names.provider,
      outcome: o.outcome,
      to: to?.providerName ?? '',
      toStartsAt: to ? to.startsAt.toISOString() : '',
      reason: o.reason ?? '',
    };
  });
  return { view, names, flows };
}

reportPages.get('/coordinator/reports/closures/:id', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { view, names, flows } = await closureFlows(c);
  const byDestination = new Map<string, number>();
  for (const f of flows) {
    const key = f.to || `${human(f.outcome)}, no new place`;
    byDestination.set(key, (byDestination.get(key) ?? 0) + 1);
  }
  const destinations = [...byDestination.entries()].sort((a, b) => b[1] - a[1]);
  const total = Math.max(1, flows.length);
  return c.html(
    <Layout title={`${names.provider} closing: where the children went`} session={p} csrf={c.get('csrfToken')} current="/coordinator/reports">
      <p class="govuk-body">
        From {longDate(view.effectiveFrom)}. {flows.length} booking{flows.length === 1 ? '' : 's'} of your children.{' '}
        <a class="govuk-link" href={`/coordinator/reports/closures/${view.id}/outcomes.csv`} download>
          Download as CSV
        </a>
      </p>
      <figure class="govuk-!-margin-0 govuk-!-margin-bottom-6">
        <svg class="app-chart" role="img" aria-labelledby="flow-title" viewBox={`0 0 640 ${Math.max(60, destinations.length * 34 + 20)}`} width="640" style="max-width:100%">
          <title id="flow-title">{`From ${names.provider} to: ${destinations.map(([d, n]) => `${d} ${n}`).join('; ')}`}</title>
          <rect x="0" y="10" width="150" height={Math.max(40, destinations.length * 34 - 4)} fill="#d4351c" />
          <text x="75" y={10 + Math.max(40, destinations.length * 34 - 4) / 2} font-size="13" fill="#fff" text-anchor="middle">
            {names.provider.length > 20 ? `${names.provider.slice(0, 19)}…` : names.provider}
          </text>
          {destinations.map(([d, n], i) => {
            const y = 14 + i * 34;
            const w = Math.max(2, Math.round((n / total) * 24));
            return (
              <g>
                <path d={`M150 ${14 + i * 20} C 260 ${14 + i * 20}, 260 ${y + 12}, 370 ${y + 12}`} stroke={d.includes('no new place') ? '#942514' : '#00703c'} stroke-width={w} fill="none" opacity="0.7" />
                <text x="378" y={y + 16} font-size="13" fill="#0b0c0c">
                  {`${d.length > 34 ? `${d.slice(0, 33)}…` : d}: ${n}`}
                </text>
              </g>
            );
          })}
        </svg>
      </figure>
      <DataTable label="Closure outcomes table" headers={['Child', 'Outcome', 'Now at', 'Why']}>
        {flows.map((f) => (
          <tr class="govuk-table__row">
            <th scope="row" class="govuk-table__header">
              {f.childName}
            </th>
            <td class="govuk-table__cell">{human(f.outcome)}</td>
            <td class="govuk-table__cell">{f.to ? `${f.to}, ${longDate(f.toStartsAt)}` : 'No new place'}</td>
            <td class="govuk-table__cell">{f.reason}</td>
          </tr>
        ))}
      </DataTable>
    </Layout>,
  );
});

reportPages.get('/coordinator/reports/closures/:id/outcomes.csv', async (c) => {
  const { view, flows } = await closureFlows(c);
  return csvResponse(c, `closure-${view.id}.csv`, flows, ['childId', 'childName', 'from', 'outcome', 'to', 'toStartsAt', 'reason']);
});
