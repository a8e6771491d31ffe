/**
 * What-if scenarios in the pages (seeds/002: what would upgrading a home buy?):
 * the saved scenarios, a form to describe a change and run it, each
 * scenario's comparison with the baseline, several side by side, and their
 * CSV/JSON exports. The run itself is the scenarios worker's (POST
 * /v1/scenarios does the same); these pages only read and save.
 */
import { Hono, type Context } from 'hono';
import { CARE_NEEDS } from '../../domain/care-needs.js';
import type { ScenarioChange } from '../../domain/scenarios.js';
import { addDays } from '../../domain/london-time.js';
import { describeRule } from '../../domain/capacity/rrule-builder.js';
import { csvResponse } from '../../http/csv.js';
import { CompareQuery, CreateScenarioBody } from '../../schemas/scenarios.js';
import {
  COMPARISON_COLUMNS,
  compareScenarios,
  comparisonRows,
  createScenario,
  getScenario,
  listScenarios,
  scenarioChoices,
  scenarioNames,
  type ScenarioChoice,
  type ScenarioView,
} from '../../services/scenarios.js';
import { BarChart } from '../charts.js';
import { integer, list, optional, parseWith, readForm, text, today, type FormValues } from '../forms.js';
import { longDate, period, plural } from '../format.js';
import { addNavItem, BackLink, Button, Choices, Csrf, DataTable, DateInput, ErrorBox, human, Layout, StatusTag, SummaryList, type PageError } from '../layout.js';
import { money } from '../money.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { refusal } from '../shared/form-action.js';

export const scenarioPages = new Hono<WebEnv>();
scenarioPages.use('/coordinator/scenarios', requirePage('COORDINATOR'));
scenarioPages.use('/coordinator/scenarios/*', requirePage('COORDINATOR'));
addNavItem('COORDINATOR', { href: '/coordinator/scenarios', label: 'Scenarios' });

type Names = Awaited<ReturnType<typeof scenarioNames>>;
type Result = NonNullable<ScenarioView['result']>;

const WEEKDAYS = [['MO', 'Monday'], ['TU', 'Tuesday'], ['WE', 'Wednesday'], ['TH', 'Thursday'], ['FR', 'Friday'], ['SA', 'Saturday'], ['SU', 'Sunday']] as const;
const KINDS: [ScenarioChange['kind'], string][] = [
  ['ADD_CAPABILITY', 'Some of a provider’s places meet a further need (an upgrade)'],
  ['ADD_RULE', 'A provider offers new recurring places'],
  ['REMOVE_RULE', 'A capacity rule’s places are withdrawn'],
  ['CLOSE_PROVIDER', 'A provider closes'],
  ['CHANGE_PRICE', 'A rule’s price changes'],
];

const ruleLabel = (names: Names, id: string) => {
  const r = names.rule.get(id);
  return r ? `${r.name ?? 'the places'} at ${r.providerName}` : 'a capacity rule';
};

