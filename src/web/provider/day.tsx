/**
 * A provider's day: arrivals and departures (with transport pick-ups and the
 * family's contact), attendance to record, and the next two weeks. Each child's
 * passport is on the child's own page (provider/arrivals.tsx), where the read is
 * logged; capacity is in provider/capacity.tsx.
 */
import { Hono, type Context } from 'hono';
import { addDays, londonWallTimeToInstant } from '../../domain/london-time.js';
import { recordAttendance, recordAttendanceForMany } from '../../services/bookings.js';
import { attendanceToRecord, bookingsBetween, providerDay, type DayBooking } from '../../services/provider-day.js';
import { invalid, type FieldProblem } from '../../errors.js';
import { NO_SHOW_REASONS, RecordAttendanceBody, RecordAttendanceManyBody, type RecordAttendanceManyInput } from '../../schemas/bookings.js';
import { Button, Csrf, DataTable, ErrorBox, Layout, Notice, StatusTag, human, type PageError } from '../layout.js';
import { clockTime, longDate, shortDate, shortSpan, span } from '../format.js';
import { isDate, optional, parseWith, readForm, text, today, type FormValues } from '../forms.js';
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

const breakOf = (b: DayBooking) => `${b.child.firstName} ${b.child.lastName}'s break on ${longDate(b.startsAt)}`;

/**
 * Every ended break in one table with one button, as a busy morning needs: attended or not is asked
 * explicitly for each (nothing is chosen for you), and a row left blank stays here to record later.
 */
const AttendanceTable = ({ due, csrf, form }: { due: DayBooking[]; csrf: string; form: FormValues | undefined }) => (
  <form method="post" action="/provider/attendance" aria-label="Attendance to record" novalidate>
    <Csrf token={csrf} />
    <DataTable label="Attendance to record table" headers={['Child', 'Break', 'Did it happen?', 'If it did not, why', 'Note (optional)']}>
      {due.map((b) => {
        const status = form ? text(form, `status-${b.bookingId}`) : '';
        return (
          <tr class="govuk-table__row">
            <ChildCell b={b} />
            <td class="govuk-table__cell">{shortSpan(b.startsAt, b.endsAt)}</td>
            <td class="govuk-table__cell">
              <fieldset class="govuk-fieldset" id={`status-${b.bookingId}`}>
                <legend class="govuk-visually-hidden">Did {breakOf(b)} happen?</legend>
                <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
                  {HAPPENED.map(([value, label]) => (
                    <div class="govuk-radios__item">
                      <input class="govuk-radios__input" id={`status-${b.bookingId}-${value}`} name={`status-${b.bookingId}`} type="radio" value={value} checked={status === value} />
                      <label class="govuk-label govuk-radios__label" for={`status-${b.bookingId}-${value}`}>
                        {label}
                      </label>
                    </div>
                  ))}
                </div>
              </fieldset>
            </td>
            <td class="govuk-table__cell">
              <label class="govuk-visually-hidden" for={`reason-${b.bookingId}`}>
                Why {breakOf(b)} did not happen
              </label>
              <select class="govuk-select" id={`reason-${b.bookingId}`} name={`reason-${b.bookingId}`}>
                <option value="">Choose a reason</option>
                {NO_SHOW_REASONS.map((r) => (
                  <option value={r} selected={form ? text(form, `reason-${b.bookingId}`) === r : false}>
                    {human(r)}
                  </option>
                ))}
              </select>
            </td>
            <td class="govuk-table__cell">
              <label class="govuk-visually-hidden" for={`note-${b.bookingId}`}>
                Note about {breakOf(b)}
              </label>
              <input class="govuk-input" type="text" id={`note-${b.bookingId}`} name={`note-${b.bookingId}`} maxlength={500} value={form ? text(form, `note-${b.bookingId}`) : ''} />
            </td>
          </tr>
        );
      })}
    </DataTable>
    <Button>Record attendance</Button>
  </form>
);

/**
 * The table's answers as records, a row at a time; a row with nothing chosen is left for later, and
 * nothing is recorded while any row is incomplete, each problem naming its child and linking to its field.
 */
function attendanceRecords(form: FormValues, due: DayBooking[]): RecordAttendanceManyInput {
  const problems: FieldProblem[] = [];
  const records: RecordAttendanceManyInput['records'] = [];
  for (const b of due) {
    const status = text(form, `status-${b.bookingId}`);
    const reason = optional(form, `reason-${b.bookingId}`);
    const note = optional(form, `note-${b.bookingId}`);
    if (!status) {
      if (reason || note) problems.push({ path: `status-${b.bookingId}`, message: `choose whether ${breakOf(b)} happened` });
      continue;
    }
    if (status === 'NO_SHOW' && !reason) problems.push({ path: `reason-${b.bookingId}`, message: `say why ${breakOf(b)} did not happen` });
    // A reason chosen and then 'Attended' ticked is a change of mind, not a contradiction.
    records.push({ bookingId: b.bookingId, status, ...(status === 'NO_SHOW' && reason ? { reason } : {}), ...(note ? { note } : {}) } as RecordAttendanceManyInput['records'][number]);
  }
  if (problems.length) throw invalid(problems, problems.some((p) => p.path.startsWith('reason-')) ? 'Say why the break did not happen' : 'Choose whether the break happened');
  if (!records.length) throw invalid([{ path: `status-${due[0]?.bookingId ?? ''}`, message: 'choose attended or did not happen for at least one break' }], 'Choose whether the break happened for at least one child');
  return parseWith(RecordAttendanceManyBody, { records });
}

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

async function dayPage(c: Context<WebEnv>, error?: PageError, form?: FormValues) {
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
        <AttendanceTable due={due.ended} csrf={csrf} form={form} />
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

providerDayPages.post('/provider/attendance', async (c) => {
  const form = await readForm(c);
  const p = principalOf(c, 'PROVIDER');
  return formAction(async () => recordAttendanceForMany(p, attendanceRecords(form, (await attendanceToRecord(p)).ended)), {
    done: () => c.redirect('/provider?done=attendance', 303),
    refused: (error) => dayPage(c, error, form),
  });
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
