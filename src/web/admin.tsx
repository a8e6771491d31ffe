/**
 * The platform administrators' pages: the councils using the service, adding
 * one, and giving each its coordinators by invitation (a council's coordinators
 * then invite its families, and providers their own staff); and the failed
 * sign-ins, to see an attack or a person locked out.
 */
import { Hono, type Context } from 'hono';
import { CreateAuthorityBody, CreateInvitationBody } from '../schemas/people.js';
import { createInvitation, withdrawInvitation } from '../services/invitations.js';
import { endMembership, listMembers } from '../services/memberships.js';
import { coordinatorCounts, createAuthority, getAuthority, listAuthorities } from '../services/people.js';
import { listSignInEvents, TOO_MANY_FAILURES } from '../services/sign-in-events.js';
import { human, when } from './format.js';
import { idOrNone, optional, parseWith, readForm, text, type FormValues } from './forms.js';
import { Button, Csrf, DataTable, ErrorBox, Layout, Notice, addNavItem, type PageError } from './layout.js';
import { principalOf, requirePage, type WebEnv } from './session.js';
import { formAction } from './shared/form-action.js';
import { MembersTable } from './shared/members.js';

export const adminPages = new Hono<WebEnv>();
// '/admin/*' matches /admin itself too.
adminPages.use('/admin/*', requirePage('ADMIN'));
addNavItem('ADMIN', { href: '/admin', label: 'Authorities' });

const idParam = (c: Context<WebEnv>, name: string) => idOrNone(c.req.param(name));

const DONE: Record<string, string> = {
  created: 'The authority is added. Invite its first coordinator: until one accepts, nobody can use the service for it.',
  invited: 'The invitation is sent by email. It works once, for 7 days; accepting it lets that person sign in as one of the authority’s coordinators.',
  withdrawn: 'The invitation is withdrawn: its link no longer works.',
  ended: 'Their access has ended. Anyone signed in as them has been signed out, and their API tokens no longer work.',
};

const METHOD_WORDS: Record<string, string> = { OIDC: 'Organisation sign-in', EMAIL_LINK: 'Emailed link', INVITATION: 'Invitation', TOKEN: 'Access key on the sign-in page', API_TOKEN: 'API token' };

const TextField = ({ id, label, hint, form, width = 'govuk-!-width-one-half', type = 'text' }: { id: string; label: string; hint?: string; form: FormValues; width?: string; type?: string }) => (
  <div class="govuk-form-group">
    <label class="govuk-label" for={id}>
      {label}
    </label>
    {hint ? (
      <div class="govuk-hint" id={`${id}-hint`}>
        {hint}
      </div>
    ) : null}
    <input class={`govuk-input ${width}`} type={type} id={id} name={id} autocomplete="off" spellcheck={false} aria-describedby={hint ? `${id}-hint` : undefined} value={text(form, id)} />
  </div>
);

