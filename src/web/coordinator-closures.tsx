/**
 * Coordinator pages for closures (issue 7): the closures this authority follows,
 * closing a provider, and each closure's re-homing plan — the preference order
 * it used, where every child goes, the carer training it waits for, transport —
 * with a retry when the job failed.
 */
import { Hono, type Context } from 'hono';
import type { RehomingPreference } from '../domain/rehoming/index.js';
import { closurePlanNames, getClosure, listClosures, retryClosure, startClosure } from '../services/closures.js';
import { getProvider, listProviders } from '../services/providers.js';
import { StartClosureBody } from '../schemas/closures.js';
import { Csrf, DataTable, ErrorBox, Layout, Notice, errorMessage, human, when } from './layout.js';
import { parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const closurePages = new Hono<WebEnv>();
closurePages.use('/coordinator/closures', requirePage('COORDINATOR'));
closurePages.use('/coordinator/closures/*', requirePage('COORDINATOR'));

type Err = ReturnType<typeof errorMessage> | undefined;
type Closure = Awaited<ReturnType<typeof getClosure>>;

const PREFERENCE_WORDS: Record<RehomingPreference, string> = {
  SAME_DATES: 'the same dates',
  CONTINUITY: 'staying together (siblings, the same place for all of a child’s breaks)',
  TRAVEL_TIME: 'the shortest journey from home',
  SAME_KIND: 'the same kind of break (residential, community, family-based)',
};

const countsInWords = (k: Closure['counts']) =>
  `${k.affected} booking(s) affected: ${k.MOVED} moved, ${k.OFFERED} offered, ${k.WAITLISTED} waitlisted, ${k.PENDING_TRAINING} waiting for carer training, ${k.CANCELLED_BY_FAMILY} cancelled by the family, ${k.notYetPlanned} not yet planned.`;

// ---- The list, and closing a provider ------------------------------------------

async function closuresPage(c: Context<WebEnv>, form: FormValues = {}, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  // Reached from the calendar with one provider chosen; otherwise a list to choose from.
  const chosenId = text(form, 'providerId') || c.req.query('providerId');
  const chosen = chosenId ? await getProvider(p, chosenId).catch(() => null) : null;
  // listProviders returns one row past the limit for the API's cursor; this page does not page.
  const [providers, closures] = await Promise.all([
    chosen ? [chosen] : listProviders(p, { status: 'ACTIVE', limit: 200 }).then((all) => all.slice(0, 200).sort((a, b) => a.name.localeCompare(b.name))),
    listClosures(p, { limit: 100 }),
  ]);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Closures" session={p} csrf={csrf} current="/coordinator/closures">
      <ErrorBox error={error} />
      <h2>Closures</h2>
      {closures.items.length ? (
        <DataTable label="Closures table" caption="Closures your authority made or that affected your children, newest first" headers={['Provider', 'No breaks from', 'Status', 'Bookings affected', 'Re-homing plan']}>
          {closures.items.map((k) => (
            <tr>
              <th scope="row">{k.providerName}</th>
              <td>{when(k.effectiveFrom)}</td>
              <td>
                {human(k.status)}
                {k.status === 'FAILED' ? <span class="full"> (needs a retry)</span> : null}
              </td>
              <td>{countsInWords(k.counts)}</td>
              <td>
                <a href={`/coordinator/closures/${k.id}`}>
                  Re-homing plan<span class="vh"> for {k.providerName}, {when(k.effectiveFrom)}</span>
                </a>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No closures yet.</p>
      )}
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

// ---- One closure's plan ------------------------------------------------------------

type Outcome = Closure['outcomes'][number];
const GOING = new Set<Outcome['outcome']>(['MOVED', 'OFFERED', 'PENDING_TRAINING']);

/**
 * Where the child goes. An outcome keeps the slot the plan chose even when the
 * child ended up waitlisted or the family declined (see currentOutcome and
 * waitlistChild in services/closures.ts), so only a live move names a place.
 */
function destination(o: Outcome, slots: Awaited<ReturnType<typeof closurePlanNames>>['slot']) {
  const slot = GOING.has(o.outcome) && o.toSlotId ? slots.get(o.toSlotId) : undefined;
  return slot ? `${slot.providerName}, ${when(slot.startsAt)}` : '–';
}

/** The planner's transport for a move: two seated runs, or why no vehicle could take the child (MoveTransport in domain/rehoming). */
function transportInWords(o: Outcome) {
  const transport = o.transport as { unmet: string } | { outbound: string } | null;
  if (!GOING.has(o.outcome) || !transport) return '–';
  return 'unmet' in transport ? `Not arranged: ${transport.unmet}` : 'Arranged';
}

async function closurePage(c: Context<WebEnv>, closure: Closure, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  const names = await closurePlanNames(closure);
  const order = ((closure.preferences as { order?: RehomingPreference[] } | null)?.order ?? []).map((pref) => PREFERENCE_WORDS[pref] ?? human(pref));
  const actions = closure.trainingActions as { carerId: string; need: string; course: string; neededBy: string; detail: string }[];
  const csrf = c.get('csrfToken');
  const working = closure.status === 'QUEUED' || closure.status === 'PLANNING';
  return c.html(
    <Layout title={`Re-homing plan: ${names.provider}`} session={p} csrf={csrf} current="/coordinator/closures">
      <Notice text={c.req.query('done') === 'retried' ? 'The closure is queued again; it carries on from where it stopped.' : null} />
      <ErrorBox error={error} />
      <p>
        Reference {closure.id}. No breaks from {when(closure.effectiveFrom)}: {closure.reason}. Status <strong id="closure-status">{human(closure.status)}</strong>.{' '}
        {working ? <a href={`/coordinator/closures/${closure.id}`}>Check progress</a> : null}
      </p>
      {closure.status === 'FAILED' ? (
        <div class="error">
          <h2>The re-homing job failed</h2>
          <p>{closure.error ?? 'No reason was recorded.'}</p>
          <p>Outcomes already carried out stay as they are; trying again carries on with the rest.</p>
          {closure.authorityId === p.authorityId ? (
            <form method="post" action={`/coordinator/closures/${closure.id}/retry`}>
              <Csrf token={csrf} />
              <button type="submit">Try again</button>
            </form>
          ) : null}
        </div>
      ) : null}
      <p>{countsInWords(closure.counts)}</p>
      {order.length ? <p>Alternatives were chosen by, in order: {order.join('; then ')}.</p> : null}
      {closure.outcomes.length ? (
        <DataTable label="Re-homing outcomes table" caption="Where each affected booking goes" headers={['Child', 'Outcome', 'New place', 'Why', 'Transport']}>
          {closure.outcomes.map((o) => (
            <tr>
              <th scope="row">{names.child.get(o.childId) ?? 'A child'}</th>
              <td>{human(o.outcome)}</td>
              <td>{destination(o, names.slot)}</td>
              <td>{o.reason}</td>
              <td>{transportInWords(o)}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {actions.length ? (
        <>
          <h2>Carer training the plan waits for</h2>
          <DataTable label="Training actions table" headers={['Carer', 'Course', 'Needed by', 'Why']}>
            {actions.map((a) => (
              <tr>
                <th scope="row">{names.carer.get(a.carerId) ?? 'A carer'}</th>
                <td>
                  {a.course} ({human(a.need)})
                </td>
                <td>{when(a.neededBy)}</td>
                <td>{a.detail}</td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}
      <p>
        <a href="/coordinator/closures">All closures</a>
      </p>
    </Layout>,
    error ? 409 : 200,
  );
}

closurePages.get('/coordinator/closures/:id', async (c) => {
  let closure: Closure;
  try {
    closure = await getClosure(principalOf(c, 'COORDINATOR'), c.req.param('id'));
  } catch (err) {
    return closuresPage(c, {}, errorMessage(err));
  }
  return closurePage(c, closure);
});

closurePages.post('/coordinator/closures/:id/retry', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  try {
    await retryClosure(p, c.req.param('id'));
  } catch (err) {
    const closure = await getClosure(p, c.req.param('id')).catch(() => null);
    return closure ? closurePage(c, closure, errorMessage(err)) : closuresPage(c, {}, errorMessage(err));
  }
  return c.redirect(`/coordinator/closures/${c.req.param('id')}?done=retried`, 303);
});
