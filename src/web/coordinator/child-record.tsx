/**
 * A child's record for the coordinator: who the child is and needs, the
 * awards with their history (and changing one), every break, what each round
 * said about the child (in the coordinator's words), and who has read the
 * passport. The passport itself is not here: the coordinator opens it only by
 * emergency override. Manual booking goes through the same placement rules as
 * every other booking, and a refusal is shown in words.
 */
import { Hono, type Context } from 'hono';
import { addDays, londonWallTimeToInstant } from '../../domain/london-time.js';
import { createBooking, listBookings } from '../../services/bookings.js';
import { breakPlaces, requestOutcomes, slotsMeetingNeeds } from '../../services/break-details.js';
import { childReference } from '../../services/child-labels.js';
import { entitlementHistory, getChild, getFamily, updateEntitlement } from '../../services/families.js';
import { createInvitation, withdrawInvitation } from '../../services/invitations.js';
import { endMembership, listMembers } from '../../services/memberships.js';
import { listPassportReads } from '../../services/passports.js';
import { childLedger } from '../../services/reports.js';
import { listRequests } from '../../services/requests.js';
import { listSlots } from '../../services/slots.js';
import { notFound } from '../../errors.js';
import { CreateBookingBody } from '../../schemas/bookings.js';
import { UpdateEntitlementBody } from '../../schemas/families.js';
import { CreateInvitationBody } from '../../schemas/people.js';
import { forCoordinator } from '../shared/child.js';
import { MembersTable } from '../shared/members.js';
import { longDate, period, plural, span } from '../format.js';
import { integer, isDate, mergeDates, parseWith, readForm, text, today, type FormValues } from '../forms.js';
import { BackLink, Button, Csrf, DataTable, DateInput, ErrorBox, Layout, Notice, StatusTag, SummaryList, human, when, type PageError } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { refusal } from '../shared/form-action.js';

export const childRecordPages = new Hono<WebEnv>();
childRecordPages.use('/coordinator/children/*', requirePage('COORDINATOR'));

const DONE: Record<string, string> = {
  booked: 'The break is booked and the family is told.',
  awardChanged: 'The award is changed. Its old figures and your reason are in the history below.',
  invited: 'The invitation is sent by email. It works once, for 7 days; accepting it lets that person sign in to the family’s pages.',
  invitationWithdrawn: 'The invitation is withdrawn: its link no longer works.',
  carerEnded: 'Their access to the family’s pages has ended. Anyone signed in as them has been signed out, and their API tokens no longer work.',
};
const ROLE_WORDS: Record<string, string> = { COORDINATOR: 'Coordinator', FAMILY: 'Family', PROVIDER: 'Provider', TRANSPORT: 'Driver or escort', SYSTEM: 'The system' };

interface RecordState {
  error?: PageError;
  /** Which form the error belongs to, so it is shown beside it and its values kept. */
  errorFor?: 'booking' | string;
  form?: FormValues;
}

