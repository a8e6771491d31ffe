/**
 * A family's say when a home closes (the West Sussex case, ../shared/seeds/002_*):
 * the homes that can meet each child's needs with journey, transport and dates,
 * a ranking and what matters most, and — once the plan is made — where the
 * child goes, or why no place could be found and what happens next.
 */
import { Hono, type Context } from 'hono';
import { ConsultationResponseBody } from '../../schemas/consultations.js';
import type { FamilyConsultation } from '../../schemas/consultations.js';
import { getFamilyConsultation, listFamilyConsultations, respondToConsultation } from '../../services/closures.js';
import { endOfDayBefore, longDate } from '../format.js';
import { list, optional, parseWith, readForm, text } from '../forms.js';
import { Banner, Button, Choices, Csrf, DataTable, ErrorBox, Layout, Notice, SummaryList, addNavItem, human, when, type PageError } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { refusal } from '../shared/form-action.js';

export const familyConsultationPages = new Hono<WebEnv>();
familyConsultationPages.use('/family/consultations', requirePage('FAMILY'));
familyConsultationPages.use('/family/consultations/*', requirePage('FAMILY'));
addNavItem('FAMILY', { href: '/family/consultations', label: 'Homes closing: your say' });

const PRIORITIES = [
  ['SAME_DATES', 'Keeping the same dates'],
  ['SAME_FRIENDS', 'Staying with the same friends'],
  ['SHORTEST_JOURNEY', 'The shortest journey'],
  ['KEEP_CARER', 'Keeping the same kind of carer (a foster carer stays with a foster carer)'],
] as const;

const ORDINALS = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth', 'Ninth', 'Tenth'];
const ordinal = (i: number) => ORDINALS[i] ?? `Choice ${i + 1}`;

