/** The coordinator's capacity calendar: every break of seven days by provider, or a month's free places by day. */
import { Hono } from 'hono';
import { addDays } from '../../domain/london-time.js';
import { listSlots, slotDays } from '../../services/slots.js';
import { getProvider } from '../../services/providers.js';
import type { Principal } from '../../services/access.js';
import { CapabilitySelect, DataTable, DateInput, Layout, Scroll, capabilityOf, human } from '../layout.js';
import { isDate, mergeDates, today } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { unlessRefused } from '../shared/form-action.js';
import { ProviderOptions } from '../shared/providers.js';

export const calendarPages = new Hono<WebEnv>();

type Coordinator = Extract<Principal, { role: 'COORDINATOR' }>;

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

/**
 * The kinds of place a provider's breaks this week are (what they meet), commonest first, each said once in its
 * row: with one kind the row says what it meets; with more each kind has a letter its breaks carry in their cells.
 */
function kindsOf(own: { capabilities: string[] }[]): { key: string; capabilities: string[]; letter: string }[] {
  const counts = new Map<string, { capabilities: string[]; n: number }>();
  for (const s of own) {
    const key = s.capabilities.join();
    const kind = counts.get(key);
    if (kind) kind.n++;
    else counts.set(key, { capabilities: s.capabilities, n: 1 });
  }
  return [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))
    .map(([key, k], i) => ({ key, capabilities: k.capabilities, letter: String.fromCharCode(65 + (i % 26)) }));
}

const meets = (capabilities: string[]) => (capabilities.length ? capabilities.map(human).join(', ') : 'no listed needs');

const byNameThenId = (a: { id: string; name: string }, b: { id: string; name: string }) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

type WeekSlots = { slots: Awaited<ReturnType<typeof listSlots>>['items']; truncated: boolean };

/** Every break of the seven days from `q.from` (with the filters asked for), in start order. */
async function weekSlots(p: Coordinator, q: CalendarQuery): Promise<WeekSlots> {
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
  const byProvider = new Map<string, { kinds: ReturnType<typeof kindsOf>; letters: Map<string, string>; days: Map<string, typeof slots> }>();
  for (const s of slots) {
    let entry = byProvider.get(s.providerId);
    if (!entry) byProvider.set(s.providerId, (entry = { kinds: [], letters: new Map(), days: new Map() }));
    const day = entry.days.get(s.localDate);
    if (day) day.push(s);
    else entry.days.set(s.localDate, [s]);
  }
  for (const entry of byProvider.values()) {
    entry.kinds = kindsOf([...entry.days.values()].flat());
    if (entry.kinds.length > 1) {
      entry.letters = new Map(entry.kinds.map((k) => [k.key, k.letter]));
      // Breaks at the same time in a day's cell in the order of their letters, so A is always above B.
      const letter = (s: (typeof slots)[number]) => entry.letters.get(s.capabilities.join()) ?? '';
      for (const day of entry.days.values()) day.sort((a, b) => a.startsAt.localeCompare(b.startsAt) || letter(a).localeCompare(letter(b)));
    }
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
                    {own.kinds.length === 1 && own.kinds[0]!.capabilities.length ? <p class="govuk-body-s govuk-!-margin-0 hint">Meets {meets(own.kinds[0]!.capabilities)}</p> : null}
                    {own.kinds.length > 1
                      ? own.kinds.map((k) => (
                          <p class="govuk-body-s govuk-!-margin-0 hint">
                            Places {k.letter} meet {meets(k.capabilities)}
                          </p>
                        ))
                      : null}
                    <a class="hint" href={`/coordinator/closures?providerId=${id}`}>
                      Plan a closure<span class="vh"> of {name}</span>
                    </a>
                  </th>
                  {days.map((d) => (
                    <td>
                      <ul>
                        {(own.days.get(d) ?? []).map((s) => (
                            <li>
                              {time(s.startsAt)}
                              {own.letters.size ? <span class="hint"> places {own.letters.get(s.capabilities.join())}</span> : null}: <span class={s.free > 0 ? 'free' : 'full'}>{s.free > 0 ? `${s.free} of ${s.capacity} free` : 'full'}</span>
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
function monthView(q: CalendarQuery, { days, providers }: SlotDays) {
  const first = firstOfMonth(q.from);
  const next = addMonths(first, 1);
  const last = addDays(next, -1);
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

/** What the calendar shows for the query asked: the filters it settled on, the providers to choose from, and the week or month. */
async function loadCalendar(p: Coordinator, query: Record<string, string>) {
  const asked = mergeDates(query).week;
  const providerId = query.providerId;
  const q: CalendarQuery = {
    view: query.view === 'month' ? 'month' : 'week',
    // The week view opens on today by default, so it never starts on days already past.
    from: isDate(asked) ? asked : today(),
    capability: capabilityOf(query.capability),
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
    const chosen = await getProvider(p, q.providerId).catch(unlessRefused(null));
    if (chosen) providers.unshift({ id: chosen.id, name: chosen.name });
    else q.providerId = undefined;
  }
  if (q.view === 'month') {
    const month: SlotDays = q.providerId ? await slotDays(p, { ...window, capability: q.capability, providerId: q.providerId }) : everyProvider!;
    return { q, providers, month, week: undefined };
  }
  return { q, providers, month: undefined, week: week ?? (await weekSlots(p, q)) };
}

calendarPages.get('/coordinator', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const { q, providers, month, week } = await loadCalendar(p, c.req.query());
  const body = month ? monthView(q, month) : weekView(q, week!);
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
          <ProviderOptions providers={providers} none="Every provider" selected={q.providerId} />
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