/** A change in words, as the coordinator would say it. */
export function changeInWords(c: ScenarioChange, names: Names): string {
  const at = (id: string) => names.provider.get(id) ?? 'a provider';
  const from = `from ${longDate(c.from)}`;
  switch (c.kind) {
    case 'ADD_CAPABILITY':
      return `${plural(c.places, 'place')} at ${at(c.providerId)} also meet ${human(c.capability).toLowerCase()}${c.pencePerUnit !== undefined ? ` at ${money(c.pencePerUnit)} each` : ''}, ${from}`;
    case 'ADD_RULE':
      return `${at(c.providerId)} offers ${plural(c.places, 'new place')} (${describeRule(c.rrule).toLowerCase()}, ${c.startTime} for ${Math.round(c.durationMinutes / 60)} hours${c.capabilities.length ? `, meeting ${c.capabilities.map((n) => human(n).toLowerCase()).join(', ')}` : ''}${c.pencePerUnit !== undefined ? `, ${money(c.pencePerUnit)} each` : ''}), ${from}${c.until ? ` to ${longDate(c.until)}` : ''}`;
    case 'REMOVE_RULE':
      return `${ruleLabel(names, c.capacityRuleId)} withdrawn, ${from}`;
    case 'CLOSE_PROVIDER':
      return `${at(c.providerId)} closes, ${from}`;
    case 'CHANGE_PRICE':
      return `${ruleLabel(names, c.capacityRuleId)} cost ${money(c.pence)} a night or session, ${from}`;
  }
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const signedMoney = (pence: number) => (pence > 0 ? `+${money(pence)}` : money(pence));
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** The measures of a comparison, in the order the issue names them: what the change buys and what it costs. */
const MEASURES: { label: string; value: (f: Result['baseline']) => string; difference: (r: Result) => string }[] = [
  { label: 'Children with a request', value: (f) => String(f.childrenWithRequests), difference: () => '' },
  { label: 'Children placed', value: (f) => String(f.childrenPlaced), difference: (r) => signed(r.difference.childrenPlaced) },
  { label: 'Nights delivered', value: (f) => String(f.nightsDelivered), difference: (r) => signed(r.difference.nightsDelivered) },
  { label: 'Day sessions delivered', value: (f) => String(f.sessionsDelivered), difference: (r) => signed(r.scenario.sessionsDelivered - r.baseline.sessionsDelivered) },
  { label: 'Worst-served child’s share of what they asked for', value: (f) => percent(f.worstServedShare), difference: (r) => `${signed(Math.round(r.difference.worstServedShare * 100))} points` },
  { label: 'Children given nothing', value: (f) => String(f.childrenWithNothing), difference: (r) => signed(r.scenario.childrenWithNothing - r.baseline.childrenWithNothing) },
  { label: 'Unmet nights of children with complex health needs', value: (f) => String(f.unmetComplexHealthNights), difference: (r) => signed(r.difference.unmetComplexHealthNights) },
  { label: 'Cost of the breaks given', value: (f) => money(f.costPence), difference: (r) => signedMoney(r.difference.costPence) },
  { label: 'Breaks at places with no price', value: (f) => String(f.unpricedBookings), difference: () => '' },
];

/** Extra cost over extra nights; a change that adds nights and costs less is said as a saving, not a negative price. */
const costPerExtraNight = (r: Result) => {
  const x = r.difference.costPerExtraNightPence;
  if (x === null) return 'No extra nights';
  return x < 0 ? `None: it saves ${money(-r.difference.costPence)}` : money(x);
};

// ---- The list and the form ---------------------------------------------------------

async function scenariosPage(c: Context<WebEnv>, form: FormValues = {}, error?: PageError) {
  const p = principalOf(c, 'COORDINATOR');
  const [saved, choices] = await Promise.all([listScenarios(p, { limit: 50 }), scenarioChoices(p)]);
  const names = await scenarioNames(saved.items);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="What-if scenarios" session={p} csrf={csrf} current="/coordinator/scenarios">
      <ErrorBox error={error} />
      <p class="govuk-body">
        A scenario runs the allocator on a copy of a period’s open requests and places with your change made, and compares it with the same period unchanged. Nothing
        live changes: no booking, place, rule or price.
      </p>
      <h2 class="govuk-heading-m">Saved scenarios</h2>
      {saved.items.length ? (
        <form method="get" action="/coordinator/scenarios/compare">
          <DataTable label="Saved scenarios table" caption="Newest first; tick two or more to compare them side by side" headers={['Compare', 'Scenario', 'Period', 'Change', 'Status', 'Extra nights', 'Cost per extra night']} numeric={[5, 6]}>
            {saved.items.map((s) => (
              <tr>
                <td>
                  <div class="govuk-checkboxes govuk-checkboxes--small">
                    <div class="govuk-checkboxes__item">
                      <input class="govuk-checkboxes__input" type="checkbox" name="ids" value={s.id} id={`compare-${s.id}`} />
                      <label class="govuk-label govuk-checkboxes__label" for={`compare-${s.id}`}>
                        <span class="govuk-visually-hidden">{`Compare ${s.name}`}</span>
                      </label>
                    </div>
                  </div>
                </td>
                <th scope="row">
                  <a class="govuk-link" href={`/coordinator/scenarios/${s.id}`}>
                    {s.name}
                  </a>
                </th>
                <td>{period(s.periodStart, s.periodEnd)}</td>
                <td>{s.changes.map((ch) => changeInWords(ch, names)).join('; ')}</td>
                <td>
                  <StatusTag status={s.status} />
                </td>
                <td>{s.result ? signed(s.result.difference.nightsDelivered) : '–'}</td>
                <td>{s.result ? costPerExtraNight(s.result) : '–'}</td>
              </tr>
            ))}
          </DataTable>
          <Button variant="secondary">Compare the ticked scenarios</Button>
        </form>
      ) : (
        <p class="govuk-body">No scenarios yet.</p>
      )}
      <ScenarioForm form={form} choices={choices} csrf={csrf} />
    </Layout>,
    error ? 422 : 200,
  );
}

