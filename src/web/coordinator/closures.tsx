/**
 * Coordinator pages for closures: the closures this authority follows,
 * closing a provider, and each closure's re-homing plan — the preference order
 * it used, where every child goes, the carer training it waits for, transport —
 * with a retry when the job failed.
 */
import { Hono, type Context } from 'hono';
import type { RehomingPreference } from '../../domain/rehoming/index.js';
import { closurePlanNames, getClosure, listClosures, previewClosure, previewConsultedClosure, proceedClosure, retryClosure, startClosure } from '../../services/closures.js';
import { getProvider, listProviders } from '../../services/providers.js';
import { ConfirmClosureBody, StandingPlaceBody, StartClosureBody } from '../../schemas/closures.js';
import { RecordUpgradeBody } from '../../schemas/upgrades.js';
import { recordUpgrade, upgradesOperatedBy } from '../../services/upgrades.js';
import { PLACE_REQUIRED_NEEDS } from '../../domain/care-needs.js';
import { endOfDayBefore, longDate } from '../format.js';
import { Csrf, DataTable, ErrorBox, Layout, Notice, errorMessage, human, when } from '../layout.js';
import { integer, optional, parseWith, readForm, text, today, type FormValues } from '../forms.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { refusal, unlessRefused } from '../shared/form-action.js';

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

/** The homes this authority runs, by name (filtered in SQL: the page lists them all). */
async function ownHomes(p: ReturnType<typeof principalOf<'COORDINATOR'>>) {
  const all = await listProviders(p, { status: 'ACTIVE', operatorAuthorityId: p.authorityId, limit: 500 });
  return all.slice(0, 500).filter((pr) => pr.operatorAuthorityId === p.authorityId).sort((a, b) => a.name.localeCompare(b.name));
}

/** Recording a home upgrade: the home will meet a need in some places from a date (POST /v1/providers/{id}/upgrades). */
const UpgradeSection = ({ homes, upgrades, form, csrf }: { homes: { id: string; name: string; kind: string }[]; upgrades: Awaited<ReturnType<typeof upgradesOperatedBy>>; form: FormValues; csrf: string }) => (
  <section aria-labelledby="upgrades-heading">
    <h2 id="upgrades-heading">Home upgrades</h2>
    <p class="hint">When a home your authority runs will meet a need it does not meet now (nursing cover, training, equipment), record it here: bookings and re-homing plans can then place children with that need there from that date, in that many places at a time.</p>
    {upgrades.length ? (
      <DataTable label="Home upgrades table" caption="Upgrades recorded at the homes your authority runs" headers={['Home', 'Meets', 'Places', 'From', 'What it is']}>
        {upgrades.map((u) => (
          <tr>
            <th scope="row">{u.providerName}</th>
            <td>{human(u.need)}</td>
            <td>{u.places}</td>
            <td>{longDate(`${u.from}T12:00:00Z`)}</td>
            <td>{u.note ?? '–'}</td>
          </tr>
        ))}
      </DataTable>
    ) : (
      <p>No upgrades recorded yet.</p>
    )}
    <form method="post" action="/coordinator/closures/upgrades">
      <Csrf token={csrf} />
      <label for="upgradeProviderId">Home</label>
      <select id="upgradeProviderId" name="upgradeProviderId" required>
        <option value="" selected={!text(form, 'upgradeProviderId')}>
          Choose a home your authority runs
        </option>
        {homes
          .filter((h) => h.kind !== 'FAMILY_BASED')
          .map((h) => (
            <option value={h.id} selected={text(form, 'upgradeProviderId') === h.id}>
              {h.name}
            </option>
          ))}
      </select>
      <label for="upgradeNeed">Need it will meet</label>
      <select id="upgradeNeed" name="need" required>
        <option value="" selected={!text(form, 'need')}>
          Choose a need
        </option>
        {PLACE_REQUIRED_NEEDS.map((n) => (
          <option value={n} selected={text(form, 'need') === n}>
            {human(n)}
          </option>
        ))}
      </select>
      <label for="upgradePlaces">Places at a time</label>
      <input type="number" id="upgradePlaces" name="places" min={1} max={50} value={text(form, 'places')} required />
      <label for="upgradeFrom">From</label>
      <input type="date" id="upgradeFrom" name="from" min={today()} value={text(form, 'from')} required />
      <label for="upgradeNote">What the upgrade is (optional)</label>
      <input type="text" id="upgradeNote" name="note" maxlength={500} value={text(form, 'note')} />
      <div>
        <button type="submit">Record the upgrade</button>
      </div>
    </form>
  </section>
);

