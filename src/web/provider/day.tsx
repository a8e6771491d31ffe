/**
 * A provider's day: arrivals and departures (with transport pick-ups and the
 * family's contact), attendance to record, and the next two weeks. Each child's
 * passport is on the child's own page (provider/arrivals.tsx), where the read is
 * logged; capacity is in provider/capacity.tsx.
 */
import { Hono, type Context } from 'hono';
import { addDays, londonWallTimeToInstant } from '../../domain/london-time.js';
import { recordAttendance } from '../../services/bookings.js';
import { attendanceToRecord, bookingsBetween, providerDay, type DayBooking } from '../../services/provider-day.js';
import { invalid } from '../../errors.js';
import { NO_SHOW_REASONS, RecordAttendanceBody } from '../../schemas/bookings.js';
import { Button, Choices, Csrf, DataTable, ErrorBox, Layout, Notice, StatusTag, Tag, human, type PageError } from '../layout.js';
import { clockTime, longDate, shortDate, span } from '../format.js';
import { isDate, optional, parseWith, readForm, text, today } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { SupportFlagLine } from '../shared/passport.js';
import { formAction } from '../shared/form-action.js';

export const providerDayPages = new Hono<WebEnv>();

type ProviderPrincipal = ReturnType<typeof principalOf<'PROVIDER'>>;
const DONE: Record<string, string> = {
  attendance: 'Attendance recorded.',
  pickup: 'Early pick-up recorded: the break counts as attended, ending when the child was collected.',
};

const Contact = ({ b }: { b: DayBooking }) => (
  <>
    {b.family.name}
    {b.family.phone ? (
      <>
        <br />
        <a class="govuk-link" href={`tel:${b.family.phone.replace(/\s+/g, '')}`}>
          {b.family.phone}
        </a>
      </>
    ) : null}
    {b.family.email ? (
      <>
        <br />
        <span style="overflow-wrap:anywhere">{b.family.email}</span>
      </>
    ) : null}
    {!b.family.phone && !b.family.email ? <span class="hint"> (no contact details held; ask the coordinator)</span> : null}
  </>
);

const ChildCell = ({ b }: { b: DayBooking }) => (
  <th scope="row" class="govuk-table__header">
    <a class="govuk-link" href={`/provider/children/${b.child.id}`}>
      {b.child.firstName} {b.child.lastName}
    </a>
    <SupportFlagLine flag={b.child.supportFlag} name={b.child.firstName} />
    {b.child.needs.map((n) => (
      <span class="tag">{human(n)}</span>
    ))}
  </th>
);

function travel(b: DayBooking, direction: 'TO_BREAK' | 'FROM_BREAK'): string {
  const leg = b.transport.find((l) => l.direction === direction);
  if (!leg) return direction === 'TO_BREAK' ? 'The family brings them' : 'The family collects them';
  return direction === 'TO_BREAK'
    ? `${leg.vehicle}: picked up from home at ${clockTime(leg.departAt)}, here by about ${clockTime(leg.returnAt)}${leg.hasEscort ? ', with an escort' : ''}`
    : `${leg.vehicle}: collected here at ${clockTime(leg.departAt)}${leg.hasEscort ? ', with an escort' : ''}`;
}

const HAPPENED = [
  ['ATTENDED', 'Attended'],
  ['NO_SHOW', 'Did not happen'],
] as const;

/** Attended or not, asked explicitly (nothing chosen for you) once the break has ended. */
const AttendanceForm = ({ b, csrf }: { b: DayBooking; csrf: string }) => (
  <form method="post" action={`/provider/bookings/${b.bookingId}/attendance`} aria-label={`Attendance for ${b.child.firstName} ${b.child.lastName}, ${longDate(b.startsAt)}`}>
    <Csrf token={csrf} />
    <Choices type="radio" name="status" id={`status-${b.bookingId}`} inline legend={`Did ${b.child.firstName}'s break on ${longDate(b.startsAt)} happen?`} options={HAPPENED} checked={() => false} />
    <div class="govuk-form-group">
      <label class="govuk-label" for={`reason-${b.bookingId}`}>
        If it did not happen, why
      </label>
      <select class="govuk-select" id={`reason-${b.bookingId}`} name="reason">
        <option value="">Choose a reason</option>
        {NO_SHOW_REASONS.map((r) => (
          <option value={r}>{human(r)}</option>
        ))}
      </select>
    </div>
    <div class="govuk-form-group">
      <label class="govuk-label" for={`note-${b.bookingId}`}>
        Note (optional)
      </label>
      <input class="govuk-input" type="text" id={`note-${b.bookingId}`} name="note" maxlength={500} />
    </div>
    <Button>Record attendance</Button>
  </form>
);

