/**
 * The entitlement ledger: each child's award against what was booked, delivered and missed, furthest behind first.
 * A county has well over a hundred children, so the page narrows (a name or reference, a provider the child had
 * breaks with, a need, only those behind), says how many match and how far behind they are in all, and shows them
 * a page at a time; the CSV download has every row.
 */
import { Hono } from 'hono';
import { CARE_NEEDS, type CareNeed } from '../../domain/care-needs.js';
import { entitlementLedger, ledgerFacets } from '../../services/reports.js';
import { childLabels } from '../../services/child-labels.js';
import type { Principal } from '../../services/access.js';
import { CapabilitySelect, DataTable, DateInput, Layout, Tag } from '../layout.js';
import { period, wholeNights } from '../format.js';
import { isDate, mergeDates, today } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { ChildTell } from '../shared/child.js';
import { ProviderOptions } from '../shared/providers.js';

export const ledgerPages = new Hono<WebEnv>();

/** Children a page: a screenful to read down, furthest behind first. */
export const LEDGER_PAGE_SIZE = 25;

interface LedgerFilter {
  from: string;
  to: string;
  name: string;
  providerId: string;
  need: CareNeed | undefined;
  behindOnly: boolean;
  page: number;
}

function filterOf(query: Record<string, string>): LedgerFilter {
  const dates = mergeDates(query);
  // The awards in force today unless a period is asked for (a calendar year would show two awards a child).
  const from = isDate(dates.from) ? dates.from : today();
  const to = isDate(dates.to) && dates.to >= from ? dates.to : isDate(dates.from) ? from : today();
  const need = (CARE_NEEDS as readonly string[]).includes(query.capability ?? '') ? (query.capability as CareNeed) : undefined;
  const page = Number.parseInt(query.page ?? '1', 10);
  return { from, to, name: (query.name ?? '').trim().slice(0, 100), providerId: query.providerId ?? '', need, behindOnly: query.behind === 'yes', page: Number.isSafeInteger(page) && page > 0 ? page : 1 };
}

const linkTo = (f: LedgerFilter, page: number) => {
  const params = new URLSearchParams({ from: f.from, to: f.to });
  if (f.name) params.set('name', f.name);
  if (f.providerId) params.set('providerId', f.providerId);
  if (f.need) params.set('capability', f.need);
  if (f.behindOnly) params.set('behind', 'yes');
  if (page > 1) params.set('page', String(page));
  return `/coordinator/ledger?${params}`;
};

/** The awards overlapping the period asked, in whole nights, furthest behind first; those matching the filter; one page of them. */
async function loadLedger(p: Extract<Principal, { role: 'COORDINATOR' }>, query: Record<string, string>) {
  const f = filterOf(query);
  const [ledger, facets] = await Promise.all([entitlementLedger(p, { from: f.from, to: f.to }), ledgerFacets(p, { from: f.from, to: f.to })]);
  // Furthest behind first, in the whole nights shown (a pro-rata 34.1 cannot be delivered; 34 can).
  const all = ledger
    .map((r) => ({ ...r, expected: wholeNights(r.expectedToDateNights), behind: Math.max(0, wholeNights(r.behindNights)) }))
    .sort((a, b) => b.behind - a.behind || b.awardedNights - a.awardedNights || a.childName.localeCompare(b.childName));
  const labels = await childLabels(p, all.map((r) => r.childId));
  const provider = facets.providers.find((x) => x.id === f.providerId);
  const withProvider = provider ? new Set(provider.childIds) : null;
  const name = f.name.toLowerCase();
  const rows = all.filter(
    (r) =>
      (!name || r.childName.toLowerCase().includes(name) || labels.get(r.childId)?.reference.toLowerCase() === name) &&
      (!withProvider || withProvider.has(r.childId)) &&
      (!f.need || (facets.needs.get(r.childId) ?? []).includes(f.need)) &&
      (!f.behindOnly || r.behind > 0),
  );
  const pages = Math.max(1, Math.ceil(rows.length / LEDGER_PAGE_SIZE));
  const page = Math.min(f.page, pages);
  const shown = rows.slice((page - 1) * LEDGER_PAGE_SIZE, page * LEDGER_PAGE_SIZE);
  const behind = rows.filter((r) => r.behind > 0);
  return {
    f: { ...f, providerId: provider ? f.providerId : '' },
    providers: facets.providers,
    total: all.length,
    rows,
    shown,
    page,
    pages,
    behind: { children: behind.length, nights: behind.reduce((n, r) => n + r.behind, 0) },
    labels,
  };
}