const Select = ({ id, label, hint, children }: { id: string; label: string; hint?: string; children?: unknown }) => (
  <div class="govuk-form-group">
    <label class="govuk-label" for={id}>
      {label}
    </label>
    {hint ? <div class="govuk-hint">{hint}</div> : null}
    <select class="govuk-select" id={id} name={id}>
      {children}
    </select>
  </div>
);

const Input = ({ id, label, hint, value, width = 5, inputmode }: { id: string; label: string; hint?: string; value: string; width?: number; inputmode?: 'numeric' | 'decimal' }) => (
  <div class="govuk-form-group">
    <label class="govuk-label" for={id}>
      {label}
    </label>
    {hint ? <div class="govuk-hint">{hint}</div> : null}
    <input class={`govuk-input govuk-input--width-${width}`} id={id} name={id} type="text" inputmode={inputmode} value={value} />
  </div>
);

function ScenarioForm({ form, choices, csrf }: { form: FormValues; choices: ScenarioChoice[]; csrf: string }) {
  const start = text(form, 'periodStart') || addDays(today(), 1);
  const kind = text(form, 'kind') || 'ADD_CAPABILITY';
  const days = list(form, 'days');
  return (
    <form method="post" action="/coordinator/scenarios" novalidate>
      <Csrf token={csrf} />
      <h2 class="govuk-heading-m">Try a change</h2>
      <Input id="name" label="Name of the scenario" value={text(form, 'name')} width={20} />
      <DateInput name="periodStart" legend="Period from" value={start} />
      <DateInput name="periodEnd" legend="Period to" value={text(form, 'periodEnd') || addDays(start, 27)} hint="The open requests of this period are allocated, with and without the change." />
      <Choices type="radio" name="kind" legend="The change" options={KINDS} checked={(v) => kind === v} />
      <DateInput name="from" legend="From" value={text(form, 'from') || start} hint="The change takes effect on this date." />
      <Select id="providerId" label="Provider" hint="For an upgrade, new places or a closure.">
        {choices.map((p) => (
          <option value={p.id} selected={text(form, 'providerId') === p.id}>{`${p.name} (${human(p.kind).toLowerCase()})`}</option>
        ))}
      </Select>
      <Select id="capacityRuleId" label="Capacity rule" hint="For withdrawing places or changing a price.">
        {choices.flatMap((p) =>
          p.rules.map((r) => (
            <option value={r.id} selected={text(form, 'capacityRuleId') === r.id}>{`${p.name}: ${r.name ?? describeRule(r.rrule)} (${r.startTime}, ${plural(r.places, 'place')})`}</option>
          )),
        )}
      </Select>
      <Select id="capability" label="Need the places meet" hint="For an upgrade or new places.">
        <option value="">None</option>
        {CARE_NEEDS.map((n) => (
          <option value={n} selected={text(form, 'capability') === n}>
            {human(n)}
          </option>
        ))}
      </Select>
      <Input id="places" label="Places" hint="For an upgrade: how many of each break’s places; for new places: how many." value={text(form, 'places') || '2'} width={3} inputmode="numeric" />
      <Input id="pounds" label="Price in pounds a night or session" hint="For a price change or new places; for an upgrade, what the upgraded places will cost (empty: their present price)." value={text(form, 'pounds')} width={5} inputmode="decimal" />
      <Choices type="checkbox" name="days" legend="New places: on which days" options={WEEKDAYS} checked={(v) => days.includes(v)} />
      <Input id="startTime" label="New places: start time" hint="24-hour, like 17:00." value={text(form, 'startTime') || '17:00'} width={4} />
      <Input id="hours" label="New places: length in hours" hint="17 hours from 17:00 is an overnight break to 10:00." value={text(form, 'hours') || '17'} width={3} inputmode="numeric" />
      <Button>Run this scenario</Button>
    </form>
  );
}

const penceOf = (form: FormValues) => {
  const v = text(form, 'pounds');
  return v === '' ? undefined : Math.round(Number(v.replace(/[£,]/g, '')) * 100);
};

