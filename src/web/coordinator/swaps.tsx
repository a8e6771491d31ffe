/** Swaps both families agreed to that wait for the coordinator's approval. */
import { Hono, type Context } from 'hono';
import { getBooking } from '../../services/bookings.js';
import { entitlementLedger } from '../../services/reports.js';
import { approveSwap, listSwaps } from '../../services/swaps.js';
import type { Principal } from '../../services/access.js';
import { Csrf, ErrorBox, Layout, Notice, when, type PageError } from '../layout.js';
import { principalOf, type WebEnv } from '../session.js';
import { formAction } from '../shared/form-action.js';

export const swapApprovalPages = new Hono<WebEnv>();

const DONE: Record<string, string> = {
  approved: 'The swap is approved and both bookings have moved.',
};

/** Each swap waiting for approval with its two bookings, and the children's names. */
async function loadSwapsAwaitingApproval(p: Extract<Principal, { role: 'COORDINATOR' }>) {
  const swaps = (await listSwaps(p, { status: 'ACCEPTED', limit: 100 })).items.filter((s) => s.requiresApproval && !s.approvedAt);
  const rows = await Promise.all(swaps.map(async (s) => ({ swap: s, a: await getBooking(p, s.bookingAId), b: await getBooking(p, s.bookingBId) })));
  const ledger = await entitlementLedger(p, { from: '2000-01-01', to: '2100-12-31' });
  const names = new Map(ledger.map((l) => [l.childId, l.childName]));
  return { rows, names };
}

async function swapsPage(c: Context<WebEnv>, error?: PageError) {
  const p = principalOf(c, 'COORDINATOR');
  const { rows, names } = await loadSwapsAwaitingApproval(p);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Swaps awaiting approval" session={p} csrf={csrf} current="/coordinator/swaps">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      {rows.length ? (
        <ul>
          {rows.map(({ swap, a, b }) => (
            <li>
              <p>
                {names.get(a.childId) ?? 'A child'} ({a.providerName}, {when(a.startsAt)}) swaps with {names.get(b.childId) ?? 'a child'} ({b.providerName}, {when(b.startsAt)}). Both
                families agreed; the offer lapses {when(swap.expiresAt)}.
              </p>
              <form method="post" action={`/coordinator/swaps/${swap.id}/approve`}>
                <Csrf token={csrf} />
                <button type="submit">
                  Approve swap<span class="vh"> between {names.get(a.childId) ?? 'a child'} and {names.get(b.childId) ?? 'a child'}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p>No swaps are waiting for approval.</p>
      )}
    </Layout>,
    error ? 409 : 200,
  );
}

swapApprovalPages.get('/coordinator/swaps', (c) => swapsPage(c));
swapApprovalPages.post('/coordinator/swaps/:id/approve', (c) =>
  formAction(() => approveSwap(principalOf(c, 'COORDINATOR'), c.req.param('id')), {
    done: () => c.redirect('/coordinator/swaps?done=approved', 303),
    refused: (error) => swapsPage(c, error),
  }),
);
