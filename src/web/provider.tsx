/** Provider pages: upcoming bookings with each child's medical passport, and attendance. Capacity is in provider-capacity.tsx. */
import { Hono, type Context } from 'hono';
import { addDays } from '../domain/london-time.js';
import { LIVE_BOOKING_STATUSES } from '../services/access.js';
import { listBookings, recordAttendance } from '../services/bookings.js';
import { getChild } from '../services/families.js';
import { NO_SHOW_REASONS, RecordAttendanceBody } from '../schemas/bookings.js';
import { Csrf, ErrorBox, Layout, Notice, errorMessage, human, when } from './layout.js';
import { optional, parseWith, readForm, text, today } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const providerPages = new Hono<WebEnv>();
providerPages.use('/provider', requirePage('PROVIDER'));
providerPages.use('/provider/*', requirePage('PROVIDER'));

type Err = ReturnType<typeof errorMessage> | undefined;
const DONE: Record<string, string> = {
  attendance: 'Attendance recorded.',
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