familyConsultationPages.get('/family/consultations', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const { items } = await listFamilyConsultations(p);
  return c.html(
    <Layout title="Homes closing: your say" session={p} csrf={c.get('csrfToken')} current="/family/consultations">
      {items.length ? (
        <DataTable label="Consultations about your children" headers={['Home closing', 'From', 'Answer by', 'Your page']}>
          {items.map((k) => (
            <tr>
              <th scope="row">{k.providerName}</th>
              <td>{longDate(k.closingFrom)}</td>
              <td>{k.open ? `By ${endOfDayBefore(k.respondBy)}` : 'Closed'}</td>
              <td>
                <a href={`/family/consultations/${k.closureId}`}>
                  {k.open ? 'Rank the homes' : 'See the outcome'}
                  <span class="govuk-visually-hidden"> for {k.providerName}</span>
                </a>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : (
        <p class="govuk-body">No home your children use is closing.</p>
      )}
    </Layout>,
  );
});

type ChildView = FamilyConsultation['children'][number];

/** The ranking form for one child: one drop-down per choice, then what matters most. */
const RankingForm = ({ k, child, csrf }: { k: FamilyConsultation; child: ChildView; csrf: string }) => {
  const chosen = child.answer?.ranking ?? [];
  const prefix = `c-${child.childId.slice(0, 8)}`;
  return (
    <form method="post" action={`/family/consultations/${k.closureId}/children/${child.childId}`}>
      <Csrf token={csrf} />
      <fieldset class="govuk-fieldset">
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Your order of preference for {child.name}</legend>
        {child.alternatives.map((_, i) => (
          <div class="govuk-form-group">
            <label class="govuk-label" for={`${prefix}-rank-${i}`}>
              {ordinal(i)} choice
            </label>
            <select class="govuk-select" id={`${prefix}-rank-${i}`} name="rank">
              <option value="">{i === 0 ? 'Choose a home' : 'No further choice'}</option>
              {child.alternatives.map((a) => (
                <option value={a.providerId} selected={chosen[i] === a.providerId}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
        ))}
      </fieldset>
      <Choices type="radio" name="priority" id={`${prefix}-priority`} legend={`What matters most to you for ${child.name}?`} options={PRIORITIES} checked={(value) => (child.answer?.priority ?? 'SAME_DATES') === value} />
      <div class="govuk-form-group">
        <label class="govuk-label" for={`${prefix}-note`}>
          Anything else we should know (optional)
        </label>
        <textarea class="govuk-textarea" id={`${prefix}-note`} name="note" rows={2} maxlength={1000}>
          {child.answer?.note ?? ''}
        </textarea>
      </div>
      <Button>
        {child.answer ? 'Change our answer' : 'Send our answer'}
        <span class="govuk-visually-hidden"> for {child.name}</span>
      </Button>
    </form>
  );
};

/** What the plan gave the child: each break's new place and where it came in the family's ranking, or why there is none and what happens next. */
const Outcomes = ({ child }: { child: ChildView }) => (
  <>
    {child.outcomes.map((o) =>
      o.place ? (
        <SummaryList
          rows={[
            { key: `Break on ${longDate(`${o.originalDate}T12:00:00Z`)}`, value: `${human(o.outcome)}: ${o.place.name}, ${when(o.place.startsAt)}` },
            { key: 'Your ranking', value: o.familyRank ? `Your ${ordinal(o.familyRank - 1).toLowerCase()} choice` : 'Not one of the homes you ranked' },
            { key: 'Why', value: o.reason },
            ...(o.nextSteps ? [{ key: 'What happens next', value: o.nextSteps }] : []),
          ]}
        />
      ) : (
        <section aria-label={`${child.name} could not be placed for ${o.originalDate}`}>
          <h4 class="govuk-heading-s">
            Break on {longDate(`${o.originalDate}T12:00:00Z`)}: {o.outcome === 'WAITLISTED' ? 'we could not find a place' : human(o.outcome)}
          </h4>
          <p class="govuk-body">
            <strong>Why:</strong> {o.reason}
          </p>
          {o.nextSteps ? (
            <p class="govuk-body">
              <strong>What happens next:</strong> {o.nextSteps}
            </p>
          ) : null}
        </section>
      ),
    )}
  </>
);

async function consultationPage(c: Context<WebEnv>, closureId: string, notice?: string, error?: PageError) {
  const p = principalOf(c, 'FAMILY');
  let k: FamilyConsultation;
  try {
    k = await getFamilyConsultation(p, closureId);
  } catch (err) {
    const e = refusal(err);
    return c.html(
      <Layout title="Homes closing: your say" session={p} csrf={c.get('csrfToken')} current="/family/consultations">
        <ErrorBox error={e} />
      </Layout>,
      404,
    );
  }
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`${k.providerName} is closing`} session={p} csrf={csrf} current="/family/consultations">
      <Notice text={notice} />
      <ErrorBox error={error} />
      <p class="govuk-body">
        {k.providerName} is closing from {longDate(k.closingFrom)}.{' '}
        {k.open
          ? `Before anything is decided, tell us which of the homes below you would choose, best first, by ${endOfDayBefore(k.respondBy)}. We use your order first when we find new places.`
          : k.status === 'CONSULTING'
            ? 'The time to answer has ended; your council is making the plan.'
            : 'The consultation has closed and the new places have been planned.'}
      </p>
      {k.children.map((child) => (
        <section aria-labelledby={`child-${child.childId}`}>
          <h2 class="govuk-heading-m" id={`child-${child.childId}`}>
            {child.name}
          </h2>
          <p class="govuk-body">Breaks at {k.providerName} from that date: {child.affectedDates.map((d) => longDate(`${d}T12:00:00Z`)).join(', ')}.</p>
          {child.outcomes.length ? <Outcomes child={child} /> : null}
          {k.open ? (
            child.alternatives.length ? (
              <>
                <DataTable label={`Homes that can meet ${child.name}'s needs`} caption={`Homes that can meet ${child.name}'s needs, nearest first`} headers={['Home', 'Journey from home', 'Transport', 'Dates with a place']}>
                  {child.alternatives.map((a) => (
                    <tr>
                      <th scope="row">
                        {a.name}
                        <br />
                        <span class="govuk-hint">
                          {human(a.kind)}, {a.address}
                          {a.trainingNeeded ? '; some places once the foster carer has completed training' : ''}
                        </span>
                      </th>
                      <td>{a.travelMinutes === null ? 'Not known' : `About ${a.travelMinutes} minutes`}</td>
                      <td>{a.transport}</td>
                      <td>{a.dates.map((d) => longDate(`${d}T12:00:00Z`)).join(', ')}</td>
                    </tr>
                  ))}
                </DataTable>
                <RankingForm k={k} child={child} csrf={csrf} />
              </>
            ) : (
              <>
                <Banner title={`No other home can meet ${child.name}'s needs on these dates`}>
                  <p class="govuk-body">Tell us what matters most; your council's short-breaks team will contact you about what happens next.</p>
                </Banner>
                <RankingForm k={k} child={child} csrf={csrf} />
              </>
            )
          ) : child.answer ? (
            <p class="govuk-body">
              You ranked: {child.answer.ranking.map((id, i) => `${i + 1}. ${child.alternatives.find((a) => a.providerId === id)?.name ?? rankedName(child, id)}`).join(', ') || 'no home'}.
            </p>
          ) : null}
        </section>
      ))}
    </Layout>,
    error ? 422 : 200,
  );
}

/** After the consultation the alternatives are no longer listed; a ranked home is named by the place the child got there. */
function rankedName(child: ChildView, providerId: string): string {
  return child.outcomes.find((o) => o.place?.providerId === providerId)?.place?.name ?? 'a home';
}

familyConsultationPages.get('/family/consultations/:id', (c) => consultationPage(c, c.req.param('id'), c.req.query('done') === 'answered' ? 'Thank you: your answer is saved. You can change it until the deadline.' : undefined));

familyConsultationPages.post('/family/consultations/:id/children/:childId', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const form = await readForm(c);
  const id = c.req.param('id');
  try {
    const body = parseWith(ConsultationResponseBody, { ranking: list(form, 'rank').filter(Boolean), priority: text(form, 'priority'), note: optional(form, 'note') });
    await respondToConsultation(p, id, c.req.param('childId'), body);
  } catch (err) {
    return consultationPage(c, id, undefined, refusal(err));
  }
  return c.redirect(`/family/consultations/${id}?done=answered`, 303);
});
