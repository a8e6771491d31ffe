/** A family's requests for breaks: filing one, seeing it, changing it while it is open, withdrawing it. */
import { Hono, type Context } from 'hono';
import { addDays } from '../../domain/london-time.js';
import { breakPlaces, requestOutcomes, slotsMeetingNeeds } from '../../services/break-details.js';
import { getFamily } from '../../services/families.js';
import { createRequest, getRequest, updateRequest, withdrawRequest } from '../../services/requests.js';
import { listSlots } from '../../services/slots.js';
import type { Principal } from '../../services/access.js';
import { CreateRequestBody, UpdateRequestBody } from '../../schemas/requests.js';
import { invalid } from '../../errors.js';
import { BackLink, Button, Tag, CapabilitySelect, Csrf, DateInput, ErrorBox, Layout, SummaryList, capabilityOf, Notice, human, when, type PageError } from '../layout.js';
import { period, plural, span } from '../format.js';
import { integer, isDate, list, mergeDates, optional, parseWith, readForm, text, today, type FormValues } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { formAction } from '../shared/form-action.js';
import { REQUEST_TAGS } from './request-status.js';

export const familyRequestPages = new Hono<WebEnv>();

type Family = Extract<Principal, { role: 'FAMILY' }>;
const DONE: Record<string, string> = {
  requestChanged: 'Your request has been changed. The next allocation round uses it as it is now.',
};
const KINDS = [
  ['RESIDENTIAL', 'Overnight stay at a residential unit'],
  ['COMMUNITY', 'Community club or day session'],
  ['FAMILY_BASED', 'Stay with an approved foster carer'],
] as const;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Slot = Awaited<ReturnType<typeof listSlots>>['items'][number];

/**
 * Breaks that look the same to a family (same place, same start and end) are
 * one line: capacity published by two rules, or a block contract beside open
 * places, is one choice. The line keeps the slot with the most free places.
 */
function oneLinePerBreak(slots: Slot[]): Slot[] {
  const best = new Map<string, Slot>();
  for (const s of slots) {
    const key = `${s.providerId}|${s.startsAt}|${s.endsAt}`;
    const kept = best.get(key);
    if (!kept || s.free > kept.free) best.set(key, s);
  }
  return [...best.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.providerName.localeCompare(b.providerName));
}

interface RequestFormOptions {
  error?: PageError;
  /** Editing this open request: the form posts to it and the child is fixed. */
  editing?: { id: string; childId: string };
}

/** The child, the period and the breaks with free places in it that can meet the child's needs (or were already chosen). */
async function loadRequestForm(p: Family, form: FormValues, editing: RequestFormOptions['editing']) {
  const family = await getFamily(p, p.familyId);
  const childId = editing?.childId ?? (family.children.some((ch) => ch.id === text(form, 'childId')) ? text(form, 'childId') : family.children[0]?.id);
  const child = family.children.find((ch) => ch.id === childId);
  const from = isDate(text(form, 'periodStart')) ? text(form, 'periodStart') : addDays(today(), 1);
  const to = isDate(text(form, 'periodEnd')) && text(form, 'periodEnd') >= from ? text(form, 'periodEnd') : addDays(from, 13);
  const capability = capabilityOf(text(form, 'capability'));
  const kind = KINDS.find(([k]) => k === text(form, 'kind'))?.[0];
  const found = await listSlots(p, { from, to: to > addDays(from, 190) ? addDays(from, 190) : to, available: 'true', capability, kind, limit: 200 });
  // Only places that can meet this child's needs, as the booking rules will judge them.
  const suitable = childId ? await slotsMeetingNeeds(p, childId, found.items.map((s) => s.id)) : new Set<string>();
  const chosen = new Set(['pref1', 'pref2', 'pref3'].map((k) => text(form, k)));
  const slots = oneLinePerBreak(found.items.filter((s) => suitable.has(s.id) || chosen.has(s.id)));
  const hiddenForNeeds = new Set(found.items.filter((s) => !suitable.has(s.id)).map((s) => `${s.providerId}|${s.startsAt}`)).size;
  return { family, childId, child, from, to, capability, kind, found, slots, hiddenForNeeds };
}

