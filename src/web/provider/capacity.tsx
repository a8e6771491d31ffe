/**
 * Provider capacity pages: publish, edit and pause recurring capacity
 * through an RRULE builder with a preview of the next dates — never a raw RRULE
 * box. Dates with no break (exdates) and block contracts are fields of the same
 * form. Every save goes through the services the API uses, with the API's
 * schemas; regeneration of the breaks is the same job.
 */
import { Hono, type Context } from 'hono';
import type { FC } from 'hono/jsx';
import { CARE_NEEDS } from '../../domain/care-needs.js';
import { addDays, londonWallTimeToInstant } from '../../domain/london-time.js';
import { expandRule, RecurrenceLimitError } from '../../domain/capacity/recurrence.js';
import { BUILDER_FREQUENCIES, BUILDER_WEEKDAYS, builderFieldsOf, describeRule, keepsWeekdays, rruleOf, type BuilderFields } from '../../domain/capacity/rrule-builder.js';
import { unprocessable } from '../../errors.js';
import { blockContractAuthorities, createCapacityRule, getCapacityRule, listCapacityRules, updateCapacityRule } from '../../services/capacity-rules.js';
import { listCarers } from '../../services/carers.js';
import { getProvider } from '../../services/providers.js';
import { CreateCapacityRuleBody, UpdateCapacityRuleBody } from '../../schemas/providers.js';
import { Csrf, ErrorBox, Layout, Notice, errorMessage, human, when } from '../layout.js';
import { integer, list, parseWith, readForm, text, today, type FormValues } from '../forms.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { refusal } from '../shared/form-action.js';

export const capacityPages = new Hono<WebEnv>();
capacityPages.use('/provider/capacity', requirePage('PROVIDER'));
capacityPages.use('/provider/capacity/*', requirePage('PROVIDER'));

type Err = ReturnType<typeof errorMessage> | undefined;
type Rule = Awaited<ReturnType<typeof getCapacityRule>>;
type ProviderPrincipal = ReturnType<typeof principalOf<'PROVIDER'>>;

const DONE: Record<string, string> = {
  published: 'Capacity published. Its breaks are being generated and will appear to coordinators and families shortly.',
  saved: 'Changes saved. The breaks are being regenerated; booked breaks are never removed.',
  paused: 'Capacity rule updated.',
};

// ---- The form's fields ------------------------------------------------------

function builderOf(form: FormValues): BuilderFields {
  const freq = text(form, 'freq');
  return {
    freq: BUILDER_FREQUENCIES.find(([f]) => f === freq)?.[0] ?? 'WEEKLY',
    interval: integer(form, 'interval') ?? 1,
    byday: list(form, 'byday'),
    kept: text(form, 'kept').split(';').filter(Boolean),
  };
}

/** One date a line (commas and spaces work too); each is validated by the API's schema. */
const exdatesOf = (form: FormValues) => text(form, 'exdates').split(/[\s,;]+/).filter(Boolean);

/** The fields both create and edit send, empty ones as `empty` (undefined to omit, null to clear). */
function ruleFields(form: FormValues, empty: undefined | null) {
  const hours = Number(text(form, 'durationHours'));
  return {
    name: text(form, 'name') || empty,
    rrule: rruleOf(builderOf(form)),
    startDate: text(form, 'startDate'),
    untilDate: text(form, 'untilDate') || empty,
    startTime: text(form, 'startTime'),
    durationMinutes: Number.isFinite(hours) && text(form, 'durationHours') !== '' ? Math.round(hours * 60) : Number.NaN,
    places: integer(form, 'places'),
    capabilities: list(form, 'capabilities'),
    exdates: exdatesOf(form),
    reservedForAuthorityId: text(form, 'reservedFor') || empty,
  };
}

/** A stored rule as the form shows it, for the first view of the edit page. */
function formOfRule(rule: Rule): FormValues {
  const b = builderFieldsOf(rule.rrule);
  return {
    name: rule.name ?? '',
    freq: b.freq,
    interval: String(b.interval),
    byday: b.byday,
    kept: b.kept.join(';'),
    startDate: rule.startDate,
    untilDate: rule.untilDate ?? '',
    startTime: rule.startTime,
    durationHours: String(rule.durationMinutes / 60),
    places: String(rule.places),
    capabilities: rule.capabilities,
    exdates: rule.exdates.join('\n'),
    reservedFor: rule.reservedForAuthorityId ?? '',
  };
}

