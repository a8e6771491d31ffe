/**
 * A provider's staff: who can sign in to the provider's pages, inviting a
 * member of staff or a manager by email (the same invitation service as POST
 * /v1/invitations), and ending someone's access (as DELETE
 * /v1/memberships/:id). Only managers may do either; staff see who they work
 * with.
 */
import { Hono, type Context } from 'hono';
import { createInvitation, withdrawInvitation } from '../../services/invitations.js';
import { endMembership, listMembers } from '../../services/memberships.js';
import { CreateInvitationBody } from '../../schemas/people.js';
import { idOrNone, parseWith, readForm, text, type FormValues } from '../forms.js';
import { Button, Csrf, ErrorBox, Layout, Notice, addNavItem, type PageError } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { MembersTable } from '../shared/members.js';
import { formAction } from '../shared/form-action.js';

export const providerStaffPages = new Hono<WebEnv>();
providerStaffPages.use('/provider/staff', requirePage('PROVIDER'));
providerStaffPages.use('/provider/staff/*', requirePage('PROVIDER'));
addNavItem('PROVIDER', { href: '/provider/staff', label: 'Staff' });

const DONE: Record<string, string> = {
  invited: 'The invitation is sent by email. It works once, for 7 days; accepting it lets that person sign in to your provider’s pages.',
  withdrawn: 'The invitation is withdrawn: its link no longer works.',
  ended: 'Their access has ended. Anyone signed in as them has been signed out, and their API tokens no longer work.',
};

const ROLES = [
  { value: 'PROVIDER_STAFF', label: 'Staff', hint: 'Sees the day’s arrivals, bookings and capacity, and records attendance' },
  { value: 'PROVIDER_MANAGER', label: 'Manager', hint: 'Everything staff can do, and invites staff and ends their access' },
];

async function staffPage(c: Context<WebEnv>, state: { error?: PageError; form?: FormValues } = {}) {
  const p = principalOf(c, 'PROVIDER');
  const csrf = c.get('csrfToken');
  if (p.staff) {
    return c.html(
      <Layout title="Staff" session={p} csrf={csrf} current="/provider/staff">
        <p class="govuk-body">Your provider’s managers invite staff and end their access. Ask one of them.</p>
      </Layout>,
    );
  }
  const { members, invitations } = await listMembers(p, { providerId: p.providerId });
  const form = state.form ?? {};
  const role = text(form, 'role') || 'PROVIDER_STAFF';
  return c.html(
    <Layout title="Staff" session={p} csrf={csrf} current="/provider/staff">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <h2 class="govuk-heading-m">Who can sign in</h2>
      <MembersTable label="Who can sign in" members={members} invitations={invitations} csrf={csrf} own={p.membershipId} endAction={(id) => `/provider/staff/${id}/end`} withdrawAction={(id) => `/provider/staff/invitations/${id}/withdraw`} />

      <h2 class="govuk-heading-m">Invite a member of staff</h2>
      <ErrorBox error={state.error} />
      <p class="govuk-body">They get an email with a link to sign in to your provider’s pages.</p>
      <form method="post" action="/provider/staff/invitations" novalidate>
        <Csrf token={csrf} />
        <div class="govuk-form-group">
          <label class="govuk-label" for="name">Their name</label>
          <input class="govuk-input govuk-!-width-one-half" type="text" id="name" name="name" autocomplete="off" value={text(form, 'name')} />
        </div>
        <div class="govuk-form-group">
          <label class="govuk-label" for="email">Their email address</label>
          <input class="govuk-input govuk-!-width-one-half" type="email" id="email" name="email" spellcheck={false} autocomplete="off" value={text(form, 'email')} />
        </div>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">What they can do</legend>
            <div class="govuk-radios" data-module="govuk-radios">
              {ROLES.map((r) => (
                <div class="govuk-radios__item">
                  <input class="govuk-radios__input" id={`role-${r.value}`} name="role" type="radio" value={r.value} checked={role === r.value} aria-describedby={`role-${r.value}-hint`} />
                  <label class="govuk-label govuk-radios__label" for={`role-${r.value}`}>{r.label}</label>
                  <div id={`role-${r.value}-hint`} class="govuk-hint govuk-radios__hint">{r.hint}</div>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <Button>Send the invitation</Button>
      </form>
    </Layout>,
    state.error ? (state.error.fields.length ? 400 : 422) : 200,
  );
}

providerStaffPages.get('/provider/staff', (c) => staffPage(c));

providerStaffPages.post('/provider/staff/invitations', async (c) => {
  const p = principalOf(c, 'PROVIDER');
  const form = await readForm(c);
  return formAction(
    () => createInvitation(p, parseWith(CreateInvitationBody, { name: text(form, 'name'), email: text(form, 'email'), role: text(form, 'role') === 'PROVIDER_MANAGER' ? 'PROVIDER_MANAGER' : 'PROVIDER_STAFF' })),
    { done: () => c.redirect('/provider/staff?done=invited', 303), refused: (error) => staffPage(c, { error, form }) },
  );
});

providerStaffPages.post('/provider/staff/invitations/:invitationId/withdraw', async (c) => {
  const p = principalOf(c, 'PROVIDER');
  const id = c.req.param('invitationId');
  return formAction(() => withdrawInvitation(p, idOrNone(id)), { done: () => c.redirect('/provider/staff?done=withdrawn', 303), refused: (error) => staffPage(c, { error }) });
});

providerStaffPages.post('/provider/staff/:membershipId/end', async (c) => {
  const p = principalOf(c, 'PROVIDER');
  const id = c.req.param('membershipId');
  return formAction(() => endMembership(p, idOrNone(id)), { done: () => c.redirect('/provider/staff?done=ended', 303), refused: (error) => staffPage(c, { error }) });
});