async function adminPage(c: Context<WebEnv>, state: { error?: PageError; form?: FormValues } = {}) {
  const p = principalOf(c, 'ADMIN');
  const authorities = await listAuthorities(p);
  const coordinators = await coordinatorCounts(p);
  const failures = await listSignInEvents(p, { outcome: 'FAILED', limit: 50 });
  const form = state.form ?? {};
  return c.html(
    <Layout title="Authorities" session={p} csrf={c.get('csrfToken')}>
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <DataTable label="Authorities" headers={['Name', 'Code', 'Coordinators who can sign in']}>
        {authorities.map((a) => (
          <tr class="govuk-table__row">
            <td class="govuk-table__cell">
              <a class="govuk-link" href={`/admin/authorities/${a.id}`}>
                {a.name}
              </a>
            </td>
            <td class="govuk-table__cell">{a.code}</td>
            <td class="govuk-table__cell">{coordinators.get(a.id) ?? 'None yet'}</td>
          </tr>
        ))}
      </DataTable>

      <h2 class="govuk-heading-m">Add an authority</h2>
      <ErrorBox error={state.error} />
      <form method="post" action="/admin/authorities" novalidate>
        <Csrf token={c.get('csrfToken')} />
        <TextField id="name" label="Name" hint="As families will read it, for example West Sussex County Council" form={form} />
        <TextField id="code" label="Code" hint="Capital letters, digits and -, 2 to 30, for example WSX-CC" form={form} width="govuk-input--width-10" />
        <TextField id="contactEmail" label="The short-breaks team’s email address (optional)" hint="Where messages go that could not reach a family or provider" form={form} type="email" />
        <div class="govuk-form-group">
          <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
            <div class="govuk-checkboxes__item">
              <input class="govuk-checkboxes__input" type="checkbox" id="swapRequiresApproval" name="swapRequiresApproval" value="yes" checked={state.form ? text(form, 'swapRequiresApproval') === 'yes' : true} />
              <label class="govuk-label govuk-checkboxes__label" for="swapRequiresApproval">
                Swaps between families need a coordinator’s approval
              </label>
            </div>
          </div>
        </div>
        <Button>Add the authority</Button>
      </form>

      <h2 class="govuk-heading-m">Failed sign-ins</h2>
      <p class="govuk-body">The latest 50, from the sign-in pages and bad API tokens. Each address is recorded up to 10 times a minute; “too many failures” marks where it passed that (what followed that minute was not recorded).</p>
      {failures.length ? (
        <DataTable label="Failed sign-ins" headers={['When', 'How', 'Why', 'From', 'Who']}>
          {failures.map((e) => (
            <tr class="govuk-table__row">
              <td class="govuk-table__cell">{when(e.at)}</td>
              <td class="govuk-table__cell">{METHOD_WORDS[e.method] ?? e.method}</td>
              <td class="govuk-table__cell">{e.reason === TOO_MANY_FAILURES ? 'Too many failures' : e.reason ? human(e.reason) : ''}</td>
              <td class="govuk-table__cell">{e.address ?? ''}</td>
              <td class="govuk-table__cell">{e.personName ?? 'Unknown'}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">None.</p>
      )}
    </Layout>,
    state.error ? (state.error.fields.length ? 400 : 422) : 200,
  );
}

async function authorityPage(c: Context<WebEnv>, state: { error?: PageError; form?: FormValues } = {}) {
  const p = principalOf(c, 'ADMIN');
  const authority = await getAuthority(p, idParam(c, 'id'));
  const { members, invitations } = await listMembers(p, { coordinatorsOf: authority.id });
  const base = `/admin/authorities/${authority.id}`;
  const form = state.form ?? {};
  return c.html(
    <Layout title={authority.name} session={p} csrf={c.get('csrfToken')}>
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <p class="govuk-body">
        Code {authority.code}. {authority.swapRequiresApproval ? 'Swaps between families need a coordinator’s approval.' : 'Families’ swaps go ahead once both agree.'}{' '}
        <a class="govuk-link" href="/admin">
          All authorities
        </a>
      </p>
      <h2 class="govuk-heading-m">Coordinators</h2>
      <MembersTable label="Coordinators" members={members} invitations={invitations} csrf={c.get('csrfToken')} own={p.membershipId} endAction={(id) => `${base}/members/${id}/end`} withdrawAction={(id) => `${base}/invitations/${id}/withdraw`} />

      <h2 class="govuk-heading-m">Invite a coordinator</h2>
      <ErrorBox error={state.error} />
      <p class="govuk-body">They get an email with a link to sign in as one of {authority.name}’s coordinators: they allocate its places, invite its families and close its homes.</p>
      <form method="post" action={`${base}/invitations`} novalidate>
        <Csrf token={c.get('csrfToken')} />
        <TextField id="name" label="Their name" form={form} />
        <TextField id="email" label="Their email address" form={form} type="email" />
        <Button>Send the invitation</Button>
      </form>
    </Layout>,
    state.error ? (state.error.fields.length ? 400 : 422) : 200,
  );
}

adminPages.get('/admin', (c) => adminPage(c));

adminPages.post('/admin/authorities', async (c) => {
  const form = await readForm(c);
  return formAction(
    () =>
      createAuthority(
        principalOf(c, 'ADMIN'),
        parseWith(CreateAuthorityBody, { name: text(form, 'name'), code: text(form, 'code').trim().toUpperCase(), contactEmail: optional(form, 'contactEmail'), swapRequiresApproval: text(form, 'swapRequiresApproval') === 'yes' }),
      ),
    { done: (a) => c.redirect(`/admin/authorities/${a.id}?done=created`, 303), refused: (error) => adminPage(c, { error, form }) },
  );
});

adminPages.get('/admin/authorities/:id', (c) => authorityPage(c));

adminPages.post('/admin/authorities/:id/invitations', async (c) => {
  const form = await readForm(c);
  const id = idParam(c, 'id');
  return formAction(() => createInvitation(principalOf(c, 'ADMIN'), parseWith(CreateInvitationBody, { name: text(form, 'name'), email: text(form, 'email'), role: 'COORDINATOR', authorityId: id })), {
    done: () => c.redirect(`/admin/authorities/${id}?done=invited`, 303),
    refused: (error) => authorityPage(c, { error, form }),
  });
});

adminPages.post('/admin/authorities/:id/invitations/:invitationId/withdraw', async (c) =>
  formAction(() => withdrawInvitation(principalOf(c, 'ADMIN'), idParam(c, 'invitationId')), {
    done: () => c.redirect(`/admin/authorities/${idParam(c, 'id')}?done=withdrawn`, 303),
    refused: (error) => authorityPage(c, { error }),
  }),
);

adminPages.post('/admin/authorities/:id/members/:membershipId/end', async (c) =>
  formAction(() => endMembership(principalOf(c, 'ADMIN'), idParam(c, 'membershipId')), {
    done: () => c.redirect(`/admin/authorities/${idParam(c, 'id')}?done=ended`, 303),
    refused: (error) => authorityPage(c, { error }),
  }),
);