interface PreviewDate {
  start: Date;
  end: Date;
  skipped: boolean;
}

/** The next eight dates of the pattern from today or its first date, with the dates it skips marked. */
function previewOf(input: { rrule: string; startDate: string; untilDate?: string | null; startTime: string; durationMinutes: number; exdates: string[] }): PreviewDate[] {
  const from = new Date(Math.max(Date.now(), londonWallTimeToInstant(input.startDate, '00:00').getTime()));
  const skipped = new Set(input.exdates);
  try {
    // Expanded without the exdates, so the preview can show which dates they take out.
    return expandRule({ ...input, until: input.untilDate ?? null, exdates: [] }, from, new Date(from.getTime() + 183 * 864e5))
      .slice(0, 8 + skipped.size)
      .map((o) => ({ start: o.start, end: o.end, skipped: skipped.has(o.localDate) }))
      .slice(0, 8);
  } catch (err) {
    if (err instanceof RecurrenceLimitError) throw unprocessable(err.message);
    throw err;
  }
}

// ---- The builder form ---------------------------------------------------------

interface Choices {
  authorities: { id: string; name: string }[];
  carers: { id: string; name: string }[] | null;
}

async function choicesFor(p: ProviderPrincipal): Promise<Choices> {
  const [provider, authorities] = await Promise.all([getProvider(p, p.providerId), blockContractAuthorities(p, p.providerId)]);
  // Family-based capacity is offered by one foster carer; other kinds have none to choose.
  const carers = provider.kind === 'FAMILY_BASED' ? (await listCarers(p, p.providerId)).map((c) => ({ id: c.id, name: c.name })) : null;
  return { authorities, carers };
}