/** "2 nights, 1 session", only the parts there are; a dash for none. */
const nightsAndSessions = (nights: number, sessions: number) =>
  [nights ? `${nights} night${nights === 1 ? '' : 's'}` : '', sessions ? `${sessions} session${sessions === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ') || '–';

const Pagination = ({ f, page, pages }: { f: LedgerFilter; page: number; pages: number }) =>
  pages > 1 ? (
    <nav class="govuk-pagination" aria-label="Pages of the ledger">
      {page > 1 ? (
        <div class="govuk-pagination__prev">
          <a class="govuk-link govuk-pagination__link" href={linkTo(f, page - 1)} rel="prev">
            <span class="govuk-pagination__link-title">Previous<span class="govuk-visually-hidden"> page</span></span>
          </a>
        </div>
      ) : null}
      <ul class="govuk-pagination__list">
        {Array.from({ length: pages }, (_, i) => i + 1).map((n) => (
          <li class={`govuk-pagination__item${n === page ? ' govuk-pagination__item--current' : ''}`}>
            <a class="govuk-link govuk-pagination__link" href={linkTo(f, n)} aria-label={`Page ${n}`} aria-current={n === page ? 'page' : undefined}>
              {n}
            </a>
          </li>
        ))}
      </ul>
      {page < pages ? (
        <div class="govuk-pagination__next">
          <a class="govuk-link govuk-pagination__link" href={linkTo(f, page + 1)} rel="next">
            <span class="govuk-pagination__link-title">Next<span class="govuk-visually-hidden"> page</span></span>
          </a>
        </div>
      ) : null}
    </nav>
  ) : null;

ledgerPages.get('/coordinator/ledger', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { f, providers, total, rows, shown, page, pages, behind, labels } = await loadLedger(p, c.req.query());
  const first = (page - 1) * LEDGER_PAGE_SIZE + 1;
  // Most often every award shown is the same year's: said once in the caption rather than in every row.
  const onePeriod = shown.every((r) => r.periodStart === shown[0]?.periodStart && r.periodEnd === shown[0]?.periodEnd) ? shown[0] : undefined;
  return c.html(
    <Layout title="Entitlement ledger" session={p} csrf={c.get('csrfToken')} current="/coordinator/ledger">
      <form method="get" action="/coordinator/ledger">
        <DateInput name="from" legend="Awards overlapping from" value={f.from} />
        <DateInput name="to" legend="To" value={f.to} />
        <div class="govuk-form-group">
          <label class="govuk-label" for="name">
            Child’s name or reference
          </label>
          <input class="govuk-input govuk-input--width-20" type="text" id="name" name="name" value={f.name} autocomplete="off" spellcheck={false} />
        </div>
        <div class="govuk-form-group">
          <label class="govuk-label" for="providerId">
            Had breaks with
          </label>
          <select class="govuk-select" id="providerId" name="providerId">
            <ProviderOptions providers={providers} none="Any provider" selected={f.providerId} />
          </select>
        </div>
        <CapabilitySelect label="Children who need" value={f.need} />
        <div class="govuk-form-group">
          <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
            <div class="govuk-checkboxes__item">
              <input class="govuk-checkboxes__input" type="checkbox" id="behind" name="behind" value="yes" checked={f.behindOnly} />
              <label class="govuk-label govuk-checkboxes__label" for="behind">
                Only children behind their award
              </label>
            </div>
          </div>
        </div>
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      <p class="govuk-body" id="ledger-summary">
        {rows.length === total ? `${total} award${total === 1 ? '' : 's'}` : `${rows.length} of ${total} awards match`}
        {behind.children ? `; ${behind.children} behind, by ${behind.nights} night${behind.nights === 1 ? '' : 's'} in all` : '; none behind'}
        {rows.length > shown.length ? `. Showing ${first} to ${first + shown.length - 1}, furthest behind first.` : '.'}{' '}
        <a class="govuk-link" href={`/coordinator/reports/entitlements.csv?from=${f.from}&to=${f.to}`} download>
          Download the whole ledger as CSV
        </a>
      </p>
      {shown.length ? (
        <DataTable
          label="Entitlement ledger table"
          caption={`Children furthest behind their award first (whole nights)${onePeriod ? `; every award here runs ${period(onePeriod.periodStart, onePeriod.periodEnd)}` : ''}`}
          headers={['Child', ...(onePeriod ? [] : ['Award period']), 'Nights awarded', 'Booked ahead', 'Delivered', 'Missed (no-show)', 'Attendance not yet recorded', 'Expected by today', 'Behind (nights)', 'Sessions awarded / delivered']}
        >
          {shown.map((r) => (
            <tr>
              <th scope="row">
                <a href={`/coordinator/children/${r.childId}`}>{r.childName}</a>
                <ChildTell label={labels.get(r.childId)} />
                {r.flagged ? <Tag colour="red">Behind</Tag> : null}
              </th>
              {onePeriod ? null : <td>{period(r.periodStart, r.periodEnd)}</td>}
              <td>{r.awardedNights}</td>
              <td>{r.upcomingNights}</td>
              <td>{r.deliveredNights}</td>
              <td>{nightsAndSessions(r.missedNights, r.missedSessions)}</td>
              <td>{nightsAndSessions(r.awaitingAttendanceNights, r.awaitingAttendanceSessions)}</td>
              <td>{r.expected}</td>
              <td>{r.behind}</td>
              <td>
                {r.awardedSessions} / {r.deliveredSessions}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">No award matches. Clear a filter, or choose other dates.</p>
      )}
      <Pagination f={f} page={page} pages={pages} />
    </Layout>,
  );
});
