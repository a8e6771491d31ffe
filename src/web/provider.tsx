/** Provider pages: upcoming bookings with each child's medical passport, attendance, and capacity (an RRULE builder). */
import { Hono, type Context } from 'hono';
import { CARE_NEEDS } from '../domain/care-needs.js';
import { addDays, londonWallTimeToInstant } from '../domain/london-time.js';
import { expandRule, RecurrenceLimitError, type Occurrence } from '../domain/recurrence.js';
import { unprocessable } from '../http/problem.js';
import { LIVE_BOOKING_STATUSES } from '../services/access.js';
import { listBookings, recordAttendance } from '../services/bookings.js';
import { createCapacityRule, listCapacityRules, updateCapacityRule } from '../services/capacity-rules.js';
import { getChild } from '../services/families.js';
import { CreateCapacityRuleBody } from '../schemas/providers.js';
import { NO_SHOW_REASONS, RecordAttendanceBody } from '../schemas/bookings.js';
import { Csrf, ErrorBox, Layout, Notice, errorMessage, human, when } from './layout.js';
import { integer, list, optional, parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const providerPages = new Hono<WebEnv>();
providerPages.use('/provider', requirePage('PROVIDER'));
providerPages.use('/provider/*', requirePage('PROVIDER'));

type Err = ReturnType<typeof errorMessage> | undefined;
const DONE: Record<string, string> = {
  attendance: 'Attendance recorded.',
  published: 'Capacity published. Its breaks are being generated and will appear to coordinators and families shortly.',
  paused: 'Capacity rule updated.',
};

// ---- Upcoming bookings and attendance ------------------------------------------

async function bookingsPage(c: Context<WebEnv>, error?: Err) {
  const p = principalOf(c, 'PROVIDER');
  const bookings = (await listBookings(p, { from: addDays(today(), -14), limit: 200 })).items
    .filter((b) => (LIVE_BOOKING_STATUSES as readonly string[]).includes(b.status))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const children = new Map(await Promise.all([...new Set(bookings.map((b) => b.childId))].map(async (id) => [id, await getChild(p, id)] as const)));
  const now = new Date().toISOString();
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Bookings" session={p} csrf={csrf} current="/provider">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <p class="hint">Breaks from the last two weeks onwards. A child's medical passport is shown only while you hold a booking for them.</p>
      {bookings.length ? (
        bookings.map((b) => {
          const child = children.get(b.childId)!;
          return (
            <section aria-labelledby={`b-${b.id}`}>
              <h2 id={`b-${b.id}`}>
                {child.firstName} {child.lastName}: {when(b.startsAt)}
              </h2>
              <p>
                Until {when(b.endsAt)}. Status: {human(b.status)}.{' '}
                {child.needs.length ? (
                  <>
                    Needs:{' '}
                    {child.needs.map((n) => (
                      <span class="tag">{human(n)}</span>
                    ))}
                  </>
                ) : null}
              </p>
              <details>
                <summary>Medical passport</summary>
                <dl class="passport">
                  {Object.entries(child.passport ?? {}).map(([k, v]) => (
                    <>
                      <dt>{human(k)}</dt>
                      <dd>{String(v)}</dd>
                    </>
                  ))}
                </dl>
              </details>
              {b.startsAt <= now ? (
                <form method="post" action={`/provider/bookings/${b.id}/attendance`}>
                  <Csrf token={csrf} />
                  <fieldset>
                    <legend>Did the break happen?</legend>
                    <label for={`status-${b.id}`}>Attendance</label>
                    <select id={`status-${b.id}`} name="status">
                      <option value="ATTENDED" selected={b.status === 'ATTENDED'}>
                        Attended
                      </option>
                      <option value="NO_SHOW" selected={b.status === 'NO_SHOW'}>
                        Did not happen
                      </option>
                    </select>
                    <label for={`reason-${b.id}`}>If it did not happen, why</label>
                    <select id={`reason-${b.id}`} name="reason">
                      <option value="">Not applicable</option>
                      {NO_SHOW_REASONS.map((r) => (
                        <option value={r}>{human(r)}</option>
                      ))}
                    </select>
                    <label for={`note-${b.id}`}>Note (optional)</label>
                    <input type="text" id={`note-${b.id}`} name="note" maxlength={500} />
                    <div>
                      <button type="submit">Record attendance</button>
                    </div>
                  </fieldset>
                </form>
              ) : null}
            </section>
          );
        })
      ) : (
        <p>No bookings from the last two weeks onwards.</p>
      )}
    </Layout>,
    error ? 422 : 200,
  );
}

