/**
 * Who can sign in, on the pages where people are invited: each live
 * membership with a button that ends it (and with it every session and token
 * acting through it), and the invitations not yet accepted, each with a
 * button that withdraws it (its link stops working).
 */
import type { FC } from 'hono/jsx';
import type { MemberView, PendingInvitationView } from '../../services/memberships.js';
import { longDate } from '../format.js';
import { Csrf, DataTable } from '../layout.js';

const ROLE_WORDS: Record<string, string> = { CARER: 'Parent or carer', PROVIDER_MANAGER: 'Manager', PROVIDER_STAFF: 'Staff', COORDINATOR: 'Coordinator', PLATFORM_ADMIN: 'Administrator' };
const day = (iso: string) => longDate(new Date(iso));

export const MembersTable: FC<{
  label: string;
  members: MemberView[];
  invitations: PendingInvitationView[];
  csrf: string;
  /** Where each row's "End access" form posts, from the membership id. */
  endAction: (membershipId: string) => string;
  /** Where each invitation's "Withdraw" form posts, from the invitation id. */
  withdrawAction: (invitationId: string) => string;
  /** The membership the viewer acts through: no button to end it. */
  own?: string | null;
}> = ({ label, members, invitations, csrf, endAction, withdrawAction, own }) => (
  <>
    {members.length ? (
      <DataTable label={label} headers={['Name', 'Email', 'As', 'Since', 'Access']}>
        {members.map((m) => (
          <tr class="govuk-table__row">
            <td class="govuk-table__cell">{m.name}</td>
            <td class="govuk-table__cell">{m.email ?? 'No email'}</td>
            <td class="govuk-table__cell">{ROLE_WORDS[m.role] ?? m.role}</td>
            <td class="govuk-table__cell">{day(m.since)}</td>
            <td class="govuk-table__cell">
              {m.membershipId === own ? (
                'You'
              ) : (
                <form method="post" action={endAction(m.membershipId)} class="govuk-!-margin-0">
                  <Csrf token={csrf} />
                  <button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-0" data-module="govuk-button">
                    End access<span class="govuk-visually-hidden"> for {m.name}</span>
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    ) : (
      <p class="govuk-body">Nobody can sign in yet.</p>
    )}
    {invitations.length ? (
      <DataTable label={`${label}: invitations not yet accepted`} headers={['Name', 'Email', 'As', 'Invitation works until', 'Invitation']}>
        {invitations.map((i) => (
          <tr class="govuk-table__row">
            <td class="govuk-table__cell">{i.name}</td>
            <td class="govuk-table__cell">{i.email}</td>
            <td class="govuk-table__cell">{ROLE_WORDS[i.role] ?? i.role}</td>
            <td class="govuk-table__cell">{day(i.expiresAt)}</td>
            <td class="govuk-table__cell">
              <form method="post" action={withdrawAction(i.id)} class="govuk-!-margin-0">
                <Csrf token={csrf} />
                <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-0" data-module="govuk-button">
                  Withdraw<span class="govuk-visually-hidden"> the invitation for {i.name}</span>
                </button>
              </form>
            </td>
          </tr>
        ))}
      </DataTable>
    ) : null}
  </>
);