/** The form a request is filed or changed with: the child first, then the period, then choices of places that can meet the child's needs. */
async function requestPage(c: Context<WebEnv>, form: FormValues, options: RequestFormOptions = {}) {
  const { error, editing } = options;
  const p = principalOf(c, 'FAMILY');
  const { family, childId, child, from, to, capability, kind, found, slots, hiddenForNeeds } = await loadRequestForm(p, form, editing);
  const chosenDays = new Set(list(form, 'days'));
  const csrf = c.get('csrfToken');
  const childName = child ? `${child.firstName} ${child.lastName}` : 'your child';
  const action = editing ? `/family/requests/${editing.id}` : '/family/request';
  return c.html(
    <Layout
      title={editing ? `Change ${child?.firstName ?? 'the'}'s request` : 'Request short breaks'}
      session={p}
      csrf={csrf}
      current={editing ? undefined : '/family/request'}
      before={editing ? <BackLink href={`/family/requests/${editing.id}`}>Back to the request</BackLink> : undefined}
    >
      <ErrorBox error={error} />
      <form method="get" action={editing ? `/family/requests/${editing.id}/edit` : '/family/request'}>
        <fieldset class="govuk-fieldset">
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Which child and which period?</legend>
          {editing ? (
            <p class="govuk-body">
              For <strong>{childName}</strong>.
            </p>
          ) : (
            <div class="govuk-form-group">
              <label class="govuk-label" for="childId">
                Child
              </label>
              <select class="govuk-select" id="childId" name="childId">
                {family.children.map((ch) => (
                  <option value={ch.id} selected={ch.id === childId}>
                    {ch.firstName} {ch.lastName}
                  </option>
                ))}
              </select>
            </div>
          )}
          <DateInput name="periodStart" legend="From" value={from} hint="For example, 8 1 2027" />
          <DateInput name="periodEnd" legend="To" value={to} />
          <div class="govuk-form-group">
            <label class="govuk-label" for="kind">
              Type of break
            </label>
            <select class="govuk-select" id="kind" name="kind">
              <option value="">Any</option>
              {KINDS.map(([k, label]) => (
                <option value={k} selected={k === kind}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <CapabilitySelect label="The place must also be able to meet" value={capability} />
          <Button variant="secondary">Show breaks in this period</Button>
        </fieldset>
      </form>
      <form method="post" action={action}>
        <Csrf token={csrf} />
        <input type="hidden" name="periodStart" value={from} />
        <input type="hidden" name="periodEnd" value={to} />
        <input type="hidden" name="childId" value={childId ?? ''} />
        <fieldset class="govuk-fieldset">
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">
            Preferred breaks for {child?.firstName ?? 'your child'}, {period(from, to)} (most wanted first)
          </legend>
          <p class="govuk-hint">
            {found.nextCursor ? `More breaks have free places than one list can show; the first ${slots.length} are listed, so choose a shorter period to see the rest.` : `${plural(slots.length, 'break')} with free places can meet ${child?.firstName ?? 'your child'}'s needs in this period.`}
            {hiddenForNeeds ? ` ${plural(hiddenForNeeds, 'other break')} cannot meet those needs and ${hiddenForNeeds === 1 ? 'is' : 'are'} not listed.` : ''} Choose up to three, or choose days of the week below.
          </p>
          {[1, 2, 3].map((rank) => (
            <div class="govuk-form-group">
              <label class="govuk-label" for={`pref${rank}`}>
                Choice {rank}
              </label>
              <select class="govuk-select app-wide-select" id={`pref${rank}`} name={`pref${rank}`}>
                <option value="">No choice</option>
                {slots.map((s) => (
                  <option value={s.id} selected={text(form, `pref${rank}`) === s.id}>
                    {s.providerName}: {span(s.startsAt, s.endsAt)}, {s.nights ? plural(s.nights, 'night') : 'day session'}, {plural(s.free, 'place')} free
                  </option>
                ))}
              </select>
            </div>
          ))}
        </fieldset>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Or: any night starting on these days</legend>
            <div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">
              {DAYS.map((d, i) => (
                <div class="govuk-checkboxes__item">
                  <input class="govuk-checkboxes__input" id={`day-${i}`} type="checkbox" name="days" value={String(i)} checked={chosenDays.has(String(i))} />
                  <label class="govuk-label govuk-checkboxes__label" for={`day-${i}`}>
                    {d}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <div class="govuk-form-group">
          <label class="govuk-label" for="nightsWanted">
            How many nights would you like? (optional)
          </label>
          <input class="govuk-input govuk-input--width-3" type="text" inputmode="numeric" id="nightsWanted" name="nightsWanted" value={text(form, 'nightsWanted')} />
        </div>
        <div class="govuk-form-group">
          <label class="govuk-label" for="stayNights">
            Nights to keep together in one stay (optional)
          </label>
          <div id="stayNights-hint" class="govuk-hint">
            For example, 2 to keep a Friday and the Saturday after it together in the same home. Each stay you are given is then exactly this long, never a single
            night on its own. Leave it empty if single nights are fine.
          </div>
          <input class="govuk-input govuk-input--width-3" type="text" inputmode="numeric" id="stayNights" name="stayNights" value={text(form, 'stayNights')} aria-describedby="stayNights-hint" />
        </div>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Also</legend>
            <div class="govuk-checkboxes govuk-checkboxes--small">
              <div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="flexible" type="checkbox" name="flexible" value="true" checked={text(form, 'flexible') === 'true'} />
                <label class="govuk-label govuk-checkboxes__label" for="flexible">
                  Any suitable break in the period will do
                </label>
              </div>
              <div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="transportNeeded" type="checkbox" name="transportNeeded" value="true" checked={text(form, 'transportNeeded') === 'true'} aria-describedby="transport-hint" />
                <label class="govuk-label govuk-checkboxes__label" for="transportNeeded">
                  We need transport
                </label>
                <div id="transport-hint" class="govuk-hint govuk-checkboxes__hint">
                  The team arranges it for each break booked; the pick-up time shows on your breaks page.
                </div>
              </div>
            </div>
          </fieldset>
        </div>
        <div class="govuk-form-group">
          <label class="govuk-label" for="notes">
            Anything the team should know (optional)
          </label>
          <textarea class="govuk-textarea" id="notes" name="notes" rows={3} maxlength={1000}>
            {text(form, 'notes')}
          </textarea>
        </div>
        <Button>{editing ? 'Save changes' : 'Send request'}</Button>
      </form>
    </Layout>,
    error ? 422 : 200,
  );
}

/** The request body both filing and changing send, from the form. */
function requestFields(form: FormValues) {
  const slotIds = [...new Set(['pref1', 'pref2', 'pref3'].map((k) => text(form, k)).filter(Boolean))];
  const days = list(form, 'days').map(Number);
  const preferences = [...slotIds.map((slotId) => ({ kind: 'SLOT' as const, slotId })), ...(days.length ? [{ kind: 'DAYS' as const, daysOfWeek: days }] : [])];
  if (!preferences.length) throw invalid([{ path: 'preferences', message: 'choose at least one break or one day of the week' }], 'Say which breaks you would like');
  return {
    periodStart: text(form, 'periodStart'),
    periodEnd: text(form, 'periodEnd'),
    preferences,
    flexible: text(form, 'flexible') === 'true',
    transportNeeded: text(form, 'transportNeeded') === 'true',
    nightsWanted: integer(form, 'nightsWanted'),
    stayNights: integer(form, 'stayNights'),
    notes: optional(form, 'notes'),
  };
}

familyRequestPages.get('/family/request', (c) => requestPage(c, mergeDates(c.req.query())));

familyRequestPages.post('/family/request', async (c) => {
  const form = await readForm(c);
  return formAction(() => createRequest(principalOf(c, 'FAMILY'), parseWith(CreateRequestBody, { childId: text(form, 'childId'), ...requestFields(form) })), {
    done: () => c.redirect('/family?done=request', 303),
    refused: (error) => requestPage(c, form, { error }),
  });
});

// ---- One request: see it, change it, withdraw it ------------------------------

/** The request, its child, the places it chose and, once a round was published, what the round said. */
async function loadRequest(p: Family, requestId: string) {
  const request = await getRequest(p, requestId);
  const family = await getFamily(p, p.familyId);
  const child = family.children.find((ch) => ch.id === request.childId);
  const slotIds = request.preferences.flatMap((pref) => (pref.kind === 'SLOT' ? [pref.slotId] : []));
  const places = await breakPlaces(p, slotIds, family);
  const outcome = request.status === 'ALLOCATED' ? (await requestOutcomes(p, [request])).get(request.id) : undefined;
  return { request, child, places, outcome };
}

async function requestDetailPage(c: Context<WebEnv>, error?: PageError) {
  const p = principalOf(c, 'FAMILY');
  const { request, child, places, outcome } = await loadRequest(p, c.req.param('id')!);
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`${child?.firstName ?? 'Your child'}'s request`} session={p} csrf={csrf} before={<BackLink href="/family">Back to our breaks</BackLink>}>
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <SummaryList
        rows={[
          { key: 'Child', value: child ? `${child.firstName} ${child.lastName}` : '' },
          { key: 'Period', value: period(request.periodStart, request.periodEnd) },
          { key: 'Status', value: <Tag colour={REQUEST_TAGS[request.status]?.[1]}>{REQUEST_TAGS[request.status]?.[0] ?? human(request.status)}</Tag> },
          {
            key: 'Choices, most wanted first',
            value: (
              <ol class="govuk-list govuk-list--number">
                {request.preferences.map((pref) =>
                  pref.kind === 'SLOT' ? (
                    <li>{places.get(pref.slotId) ? `${places.get(pref.slotId)!.providerName}, ${span(places.get(pref.slotId)!.startsAt, places.get(pref.slotId)!.endsAt)}` : 'A break that is no longer offered'}</li>
                  ) : (
                    <li>Any night starting on {pref.daysOfWeek.map((d) => DAYS[d]).join(', ')}</li>
                  ),
                )}
              </ol>
            ),
          },
          { key: 'Any suitable break will do', value: request.flexible ? 'Yes' : 'No' },
          { key: 'Nights wanted', value: request.nightsWanted ? String(request.nightsWanted) : 'Not said' },
          { key: 'Nights kept together', value: request.stayNights ? `${plural(request.stayNights, 'night')} in one stay, in the same home` : 'Single nights are fine' },
          { key: 'Transport', value: request.transportNeeded ? 'Asked for: the team arranges it for each break booked' : 'Not asked for' },
          { key: 'Notes', value: request.notes ?? 'None' },
          { key: 'Sent', value: when(request.createdAt) },
          ...(outcome ? [{ key: 'What the round said', value: outcome.summary }] : []),
        ]}
      />
      {request.status === 'OPEN' ? (
        <div class="govuk-button-group">
          <a class="govuk-button govuk-button--secondary" href={`/family/requests/${request.id}/edit`}>
            Change this request
          </a>
          <form method="post" action={`/family/requests/${request.id}/withdraw`}>
            <Csrf token={csrf} />
            <Button variant="warning">Withdraw this request</Button>
          </form>
        </div>
      ) : null}
    </Layout>,
    error ? 409 : 200,
  );
}

familyRequestPages.get('/family/requests/:id', (c) => requestDetailPage(c));

familyRequestPages.get('/family/requests/:id/edit', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const request = await getRequest(p, c.req.param('id'));
  const query = mergeDates(c.req.query());
  // First visit: the form as the request stands; after "Show breaks", what the family chose there.
  const slotPrefs = request.preferences.flatMap((pref) => (pref.kind === 'SLOT' ? [pref.slotId] : []));
  const days = request.preferences.flatMap((pref) => (pref.kind === 'DAYS' ? pref.daysOfWeek.map(String) : []));
  const form: FormValues = query.periodStart
    ? query
    : {
        periodStart: request.periodStart,
        periodEnd: request.periodEnd,
        pref1: slotPrefs[0] ?? '',
        pref2: slotPrefs[1] ?? '',
        pref3: slotPrefs[2] ?? '',
        days,
        flexible: String(request.flexible),
        transportNeeded: String(request.transportNeeded),
        nightsWanted: request.nightsWanted ? String(request.nightsWanted) : '',
        stayNights: request.stayNights ? String(request.stayNights) : '',
        notes: request.notes ?? '',
      };
  return requestPage(c, form, { editing: { id: request.id, childId: request.childId } });
});

familyRequestPages.post('/family/requests/:id', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const form = await readForm(c);
  const request = await getRequest(p, c.req.param('id'));
  return formAction(() => updateRequest(p, request.id, parseWith(UpdateRequestBody, requestFields(form))), {
    done: () => c.redirect(`/family/requests/${request.id}?done=requestChanged`, 303),
    refused: (error) => requestPage(c, form, { error, editing: { id: request.id, childId: request.childId } }),
  });
});

familyRequestPages.post('/family/requests/:id/withdraw', (c) =>
  formAction(() => withdrawRequest(principalOf(c, 'FAMILY'), c.req.param('id')), {
    done: () => c.redirect('/family?done=requestWithdrawn', 303),
    refused: (error) => requestDetailPage(c, error),
  }),
);