providerPages.get('/provider', (c) => bookingsPage(c));
providerPages.post('/provider/bookings/:id/attendance', async (c) => {
  const form = await readForm(c);
  try {
    const input = parseWith(RecordAttendanceBody, { status: text(form, 'status'), reason: optional(form, 'reason'), note: optional(form, 'note') });
    await recordAttendance(principalOf(c, 'PROVIDER'), c.req.param('id'), input);
  } catch (err) {
    return bookingsPage(c, errorMessage(err));
  }
  return c.redirect('/provider?done=attendance', 303);
});

// ---- Capacity: an RRULE builder with a preview ------------------------------

const WEEKDAYS = [
  ['MO', 'Monday'],
  ['TU', 'Tuesday'],
  ['WE', 'Wednesday'],
  ['TH', 'Thursday'],
  ['FR', 'Friday'],
  ['SA', 'Saturday'],
  ['SU', 'Sunday'],
] as const;
const FREQUENCIES = [
  ['WEEKLY', 'Every week'],
  ['DAILY', 'Every day'],
  ['MONTHLY', 'Every month'],
] as const;

/** The builder's fields as an RFC 5545 RRULE body: FREQ, INTERVAL and BYDAY are all a provider needs here. */
function ruleFromForm(form: FormValues): string {
  const freq = text(form, 'freq') || 'WEEKLY';
  const interval = integer(form, 'interval') ?? 1;
  const days = list(form, 'byday').filter((d) => WEEKDAYS.some(([code]) => code === d));
  return [`FREQ=${freq}`, interval > 1 ? `INTERVAL=${interval}` : '', days.length ? `BYDAY=${days.join(',')}` : ''].filter(Boolean).join(';');
}

/** The same rule in words, for the list of published rules. */
function describeRule(rrule: string): string {
  const parts = new Map(rrule.split(';').map((kv) => kv.split('=') as [string, string]));
  const interval = Number(parts.get('INTERVAL') ?? '1');
  const unit = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' }[parts.get('FREQ') ?? ''] ?? 'period';
  const days = (parts.get('BYDAY') ?? '').split(',').filter(Boolean).map((d) => WEEKDAYS.find(([code]) => code === d)?.[1] ?? d);
  return `Every ${interval > 1 ? `${interval} ${unit}s` : unit}${days.length ? ` on ${days.join(', ')}` : ''}`;
}

function ruleInput(form: FormValues) {
  const hours = Number(text(form, 'durationHours'));
  return parseWith(CreateCapacityRuleBody, {
    name: optional(form, 'name'),
    rrule: ruleFromForm(form),
    startDate: text(form, 'startDate'),
    untilDate: optional(form, 'untilDate'),
    startTime: text(form, 'startTime'),
    durationMinutes: Number.isFinite(hours) ? Math.round(hours * 60) : Number.NaN,
    places: integer(form, 'places'),
    capabilities: list(form, 'capabilities'),
  });
}