/** Before the end, the only thing to record is a child collected early, with the time. */
const PickUpForm = ({ b, csrf }: { b: DayBooking; csrf: string }) => (
  <form method="post" action={`/provider/bookings/${b.bookingId}/pick-up`} aria-label={`Early pick-up for ${b.child.firstName} ${b.child.lastName}, ${longDate(b.startsAt)}`}>
    <Csrf token={csrf} />
    <p class="govuk-body">
      {b.child.firstName} {b.child.lastName}: {span(b.startsAt, b.endsAt)}. Attendance can be recorded once the break ends.
    </p>
    <div class="govuk-form-group">
      <label class="govuk-label" for={`time-${b.bookingId}`}>
        Collected early at (24-hour time, today)
      </label>
      <div class="govuk-hint">For example, 14:30</div>
      <input class="govuk-input govuk-input--width-5" type="text" inputmode="numeric" id={`time-${b.bookingId}`} name="time" autocomplete="off" />
    </div>
    <Button variant="secondary">Record early pick-up</Button>
  </form>
);

/** The day's arrivals and departures, the breaks whose attendance is due, and what is booked for the next two weeks. */
async function loadDay(p: ProviderPrincipal, date: string) {
  const [{ arrivals, departures }, due, upcoming] = await Promise.all([
    providerDay(p, date),
    attendanceToRecord(p),
    bookingsBetween(p, addDays(today(), 1), addDays(today(), 14)),
  ]);
  return { arrivals, departures, due, upcoming };
}

