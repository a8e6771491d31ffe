/** Allocation rounds: start one, follow it, read its fairness and per-child results, publish or discard it. */
import { Hono, type Context } from 'hono';
import { addDays } from '../../domain/london-time.js';
import { discardRound, getRound, listRounds, publishRound, startRound } from '../../services/allocation-rounds.js';
import { entitlementLedger } from '../../services/reports.js';
import { childLabels } from '../../services/child-labels.js';
import type { Principal } from '../../services/access.js';
import type { FairnessMetrics } from '../../domain/allocation/types.js';
import { StartRoundBody } from '../../schemas/rounds.js';
import { BarChart, shareHistogram } from '../charts.js';
import { Csrf, DataTable, DateInput, ErrorBox, Layout, Notice, human, when, type PageError } from '../layout.js';
import { period } from '../format.js';
import { optional, parseWith, readForm, text, today, type FormValues } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { ChildTell, forCoordinator } from '../shared/child.js';
import { formAction } from '../shared/form-action.js';

export const roundPages = new Hono<WebEnv>();

type Coordinator = Extract<Principal, { role: 'COORDINATOR' }>;
const DONE: Record<string, string> = {
  published: 'The round is published: bookings are confirmed and families are told.',
  discarded: 'The round is discarded: its bookings are cancelled.',
};
const pct = (n: number) => `${Math.round(n * 100)}%`;

// ---- The list, and starting a round ------------------------------------------

/** The last twenty rounds, and the scarce-slot share over them: the mean share of scarce units each child got, per round with metrics. */
async function loadRounds(p: Coordinator) {
  const { items } = await listRounds(p, { limit: 20 });
  const withMetrics = items.flatMap((r) => (r.metrics ? [{ periodStart: r.periodStart, metrics: r.metrics }] : [])).reverse();
  const bars = withMetrics.map((r) => {
    const by = r.metrics.scarceShare.byChild;
    // A child given more scarce nights than it asked for got all it asked for: 100%, not more (the axis stops there).
    return { label: r.periodStart.slice(5), value: by.length ? Math.round((by.reduce((s, x) => s + Math.min(1, x.share), 0) / by.length) * 100) : 0 };
  });
  return { rounds: items, bars };
}