/** The form's fields as the one change the API's schema describes; the schema then says what is missing. */
function changeOf(form: FormValues): unknown {
  const kind = text(form, 'kind');
  const from = text(form, 'from');
  const providerId = text(form, 'providerId');
  const capacityRuleId = text(form, 'capacityRuleId');
  const capability = optional(form, 'capability');
  switch (kind) {
    case 'ADD_CAPABILITY':
      return { kind, providerId, capability, places: integer(form, 'places'), from, ...(penceOf(form) === undefined ? {} : { pencePerUnit: penceOf(form) }) };
    case 'ADD_RULE': {
      const days = list(form, 'days');
      const hours = integer(form, 'hours');
      return {
        kind, providerId, from, places: integer(form, 'places'), startTime: text(form, 'startTime'),
        rrule: days.length ? `FREQ=WEEKLY;BYDAY=${days.join(',')}` : 'FREQ=DAILY',
        durationMinutes: hours === undefined ? undefined : hours * 60,
        capabilities: capability ? [capability] : [],
        ...(penceOf(form) === undefined ? {} : { pencePerUnit: penceOf(form) }),
      };
    }
    case 'REMOVE_RULE':
      return { kind, capacityRuleId, from };
    case 'CLOSE_PROVIDER':
      return { kind, providerId, from };
    case 'CHANGE_PRICE':
      return { kind, capacityRuleId, pence: penceOf(form), from };
    default:
      return { kind };
  }
}

scenarioPages.get('/coordinator/scenarios', (c) => scenariosPage(c));
scenarioPages.post('/coordinator/scenarios', async (c) => {
  const form = await readForm(c);
  try {
    const input = parseWith(CreateScenarioBody, { name: text(form, 'name'), periodStart: text(form, 'periodStart'), periodEnd: text(form, 'periodEnd'), changes: [changeOf(form)] });
    const created = await createScenario(principalOf(c, 'COORDINATOR'), input);
    return c.redirect(`/coordinator/scenarios/${created.id}`, 303);
  } catch (err) {
    return scenariosPage(c, form, refusal(err));
  }
});

// ---- Side by side, and the exports ----------------------------------------------------

const idsOf = (c: Context<WebEnv>) => parseWith(CompareQuery, { ids: c.req.queries('ids')?.join(',') ?? '' }).ids;

scenarioPages.get('/coordinator/scenarios/compare.csv', async (c) =>
  csvResponse(c, 'scenarios-compared.csv', comparisonRows(await compareScenarios(principalOf(c, 'COORDINATOR'), idsOf(c))) as Record<string, unknown>[], [...COMPARISON_COLUMNS]),
);

scenarioPages.get('/coordinator/scenarios/compare', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  let items: ScenarioView[];
  try {
    items = await compareScenarios(p, idsOf(c));
  } catch (err) {
    return scenariosPage(c, {}, refusal(err));
  }
  const names = await scenarioNames(items);
  const done = items.filter((s) => s.result);
  const qs = items.map((s) => `ids=${s.id}`).join('&');
  return c.html(
    <Layout title="Scenarios side by side" session={p} csrf={c.get('csrfToken')} current="/coordinator/scenarios" before={<BackLink href="/coordinator/scenarios">All scenarios</BackLink>}>
      <BarChart id="extra-nights" title="Extra nights delivered by each scenario" unit="nights" bars={done.map((s) => ({ label: s.name.slice(0, 10), value: Math.max(0, s.result!.difference.nightsDelivered) }))} />
      <DataTable label="Scenarios side by side table" caption="Each scenario against its own baseline: with the change (difference)" headers={['Measure', ...items.map((s) => s.name)]} numeric={items.map((_, i) => i + 1)}>
        <tr>
          <th scope="row">Change</th>
          {items.map((s) => (
            <td>{s.changes.map((ch) => changeInWords(ch, names)).join('; ')}</td>
          ))}
        </tr>
        <tr>
          <th scope="row">Period</th>
          {items.map((s) => (
            <td>{period(s.periodStart, s.periodEnd)}</td>
          ))}
        </tr>
        {MEASURES.map((m) => (
          <tr>
            <th scope="row">{m.label}</th>
            {items.map((s) => (
              <td>{s.result ? `${m.value(s.result.scenario)}${m.difference(s.result) ? ` (${m.difference(s.result)})` : ''}` : human(s.status)}</td>
            ))}
          </tr>
        ))}
        <tr>
          <th scope="row">Cost per extra night</th>
          {items.map((s) => (
            <td>{s.result ? costPerExtraNight(s.result) : human(s.status)}</td>
          ))}
        </tr>
      </DataTable>
      <p class="govuk-body">
        <a class="govuk-link" href={`/coordinator/scenarios/compare.csv?${qs}`}>
          Download the comparison (CSV)
        </a>
      </p>
    </Layout>,
  );
});