async function capacityPage(c: Context<WebEnv>, form: FormValues, extra: { error?: Err; preview?: Occurrence[] } = {}) {
  const p = principalOf(c, 'PROVIDER');
  const rules = await listCapacityRules(p, p.providerId);
  const csrf = c.get('csrfToken');
  const chosenDays = new Set(list(form, 'byday'));
  const chosenCaps = new Set(list(form, 'capabilities'));
  return c.html(
    <Layout title="Capacity" session={p} csrf={csrf} current="/provider/capacity">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={extra.error} />
      <h2>Published capacity</h2>
      {rules.length ? (
        <ul>
          {rules.map((r) => (
            <li>
              <strong>{r.name ?? 'Capacity'}</strong>: {describeRule(r.rrule)} from {r.startDate}
              {r.untilDate ? ` until ${r.untilDate}` : ''}, starting {r.startTime} for {Math.round((r.durationMinutes / 60) * 10) / 10} hours, {r.places} place(s)
              {r.capabilities.length ? `, meeting ${r.capabilities.map(human).join(', ')}` : ''}. {r.active ? 'Published.' : 'Paused.'}
              <form method="post" action={`/provider/capacity/${r.id}/active`}>
                <Csrf token={csrf} />
                <input type="hidden" name="active" value={r.active ? 'false' : 'true'} />
                <button type="submit" class="secondary">
                  {r.active ? 'Pause' : 'Publish again'}
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p>No capacity published yet.</p>
      )}
      <h2>Publish new capacity</h2>
      <form method="post" action="/provider/capacity">
        <Csrf token={csrf} />
        <label for="name">Name (optional)</label>
        <input type="text" id="name" name="name" value={text(form, 'name')} maxlength={200} />
        <label for="freq">How often</label>
        <select id="freq" name="freq">
          {FREQUENCIES.map(([value, label]) => (
            <option value={value} selected={(text(form, 'freq') || 'WEEKLY') === value}>
              {label}
            </option>
          ))}
        </select>
        <label for="interval">Repeat every (1 = every week, 2 = every other week)</label>
        <input type="number" id="interval" name="interval" min="1" max="52" value={text(form, 'interval') || '1'} />
        <fieldset class="checks">
          <legend>On these days</legend>
          {WEEKDAYS.map(([code, label]) => (
            <label>
              <input type="checkbox" name="byday" value={code} checked={chosenDays.has(code)} />
              {label}
            </label>
          ))}
        </fieldset>
        <label for="startDate">First date</label>
        <input type="date" id="startDate" name="startDate" value={text(form, 'startDate') || addDays(today(), 1)} required />
        <label for="untilDate">Last date (optional)</label>
        <input type="date" id="untilDate" name="untilDate" value={text(form, 'untilDate')} />
        <label for="startTime">Start time</label>
        <input type="time" id="startTime" name="startTime" value={text(form, 'startTime') || '17:00'} required />
        <label for="durationHours">Length in hours (an overnight break from 17:00 to 10:00 is 17)</label>
        <input type="number" id="durationHours" name="durationHours" min="0.5" max="408" step="0.5" value={text(form, 'durationHours') || '17'} required />
        <label for="places">Places</label>
        <input type="number" id="places" name="places" min="1" max="200" value={text(form, 'places') || '1'} required />
        <fieldset class="checks">
          <legend>The places can meet</legend>
          {CARE_NEEDS.map((n) => (
            <label>
              <input type="checkbox" name="capabilities" value={n} checked={chosenCaps.has(n)} />
              {human(n)}
            </label>
          ))}
        </fieldset>
        <div>
          <button type="submit" name="action" value="preview" class="secondary">
            Preview dates
          </button>
          <button type="submit" name="action" value="publish">
            Publish capacity
          </button>
        </div>
      </form>
      {extra.preview ? (
        <section aria-labelledby="preview-heading">
          <h2 id="preview-heading">Next dates</h2>
          {extra.preview.length ? (
            <ol>
              {extra.preview.map((o) => (
                <li>
                  {when(o.start)} to {when(o.end)}
                </li>
              ))}
            </ol>
          ) : (
            <p>This pattern has no dates in the next six months.</p>
          )}
        </section>
      ) : null}
    </Layout>,
    extra.error ? 422 : 200,
  );
}

providerPages.get('/provider/capacity', (c) => capacityPage(c, {}));
providerPages.post('/provider/capacity', async (c) => {
  const form = await readForm(c);
  const p = principalOf(c, 'PROVIDER');
  try {
    const input = ruleInput(form);
    if (text(form, 'action') === 'preview') {
      const from = new Date(Math.max(Date.now(), londonWallTimeToInstant(input.startDate, '00:00').getTime()));
      let occurrences: Occurrence[];
      try {
        occurrences = expandRule({ ...input, until: input.untilDate ?? null }, from, new Date(from.getTime() + 183 * 864e5));
      } catch (err) {
        if (err instanceof RecurrenceLimitError) throw unprocessable(err.message);
        throw err;
      }
      return capacityPage(c, form, { preview: occurrences.slice(0, 8) });
    }
    await createCapacityRule(p, p.providerId, input);
  } catch (err) {
    return capacityPage(c, form, { error: errorMessage(err) });
  }
  return c.redirect('/provider/capacity?done=published', 303);
});

providerPages.post('/provider/capacity/:id/active', async (c) => {
  const form = await readForm(c);
  try {
    await updateCapacityRule(principalOf(c, 'PROVIDER'), c.req.param('id'), { active: text(form, 'active') === 'true' });
  } catch (err) {
    return capacityPage(c, {}, { error: errorMessage(err) });
  }
  return c.redirect('/provider/capacity?done=paused', 303);
});
