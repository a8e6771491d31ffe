/** The entitlement ledger: each child's award against what was booked, delivered and missed, furthest behind first. */
import { Hono } from 'hono';
import { entitlementLedger } from '../../services/reports.js';
import { childLabels } from '../../services/child-labels.js';
import type { Principal } from '../../services/access.js';
import { DataTable, DateInput, Layout, Tag } from '../layout.js';
import { period, wholeNights } from '../format.js';
import { isDate, mergeDates, today } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { ChildTell } from '../shared/child.js';

export const ledgerPages = new Hono<WebEnv>();

/** The awards overlapping the period asked (this calendar year by default), in whole nights, furthest behind first. */
async function loadLedger(p: Extract<Principal, { role: 'COORDINATOR' }>, query: Record<string, string>) {
  const year = today().slice(0, 4);
  const dates = mergeDates(query);
  const from = isDate(dates.from) ? dates.from : `${year}-01-01`;
  const to = isDate(dates.to) ? dates.to : `${year}-12-31`;
  // Furthest behind first, in the whole nights shown (a pro-rata 34.1 cannot be delivered; 34 can).
  const rows = (await entitlementLedger(p, { from, to }))
    .map((r) => ({ ...r, expected: wholeNights(r.expectedToDateNights), behind: Math.max(0, wholeNights(r.behindNights)) }))
    .sort((a, b) => b.behind - a.behind || b.awardedNights - a.awardedNights || a.childName.localeCompare(b.childName));
  const labels = await childLabels(p, rows.map((r) => r.childId));
  return { from, to, rows, labels };
}

ledgerPages.get('/coordinator/ledger', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { from, to, rows, labels } = await loadLedger(p, c.req.query());
  return c.html(
    <Layout title="Entitlement ledger" session={p} csrf={c.get('csrfToken')} current="/coordinator/ledger">
      <form method="get" action="/coordinator/ledger">
        <DateInput name="from" legend="Awards overlapping from" value={from} />
        <DateInput name="to" legend="To" value={to} />
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      <DataTable label="Entitlement ledger table" caption="Children furthest behind their award first (whole nights)" headers={['Child', 'Award period', 'Nights awarded', 'Booked ahead', 'Delivered', 'Missed (no-show)', 'Attendance not yet recorded', 'Expected by today', 'Behind (nights)', 'Sessions awarded / delivered']}>
        {rows.map((r) => (
          <tr>
            <th scope="row">
              <a href={`/coordinator/children/${r.childId}`}>{r.childName}</a>
              <ChildTell label={labels.get(r.childId)} />
              {r.flagged ? <Tag colour="red">Behind</Tag> : null}
            </th>
            <td>{period(r.periodStart, r.periodEnd)}</td>
            <td>{r.awardedNights}</td>
            <td>{r.upcomingNights}</td>
            <td>{r.deliveredNights}</td>
            <td>{r.missedNights + r.missedSessions ? `${r.missedNights} night(s), ${r.missedSessions} session(s)` : '–'}</td>
            <td>{r.awaitingAttendanceNights + r.awaitingAttendanceSessions ? `${r.awaitingAttendanceNights} night(s), ${r.awaitingAttendanceSessions} session(s)` : '–'}</td>
            <td>{r.expected}</td>
            <td>{r.behind}</td>
            <td>
              {r.awardedSessions} / {r.deliveredSessions}
            </td>
          </tr>
        ))}
      </DataTable>
    </Layout>,
  );
});
