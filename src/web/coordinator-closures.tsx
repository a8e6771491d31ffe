/** Coordinator pages for closures: close a provider, follow its re-homing plan and outcomes. */
import { Hono, type Context } from 'hono';
import { getClosure, startClosure } from '../services/closures.js';
import { getProvider, listProviders } from '../services/providers.js';
import { entitlementLedger } from '../services/reports.js';
import { StartClosureBody } from '../schemas/closures.js';
import { Csrf, DataTable, ErrorBox, Layout, errorMessage, human, when } from './layout.js';
import { parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const closurePages = new Hono<WebEnv>();
closurePages.use('/coordinator/closures', requirePage('COORDINATOR'));
closurePages.use('/coordinator/closures/*', requirePage('COORDINATOR'));

type Err = ReturnType<typeof errorMessage> | undefined;

// ---- Closures ------------------------------------------------------------------

async function closuresPage(c: Context<WebEnv>, form: FormValues = {}, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  // Reached from the calendar with one provider chosen; otherwise a list to choose from.
  const chosenId = text(form, 'providerId') || c.req.query('providerId');
  const chosen = chosenId ? await getProvider(p, chosenId).catch(() => null) : null;
  const providers = chosen ? [chosen] : (await listProviders(p, { status: 'ACTIVE', limit: 200 })).sort((a, b) => a.name.localeCompare(b.name));
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Closures" session={p} csrf={csrf} current="/coordinator/closures">
      <ErrorBox error={error} />
      <h2>Find a closure</h2>
      <form method="get" action="/coordinator/closures/find">
        <label for="closureId">Closure reference</label>
        <input type="text" id="closureId" name="id" required />
        <div>
          <button type="submit" class="secondary">
            Show re-homing plan
          </button>
        </div>
      </form>
      <h2>Close a provider</h2>
      <p class="hint">Every booking from the closing date is re-homed: another place that meets the child's needs, or the reason why not.</p>
      <form method="post" action="/coordinator/closures">
        <Csrf token={csrf} />
        <label for="providerId">Provider</label>
        <select id="providerId" name="providerId" required>
          {providers.map((pr) => (
            <option value={pr.id} selected={chosenId === pr.id}>
              {pr.name}
            </option>
          ))}
        </select>
        <label for="effectiveFrom">No breaks from</label>
        <input type="date" id="effectiveFrom" name="effectiveFrom" value={text(form, 'effectiveFrom') || today()} required />
        <label for="reason">Reason</label>
        <input type="text" id="reason" name="reason" value={text(form, 'reason')} required minlength={3} maxlength={1000} />
        <div>
          <button type="submit">Close provider and re-home bookings</button>
        </div>
      </form>
    </Layout>,
    error ? 422 : 200,
  );
}

closurePages.get('/coordinator/closures', (c) => closuresPage(c));
closurePages.get('/coordinator/closures/find', (c) => c.redirect(`/coordinator/closures/${encodeURIComponent(c.req.query('id')?.trim() ?? '')}`, 303));
closurePages.post('/coordinator/closures', async (c) => {
  const form = await readForm(c);
  let id: string;
  try {
    const input = parseWith(StartClosureBody, { effectiveFrom: text(form, 'effectiveFrom'), reason: text(form, 'reason') });
    id = (await startClosure(principalOf(c, 'COORDINATOR'), text(form, 'providerId'), input)).id;
  } catch (err) {
    return closuresPage(c, form, errorMessage(err));
  }
  return c.redirect(`/coordinator/closures/${id}`, 303);
});

closurePages.get('/coordinator/closures/:id', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  let closure: Awaited<ReturnType<typeof getClosure>>;
  try {
    closure = await getClosure(p, c.req.param('id'));
  } catch (err) {
    return closuresPage(c, {}, errorMessage(err));
  }
  const ledger = await entitlementLedger(p, { from: '2000-01-01', to: '2100-12-31' });
  const names = new Map(ledger.map((l) => [l.childId, l.childName]));
  const counts = closure.counts;
  return c.html(
    <Layout title="Closure and re-homing plan" session={p} csrf={c.get('csrfToken')} current="/coordinator/closures">
      <p>
        Reference {closure.id}. No breaks from {when(closure.effectiveFrom)}: {closure.reason}. Status <strong>{human(closure.status)}</strong>.{' '}
        <a href={`/coordinator/closures/${closure.id}`}>Check progress</a>
      </p>
      <p>
        {counts.affected} booking(s) affected: {counts.MOVED} moved, {counts.OFFERED} offered, {counts.WAITLISTED} waitlisted, {counts.PENDING_TRAINING} waiting for carer training,{' '}
        {counts.CANCELLED_BY_FAMILY} cancelled by the family, {counts.notYetPlanned} not yet planned.
      </p>
      {closure.outcomes.length ? (
        <DataTable label="Re-homing outcomes table" headers={['Child', 'Outcome', 'Why', 'Transport']}>
          {closure.outcomes.map((o) => (
            <tr>
              <th scope="row">{names.get(o.childId) ?? o.childId}</th>
              <td>{human(o.outcome)}</td>
              <td>{o.reason}</td>
              <td>{o.transport ? 'Arranged' : '–'}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </Layout>,
  );
});