async function closuresPage(c: Context<WebEnv>, form: FormValues = {}, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  // Reached from the calendar with one provider chosen; otherwise a list to choose from.
  const chosenId = text(form, 'providerId') || c.req.query('providerId');
  const chosen = chosenId ? await getProvider(p, chosenId).catch(unlessRefused(null)) : null;
  // listProviders returns one row past the limit for the API's cursor; this page does not page.
  const [providers, closures] = await Promise.all([
    // Only homes this authority runs can be closed from here (access.ts); others' it may only suspend its placements at.
    (chosen ? Promise.resolve([chosen]) : listProviders(p, { status: 'ACTIVE', operatorAuthorityId: p.authorityId, limit: 500 }).then((all) => all.slice(0, 500).sort((a, b) => a.name.localeCompare(b.name)))).then((list) =>
      list.filter((pr) => pr.operatorAuthorityId === p.authorityId),
    ),
    listClosures(p, { limit: 100 }),
  ]);
  const [homes, upgrades] = await Promise.all([chosen ? ownHomes(p) : Promise.resolve(providers), upgradesOperatedBy(p.authorityId)]);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Closures" session={p} csrf={csrf} current="/coordinator/closures">
      <Notice text={c.req.query('done') === 'upgrade' ? 'The upgrade is recorded: plans and bookings can place children with that need there from its date.' : null} />
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
      {/* Nothing is chosen for the coordinator: no provider, no date. The next step is a preview, then a confirmation. */}
      <form method="post" action="/coordinator/closures/preview">
        <Csrf token={csrf} />
        <label for="providerId">Provider</label>
        <select id="providerId" name="providerId" required>
          <option value="" selected={!chosenId}>
            Choose a home your authority runs
          </option>
          {providers.map((pr) => (
            <option value={pr.id} selected={chosenId === pr.id}>
              {pr.name}
            </option>
          ))}
        </select>
        <label for="effectiveFrom">No breaks from</label>
        <input type="date" id="effectiveFrom" name="effectiveFrom" value={text(form, 'effectiveFrom')} min={today()} required />
        <label for="reason">Reason</label>
        <input type="text" id="reason" name="reason" value={text(form, 'reason')} required minlength={3} maxlength={1000} />
        <label for="consultUntil">Ask the families first, until (optional)</label>
        <p class="hint" id="consultUntil-hint">
          Each affected family is told, shown the homes that can meet its child's needs, and ranks them by this date. Nothing is planned until you proceed.
        </p>
        <input type="date" id="consultUntil" name="consultUntil" aria-describedby="consultUntil-hint" value={text(form, 'consultUntil')} min={today()} />
        <div>
          <button type="submit">Preview the closure</button>
        </div>
      </form>
      <UpgradeSection homes={homes} upgrades={upgrades} form={form} csrf={csrf} />
    </Layout>,
    error ? 422 : 200,
  );
}

closurePages.post('/coordinator/closures/upgrades', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const form = await readForm(c);
  try {
    const input = parseWith(RecordUpgradeBody, { need: text(form, 'need'), places: integer(form, 'places'), from: text(form, 'from'), note: optional(form, 'note') });
    await recordUpgrade(p, text(form, 'upgradeProviderId'), input);
  } catch (err) {
    return closuresPage(c, form, refusal(err));
  }
  return c.redirect('/coordinator/closures?done=upgrade', 303);
});