async function roundsPage(c: Context<WebEnv>, form: FormValues = {}, error?: PageError) {
  const p = principalOf(c, 'COORDINATOR');
  const { rounds, bars } = await loadRounds(p);
  const start = text(form, 'periodStart') || addDays(today(), 7);
  return c.html(
    <Layout title="Allocation rounds" session={p} csrf={c.get('csrfToken')} current="/coordinator/rounds">
      <ErrorBox error={error} />
      <h2>Start a round</h2>
      <form method="post" action="/coordinator/rounds">
        <Csrf token={c.get('csrfToken')} />
        <DateInput name="periodStart" legend="Period from" value={start} hint="For example, 8 1 2027" />
        <DateInput name="periodEnd" legend="Period to" value={text(form, 'periodEnd') || addDays(start, 55)} />
        <label for="seed">Seed (optional; the same seed and requests give the same result)</label>
        <input type="text" id="seed" name="seed" value={text(form, 'seed')} maxlength={100} />
        <div>
          <button type="submit">Start round</button>
        </div>
      </form>
      <h2>Rounds</h2>
      {rounds.length ? (
        <DataTable label="Rounds table" headers={['Period', 'Status', 'Bookings', 'Started']}>
          {rounds.map((r) => (
            <tr>
              <td>
                <a href={`/coordinator/rounds/${r.id}`}>
                  {period(r.periodStart, r.periodEnd)}
                </a>
              </td>
              <td>{human(r.status)}</td>
              <td>{r.bookings}</td>
              <td>{when(r.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No rounds yet.</p>
      )}
      {bars.length ? <BarChart id="scarce" title="Mean share of scarce nights (weekends, holidays) children got, by round start date" bars={bars} unit="%" max={100} /> : null}
    </Layout>,
    error ? 422 : 200,
  );
}

roundPages.get('/coordinator/rounds', (c) => roundsPage(c));
roundPages.post('/coordinator/rounds', async (c) => {
  const form = await readForm(c);
  return formAction(
    async () => {
      const input = parseWith(StartRoundBody, { periodStart: text(form, 'periodStart'), periodEnd: text(form, 'periodEnd'), seed: optional(form, 'seed') });
      return (await startRound(principalOf(c, 'COORDINATOR'), input)).id;
    },
    { done: (id) => c.redirect(`/coordinator/rounds/${id}`, 303), refused: (error) => roundsPage(c, form, error) },
  );
});

// ---- One round ---------------------------------------------------------------

/** The round, with each child's name and tell-apart label for its per-child explanations. */
async function loadRound(p: Coordinator, roundId: string) {
  const round = await getRound(p, roundId);
  const ledger = await entitlementLedger(p, { from: round.periodStart, to: round.periodEnd });
  const names = new Map(ledger.map((l) => [l.childId, l.childName]));
  const labels = await childLabels(p, round.explanations.map((e) => e.childId));
  return { round, names, labels };
}

async function roundPage(c: Context<WebEnv>, error?: PageError) {
  const p = principalOf(c, 'COORDINATOR');
  const { round, names, labels } = await loadRound(p, c.req.param('id')!);
  const { metrics, explanations } = round;
  const working = round.status === 'QUEUED' || round.status === 'RUNNING';
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`Allocation round, ${period(round.periodStart, round.periodEnd)}`} session={p} csrf={csrf} current="/coordinator/rounds">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <p>
        Status: <strong id="round-status">{human(round.status)}</strong>. Seed {round.seed}. {round.bookings} {round.bookings === 1 ? 'booking' : 'bookings'}.
      </p>
      {working ? (
        <p>
          The round is being worked out. <a href={`/coordinator/rounds/${round.id}`}>Check progress</a>
        </p>
      ) : null}
      {round.error ? <p class="full">It failed: {round.error}</p> : null}
      {metrics ? (
        <>
          <h2>Fairness</h2>
          <dl class="passport">
            <dt>Children asking</dt>
            <dd>{metrics.requests}</dd>
            <dt>Nights or sessions wanted / given</dt>
            <dd>
              {metrics.unitsWanted} / {metrics.unitsAllocated} (of at most {metrics.upperBound} possible, {pct(metrics.boundRatio)})
            </dd>
            <dt>Children given nothing</dt>
            <dd>
              {metrics.childrenWithNothing}
              {metrics.childrenWithNothingToGive
                ? ` (${metrics.childrenWithNothingToGive} of them could be given nothing: no nights left in the award, or the limits on time away reached)`
                : ''}
            </dd>
            <dt>Worst-served child's share</dt>
            <dd>{pct(metrics.maxMin.share)}</dd>
            <dt>Gini / Jain index</dt>
            <dd>
              {metrics.gini.toFixed(2)} / {metrics.jain.toFixed(2)}
            </dd>
          </dl>
          <BarChart id="met-share" title="Number of children by share of their request met" bars={shareHistogram(everyChildsShare(metrics))} unit="children" />
        </>
      ) : null}
      {round.status === 'COMPLETED' ? (
        <>
          <form method="post" action={`/coordinator/rounds/${round.id}/publish`}>
            <Csrf token={csrf} />
            <button type="submit">Publish round</button>
          </form>
          {/* Discarding cancels every booking the round made: it asks for a confirmation of its own. */}
          <form method="post" action={`/coordinator/rounds/${round.id}/discard`}>
            <Csrf token={csrf} />
            <div class="govuk-form-group">
              <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
                <div class="govuk-checkboxes__item">
                  <input class="govuk-checkboxes__input" type="checkbox" id="confirmDiscard" name="confirm" value="yes" required />
                  <label class="govuk-label govuk-checkboxes__label" for="confirmDiscard">
                    Yes, discard this round and cancel the bookings it made
                  </label>
                </div>
              </div>
            </div>
            <button type="submit" class="secondary">
              Discard round
            </button>
          </form>
        </>
      ) : null}
      {explanations.length ? (
        <>
          <h2>Per child</h2>
          <DataTable label="Per-child results table" headers={['Order', 'Child', 'Got / wanted', 'Why']}>
            {[...explanations]
              .sort((a, b) => a.position - b.position)
              .map((e) => (
                <tr>
                  <td>
                    {e.position} of {e.of}
                  </td>
                  <th scope="row">
                    <a class="govuk-link" href={`/coordinator/children/${e.childId}`}>
                      {names.get(e.childId) ?? 'A child'}
                    </a>
                    <ChildTell label={labels.get(e.childId)} />
                  </th>
                  <td>
                    {e.unitsGot} / {e.unitsWanted}
                  </td>
                  <td>{forCoordinator(e.summary, names.get(e.childId)?.split(' ')[0] ?? 'The child')}</td>
                </tr>
              ))}
          </DataTable>
        </>
      ) : null}
    </Layout>,
    error ? 409 : 200,
  );
}

/**
 * Every child who asked, so the chart counts the same children as the table
 * below it: one who could be given nothing (no nights left in the award) got
 * 0 % of what was asked, though the fairness figures leave it out.
 */
function everyChildsShare(metrics: FairnessMetrics): number[] {
  return [...metrics.shares.map((s) => s.share), ...Array<number>(metrics.childrenWithNothingToGive).fill(0)];
}

roundPages.get('/coordinator/rounds/:id', (c) => roundPage(c));
for (const [action, run] of [
  ['publish', publishRound],
  ['discard', discardRound],
] as const) {
  roundPages.post(`/coordinator/rounds/:id/${action}`, async (c) => {
    if (action === 'discard' && text(await readForm(c), 'confirm') !== 'yes') {
      return roundPage(c, { detail: 'Tick the box to confirm that the round should be discarded: its bookings are cancelled.', fields: [], anchors: [] });
    }
    return formAction(() => run(principalOf(c, 'COORDINATOR'), c.req.param('id')), {
      done: () => c.redirect(`/coordinator/rounds/${c.req.param('id')}?done=${action === 'publish' ? 'published' : 'discarded'}`, 303),
      refused: (error) => roundPage(c, error),
    });
  });
}