async function dayPage(c: Context<WebEnv>, error?: PageError) {
  const p = principalOf(c, 'PROVIDER');
  const asked = c.req.query('date');
  const date = isDate(asked) ? asked : today();
  const { arrivals, departures, due, upcoming } = await loadDay(p, date);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={date === today() ? `Today, ${longDate(date)}` : longDate(date)} session={p} csrf={csrf} current="/provider">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <p class="govuk-body">
        <a class="govuk-link" href={`/provider?date=${addDays(date, -1)}`}>
          Previous day
        </a>{' '}
        ·{' '}
        <a class="govuk-link" href={`/provider?date=${addDays(date, 1)}`}>
          Next day
        </a>
        {date !== today() ? (
          <>
            {' '}
            ·{' '}
            <a class="govuk-link" href="/provider">
              Today
            </a>
          </>
        ) : null}
      </p>

      <h2 class="govuk-heading-m">Arriving ({arrivals.length})</h2>
      {arrivals.length ? (
        <DataTable label="Arrivals table" headers={['Child', 'Arrives', 'Getting here', 'Family contact']}>
          {arrivals.map((b) => (
            <tr class="govuk-table__row">
              <ChildCell b={b} />
              <td class="govuk-table__cell">
                {clockTime(b.startsAt)}
                <br />
                <span class="hint">until {shortDate(b.endsAt)}, {clockTime(b.endsAt)}</span>
              </td>
              <td class="govuk-table__cell">{travel(b, 'TO_BREAK')}</td>
              <td class="govuk-table__cell">
                <Contact b={b} />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">Nobody arrives on this day.</p>
      )}

      <h2 class="govuk-heading-m">Leaving ({departures.length})</h2>
      {departures.length ? (
        <DataTable label="Departures table" headers={['Child', 'Leaves', 'Going home', 'Family contact']}>
          {departures.map((b) => (
            <tr class="govuk-table__row">
              <ChildCell b={b} />
              <td class="govuk-table__cell">{clockTime(b.endsAt)}</td>
              <td class="govuk-table__cell">{travel(b, 'FROM_BREAK')}</td>
              <td class="govuk-table__cell">
                <Contact b={b} />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">Nobody leaves on this day.</p>
      )}

      <h2 class="govuk-heading-m">Attendance to record ({due.ended.length})</h2>
      {due.ended.length ? (
        due.ended.map((b) => (
          <section class="app-break" aria-label={`${b.child.firstName} ${b.child.lastName}, ${longDate(b.startsAt)}`}>
            <h3 class="govuk-heading-s">
              {b.child.firstName} {b.child.lastName}: {span(b.startsAt, b.endsAt)} <Tag colour="orange">Ended</Tag>
            </h3>
            <AttendanceForm b={b} csrf={csrf} />
          </section>
        ))
      ) : (
        <p class="govuk-body">Every break that has ended in the last two weeks has its attendance recorded.</p>
      )}
      {due.underWay.length ? (
        <>
          <h2 class="govuk-heading-m">Under way now ({due.underWay.length})</h2>
          {due.underWay.map((b) => (
            <PickUpForm b={b} csrf={csrf} />
          ))}
        </>
      ) : null}

      <h2 class="govuk-heading-m">The next two weeks</h2>
      {upcoming.length ? (
        <DataTable label="Upcoming bookings table" headers={['Starts', 'Ends', 'Child', 'Status']}>
          {upcoming.map((b) => (
            <tr class="govuk-table__row">
              <td class="govuk-table__cell">
                <a class="govuk-link" href={`/provider?date=${b.startsAt.slice(0, 10)}`}>
                  {shortDate(b.startsAt)}, {clockTime(b.startsAt)}
                </a>
              </td>
              <td class="govuk-table__cell">
                {shortDate(b.endsAt)}, {clockTime(b.endsAt)}
              </td>
              <td class="govuk-table__cell">
                <a class="govuk-link" href={`/provider/children/${b.child.id}`}>
                  {b.child.firstName} {b.child.lastName}
                </a>
                {/* The family's support flag heads every provider view of the child. */}
                <SupportFlagLine flag={b.child.supportFlag} name={b.child.firstName} />
              </td>
              <td class="govuk-table__cell">
                <StatusTag status={b.status} />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">No breaks booked in the next two weeks.</p>
      )}
    </Layout>,
    error ? 422 : 200,
  );
}

providerDayPages.get('/provider', (c) => dayPage(c));

const refusedHere = (c: Context<WebEnv>) => (error: PageError) => dayPage(c, error);

providerDayPages.post('/provider/bookings/:id/attendance', async (c) => {
  const form = await readForm(c);
  return formAction(
    () => {
      if (!text(form, 'status')) throw invalid([{ path: 'status', message: 'choose whether the break happened' }], 'Say whether the break happened');
      const input = parseWith(RecordAttendanceBody, { status: text(form, 'status'), reason: optional(form, 'reason'), note: optional(form, 'note') });
      return recordAttendance(principalOf(c, 'PROVIDER'), c.req.param('id'), input);
    },
    { done: () => c.redirect('/provider?done=attendance', 303), refused: refusedHere(c) },
  );
});

providerDayPages.post('/provider/bookings/:id/pick-up', async (c) => {
  const form = await readForm(c);
  return formAction(
    () => {
      const time = text(form, 'time').replace('.', ':');
      const hhmm = /^(\d{1,2}):(\d{2})$/.exec(time);
      const pickedUpAt = hhmm && Number(hhmm[1]) < 24 && Number(hhmm[2]) < 60 ? londonWallTimeToInstant(today(), `${hhmm[1]!.padStart(2, '0')}:${hhmm[2]}`).toISOString() : 'not-a-time';
      const input = parseWith(RecordAttendanceBody, { status: 'ATTENDED', pickedUpAt, note: optional(form, 'note') });
      return recordAttendance(principalOf(c, 'PROVIDER'), c.req.param('id'), input);
    },
    { done: () => c.redirect('/provider?done=pickup', 303), refused: refusedHere(c) },
  );
});