async function recordPage(c: Context<WebEnv>, state: RecordState = {}) {
  const p = principalOf(c, 'COORDINATOR');
  const childId = c.req.param('id')!;
  const child = await getChild(p, childId, 'PAGE');
  const family = await getFamily(p, child.familyId, 'PAGE');
  const [ledger, history, bookings, requests, reads] = await Promise.all([
    childLedger(p, childId),
    entitlementHistory(p, childId),
    listBookings(p, { childId, limit: 200 }),
    listRequests(p, { childId, limit: 100 }),
    listPassportReads(p, childId, { limit: 50 }),
  ]);
  const carers = await listMembers(p, { familyId: family.id });
  const outcomes = await requestOutcomes(p, requests.items.filter((r) => r.status === 'ALLOCATED'));
  const form = state.form ?? mergeDates(c.req.query());
  // The booking form: free places in a fortnight from the chosen date that can meet the child's needs.
  const from = isDate(text(form, 'from')) ? text(form, 'from') : addDays(today(), 1);
  const found = await listSlots(p, { from, to: addDays(from, 13), available: 'true', limit: 200 });
  const suitable = await slotsMeetingNeeds(p, childId, found.items.map((s) => s.id));
  const bookable = found.items.filter((s) => suitable.has(s.id));
  const places = await breakPlaces(p, bookings.items.map((b) => b.slotId), family);
  const csrf = c.get('csrfToken');
  const name = `${child.firstName} ${child.lastName}`;
  const sorted = [...bookings.items].sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  const nowIso = new Date().toISOString();
  return c.html(
    <Layout title={name} session={p} csrf={csrf} current="/coordinator/ledger" before={<BackLink href="/coordinator/ledger">Back to the entitlement ledger</BackLink>}>
      <Notice text={DONE[c.req.query('done') ?? '']} />
      {state.errorFor ? null : <ErrorBox error={state.error} />}
      <SummaryList
        rows={[
          { key: 'Born', value: longDate(child.dateOfBirth) },
          { key: 'Reference', value: childReference(child.id) },
          { key: 'Family', value: `${family.name}${family.phone ? `, telephone ${family.phone}` : ''}${family.email ? `, ${family.email}` : ''}` },
          { key: 'Needs', value: child.needs.length ? child.needs.map(human).join(', ') : 'No needs a place must meet' },
          { key: 'Transport', value: child.needsTransport ? `Needs transport${child.needsEscort ? ', with an escort' : ''}` : 'The family brings the child' },
          { key: 'How to support the child', value: child.supportFlag ?? 'Nothing written by the family' },
        ]}
      />

      <h2 class="govuk-heading-m">Awards</h2>
      {ledger.length ? (
        <DataTable label="Awards" headers={['Award period', 'Nights awarded', 'Booked ahead', 'Delivered', 'Sessions awarded / delivered']} numeric={[1, 2, 3]}>
          {ledger.map((l) => (
            <tr>
              <th scope="row">{period(l.periodStart, l.periodEnd)}</th>
              <td class="govuk-table__cell govuk-table__cell--numeric">{l.awardedNights}</td>
              <td class="govuk-table__cell govuk-table__cell--numeric">{l.upcomingNights}</td>
              <td class="govuk-table__cell govuk-table__cell--numeric">{l.deliveredNights}</td>
              <td>
                {l.awardedSessions} / {l.deliveredSessions}
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">No award yet.</p>
      )}
      {child.entitlements.map((e) => {
        const mine = state.errorFor === e.id;
        const values = mine ? state.form ?? {} : {};
        const v = (key: string, fallback: string) => (mine ? text(values, key) : fallback);
        return (
          <details class="govuk-details" open={mine}>
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">Change the award for {period(e.periodStart, e.periodEnd)}</span>
            </summary>
            <div class="govuk-details__text">
              {mine ? <ErrorBox error={state.error} /> : null}
              <form method="post" action={`/coordinator/children/${childId}/entitlements/${e.id}`}>
                <Csrf token={csrf} />
                <DateInput name="periodStart" id={`periodStart-${e.id}`} legend="Award from" value={mine ? text(values, 'periodStart') : e.periodStart} />
                <DateInput name="periodEnd" id={`periodEnd-${e.id}`} legend="Award to" value={mine ? text(values, 'periodEnd') : e.periodEnd} />
                <div class="govuk-form-group">
                  <label class="govuk-label" for={`nights-${e.id}`}>
                    Nights
                  </label>
                  <input class="govuk-input govuk-input--width-3" type="text" inputmode="numeric" id={`nights-${e.id}`} name="nights" value={v('nights', String(e.nights))} />
                </div>
                <div class="govuk-form-group">
                  <label class="govuk-label" for={`daySessions-${e.id}`}>
                    Day sessions
                  </label>
                  <input class="govuk-input govuk-input--width-3" type="text" inputmode="numeric" id={`daySessions-${e.id}`} name="daySessions" value={v('daySessions', String(e.daySessions))} />
                </div>
                <div class="govuk-form-group">
                  <label class="govuk-label" for={`reason-${e.id}`}>
                    Why it changes
                  </label>
                  <div class="govuk-hint" id={`reason-${e.id}-hint`}>
                    For example, the panel's decision and its date. The family sees this in the award's history.
                  </div>
                  <textarea class="govuk-textarea" id={`reason-${e.id}`} name="reason" rows={2} maxlength={500} aria-describedby={`reason-${e.id}-hint`}>
                    {v('reason', '')}
                  </textarea>
                </div>
                <Button>Save the award</Button>
              </form>
            </div>
          </details>
        );
      })}
      <h3 class="govuk-heading-s">History of the awards</h3>
      {history.length ? (
        <DataTable label="History of the awards" headers={['When', 'Award', 'Was', 'Why', 'By']}>
          {history.map((h) => (
            <tr>
              <td>{when(h.at)}</td>
              <td>
                {plural(h.nights, 'night')}, {plural(h.daySessions, 'day session')}, {period(h.periodStart, h.periodEnd)}
              </td>
              <td>{h.previous ? `${plural(h.previous.nights, 'night')}, ${plural(h.previous.daySessions, 'day session')}${h.previous.periodStart !== h.periodStart || h.previous.periodEnd !== h.periodEnd ? `, ${period(h.previous.periodStart, h.previous.periodEnd)}` : ''}` : 'First award'}</td>
              <td>{h.reason ?? 'Not recorded'}</td>
              <td>{ROLE_WORDS[h.changedBy] ?? human(h.changedBy)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">Nothing awarded yet.</p>
      )}

      <h2 class="govuk-heading-m">Parents and carers who can sign in</h2>
      {state.errorFor === 'carers' ? <ErrorBox error={state.error} /> : null}
      <MembersTable label="Parents and carers who can sign in" members={carers.members} invitations={carers.invitations} csrf={csrf} endAction={(id) => `/coordinator/children/${childId}/carers/${id}/end`} withdrawAction={(id) => `/coordinator/children/${childId}/invitations/${id}/withdraw`} />

      <h2 class="govuk-heading-m">Invite a parent or carer</h2>
      {state.errorFor === 'invite' ? <ErrorBox error={state.error} /> : null}
      <p class="govuk-body">They get an email with a link to sign in to the {family.name} family’s pages: every child of the family, their breaks, requests and passport.</p>
      <form method="post" action={`/coordinator/children/${childId}/invitations`}>
        <Csrf token={csrf} />
        <div class="govuk-form-group">
          <label class="govuk-label" for="name">
            Their name
          </label>
          <input class="govuk-input govuk-!-width-one-half" type="text" id="name" name="name" autocomplete="off" value={state.errorFor === 'invite' ? text(form, 'name') : ''} />
        </div>
        <div class="govuk-form-group">
          <label class="govuk-label" for="email">
            Their email address
          </label>
          <input class="govuk-input govuk-!-width-one-half" type="email" id="email" name="email" spellcheck={false} autocomplete="off" value={state.errorFor === 'invite' ? text(form, 'email') : ''} />
        </div>
        <Button variant="secondary">Send the invitation</Button>
      </form>

      <h2 class="govuk-heading-m">Book a place</h2>
      {state.errorFor === 'booking' ? <ErrorBox error={state.error} /> : null}
      <form method="get" action={`/coordinator/children/${childId}`}>
        <DateInput name="from" legend="Free places in the fortnight from" value={from} />
        <Button variant="secondary">Show free places</Button>
      </form>
      {bookable.length ? (
        <form method="post" action={`/coordinator/children/${childId}/bookings`}>
          <Csrf token={csrf} />
          <input type="hidden" name="from" value={from} />
          <div class="govuk-form-group">
            <label class="govuk-label" for="slotId">
              Break
            </label>
            <div class="govuk-hint" id="slotId-hint">
              Only places that can meet {child.firstName}'s needs are listed ({plural(found.items.length - bookable.length, 'other free break')} cannot). The award, other breaks and the
              looked-after limits are checked when you book.
            </div>
            <select class="govuk-select app-wide-select" id="slotId" name="slotId" aria-describedby="slotId-hint">
              {bookable.map((s) => (
                <option value={s.id} selected={text(form, 'slotId') === s.id}>
                  {s.providerName}: {span(s.startsAt, s.endsAt)}, {s.nights ? plural(s.nights, 'night') : 'day session'}, {plural(s.free, 'place')} free
                </option>
              ))}
            </select>
          </div>
          <Button>Book {child.firstName} into this break</Button>
        </form>
      ) : (
        <p class="govuk-body">No free place that can meet {child.firstName}'s needs in this fortnight. Try another date.</p>
      )}

      <h2 class="govuk-heading-m">Breaks</h2>
      {sorted.length ? (
        <DataTable label="Breaks" headers={['When', 'Where', 'Status', 'How it was booked']}>
          {sorted.map((b) => (
            <tr>
              <td>{places.get(b.slotId) ? span(b.startsAt, b.endsAt) : longDate(b.startsAt)}</td>
              <td>{b.providerName}</td>
              <td>
                <StatusTag status={b.status} />
                {b.status === 'NO_SHOW' && b.noShowReason ? <span class="govuk-body-s govuk-!-display-block">{human(b.noShowReason)}</span> : null}
                {b.status === 'CANCELLED' && b.cancelReason ? <span class="govuk-body-s govuk-!-display-block">{b.cancelReason}</span> : null}
                {(b.status === 'CONFIRMED' || b.status === 'ALLOCATED') && b.endsAt < nowIso ? <span class="govuk-body-s govuk-!-display-block">Attendance not recorded yet</span> : null}
              </td>
              <td>{human(b.source)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">No breaks yet.</p>
      )}

      <h2 class="govuk-heading-m">What the rounds said</h2>
      {outcomes.size ? (
        <DataTable label="What the rounds said" headers={['Request', 'Got / wanted', 'Why']}>
          {requests.items
            .filter((r) => outcomes.has(r.id))
            .map((r) => {
              const o = outcomes.get(r.id)!;
              return (
                <tr>
                  <td>{period(r.periodStart, r.periodEnd)}</td>
                  <td>
                    {o.unitsGot} / {o.unitsWanted}
                  </td>
                  <td>{forCoordinator(o.summary, child.firstName)}</td>
                </tr>
              );
            })}
        </DataTable>
      ) : (
        <p class="govuk-body">No published round has taken a request for {child.firstName} yet.</p>
      )}

      <h2 class="govuk-heading-m">Who has read the passport</h2>
      <p class="govuk-body">
        The family decides who sees {child.firstName}'s medical passport; this record does not show it.{' '}
        <a class="govuk-link" href={`/coordinator/children/${childId}/passport`}>
          Open it in an emergency
        </a>{' '}
        (your reason is recorded and the family is told).
      </p>
      {reads.length ? (
        <DataTable label="Passport access log" headers={['When', 'Who', 'Why they could']}>
          {reads.map((r) => (
            <tr>
              <td>{when(r.at)}</td>
              <td>
                {r.organisationName ?? r.who}
                <span class="govuk-body-s govuk-!-display-block">{ROLE_WORDS[r.role] ?? human(r.role)}</span>
              </td>
              <td>{human(r.basis)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">Nobody but the family has read it.</p>
      )}
    </Layout>,
    state.error ? (state.error.fields.length ? 400 : 422) : 200,
  );
}

/** The placement rules write London times as "2028-11-03 17:00"; a page says "Friday 3 November 2028 at 5pm". */
const inWords = (detail: string) => detail.replace(/\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})\b/g, (_, date: string, time: string) => when(londonWallTimeToInstant(date, time)));

childRecordPages.get('/coordinator/children/:id', (c) => recordPage(c));

childRecordPages.post('/coordinator/children/:id/bookings', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const form = await readForm(c);
  const childId = c.req.param('id');
  try {
    await createBooking(p, parseWith(CreateBookingBody, { childId, slotId: text(form, 'slotId') }));
  } catch (err) {
    const error = refusal(err);
    const child = await getChild(p, childId, 'PAGE');
    // The placement rules speak to families ("your child"); here they are about this child.
    return recordPage(c, { error: { ...error, detail: inWords(forCoordinator(error.detail, child.firstName)) }, errorFor: 'booking', form });
  }
  return c.redirect(`/coordinator/children/${childId}?done=booked`, 303);
});

childRecordPages.post('/coordinator/children/:id/invitations', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const form = await readForm(c);
  const childId = c.req.param('id');
  try {
    const child = await getChild(p, childId, 'PAGE');
    await createInvitation(p, parseWith(CreateInvitationBody, { name: text(form, 'name'), email: text(form, 'email'), familyId: child.familyId }));
  } catch (err) {
    return recordPage(c, { error: refusal(err), errorFor: 'invite', form });
  }
  return c.redirect(`/coordinator/children/${childId}?done=invited`, 303);
});

childRecordPages.post('/coordinator/children/:id/carers/:membershipId/end', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const childId = c.req.param('id');
  const id = c.req.param('membershipId');
  try {
    const child = await getChild(p, childId, 'PAGE');
    // Only a carer of this child's family, from this page.
    const carer = (await listMembers(p, { familyId: child.familyId })).members.find((m) => m.membershipId === id);
    if (!carer) throw notFound('Parent or carer');
    await endMembership(p, carer.membershipId);
  } catch (err) {
    return recordPage(c, { error: refusal(err), errorFor: 'carers' });
  }
  return c.redirect(`/coordinator/children/${childId}?done=carerEnded`, 303);
});

childRecordPages.post('/coordinator/children/:id/invitations/:invitationId/withdraw', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const childId = c.req.param('id');
  const id = c.req.param('invitationId');
  try {
    const child = await getChild(p, childId, 'PAGE');
    // Only an invitation to this child's family, from this page.
    const invitation = (await listMembers(p, { familyId: child.familyId })).invitations.find((i) => i.id === id);
    if (!invitation) throw notFound('Invitation');
    await withdrawInvitation(p, invitation.id);
  } catch (err) {
    return recordPage(c, { error: refusal(err), errorFor: 'carers' });
  }
  return c.redirect(`/coordinator/children/${childId}?done=invitationWithdrawn`, 303);
});

childRecordPages.post('/coordinator/children/:id/entitlements/:entitlementId', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const form = mergeDates(await readForm(c));
  const childId = c.req.param('id');
  try {
    const body = parseWith(UpdateEntitlementBody, {
      periodStart: text(form, 'periodStart'),
      periodEnd: text(form, 'periodEnd'),
      nights: integer(form, 'nights'),
      daySessions: integer(form, 'daySessions'),
      reason: text(form, 'reason'),
    });
    await updateEntitlement(p, c.req.param('entitlementId'), body);
  } catch (err) {
    const entitlementId = c.req.param('entitlementId');
    const error = refusal(err);
    // Each award's form has its own ids (several are on the page), so the summary's links carry the award's id too.
    return recordPage(c, { error: { ...error, anchors: error.anchors?.map((a) => a && `${a}-${entitlementId}`) }, errorFor: entitlementId, form });
  }
  return c.redirect(`/coordinator/children/${childId}?done=awardChanged`, 303);
});