const Builder: FC<{ form: FormValues; action: string; csrf: string; choices: Choices; creating: boolean; submit: string }> = ({ form, action, csrf, choices, creating, submit }) => {
  const builder = builderOf(form);
  const chosenDays = new Set(builder.byday);
  const chosenCaps = new Set(list(form, 'capabilities'));
  return (
    <form method="post" action={action}>
      <Csrf token={csrf} />
      <label for="name">Name (optional)</label>
      <input type="text" id="name" name="name" value={text(form, 'name')} maxlength={200} />
      {creating && choices.carers ? (
        <>
          <label for="carerId">Foster carer offering these breaks</label>
          <select id="carerId" name="carerId" required>
            {choices.carers.map((c) => (
              <option value={c.id} selected={text(form, 'carerId') === c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label for="freq">How often</label>
      <select id="freq" name="freq">
        {BUILDER_FREQUENCIES.map(([value, label]) => (
          <option value={value} selected={builder.freq === value}>
            {label}
          </option>
        ))}
      </select>
      <label for="interval">Repeat every (1 = every week, 2 = every other week)</label>
      <input type="number" id="interval" name="interval" min="1" max="52" value={String(builder.interval)} />
      {builder.kept.length ? (
        <p class="hint" id="kept-note">
          This pattern also has parts the form cannot show ({builder.kept.join('; ')}); they are kept as they are.
          <input type="hidden" name="kept" value={builder.kept.join(';')} />
        </p>
      ) : null}
      {keepsWeekdays(builder) ? null : (
        <fieldset class="checks">
          <legend>On these days</legend>
          {BUILDER_WEEKDAYS.map(([code, label]) => (
            <label>
              <input type="checkbox" name="byday" value={code} checked={chosenDays.has(code)} />
              {label}
            </label>
          ))}
        </fieldset>
      )}
      <label for="startDate">First date</label>
      <input type="date" id="startDate" name="startDate" value={text(form, 'startDate') || addDays(today(), 1)} required />
      <label for="untilDate">Last date (optional)</label>
      <input type="date" id="untilDate" name="untilDate" value={text(form, 'untilDate')} />
      <label for="exdates">Dates with no break (optional)</label>
      <p class="hint" id="exdates-hint">
        One date a line, like 2027-05-31: bank holidays, inspection days, staff training. The pattern skips them.
      </p>
      <textarea id="exdates" name="exdates" rows={3} aria-describedby="exdates-hint">
        {text(form, 'exdates')}
      </textarea>
      <label for="startTime">Start time</label>
      <input type="time" id="startTime" name="startTime" value={text(form, 'startTime') || '17:00'} required />
      <label for="durationHours">Length in hours (an overnight break from 17:00 to 10:00 is 17)</label>
      <input type="number" id="durationHours" name="durationHours" min="0.5" max="408" step="0.5" value={text(form, 'durationHours') || '17'} required />
      <label for="places">Places</label>
      <input type="number" id="places" name="places" min="1" max="200" value={text(form, 'places') || '1'} required />
      <fieldset class="checks">
        <legend>The places can meet</legend>
        {CARE_NEEDS.map((n) => (
          <label>
            <input type="checkbox" name="capabilities" value={n} checked={chosenCaps.has(n)} />
            {human(n)}
          </label>
        ))}
      </fieldset>
      <label for="reservedFor">Reserved for (block contract)</label>
      <p class="hint" id="reserved-hint">
        Places under a block contract can only be booked for that authority's children.
      </p>
      <select id="reservedFor" name="reservedFor" aria-describedby="reserved-hint">
        <option value="">Any authority</option>
        {choices.authorities.map((a) => (
          <option value={a.id} selected={text(form, 'reservedFor') === a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <div>
        <button type="submit" name="action" value="preview" class="secondary">
          Preview dates
        </button>
        <button type="submit" name="action" value="save">
          {submit}
        </button>
      </div>
    </form>
  );
};

const Preview: FC<{ dates?: PreviewDate[] }> = ({ dates }) =>
  dates ? (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">Next dates</h2>
      {dates.length ? (
        <ol>
          {dates.map((o) =>
            o.skipped ? (
              <li>
                <s>{when(o.start)}</s>: no break that day
              </li>
            ) : (
              <li>
                {when(o.start)} to {when(o.end)}
              </li>
            ),
          )}
        </ol>
      ) : (
        <p>This pattern has no dates in the next six months.</p>
      )}
    </section>
  ) : null;

// ---- The list and the new-rule form -------------------------------------------

/** What a provider should know about a rule at a glance, in words. */
function ruleSummary(r: Rule, authorities: Map<string, string>): string {
  const hours = Math.round((r.durationMinutes / 60) * 10) / 10;
  return [
    `${describeRule(r.rrule)} from ${r.startDate}${r.untilDate ? ` until ${r.untilDate}` : ''}, starting ${r.startTime} for ${hours} hours, ${r.places} place(s)`,
    r.capabilities.length ? `, meeting ${r.capabilities.map(human).join(', ')}` : '',
    r.exdates.length ? `, skipping ${r.exdates.length} date(s)` : '',
    r.reservedForAuthorityId ? `, reserved for ${authorities.get(r.reservedForAuthorityId) ?? 'one authority'}` : '',
    r.standingForClosureId ? ' (a standing place for children re-homed from a closing home)' : '',
    '.',
  ].join('');
}

async function capacityPage(c: Context<WebEnv>, form: FormValues, extra: { error?: Err; preview?: PreviewDate[] } = {}) {
  const p = principalOf(c, 'PROVIDER');
  const [rules, choices] = await Promise.all([listCapacityRules(p, p.providerId), choicesFor(p)]);
  const authorities = new Map(choices.authorities.map((a) => [a.id, a.name]));
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Capacity" session={p} csrf={csrf} current="/provider/capacity">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={extra.error} />
      <h2>Published capacity</h2>
      {rules.length ? (
        <ul>
          {rules.map((r) => (
            <li>
              <strong>{r.name ?? 'Capacity'}</strong>: {ruleSummary(r, authorities)} {r.active ? 'Published.' : 'Paused.'}
              {r.generationConflicts.length ? (
                <p class="full">
                  {r.generationConflicts.length} booked break(s) were kept as they were, because children are booked into them:{' '}
                  {[...new Set(r.generationConflicts.map((k) => k.localDate))].join(', ')}. Talk to the coordinator before changing them.
                </p>
              ) : null}
              <p>
                <a href={`/provider/capacity/${r.id}`}>
                  Edit<span class="vh"> {r.name ?? 'capacity'} ({describeRule(r.rrule)} from {r.startDate})</span>
                </a>
              </p>
              <form method="post" action={`/provider/capacity/${r.id}/active`}>
                <Csrf token={csrf} />
                <input type="hidden" name="active" value={r.active ? 'false' : 'true'} />
                <button type="submit" class="secondary">
                  {r.active ? 'Pause' : 'Publish again'}
                  <span class="vh"> {r.name ?? 'capacity'} ({describeRule(r.rrule)} from {r.startDate})</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p>No capacity published yet.</p>
      )}
      <h2>Publish new capacity</h2>
      <Builder form={form} action="/provider/capacity" csrf={csrf} choices={choices} creating submit="Publish capacity" />
      <Preview dates={extra.preview} />
    </Layout>,
    extra.error ? 422 : 200,
  );
}

capacityPages.get('/provider/capacity', (c) => capacityPage(c, {}));
capacityPages.post('/provider/capacity', async (c) => {
  const form = await readForm(c);
  const p = principalOf(c, 'PROVIDER');
  try {
    const input = parseWith(CreateCapacityRuleBody, { ...ruleFields(form, undefined), carerId: text(form, 'carerId') || undefined });
    if (text(form, 'action') === 'preview') return capacityPage(c, form, { preview: previewOf(input) });
    await createCapacityRule(p, p.providerId, input);
  } catch (err) {
    return capacityPage(c, form, { error: refusal(err) });
  }
  return c.redirect('/provider/capacity?done=published', 303);
});

capacityPages.post('/provider/capacity/:id/active', async (c) => {
  const form = await readForm(c);
  try {
    await updateCapacityRule(principalOf(c, 'PROVIDER'), c.req.param('id'), { active: text(form, 'active') === 'true' });
  } catch (err) {
    return capacityPage(c, {}, { error: refusal(err) });
  }
  return c.redirect('/provider/capacity?done=paused', 303);
});

// ---- Editing one rule -----------------------------------------------------------

async function editPage(c: Context<WebEnv>, rule: Rule, form: FormValues, extra: { error?: Err; preview?: PreviewDate[] } = {}) {
  const p = principalOf(c, 'PROVIDER');
  const choices = await choicesFor(p);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`Edit ${rule.name ?? 'capacity'}`} session={p} csrf={csrf} current="/provider/capacity">
      <ErrorBox error={extra.error} />
      <p>
        Now: {ruleSummary(rule, new Map(choices.authorities.map((a) => [a.id, a.name])))} Changes apply from today; breaks already booked keep their times and places.{' '}
        <a href="/provider/capacity">Back to capacity</a>
      </p>
      <Builder form={form} action={`/provider/capacity/${rule.id}`} csrf={csrf} choices={choices} creating={false} submit="Save changes" />
      <Preview dates={extra.preview} />
    </Layout>,
    extra.error ? 422 : 200,
  );
}

capacityPages.get('/provider/capacity/:id', async (c) => {
  const rule = await getCapacityRule(principalOf(c, 'PROVIDER'), c.req.param('id'));
  return editPage(c, rule, formOfRule(rule));
});

capacityPages.post('/provider/capacity/:id', async (c) => {
  const p = principalOf(c, 'PROVIDER');
  const rule = await getCapacityRule(p, c.req.param('id'));
  const form = await readForm(c);
  try {
    const input = parseWith(UpdateCapacityRuleBody, ruleFields(form, null));
    if (text(form, 'action') === 'preview') {
      return editPage(c, rule, form, { preview: previewOf({ ...rule, ...input, exdates: input.exdates ?? rule.exdates }) });
    }
    await updateCapacityRule(p, rule.id, input);
  } catch (err) {
    return editPage(c, rule, form, { error: refusal(err) });
  }
  return c.redirect('/provider/capacity?done=saved', 303);
});
