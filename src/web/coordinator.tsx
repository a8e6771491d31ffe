/** Coordinator pages: capacity calendar, allocation rounds, swaps, closures, the entitlement ledger. */
import { Hono, type Context } from 'hono';
import { addDays } from '../domain/london-time.js';
import type { ChildExplanation, FairnessMetrics } from '../domain/allocation/types.js';
import { discardRound, getRound, listRounds, publishRound, startRound } from '../services/allocation-rounds.js';
import { getBooking } from '../services/bookings.js';
import { entitlementLedger } from '../services/reports.js';
import { listSlots } from '../services/slots.js';
import { approveSwap, listSwaps } from '../services/swaps.js';
import { StartRoundBody } from '../schemas/rounds.js';
import { BarChart, shareHistogram } from './charts.js';
import { CapabilitySelect, Csrf, DataTable, ErrorBox, Layout, Scroll, capabilityOf, Notice, errorMessage, human, when } from './layout.js';
import { isDate, optional, parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const coordinatorPages = new Hono<WebEnv>();
coordinatorPages.use('/coordinator', requirePage('COORDINATOR'));
coordinatorPages.use('/coordinator/*', requirePage('COORDINATOR'));

type Err = ReturnType<typeof errorMessage> | undefined;
const DONE: Record<string, string> = {
  published: 'The round is published: bookings are confirmed and families are told.',
  discarded: 'The round is discarded: its bookings are cancelled.',
  approved: 'The swap is approved and both bookings have moved.',
};
const pct = (n: number) => `${Math.round(n * 100)}%`;

// ---- Capacity calendar -------------------------------------------------------

coordinatorPages.get('/coordinator', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const asked = c.req.query('week');
  // Seven days from the chosen date (today by default), so the calendar never opens on days already past.
  const first = isDate(asked) ? asked : today();
  const days = Array.from({ length: 7 }, (_, i) => addDays(first, i));
  const capability = capabilityOf(c.req.query('capability'));
  const slots: Awaited<ReturnType<typeof listSlots>>['items'] = [];
  let cursor: string | undefined;
  // A week is a few hundred slots at most; stop at ten pages rather than trust that.
  let truncated = false;
  for (let page = 0; page < 10; page++) {
    const result = await listSlots(p, { from: first, to: days[6]!, capability, limit: 200, cursor });
    slots.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
    truncated = page === 9;
  }
  const providers = [...new Map(slots.map((s) => [s.providerId, s.providerName])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const fmtDay = (d: string) => new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`));
  const time = (iso: string) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' }).format(new Date(iso));
  const link = (week: string) => `/coordinator?week=${week}${capability ? `&capability=${capability}` : ''}`;
  return c.html(
    <Layout title="Capacity calendar" session={p} csrf={c.get('csrfToken')} current="/coordinator">
      <form method="get" action="/coordinator">
        <label for="week">Seven days from</label>
        <input type="date" id="week" name="week" value={first} />
        <CapabilitySelect label="Places that can meet" value={capability} />
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      <p>
        <a href={link(addDays(first, -7))}>Previous seven days</a> · <a href={link(addDays(first, 7))}>Next seven days</a>
      </p>
      {truncated ? <p class="full">This week has more breaks than one page can show; choose a need to narrow it.</p> : null}
      {providers.length ? (
        <Scroll label="Capacity calendar table">
          <table class="cal">
            <caption>
              Free places per break, seven days from {fmtDay(first)}
              {capability ? `, places meeting ${human(capability)}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                {days.map((d) => (
                  <th scope="col">{fmtDay(d)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {providers.map(([id, name]) => (
                <tr>
                  <th scope="row">
                    {name}
                    <br />
                    <a class="hint" href={`/coordinator/closures?providerId=${id}`}>
                      Plan a closure<span class="vh"> of {name}</span>
                    </a>
                  </th>
                  {days.map((d) => (
                    <td>
                      <ul>
                        {slots
                          .filter((s) => s.providerId === id && s.localDate === d)
                          .map((s) => (
                            <li>
                              {time(s.startsAt)}: <span class={s.free > 0 ? 'free' : 'full'}>{s.free > 0 ? `${s.free} of ${s.capacity} free` : 'full'}</span>
                              {s.capabilities.length ? <span class="hint"> · meets {s.capabilities.map(human).join(', ')}</span> : null}
                            </li>
                          ))}
                      </ul>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      ) : (
        <p>No capacity published for this week{capability ? ' that meets this need' : ''}.</p>
      )}
    </Layout>,
  );
});

// ---- Allocation rounds -------------------------------------------------------

async function roundsPage(c: Context<WebEnv>, form: FormValues = {}, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  const { items } = await listRounds(p, { limit: 20 });
  // Scarce-slot share over rounds: the mean share of scarce units each child got, per round with metrics.
  const withMetrics = items.filter((r) => r.metrics).reverse();
  const bars = withMetrics.map((r) => {
    const by = (r.metrics as unknown as FairnessMetrics).scarceShare.byChild;
    return { label: r.periodStart.slice(5), value: by.length ? Math.round((by.reduce((s, x) => s + x.share, 0) / by.length) * 100) : 0 };
  });
  const start = text(form, 'periodStart') || addDays(today(), 7);
  return c.html(
    <Layout title="Allocation rounds" session={p} csrf={c.get('csrfToken')} current="/coordinator/rounds">
      <ErrorBox error={error} />
      <h2>Start a round</h2>
      <form method="post" action="/coordinator/rounds">
        <Csrf token={c.get('csrfToken')} />
        <label for="periodStart">Period from</label>
        <input type="date" id="periodStart" name="periodStart" value={start} required />
        <label for="periodEnd">Period to</label>
        <input type="date" id="periodEnd" name="periodEnd" value={text(form, 'periodEnd') || addDays(start, 55)} required />
        <label for="seed">Seed (optional; the same seed and requests give the same result)</label>
        <input type="text" id="seed" name="seed" value={text(form, 'seed')} maxlength={100} />
        <div>
          <button type="submit">Start round</button>
        </div>
      </form>
      <h2>Rounds</h2>
      {items.length ? (
        <DataTable label="Rounds table" headers={['Period', 'Status', 'Bookings', 'Started']}>
          {items.map((r) => (
            <tr>
              <td>
                <a href={`/coordinator/rounds/${r.id}`}>
                  {r.periodStart} to {r.periodEnd}
                </a>
              </td>
              <td>{human(r.status)}</td>
              <td>{r.bookings}</td>
              <td>{when(r.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No rounds yet.</p>
      )}
      {bars.length ? <BarChart id="scarce" title="Mean share of scarce nights (weekends, holidays) children got, by round start date" bars={bars} unit="%" max={100} /> : null}
    </Layout>,
    error ? 422 : 200,
  );
}

coordinatorPages.get('/coordinator/rounds', (c) => roundsPage(c));
coordinatorPages.post('/coordinator/rounds', async (c) => {
  const form = await readForm(c);
  let id: string;
  try {
    const input = parseWith(StartRoundBody, { periodStart: text(form, 'periodStart'), periodEnd: text(form, 'periodEnd'), seed: optional(form, 'seed') });
    id = (await startRound(principalOf(c, 'COORDINATOR'), input)).id;
  } catch (err) {
    return roundsPage(c, form, errorMessage(err));
  }
  return c.redirect(`/coordinator/rounds/${id}`, 303);
});

async function roundPage(c: Context<WebEnv>, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  const round = await getRound(p, c.req.param('id')!);
  const metrics = round.metrics as FairnessMetrics | null;
  const explanations = round.explanations as ChildExplanation[];
  const ledger = await entitlementLedger(p, { from: round.periodStart, to: round.periodEnd });
  const names = new Map(ledger.map((l) => [l.childId, l.childName]));
  const working = round.status === 'QUEUED' || round.status === 'RUNNING';
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`Allocation round ${round.periodStart} to ${round.periodEnd}`} session={p} csrf={csrf} current="/coordinator/rounds">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <p>
        Status: <strong id="round-status">{human(round.status)}</strong>. Seed {round.seed}. {round.bookings} booking(s).
      </p>
      {working ? (
        <p>
          The round is being worked out. <a href={`/coordinator/rounds/${round.id}`}>Check progress</a>
        </p>
      ) : null}
      {round.error ? <p class="full">It failed: {round.error}</p> : null}
      {metrics ? (
        <>
          <h2>Fairness</h2>
          <dl class="passport">
            <dt>Children asking</dt>
            <dd>{metrics.children}</dd>
            <dt>Nights or sessions wanted / given</dt>
            <dd>
              {metrics.unitsWanted} / {metrics.unitsAllocated} (of at most {metrics.upperBound} possible, {pct(metrics.boundRatio)})
            </dd>
            <dt>Children given nothing</dt>
            <dd>{metrics.childrenWithNothing}</dd>
            <dt>Worst-served child's share</dt>
            <dd>{pct(metrics.maxMin.share)}</dd>
            <dt>Gini / Jain index</dt>
            <dd>
              {metrics.gini.toFixed(2)} / {metrics.jain.toFixed(2)}
            </dd>
          </dl>
          <BarChart id="met-share" title="Number of children by share of their request met" bars={shareHistogram(metrics.shares.map((s) => s.share))} unit="children" />
        </>
      ) : null}
      {round.status === 'COMPLETED' ? (
        <form method="post" action={`/coordinator/rounds/${round.id}/publish`}>
          <Csrf token={csrf} />
          <button type="submit">Publish round</button>
          <button type="submit" class="secondary" formaction={`/coordinator/rounds/${round.id}/discard`}>
            Discard round
          </button>
        </form>
      ) : null}
      {explanations.length ? (
        <>
          <h2>Per child</h2>
          <DataTable label="Per-child results table" headers={['Order', 'Child', 'Got / wanted', 'Why']}>
            {[...explanations]
              .sort((a, b) => a.position - b.position)
              .map((e) => (
                <tr>
                  <td>
                    {e.position} of {e.of}
                  </td>
                  <th scope="row">{names.get(e.childId) ?? e.childId}</th>
                  <td>
                    {e.unitsGot} / {e.unitsWanted}
                  </td>
                  <td>{e.summary}</td>
                </tr>
              ))}
          </DataTable>
        </>
      ) : null}
    </Layout>,
    error ? 409 : 200,
  );
}

coordinatorPages.get('/coordinator/rounds/:id', (c) => roundPage(c));
for (const [action, run] of [
  ['publish', publishRound],
  ['discard', discardRound],
] as const) {
  coordinatorPages.post(`/coordinator/rounds/:id/${action}`, async (c) => {
    try {
      await run(principalOf(c, 'COORDINATOR'), c.req.param('id'));
    } catch (err) {
      return roundPage(c, errorMessage(err));
    }
    return c.redirect(`/coordinator/rounds/${c.req.param('id')}?done=${action === 'publish' ? 'published' : 'discarded'}`, 303);
  });
}

// ---- Swaps awaiting approval -----------------------------------------------

async function swapsPage(c: Context<WebEnv>, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  const swaps = (await listSwaps(p, { status: 'ACCEPTED', limit: 100 })).items.filter((s) => s.requiresApproval && !s.approvedAt);
  const rows = await Promise.all(swaps.map(async (s) => ({ swap: s, a: await getBooking(p, s.bookingAId), b: await getBooking(p, s.bookingBId) })));
  const ledger = await entitlementLedger(p, { from: '2000-01-01', to: '2100-12-31' });
  const names = new Map(ledger.map((l) => [l.childId, l.childName]));
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Swaps awaiting approval" session={p} csrf={csrf} current="/coordinator/swaps">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      {rows.length ? (
        <ul>
          {rows.map(({ swap, a, b }) => (
            <li>
              <p>
                {names.get(a.childId) ?? 'A child'} ({a.providerName}, {when(a.startsAt)}) swaps with {names.get(b.childId) ?? 'a child'} ({b.providerName}, {when(b.startsAt)}). Both
                families agreed; the offer lapses {when(swap.expiresAt)}.
              </p>
              <form method="post" action={`/coordinator/swaps/${swap.id}/approve`}>
                <Csrf token={csrf} />
                <button type="submit">
                  Approve swap<span class="vh"> between {names.get(a.childId) ?? 'a child'} and {names.get(b.childId) ?? 'a child'}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p>No swaps are waiting for approval.</p>
      )}
    </Layout>,
    error ? 409 : 200,
  );
}

coordinatorPages.get('/coordinator/swaps', (c) => swapsPage(c));
coordinatorPages.post('/coordinator/swaps/:id/approve', async (c) => {
  try {
    await approveSwap(principalOf(c, 'COORDINATOR'), c.req.param('id'));
  } catch (err) {
    return swapsPage(c, errorMessage(err));
  }
  return c.redirect('/coordinator/swaps?done=approved', 303);
});

// ---- Entitlement ledger ------------------------------------------------------

coordinatorPages.get('/coordinator/ledger', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const year = today().slice(0, 4);
  const from = isDate(c.req.query('from')) ? c.req.query('from')! : `${year}-01-01`;
  const to = isDate(c.req.query('to')) ? c.req.query('to')! : `${year}-12-31`;
  const rows = await entitlementLedger(p, { from, to });
  return c.html(
    <Layout title="Entitlement ledger" session={p} csrf={c.get('csrfToken')} current="/coordinator/ledger">
      <form method="get" action="/coordinator/ledger">
        <label for="from">Awards overlapping from</label>
        <input type="date" id="from" name="from" value={from} />
        <label for="to">to</label>
        <input type="date" id="to" name="to" value={to} />
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      <DataTable label="Entitlement ledger table" caption="Children furthest behind their award first" headers={['Child', 'Award period', 'Nights awarded', 'Booked ahead', 'Delivered', 'Expected by today', 'Behind (nights)', 'Sessions awarded / delivered']}>
        {rows.map((r) => (
          <tr>
            <th scope="row">
              {r.childName}
              {r.flagged ? (
                <>
                  {' '}
                  <span class="full">(behind)</span>
                </>
              ) : null}
            </th>
            <td>
              {r.periodStart} to {r.periodEnd}
            </td>
            <td>{r.awardedNights}</td>
            <td>{r.upcomingNights}</td>
            <td>{r.deliveredNights}</td>
            <td>{r.expectedToDateNights}</td>
            <td>{r.behindNights}</td>
            <td>
              {r.awardedSessions} / {r.deliveredSessions}
            </td>
          </tr>
        ))}
      </DataTable>
    </Layout>,
  );
});
