/** The coordinators' messages: those that could not be delivered and need a person to follow them up, and the most recent ones. */
import { Hono, type Context } from 'hono';
import { listNotifications, recipientNames } from '../../services/notification-preferences.js';
import { DataTable, Layout, StatusTag, addNavItem, when } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';

export const messagePages = new Hono<WebEnv>();
messagePages.use('/coordinator/messages', requirePage('COORDINATOR'));
addNavItem('COORDINATOR', { href: '/coordinator/messages', label: 'Messages' });

type Coordinator = ReturnType<typeof principalOf<'COORDINATOR'>>;
type Message = Awaited<ReturnType<typeof listNotifications>>['items'][number];

/** The undelivered and the recent messages, and who each went to by name. */
async function loadMessages(p: Coordinator) {
  const [failed, recent] = await Promise.all([listNotifications(p, { status: 'FAILED', limit: 100 }), listNotifications(p, { limit: 50 })]);
  const names = await recipientNames([...failed.items, ...recent.items]);
  const who = (n: Message) => (n.recipientRole === 'FAMILY' || n.recipientRole === 'PROVIDER' ? names.get(n.recipientId) : 'Your team') ?? n.recipientId;
  return { failed: failed.items, recent: recent.items, who };
}

const delivery = (n: Message) =>
  n.deliveries.length ? n.deliveries.map((d) => `${d.channel === 'EMAIL' ? 'Email' : 'Text'} to ${d.personName ? `${d.personName}, ` : ''}${d.address ?? 'no address'}: ${d.status.toLowerCase()}${d.lastError ? ` (${d.lastError})` : ''}`).join('; ') : 'Not sent: turned off by them';

/** One message: to whom, what, when, (its status,) and what became of each delivery. */
const MessageRow = ({ n, to, withStatus }: { n: Message; to: string; withStatus?: boolean }) => (
  <tr class="govuk-table__row">
    <th scope="row" class="govuk-table__header">
      {to}
    </th>
    <td class="govuk-table__cell">{n.subject}</td>
    <td class="govuk-table__cell">{when(n.createdAt)}</td>
    {withStatus ? (
      <td class="govuk-table__cell">
        <StatusTag status={n.status} />
      </td>
    ) : null}
    <td class="govuk-table__cell">{delivery(n)}</td>
  </tr>
);

async function messagesPage(c: Context<WebEnv>) {
  const p = principalOf(c, 'COORDINATOR');
  const { failed, recent, who } = await loadMessages(p);
  return c.html(
    <Layout title="Messages" session={p} csrf={c.get('csrfToken')} current="/coordinator/messages">
      <h2 class="govuk-heading-m">Could not be delivered</h2>
      {failed.length ? (
        <DataTable label="Messages that could not be delivered" caption="Contact these people another way" headers={['To', 'Message', 'When', 'What happened']}>
          {failed.map((n) => (
            <MessageRow n={n} to={who(n)} />
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">Every message has been delivered.</p>
      )}
      <h2 class="govuk-heading-m">Recent messages</h2>
      <DataTable label="Recent messages" headers={['To', 'Message', 'When', 'Status', 'Delivery']}>
        {recent.map((n) => (
          <MessageRow n={n} to={who(n)} withStatus />
        ))}
      </DataTable>
    </Layout>,
  );
}

messagePages.get('/coordinator/messages', (c) => messagesPage(c));
