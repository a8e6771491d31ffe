/** Coordinator pages: capacity calendar, allocation rounds, swaps, closures, the entitlement ledger. */
import { Hono, type Context } from 'hono';
import { addDays } from '../domain/london-time.js';
import { discardRound, getRound, listRounds, publishRound, startRound } from '../services/allocation-rounds.js';
import { getBooking } from '../services/bookings.js';
import { entitlementLedger } from '../services/reports.js';
import { listSlots, slotDays } from '../services/slots.js';
import { getProvider } from '../services/providers.js';
import type { Principal } from '../services/access.js';
import { approveSwap, listSwaps } from '../services/swaps.js';
import { StartRoundBody } from '../schemas/rounds.js';
import { BarChart, shareHistogram } from './charts.js';
import { CapabilitySelect, Csrf, DataTable, DateInput, ErrorBox, Tag, Layout, Scroll, capabilityOf, Notice, errorMessage, human, when } from './layout.js';
import { childLabels, type ChildLabel } from '../services/child-labels.js';
import { longDate, period, wholeNights } from './format.js';
import { isDate, mergeDates, optional, parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const coordinatorPages = new Hono<WebEnv>();
// '/coordinator/*' matches /coordinator itself too.
coordinatorPages.use('/coordinator/*', requirePage('COORDINATOR'));

type Err = ReturnType<typeof errorMessage> | undefined;
const DONE: Record<string, string> = {
  published: 'The round is published: bookings are confirmed and families are told.',
  discarded: 'The round is discarded: its bookings are cancelled.',
  approved: 'The swap is approved and both bookings have moved.',
};
const pct = (n: number) => `${Math.round(n * 100)}%`;

/** Date of birth and reference under a child's name, so two children called the same can be told apart. */
const ChildTell = ({ label }: { label?: ChildLabel }) =>
  label ? (
    <span class="govuk-body-s govuk-!-display-block govuk-!-margin-0 hint">
      Born {longDate(label.dateOfBirth)}, ref {label.reference}
    </span>
  ) : null;

/**
 * The round's explanations are written for the family ("you were 14th"); the
 * coordinator reads them about the child ("Amira was 14th").
 */
export function forCoordinator(summary: string, firstName: string): string {
  return summary
    .replace(/\bYou were\b/g, `${firstName} was`)
    .replace(/\byou were\b/g, `${firstName} was`)
    .replace(/\bYou have\b/g, `${firstName} has`)
    .replace(/\byou have\b/g, `${firstName} has`)
    .replace(/\byou had\b/g, `${firstName} had`)
    .replace(/\b[Yy]our child's\b/g, `${firstName}'s`)
    .replace(/\b[Yy]our child\b/g, firstName)
    .replace(/\bfrom your first choice\b/g, 'from the first choice')
    .replace(/\byour\b/g, 'their')
    .replace(/\bYour\b/g, 'Their');
}

// ---- Capacity calendar -------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
// One formatter each, made once: building an Intl.DateTimeFormat costs far more than formatting with it,
// and the calendar formats a time for every break it shows.
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const TIME_FORMAT = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });
const fmtDay = (d: string) => DAY_FORMAT.format(new Date(`${d}T00:00:00Z`));
const fmtMonth = (d: string) => MONTH_FORMAT.format(new Date(`${d}T00:00:00Z`));
const time = (iso: string) => TIME_FORMAT.format(new Date(iso));
/** Monday = 0 … Sunday = 6, for a local date. */
const weekdayOf = (d: string) => (new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7;
const firstOfMonth = (d: string) => `${d.slice(0, 7)}-01`;
function addMonths(first: string, n: number): string {
  const [y, m] = first.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

type SlotDays = Awaited<ReturnType<typeof slotDays>>;

interface CalendarQuery {
  view: 'week' | 'month';
  from: string;
  capability?: ReturnType<typeof capabilityOf>;
  providerId?: string;
}

const calendarLink = (q: CalendarQuery, changes: Partial<CalendarQuery>) => {
  const next = { ...q, ...changes };
  const params = new URLSearchParams({ view: next.view, week: next.from });
  if (next.providerId) params.set('providerId', next.providerId);
  if (next.capability) params.set('capability', next.capability);
  return `/coordinator?${params}`;
};

/** What a provider's breaks this week meet, said once in its row; a break that differs says so in its cell. */
function capabilitiesOf(own: { capabilities: string[] }[]): string[] {
  const first = own[0]?.capabilities.join() ?? '';
  // The most common set, so one odd break does not repeat the list in every other cell.
  const counts = new Map<string, number>();
  for (const s of own) counts.set(s.capabilities.join(), (counts.get(s.capabilities.join()) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? first;
  return common ? common.split(',') : [];
}

const byNameThenId = (a: { id: string; name: string }, b: { id: string; name: string }) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

type WeekSlots = { slots: Awaited<ReturnType<typeof listSlots>>['items']; truncated: boolean };

/** Every break of the seven days from `q.from` (with the filters asked for), in start order. */
async function weekSlots(p: Extract<Principal, { role: 'COORDINATOR' }>, q: CalendarQuery): Promise<WeekSlots> {
  const slots: WeekSlots['slots'] = [];
  let cursor: string | undefined;
  // A week is a few hundred slots at most; stop at ten pages rather than trust that.
  let truncated = false;
  for (let page = 0; page < 10; page++) {
    const result = await listSlots(p, { from: q.from, to: addDays(q.from, 6), capability: q.capability, providerId: q.providerId, limit: 200, cursor });
    slots.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
    truncated = page === 9;
  }
  return { slots, truncated };
}

/** The week view: every break of seven days, by provider, with its free places. */
function weekView(q: CalendarQuery, { slots, truncated }: WeekSlots) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(q.from, i));
  const providers = [...new Map(slots.map((s) => [s.providerId, s.providerName])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  // Each provider's breaks by day, and what they commonly meet, worked out once: per cell it was a scan
  // of the whole week's breaks, and per break again, which grew with the square of the breaks shown.
  const byProvider = new Map<string, { common: string[]; commonKey: string; days: Map<string, typeof slots> }>();
  for (const s of slots) {
    let entry = byProvider.get(s.providerId);
    if (!entry) byProvider.set(s.providerId, (entry = { common: [], commonKey: '', days: new Map() }));
    const day = entry.days.get(s.localDate);
    if (day) day.push(s);
    else entry.days.set(s.localDate, [s]);
  }
  for (const entry of byProvider.values()) {
    entry.common = capabilitiesOf([...entry.days.values()].flat());
    entry.commonKey = entry.common.join();
  }
  return (
    <>
      <p>
        <a href={calendarLink(q, { from: addDays(q.from, -7) })}>Previous seven days</a> · <a href={calendarLink(q, { from: addDays(q.from, 7) })}>Next seven days</a> ·{' '}
        <a href={calendarLink(q, { view: 'month', from: firstOfMonth(q.from) })}>Whole month of {fmtMonth(q.from)}</a>
      </p>
      {truncated ? <p class="full">This week has more breaks than one page can show; choose a provider or a need to narrow it.</p> : null}
      {providers.length ? (
        <Scroll label="Capacity calendar table">
          <table class="cal">
            <caption>
              Free places per break, seven days from {fmtDay(q.from)}
              {q.capability ? `, places meeting ${human(q.capability)}` : ''}
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
              {providers.map(([id, name]) => {
                const own = byProvider.get(id)!;
                return (
                <tr>
                  <th scope="row">
                    {name}
                    {own.common.length ? <p class="govuk-body-s govuk-!-margin-0 hint">Meets {own.common.map(human).join(', ')}</p> : null}
                    <a class="hint" href={`/coordinator/closures?providerId=${id}`}>
                      Plan a closure<span class="vh"> of {name}</span>
                    </a>
                  </th>
                  {days.map((d) => (
                    <td>
                      <ul>
                        {(own.days.get(d) ?? []).map((s) => (
                            <li>
                              {time(s.startsAt)}: <span class={s.free > 0 ? 'free' : 'full'}>{s.free > 0 ? `${s.free} of ${s.capacity} free` : 'full'}</span>
                              {s.capabilities.join() !== own.commonKey ? <span class="hint"> · meets {s.capabilities.length ? s.capabilities.map(human).join(', ') : 'no listed needs'}</span> : null}
                            </li>
                          ))}
                      </ul>
                    </td>
                  ))}
                </tr>
                );
              })}
            </tbody>
          </table>
        </Scroll>
      ) : (
        <p>No capacity published for these seven days{q.capability ? ' that meets this need' : ''}.</p>
      )}
    </>
  );
}

/** The month view: one cell a day with its free places, then each provider's total for the month. */
async function monthView(p: Extract<Principal, { role: 'COORDINATOR' }>, q: CalendarQuery, everyProvider: SlotDays) {
  const first = firstOfMonth(q.from);
  const next = addMonths(first, 1);
  const last = addDays(next, -1);
  const { days, providers } = q.providerId ? await slotDays(p, { from: first, to: last, capability: q.capability, providerId: q.providerId }) : everyProvider;
  const byDate = new Map(days.map((d) => [d.localDate, d]));
  // Weeks from Monday: blank cells before the 1st and after the last day.
  const cells: (string | null)[] = [...Array.from({ length: weekdayOf(first) }, () => null), ...Array.from({ length: Number(last.slice(8)) }, (_, i) => addDays(first, i))];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  const totalFree = days.reduce((n, d) => n + d.free, 0);
  return (
    <>
      <p>
        <a href={calendarLink(q, { from: addMonths(first, -1) })}>Previous month</a> · <a href={calendarLink(q, { from: next })}>Next month</a>
      </p>
      <Scroll label="Month calendar table">
        <table class="month">
          <caption>
            Free places each day in {fmtMonth(first)}
            {q.capability ? `, places meeting ${human(q.capability)}` : ''}: {totalFree} free in all. Choose a day to see its week.
          </caption>
          <thead>
            <tr>
              {WEEKDAY_NAMES.map((d) => (
                <th scope="col">
                  <abbr title={d}>{d.slice(0, 3)}</abbr>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weeks.map((week) => (
              <tr>
                {week.map((d) => {
                  if (!d) return <td class="blank"></td>;
                  const day = byDate.get(d);
                  return (
                    <td>
                      <a href={calendarLink(q, { view: 'week', from: d })}>
                        {Number(d.slice(8))}
                        <span class="vh"> {fmtMonth(d)}, seven days from here</span>
                      </a>
                      <br />
                      {!day ? (
                        <span class="hint">no breaks</span>
                      ) : day.free > 0 ? (
                        <>
                          <span class="free">{day.free} free</span>
                          <span class="hint detail">
                            {' '}
                            in {day.breaksWithFree} of {day.breaks} break{day.breaks === 1 ? '' : 's'}
                            {q.providerId ? '' : `, ${day.providers} provider${day.providers === 1 ? '' : 's'}`}
                          </span>
                        </>
                      ) : (
                        <span class="full">full</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {providers.length ? (
        <DataTable label="Providers this month table" caption={`Each provider in ${fmtMonth(first)}`} headers={['Provider', 'Breaks', 'Breaks with a free place', 'Places', 'Free places']}>
          {providers.map((pr) => (
            <tr>
              <th scope="row">
                <a href={calendarLink(q, { providerId: pr.providerId })}>{pr.providerName}</a>
              </th>
              <td>{pr.breaks}</td>
              <td>{pr.breaksWithFree}</td>
              <td>{pr.places}</td>
              <td>{pr.free}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No capacity published in {fmtMonth(first)}{q.capability ? ' that meets this need' : ''}.</p>
      )}
    </>
  );
}

coordinatorPages.get('/coordinator', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const asked = mergeDates(c.req.query()).week;
  const providerId = c.req.query('providerId');
  const q: CalendarQuery = {
    view: c.req.query('view') === 'month' ? 'month' : 'week',
    // The week view opens on today by default, so it never starts on days already past.
    from: isDate(asked) ? asked : today(),
    capability: capabilityOf(c.req.query('capability')),
    providerId: providerId && UUID.test(providerId) ? providerId : undefined,
  };
  // The providers to filter by are those with breaks in the window shown (a county has dozens; the database may hold many more).
  const window = q.view === 'month' ? { from: firstOfMonth(q.from), to: addDays(addMonths(firstOfMonth(q.from), 1), -1) } : { from: q.from, to: addDays(q.from, 6) };
  // An unfiltered week lists every break of the window, so its providers are those of its breaks: the
  // per-provider totals (two more queries) are needed only for a month, or when the week shows one provider.
  const week = q.view === 'week' && !q.providerId ? await weekSlots(p, q) : undefined;
  const everyProvider = week && !week.truncated ? undefined : await slotDays(p, { ...window, capability: q.capability });
  const providers = everyProvider
    ? everyProvider.providers.map((pr) => ({ id: pr.providerId, name: pr.providerName }))
    : [...new Map(week!.slots.map((s) => [s.providerId, s.providerName])).entries()].map(([id, name]) => ({ id, name })).sort(byNameThenId);
  if (q.providerId && !providers.some((pr) => pr.id === q.providerId)) {
    const chosen = await getProvider(p, q.providerId).catch(() => null);
    if (chosen) providers.unshift({ id: chosen.id, name: chosen.name });
    else q.providerId = undefined;
  }
  const body = q.view === 'month' ? await monthView(p, q, everyProvider!) : weekView(q, week ?? (await weekSlots(p, q)));
  return c.html(
    <Layout title="Capacity calendar" session={p} csrf={c.get('csrfToken')} current="/coordinator">
      <form method="get" action="/coordinator">
        <label for="view">Show</label>
        <select id="view" name="view">
          <option value="week" selected={q.view === 'week'}>
            Seven days, every break
          </option>
          <option value="month" selected={q.view === 'month'}>
            A whole month, free places per day
          </option>
        </select>
        <DateInput name="week" legend="From" value={q.from} hint="For a month, any day in it" />
        <label for="providerId">Provider</label>
        <select id="providerId" name="providerId">
          <option value="">Every provider</option>
          {providers.map((pr) => (
            <option value={pr.id} selected={pr.id === q.providerId}>
              {pr.name}
            </option>
          ))}
        </select>
        <CapabilitySelect label="Places that can meet" value={q.capability} />
        <div>
          <button type="submit" class="secondary">
            Show
          </button>
        </div>
      </form>
      {body}
    </Layout>,
  );
});

// ---- Allocation rounds -------------------------------------------------------

async function roundsPage(c: Context<WebEnv>, form: FormValues = {}, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  const { items } = await listRounds(p, { limit: 20 });
  // Scarce-slot share over rounds: the mean share of scarce units each child got, per round with metrics.
  const withMetrics = items.flatMap((r) => (r.metrics ? [{ periodStart: r.periodStart, metrics: r.metrics }] : [])).reverse();
  const bars = withMetrics.map((r) => {
    const by = r.metrics.scarceShare.byChild;
    return { label: r.periodStart.slice(5), value: by.length ? Math.round((by.reduce((s, x) => s + x.share, 0) / by.length) * 100) : 0 };
  });
  const start = text(form, 'periodStart') || addDays(today(), 7);
  return c.html(
    <Layout title="Allocation rounds" session={p} csrf={c.get('csrfToken')} current="/coordinator/rounds">
      <ErrorBox error={error} />
      <h2>Start a round</h2>
      <form method="post" action="/coordinator/rounds">
        <Csrf token={c.get('csrfToken')} />
        <DateInput name="periodStart" legend="Period from" value={start} hint="For example, 8 1 2027" />
        <DateInput name="periodEnd" legend="Period to" value={text(form, 'periodEnd') || addDays(start, 55)} />
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
                  {period(r.periodStart, r.periodEnd)}
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
  const { metrics } = round;
  const { explanations } = round;
  const ledger = await entitlementLedger(p, { from: round.periodStart, to: round.periodEnd });
  const names = new Map(ledger.map((l) => [l.childId, l.childName]));
  const labels = await childLabels(p, explanations.map((e) => e.childId));
  const working = round.status === 'QUEUED' || round.status === 'RUNNING';
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`Allocation round, ${period(round.periodStart, round.periodEnd)}`} session={p} csrf={csrf} current="/coordinator/rounds">
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
        <>
          <form method="post" action={`/coordinator/rounds/${round.id}/publish`}>
            <Csrf token={csrf} />
            <button type="submit">Publish round</button>
          </form>
          {/* Discarding cancels every booking the round made: it asks for a confirmation of its own. */}
          <form method="post" action={`/coordinator/rounds/${round.id}/discard`}>
            <Csrf token={csrf} />
            <div>
              <input type="checkbox" id="confirmDiscard" name="confirm" value="yes" required />
              <label for="confirmDiscard">Yes, discard this round and cancel the bookings it made</label>
            </div>
            <button type="submit" class="secondary">
              Discard round
            </button>
          </form>
        </>
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
                  <th scope="row">
                    <a class="govuk-link" href={`/coordinator/children/${e.childId}`}>
                      {names.get(e.childId) ?? 'A child'}
                    </a>
                    <ChildTell label={labels.get(e.childId)} />
                  </th>
                  <td>
                    {e.unitsGot} / {e.unitsWanted}
                  </td>
                  <td>{forCoordinator(e.summary, names.get(e.childId)?.split(' ')[0] ?? 'The child')}</td>
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
    if (action === 'discard' && text(await readForm(c), 'confirm') !== 'yes') {
      return roundPage(c, { detail: 'Tick the box to confirm that the round should be discarded: its bookings are cancelled.', fields: [], anchors: [] });
    }
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
  const query = mergeDates(c.req.query());
  const from = isDate(query.from) ? query.from : `${year}-01-01`;
  const to = isDate(query.to) ? query.to : `${year}-12-31`;
  // Furthest behind first, in the whole nights shown (a pro-rata 34.1 cannot be delivered; 34 can).
  const rows = (await entitlementLedger(p, { from, to }))
    .map((r) => ({ ...r, expected: wholeNights(r.expectedToDateNights), behind: Math.max(0, wholeNights(r.behindNights)) }))
    .sort((a, b) => b.behind - a.behind || b.awardedNights - a.awardedNights || a.childName.localeCompare(b.childName));
  const labels = await childLabels(p, rows.map((r) => r.childId));
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