closurePages.get('/coordinator/closures', (c) => closuresPage(c));
const closureInput = (form: FormValues) => parseWith(StartClosureBody, { effectiveFrom: text(form, 'effectiveFrom'), reason: text(form, 'reason') });
/** The standing place asked for on the confirmation, if a home was chosen. */
const standingPlaceOf = (form: FormValues) =>
  text(form, 'standingProviderId') ? parseWith(StandingPlaceBody, { providerId: text(form, 'standingProviderId'), places: integer(form, 'standingPlaces') ?? 1 }) : undefined;
const consultUntilOf = (form: FormValues) => parseWith(ConfirmClosureBody.pick({ consultUntil: true }), { consultUntil: optional(form, 'consultUntil') }).consultUntil;

type Preview = Awaited<ReturnType<typeof previewClosure>>;

/** What a dry run of the plan says: affected places, expected outcomes, by month, and this authority's children. */
const PreviewFacts = ({ preview }: { preview: Preview }) => {
  const e = preview.expected;
  return (
    <>
      <dl>
        <dt>Places affected</dt>
        <dd>
          {preview.affected.places} ({preview.affected.children} children, {preview.affected.families} families
          {preview.affected.fromEarlierClosures ? `; ${preview.affected.fromEarlierClosures} offered or held here by earlier closures` : ''}
          {preview.affected.otherAuthorities ? `; ${preview.affected.otherAuthorities} of other authorities' children, whom their own councils re-home` : ''})
        </dd>
        <dt>Expected outcomes</dt>
        <dd>
          {e.MOVED} moved on the same date, {e.OFFERED} offered another place, {e.PENDING_TRAINING} waiting for carer training, {e.WAITLISTED} without a place (waitlisted)
        </dd>
        <dt>Waiting-list entries moved elsewhere</dt>
        <dd>{preview.waitlistEntries}</dd>
      </dl>
      {preview.byMonth.length ? (
        <DataTable label="Places affected by month" headers={['Month', 'Places']}>
          {preview.byMonth.map((m) => (
            <tr>
              <th scope="row">{m.month}</th>
              <td>{m.places}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {preview.children.length ? (
        <DataTable label="Your children affected" headers={['Child', 'Places', 'Expected', 'Why']}>
          {preview.children.map((ch) => (
            <tr>
              <th scope="row">{ch.name}</th>
              <td>{ch.places}</td>
              <td>
                {(Object.entries(ch.expected) as [string, number][])
                  .filter(([, n]) => n > 0)
                  .map(([k, n]) => `${n} ${human(k).toLowerCase()}`)
                  .join(', ')}
              </td>
              <td>{ch.reasons.join(' ')}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No bookings are affected.</p>
      )}
    </>
  );
};

/** The preview: what closing would do (a dry run), and the one button that does it. */
async function previewPage(c: Context<WebEnv>, form: FormValues, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  let preview: Preview;
  let consultUntil: string | undefined;
  try {
    consultUntil = consultUntilOf(form);
    preview = await previewClosure(p, text(form, 'providerId'), closureInput(form), 'CLOSURE');
  } catch (err) {
    return closuresPage(c, form, refusal(err));
  }
  const standingHomes = (await ownHomes(p)).filter((h) => h.id !== preview.providerId && h.kind !== 'FAMILY_BASED');
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`Preview: closing ${preview.providerName}`} session={p} csrf={csrf} current="/coordinator/closures">
      <ErrorBox error={error} />
      <h2>Preview: closing {preview.providerName}</h2>
      <p>
        Nothing has changed yet. This is what closing from {when(preview.effectiveFrom)} would do, planned now as the closure would plan it
        {consultUntil ? '; with a consultation, the plan is made only when you proceed, with each family’s ranking first' : ''}.
      </p>
      <PreviewFacts preview={preview} />
      <form method="post" action="/coordinator/closures">
        <Csrf token={csrf} />
        <input type="hidden" name="providerId" value={preview.providerId} />
        <input type="hidden" name="effectiveFrom" value={text(form, 'effectiveFrom')} />
        <input type="hidden" name="reason" value={text(form, 'reason')} />
        {consultUntil ? <input type="hidden" name="consultUntil" value={consultUntil} /> : null}
        <input type="hidden" name="confirm" value="yes" />
        <fieldset>
          <legend>A standing place (optional)</legend>
          <p class="hint" id="standing-hint">
            Reserve places at another home for your authority for a year from the closing date, its usual pattern of breaks: the plan gives them to the children of {preview.providerName} first, and no other
            council can book them.
          </p>
          <label for="standingProviderId">Home</label>
          <select id="standingProviderId" name="standingProviderId" aria-describedby="standing-hint">
            <option value="" selected={!text(form, 'standingProviderId')}>
              No standing place
            </option>
            {standingHomes.map((h) => (
              <option value={h.id} selected={text(form, 'standingProviderId') === h.id}>
                {h.name}
              </option>
            ))}
          </select>
          <label for="standingPlaces">Places a night</label>
          <input type="number" id="standingPlaces" name="standingPlaces" min={1} max={10} value={text(form, 'standingPlaces') || '1'} />
        </fieldset>
        <button type="submit">
          {consultUntil
            ? `Confirm: ask the families until ${longDate(`${consultUntil}T12:00:00Z`)}, then close ${preview.providerName} from ${when(preview.effectiveFrom)}`
            : `Confirm: close ${preview.providerName} from ${when(preview.effectiveFrom)}`}
        </button>
      </form>
      <p>
        <a href="/coordinator/closures">Change or cancel</a>
      </p>
    </Layout>,
    error ? 422 : 200,
  );
}

closurePages.post('/coordinator/closures/preview', async (c) => previewPage(c, await readForm(c)));
closurePages.post('/coordinator/closures', async (c) => {
  const form = await readForm(c);
  // Closing a home is done only from its preview's confirmation.
  if (text(form, 'confirm') !== 'yes') return previewPage(c, form);
  let id: string;
  try {
    id = (await startClosure(principalOf(c, 'COORDINATOR'), text(form, 'providerId'), { ...closureInput(form), consultUntil: consultUntilOf(form), standingPlace: standingPlaceOf(form), confirm: true })).id;
  } catch (err) {
    return previewPage(c, form, refusal(err));
  }
  return c.redirect(`/coordinator/closures/${id}`, 303);
});

// ---- One closure's plan ------------------------------------------------------------

type Outcome = Closure['outcomes'][number];
const GOING = new Set<Outcome['outcome']>(['MOVED', 'OFFERED', 'PENDING_TRAINING']);

/**
 * Where the child goes. An outcome keeps the slot the plan chose even when the
 * child ended up waitlisted or the family declined (see currentOutcome and
 * waitlistChild in services/closures/apply.ts), so only a live move names a place.
 */
function destination(o: Outcome, slots: Awaited<ReturnType<typeof closurePlanNames>>['slot']) {
  const slot = GOING.has(o.outcome) && o.toSlotId ? slots.get(o.toSlotId) : undefined;
  return slot ? `${slot.providerName}, ${when(slot.startsAt)}` : '–';
}

/** The planner's transport for a move: two seated runs, or why no vehicle could take the child (MoveTransport in domain/rehoming). */
function transportInWords(o: Outcome) {
  const { transport } = o;
  if (!GOING.has(o.outcome) || !transport) return '–';
  return 'unmet' in transport ? `Not arranged: ${transport.unmet}` : 'Arranged';
}

const PRIORITY_WORDS: Record<string, string> = {
  SAME_DATES: 'the same dates',
  SAME_FRIENDS: 'staying with the same friends',
  SHORTEST_JOURNEY: 'the shortest journey',
  KEEP_CARER: 'keeping the same kind of carer',
};

/** The consultation: who has answered and how, the way on (preview, then proceed), and once planned the decision record. */
const ConsultationSection = ({ closure, names, csrf, mayProceed }: { closure: Closure; names: Awaited<ReturnType<typeof closurePlanNames>>; csrf: string; mayProceed: boolean }) => {
  const k = closure.consultation!;
  const d = k.decision;
  return (
    <section aria-labelledby="consultation-heading">
      <h2 id="consultation-heading">Consultation with the families</h2>
      <p>
        {k.open ? 'Open' : 'Closed'}: families answer until {endOfDayBefore(k.respondBy)}. <strong id="consultation-responses">{k.responded.families} of {k.families} families</strong> have
        answered ({k.responded.children} of {k.children} children).
      </p>
      {k.answers.length ? (
        <DataTable label="Families' answers" caption="Families' answers" headers={['Child', 'Homes ranked, best first', 'What matters most', 'Answered']}>
          {k.answers.map((a) => (
            <tr>
              <th scope="row">{names.child.get(a.childId) ?? 'A child'}</th>
              <td>{a.ranking.length ? a.ranking.map((id, i) => `${i + 1}. ${names.home.get(id) ?? 'a home'}`).join(', ') : 'No home listed can meet their needs'}</td>
              <td>
                {PRIORITY_WORDS[a.priority]}
                {a.note ? `: “${a.note}”` : ''}
              </td>
              <td>{when(a.respondedAt)}</td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p>No family has answered yet.</p>
      )}
      {closure.status === 'CONSULTING' && mayProceed ? (
        <form method="post" action={`/coordinator/closures/${closure.id}/preview`}>
          <Csrf token={csrf} />
          <button type="submit">Preview the plan with the families' answers</button>
        </form>
      ) : null}
      {d ? (
        <>
          <h3>Decision record</h3>
          <ul>
            <li>
              {k.responded.families} of {k.families} families answered the consultation.
            </li>
            <li id="first-choice">
              {d.firstChoice} of {d.respondedChildren} children whose families answered got the home they ranked first
              {d.firstChoiceRate !== null ? ` (${Math.round(d.firstChoiceRate * 100)}%)` : ''}.
            </li>
            <li>{d.withoutPlace.length ? `${d.withoutPlace.length} still without a place:` : 'Every child has a place or an offer.'}</li>
          </ul>
          {d.withoutPlace.length ? (
            <DataTable label="Children still without a place" caption="Children still without a place, and why" headers={['Child', 'Why']}>
              {d.withoutPlace.map((w) => (
                <tr>
                  <th scope="row">{w.name}</th>
                  <td>{w.reasons.join(' ')}</td>
                </tr>
              ))}
            </DataTable>
          ) : null}
        </>
      ) : null}
    </section>
  );
};

async function closurePage(c: Context<WebEnv>, closure: Closure, error?: Err) {
  const p = principalOf(c, 'COORDINATOR');
  const names = await closurePlanNames(closure);
  const order = closure.preferences.order.map((pref) => PREFERENCE_WORDS[pref] ?? human(pref));
  const actions = closure.trainingActions;
  const csrf = c.get('csrfToken');
  const working = closure.status === 'QUEUED' || closure.status === 'PLANNING' || closure.status === 'APPLYING';
  return c.html(
    <Layout title={`Re-homing plan: ${names.provider}`} session={p} csrf={csrf} current="/coordinator/closures">
      <Notice
        text={
          c.req.query('done') === 'retried'
            ? 'The closure is queued again; it carries on from where it stopped.'
            : c.req.query('done') === 'proceeded'
              ? "The consultation is closed; the children are being re-homed with the families' answers."
              : null
        }
      />
      <ErrorBox error={error} />
      <p>
        Reference {closure.id}. No breaks from {when(closure.effectiveFrom)}: {closure.reason.replace(/[.\s]+$/, '')}. Status <strong id="closure-status">{human(closure.status)}</strong>.{' '}
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
      {closure.consultation ? <ConsultationSection closure={closure} names={names} csrf={csrf} mayProceed={closure.authorityId === p.authorityId} /> : null}
      {closure.status === 'CONSULTING' ? null : <p>{countsInWords(closure.counts)}</p>}
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
      {closure.standingPlaces.length ? (
        <section aria-labelledby="standing-heading">
          <h2 id="standing-heading">Standing places</h2>
          <DataTable label="Standing places table" caption="Places reserved all year for the children of this home" headers={['Home', 'Places a night', 'Reserved', 'Children placed there by this plan']}>
            {closure.standingPlaces.map((sp) => (
              <tr>
                <th scope="row">{sp.providerName}</th>
                <td>{sp.places}</td>
                <td>
                  {longDate(`${sp.from}T12:00:00Z`)}
                  {sp.until ? ` to ${longDate(`${sp.until}T12:00:00Z`)}` : ''}, for your authority only
                </td>
                <td id={`standing-${sp.capacityRuleId}`}>{sp.childrenPlaced}</td>
              </tr>
            ))}
          </DataTable>
        </section>
      ) : null}
      {closure.upgradesUsed.length ? (
        <section aria-labelledby="upgrades-used-heading">
          <h2 id="upgrades-used-heading">Home upgrades that unblocked children</h2>
          <ul>
            {closure.upgradesUsed.map((u) => (
              <li>
                {names.home.get(u.providerId) ?? 'A home'} meeting {human(u.need)} from {longDate(`${u.from}T12:00:00Z`)} ({u.places} place(s)):{' '}
                {u.childIds.map((id) => names.child.get(id) ?? 'a child').join(', ')}
              </li>
            ))}
          </ul>
        </section>
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
    return closuresPage(c, {}, refusal(err));
  }
  return closurePage(c, closure);
});

/** A consulting closure's plan as it would be made now with the families' answers, and the button that proceeds. */
closurePages.post('/coordinator/closures/:id/preview', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const id = c.req.param('id');
  let preview: Preview;
  try {
    preview = await previewConsultedClosure(p, id);
  } catch (err) {
    const error = refusal(err);
    const closure = await getClosure(p, id).catch(unlessRefused(null));
    return closure ? closurePage(c, closure, error) : closuresPage(c, {}, error);
  }
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`Preview: closing ${preview.providerName} after the consultation`} session={p} csrf={csrf} current="/coordinator/closures">
      <h2>Preview: closing {preview.providerName} after the consultation</h2>
      <p>Nothing has changed yet. This is the plan as it would be made now: each family's ranking first, then your order.</p>
      <PreviewFacts preview={preview} />
      <form method="post" action={`/coordinator/closures/${id}/proceed`}>
        <Csrf token={csrf} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit">Confirm: close the consultation and re-home the children</button>
      </form>
      <p>
        <a href={`/coordinator/closures/${id}`}>Back to the consultation</a>
      </p>
    </Layout>,
  );
});

closurePages.post('/coordinator/closures/:id/proceed', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const id = c.req.param('id');
  const form = await readForm(c);
  try {
    await proceedClosure(p, id, { confirm: text(form, 'confirm') === 'yes' });
  } catch (err) {
    const error = refusal(err);
    const closure = await getClosure(p, id).catch(unlessRefused(null));
    return closure ? closurePage(c, closure, error) : closuresPage(c, {}, error);
  }
  return c.redirect(`/coordinator/closures/${id}?done=proceeded`, 303);
});

closurePages.post('/coordinator/closures/:id/retry', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  try {
    await retryClosure(p, c.req.param('id'));
  } catch (err) {
    const error = refusal(err);
    const closure = await getClosure(p, c.req.param('id')).catch(unlessRefused(null));
    return closure ? closurePage(c, closure, error) : closuresPage(c, {}, error);
  }
  return c.redirect(`/coordinator/closures/${c.req.param('id')}?done=retried`, 303);
});