// ---- One scenario ----------------------------------------------------------------------

scenarioPages.get('/coordinator/scenarios/:id{[0-9a-f-]{36}\\.csv}', async (c) => {
  const s = await getScenario(principalOf(c, 'COORDINATOR'), c.req.param('id').replace(/\.csv$/, ''));
  return csvResponse(c, `scenario-${s.id}.csv`, comparisonRows([s]) as Record<string, unknown>[], [...COMPARISON_COLUMNS]);
});
scenarioPages.get('/coordinator/scenarios/:id{[0-9a-f-]{36}\\.json}', async (c) => {
  const s = await getScenario(principalOf(c, 'COORDINATOR'), c.req.param('id').replace(/\.json$/, ''));
  return c.json(s, 200, { 'Content-Disposition': `attachment; filename="scenario-${s.id}.json"` });
});

scenarioPages.get('/coordinator/scenarios/:id{[0-9a-f-]{36}}', async (c) => {
  const p = principalOf(c, 'COORDINATOR');
  const s = await getScenario(p, c.req.param('id'));
  const names = await scenarioNames([s]);
  const r = s.result;
  return c.html(
    <Layout title={s.name} session={p} csrf={c.get('csrfToken')} current="/coordinator/scenarios" before={<BackLink href="/coordinator/scenarios">All scenarios</BackLink>}>
      <SummaryList
        rows={[
          { key: 'Period', value: period(s.periodStart, s.periodEnd) },
          { key: 'Change', value: s.changes.map((ch) => changeInWords(ch, names)).join('; ') },
          { key: 'Status', value: <StatusTag status={s.status} /> },
          ...(s.runMs !== null ? [{ key: 'Run took', value: `${(s.runMs / 1000).toFixed(1)} seconds` }] : []),
        ]}
      />
      {s.status === 'FAILED' ? <p class="govuk-body">The run failed: {s.error}</p> : null}
      {!r && s.status !== 'FAILED' ? <p class="govuk-body">The scenario is still running. Refresh this page to see its comparison.</p> : null}
      {r ? (
        <>
          <h2 class="govuk-heading-m">What the change buys</h2>
          <p class="govuk-body">
            {`${signed(r.difference.nightsDelivered)} nights and ${signed(r.difference.childrenPlaced)} children placed; unmet nights of children with complex health needs ${signed(r.difference.unmetComplexHealthNights)}; cost ${signedMoney(r.difference.costPence)} (cost per extra night: ${costPerExtraNight(r)}). ${plural(r.childrenBetterOff, 'child', 'children')} better off, ${plural(r.childrenWorseOff, 'child', 'children')} worse off.`}
          </p>
          <BarChart id="scenario-nights" title="Nights delivered and unmet complex-health nights, without and with the change" unit="nights" bars={[
            { label: 'Nights now', value: r.baseline.nightsDelivered },
            { label: 'Nights with', value: r.scenario.nightsDelivered },
            { label: 'Unmet now', value: r.baseline.unmetComplexHealthNights },
            { label: 'Unmet with', value: r.scenario.unmetComplexHealthNights },
          ]} />
          <DataTable label="Scenario comparison table" caption="The same period allocated as things are, and with the change" headers={['Measure', 'As things are', 'With the change', 'Difference']} numeric={[1, 2, 3]}>
            {MEASURES.map((m) => (
              <tr>
                <th scope="row">{m.label}</th>
                <td>{m.value(r.baseline)}</td>
                <td>{m.value(r.scenario)}</td>
                <td>{m.difference(r)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Cost per extra night</th>
              <td></td>
              <td></td>
              <td>{costPerExtraNight(r)}</td>
            </tr>
          </DataTable>
          <ul class="govuk-list">
            <li>
              <a class="govuk-link" href={`/coordinator/scenarios/${s.id}.csv`}>
                Download the comparison (CSV)
              </a>
            </li>
            <li>
              <a class="govuk-link" href={`/coordinator/scenarios/${s.id}.json`}>
                Download the scenario (JSON)
              </a>
            </li>
          </ul>
        </>
      ) : null}
    </Layout>,
  );
});
