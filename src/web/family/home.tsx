/** Family pages: entitlement, upcoming breaks and why, requests, waitlist offers, calendar link. */
import { Hono, type Context } from 'hono';
import { addDays } from '../domain/london-time.js';
import { LIVE_BOOKING_STATUSES } from '../domain/booking-status.js';
import { breakPlaces, requestOutcomes, slotsMeetingNeeds, swapSlots, transportAsked, transportFor } from '../services/break-details.js';
import { listBookings } from '../services/bookings.js';
import { createCalendarLink } from '../services/calendar.js';
import { getChild, getFamily } from '../services/families.js';
import { createRequest, getRequest, listRequests, updateRequest, withdrawRequest } from '../services/requests.js';
import { listSlots } from '../services/slots.js';
import { acceptSwap, closeSwap, listSwaps } from '../services/swaps.js';
import { listedBookingIds } from '../services/swap-board.js';
import { acceptOffer, declineOffer, listWaitlist } from '../services/waitlist.js';
import { CreateRequestBody, UpdateRequestBody } from '../schemas/requests.js';
import { SwapActionBody } from '../schemas/swaps.js';
import { invalid } from '../errors.js';
import { BackLink, Banner, Button, Tag, type TagColour, CapabilitySelect, Csrf, DateInput, ErrorBox, Layout, StatusTag, SummaryList, capabilityOf, Notice, errorMessage, human, when } from './layout.js';
import { BreakSummary } from './break-summary.js';
import { longDate, period, plural, span } from './format.js';
import { integer, isDate, list, mergeDates, optional, parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const familyPages = new Hono<WebEnv>();
// '/family/*' matches /family itself too.
familyPages.use('/family/*', requirePage('FAMILY'));

const DONE: Record<string, string> = {
  request: 'Your request has been sent. You will hear when the next allocation round is published.',
  offer: 'You accepted the offered place. It is now in your upcoming breaks.',
  swap: 'You accepted the swap. The breaks change over once the coordinator approves (if your council asks for approval).',
  swapRejected: 'You rejected the swap. Your break stays as it is.',
  swapWithdrawn: 'You withdrew your swap offer. Your break stays as it is.',
  offerDeclined: 'You declined the offered place. It will be offered to the next child waiting.',
  waitlistLeft: 'You left the waiting list.',
  requestChanged: 'Your request has been changed. The next allocation round uses it as it is now.',
  requestWithdrawn: 'You withdrew the request. The next allocation round leaves it out.',
};
const SWAPPABLE = ['CONFIRMED', 'ALLOCATED'];
const REQUEST_TAGS: Record<string, [string, TagColour]> = { OPEN: ['Waiting for a round', 'blue'], ALLOCATED: ['Round published', 'green'], WITHDRAWN: ['Withdrawn', 'grey'] };
const SWAP_STATUS: Record<string, string> = {
  PROPOSED: 'waiting for the other family',
  ACCEPTED: 'both families agreed; waiting for the coordinator to approve',
  COMPLETED: 'done: the breaks have changed over',
  REJECTED: 'the other family said no',
  EXPIRED: 'expired before it was completed',
  SUPERSEDED: 'closed because one of the breaks changed',
  WITHDRAWN: 'you withdrew it',
};
const KINDS = [
  ['RESIDENTIAL', 'Overnight stay at a residential unit'],
  ['COMMUNITY', 'Community club or day session'],
  ['FAMILY_BASED', 'Stay with an approved foster carer'],
] as const;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Child = Awaited<ReturnType<typeof getChild>>;
type Outcome = Awaited<ReturnType<typeof requestOutcomes>> extends Map<string, infer O> ? O : never;

/** "Nothing this round, because …; next step …" for a request a round gave nothing, in the family's words. */
function nothingThisRound(outcome: Outcome, waitingFor: number): { because: string; next: string } {
  const because = outcome.summary.replace(/^Asked for [^.]*, got none\.\s*/, '').replace(/^Nothing could be offered for this request:?\s*/, '') || 'no suitable place was free.';
  const next = waitingFor
    ? `Your child is on the waiting list for ${waitingFor === 1 ? 'one of your choices' : `${waitingFor} of your choices`}. If a place comes free it is offered here first, and you choose whether to take it.`
    : 'Your child moves up the rotation for the next round. You can request breaks for another period now, or ask your short-breaks team about other places.';
  return { because, next };
}

async function familyHome(c: Context<WebEnv>, extra: { calendarUrl?: string; error?: ReturnType<typeof errorMessage> } = {}) {
  const p = principalOf(c, 'FAMILY');
  const family = await getFamily(p, p.familyId);
  const children: Child[] = await Promise.all(family.children.map((child) => getChild(p, child.id)));
  const names = new Map(children.map((ch) => [ch.id, ch.firstName]));
  const allUpcoming = (await listBookings(p, { from: today(), limit: 200 })).items;
  const bookings = allUpcoming
    .filter((b) => (LIVE_BOOKING_STATUSES as readonly string[]).includes(b.status))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const requests = (await listRequests(p, { limit: 50 })).items.sort((a, b) => b.periodStart.localeCompare(a.periodStart));
  const ownBookings = new Map(allUpcoming.map((b) => [b.id, b]));
  const nowIso = new Date().toISOString();
  const allSwaps = (await listSwaps(p, { limit: 200 })).items;
  // Open swaps either way, plus every swap this family proposed (with how it ended).
  const proposedByUs = (s: (typeof allSwaps)[number]) => !ownBookings.has(s.bookingBId);
  const swaps = allSwaps.filter((s) => s.status === 'PROPOSED' || s.status === 'ACCEPTED' || proposedByUs(s));
  const waitlist = await listWaitlist(p, {});
  const onBoard = await listedBookingIds(p);
  const offers = waitlist.filter((w) => w.status === 'OFFERED');
  const waiting = waitlist.filter((w) => w.status !== 'OFFERED');
  const [swapPairs, outcomes, asked] = await Promise.all([
    swapSlots(p, swaps.map((s) => s.id)),
    requestOutcomes(p, requests.filter((r) => r.status === 'ALLOCATED')),
    transportAsked(p, [...bookings.flatMap((b) => (b.requestId ? [b.requestId] : [])), ...waitlist.flatMap((w) => (w.requestId ? [w.requestId] : []))]),
  ]);
  const places = await breakPlaces(p, [...bookings.map((b) => b.slotId), ...waitlist.map((w) => w.slotId), ...[...swapPairs.values()].flatMap((x) => [x.slotA, x.slotB])], family);
  const legs = await transportFor(p, bookings.map((b) => b.id));
  const csrf = c.get('csrfToken');
  const childName = (id: string) => names.get(id) ?? 'your child';
  return c.html(
    <Layout title={`${family.name}: our short breaks`} session={p} csrf={csrf} current="/family">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={extra.error} />

      {offers.length ? (
        <Banner title={offers.length === 1 ? 'A place is offered to you' : `${offers.length} places are offered to you`}>
          {offers.map((w) => {
            const place = places.get(w.slotId);
            return (
              <section aria-label={`Offer for ${childName(w.childId)}${place ? ` at ${place.providerName}` : ''}`}>
                <h3 class="govuk-notification-banner__heading">
                  {childName(w.childId)}: {place ? `${place.providerName}, ${longDate(place.startsAt)}` : 'a place'}
                </h3>
                {place ? <BreakSummary place={place} legs={[]} transportAsked={w.requestId ? asked.has(w.requestId) : false} childName={childName(w.childId)} /> : null}
                {w.rehomingOffer ? (
                  <p class="govuk-body">
                    Offered because {place?.providerName ? 'the home your child was booked at is closing' : 'a home is closing'}: {w.rehomingOffer.reason}{' '}
                    {w.rehomingOffer.travelMinutes !== null ? `Journey: about ${w.rehomingOffer.travelMinutes} minutes from home. ` : ''}
                    Transport: {w.rehomingOffer.transport}.
                  </p>
                ) : null}
                <p class="govuk-body">
                  Accept by <strong>{w.offerExpiresAt ? when(w.offerExpiresAt) : 'soon'}</strong>, or the place goes to the next child waiting.
                </p>
                <form method="post" action={`/family/offers/${w.id}/accept`} class="govuk-button-group">
                  <Csrf token={csrf} />
                  <Button>
                    Accept this place<span class="govuk-visually-hidden"> at {place?.providerName}</span>
                  </Button>
                  <Button variant="secondary" formaction={`/family/offers/${w.id}/decline`}>
                    Decline this place<span class="govuk-visually-hidden"> at {place?.providerName}</span>
                  </Button>
                </form>
              </section>
            );
          })}
        </Banner>
      ) : null}

      <h2 class="govuk-heading-m">Entitlement</h2>
      {children.map((ch) => (
        <section aria-labelledby={`ent-${ch.id}`}>
          <h3 class="govuk-heading-s" id={`ent-${ch.id}`}>
            {ch.firstName} {ch.lastName}
          </h3>
          <p>
            <a href={`/family/children/${ch.id}/passport`}>{ch.firstName}'s medical passport, who can see it and who has seen it</a>
          </p>
          {(ch.ledger ?? []).length ? (
            (ch.ledger ?? []).map((l) => (
              <SummaryList
                rows={[
                  { key: 'Award period', value: period(l.periodStart, l.periodEnd) },
                  { key: 'Nights', value: `${l.awardedNights} awarded, ${l.allocatedNights} booked, ${l.deliveredNights} delivered` },
                  { key: 'Day sessions', value: `${l.awardedSessions} awarded, ${l.allocatedSessions} booked, ${l.deliveredSessions} delivered` },
                ]}
              />
            ))
          ) : (
            <p class="govuk-body">No award recorded yet; your coordinator sets it.</p>
          )}
        </section>
      ))}

      <h2 class="govuk-heading-m">Upcoming breaks</h2>
      {bookings.length ? (
        bookings.map((b) => {
          const place = places.get(b.slotId);
          return (
            <section class="app-break" aria-labelledby={`bk-${b.id}`}>
              <h3 class="govuk-heading-s" id={`bk-${b.id}`}>
                {childName(b.childId)}: {b.providerName}, {longDate(b.startsAt)} <StatusTag status={b.status} />
              </h3>
              {place ? (
                <BreakSummary
                  place={place}
                  childName={childName(b.childId)}
                  legs={legs.get(b.id)}
                  transportAsked={b.requestId ? asked.has(b.requestId) : false}
                  extra={b.roundId && b.requestId && outcomes.get(b.requestId) ? [{ key: 'Why this break', value: outcomes.get(b.requestId)!.summary }] : []}
                />
              ) : null}
              {SWAPPABLE.includes(b.status) && b.startsAt > nowIso ? (
                onBoard.has(b.id) ? (
                  <p class="govuk-body">
                    This break is on the{' '}
                    <a class="govuk-link" href="/family/swap-board">
                      swap board
                    </a>
                    : other families whose child could take it can offer a break of theirs.
                  </p>
                ) : (
                  <form method="post" action="/family/swap-board">
                    <Csrf token={csrf} />
                    <input type="hidden" name="bookingId" value={b.id} />
                    <Button variant="secondary">
                      Offer this break on the swap board<span class="govuk-visually-hidden"> ({childName(b.childId)}, {b.providerName}, {longDate(b.startsAt)})</span>
                    </Button>
                  </form>
                )
              ) : null}
            </section>
          );
        })
      ) : (
        <p class="govuk-body">No breaks booked yet.</p>
      )}

      {/* Swap messages link here (/family#swaps), so the heading stays when no swap is open. */}
      <h2 class="govuk-heading-m" id="swaps">
        Swaps
      </h2>
      {swaps.length ? (
        <>
          {swaps.map((s) => {
            const offeredToUs = s.status === 'PROPOSED' && ownBookings.has(s.bookingBId);
            const mine = proposedByUs(s);
            const open = s.status === 'PROPOSED' || s.status === 'ACCEPTED';
            const pair = swapPairs.get(s.id);
            const ours = ownBookings.get(mine ? s.bookingAId : s.bookingBId);
            const ourPlace = pair ? places.get(mine ? pair.slotA : pair.slotB) : undefined;
            const theirPlace = pair ? places.get(mine ? pair.slotB : pair.slotA) : undefined;
            const status = offeredToUs ? 'Another family would like to swap' : mine ? `You offered this swap: ${SWAP_STATUS[s.status] ?? human(s.status)}` : human(SWAP_STATUS[s.status] ?? s.status);
            return (
              <section aria-labelledby={`sw-${s.id}`}>
                <h3 class="govuk-heading-s" id={`sw-${s.id}`}>
                  {ours ? `${childName(ours.childId)}'s break on ${longDate(ours.startsAt)}` : 'A swap'}
                </h3>
                <p class="govuk-body">
                  {status}.{s.closedReason && !open ? <span class="hint"> ({s.closedReason})</span> : null}
                </p>
                {ourPlace ? (
                  <>
                    <h4 class="govuk-heading-s govuk-!-font-size-19">You would give up</h4>
                    <BreakSummary place={ourPlace} hideTransport />
                  </>
                ) : null}
                {theirPlace ? (
                  <>
                    <h4 class="govuk-heading-s govuk-!-font-size-19">{ours ? `${childName(ours.childId)} would go to` : 'You would get'}</h4>
                    <BreakSummary place={theirPlace} hideTransport />
                  </>
                ) : null}
                {offeredToUs || open ? (
                  <form method="post" action={`/family/swaps/${s.id}/close`} class="govuk-button-group">
                    <Csrf token={csrf} />
                    {offeredToUs ? <Button formaction={`/family/swaps/${s.id}/accept`}>Accept swap</Button> : null}
                    <Button variant="secondary">{mine ? 'Withdraw swap offer' : 'Reject swap'}</Button>
                  </form>
                ) : null}
              </section>
            );
          })}
        </>
      ) : (
        <p class="govuk-body">No swaps waiting for an answer. A swap that went ahead shows in the breaks above.</p>
      )}

      <h2 class="govuk-heading-m">Requests</h2>
      {requests.length ? (
        requests.map((r) => {
          const outcome = outcomes.get(r.id);
          const got = bookings.filter((b) => b.requestId === r.id).length;
          const waitingFor = waitlist.filter((w) => w.requestId === r.id).length;
          const nothing = r.status === 'ALLOCATED' && outcome && outcome.unitsGot === 0 ? nothingThisRound(outcome, waitingFor) : null;
          return (
            <section aria-labelledby={`rq-${r.id}`}>
              <h3 class="govuk-heading-s" id={`rq-${r.id}`}>
                {childName(r.childId)}: {period(r.periodStart, r.periodEnd)} <Tag colour={REQUEST_TAGS[r.status]?.[1]}>{REQUEST_TAGS[r.status]?.[0] ?? human(r.status)}</Tag>
              </h3>
              <SummaryList
                rows={[
                  {
                    key: 'Outcome',
                    value:
                      r.status === 'OPEN'
                        ? 'Waiting for the next allocation round.'
                        : r.status === 'WITHDRAWN'
                          ? 'You withdrew this request.'
                          : nothing
                            ? (
                                <>
                                  <strong>Nothing this round.</strong> Because {nothing.because.charAt(0).toLowerCase() + nothing.because.slice(1)} <br />
                                  <strong>Next step:</strong> {nothing.next}
                                </>
                              )
                            : outcome
                              ? `${outcome.summary}${got ? ` ${plural(got, 'break')} still to come, listed above.` : ''}`
                              : 'Allocated.',
                  },
                  { key: 'Transport', value: r.transportNeeded ? 'Asked for: the team arranges it once a break is booked.' : 'Not asked for' },
                ]}
              />
              <p class="govuk-body">
                <a class="govuk-link" href={`/family/requests/${r.id}`}>
                  See this request<span class="govuk-visually-hidden"> for {childName(r.childId)}, {period(r.periodStart, r.periodEnd)}</span>
                </a>
              </p>
            </section>
          );
        })
      ) : (
        <p class="govuk-body">No requests yet.</p>
      )}
      <p class="govuk-body">
        <a class="govuk-link" href="/family/request">
          Request breaks
        </a>
      </p>

      {/* Offers of a freed place are shown on the waiting list; their messages link here (/family#offers). */}
      <h2 class="govuk-heading-m" id="offers">
        Waiting list
      </h2>
      {waiting.length ? (
        waiting.map((w) => {
          const place = places.get(w.slotId);
          return (
            <section aria-label={`Waiting for ${place?.providerName ?? 'a place'}`}>
              <h3 class="govuk-heading-s">
                {childName(w.childId)}: {place ? `${place.providerName}, ${longDate(place.startsAt)}` : 'a place'}
              </h3>
              {place ? (
                <BreakSummary
                  place={place}
                  transportAsked={w.requestId ? asked.has(w.requestId) : false}
                  childName={childName(w.childId)}
                  extra={[{ key: 'Place in the queue', value: w.position ? `${w.position}${w.position === 1 ? ' (next to be offered a place)' : ''}` : 'Not known yet' }]}
                />
              ) : null}
              <form method="post" action={`/family/offers/${w.id}/decline`}>
                <Csrf token={csrf} />
                <Button variant="secondary">
                  Leave this waiting list<span class="govuk-visually-hidden"> for {place?.providerName}</span>
                </Button>
              </form>
            </section>
          );
        })
      ) : (
        <p class="govuk-body">Not on any waiting list.</p>
      )}

      <h2 class="govuk-heading-m">Calendar subscription</h2>
      {extra.calendarUrl ? (
        <>
          <p class="govuk-body">Keep these addresses private; making a new link stops the old one. The calendar updates itself: changed and cancelled breaks show within the hour.</p>
          <p class="govuk-body">
            On a phone,{' '}
            <a class="govuk-link" href={extra.calendarUrl.replace(/^https?:/, 'webcal:')}>
              subscribe in your calendar app
            </a>
            .
          </p>
          <p class="govuk-body">
            In Google or Outlook, add a calendar from this address:{' '}
            <a class="govuk-link" href={extra.calendarUrl} style="overflow-wrap:anywhere">
              {extra.calendarUrl}
            </a>
          </p>
        </>
      ) : (
        <p class="govuk-body hint">Your breaks can appear in your phone's calendar.</p>
      )}
      <form method="post" action="/family/calendar-link">
        <Csrf token={csrf} />
        <Button variant="secondary">Make a calendar link</Button>
      </form>
    </Layout>,
    extra.error ? 422 : 200,
  );
}

familyPages.get('/family', (c) => familyHome(c));

familyPages.post('/family/calendar-link', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const origin = new URL(c.req.url).origin;
  const link = await createCalendarLink(p, p.familyId, origin);
  return familyHome(c, { calendarUrl: link.url });
});

familyPages.post('/family/swaps/:id/accept', async (c) => {
  try {
    await acceptSwap(principalOf(c, 'FAMILY'), c.req.param('id'));
  } catch (err) {
    return familyHome(c, { error: errorMessage(err) });
  }
  return c.redirect('/family?done=swap', 303);
});

familyPages.post('/family/swaps/:id/close', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const form = await readForm(c);
  let status: string;
  try {
    const body = parseWith(SwapActionBody, { reason: optional(form, 'reason') });
    status = (await closeSwap(p, c.req.param('id'), body.reason)).status;
  } catch (err) {
    return familyHome(c, { error: errorMessage(err) });
  }
  return c.redirect(`/family?done=${status === 'WITHDRAWN' ? 'swapWithdrawn' : 'swapRejected'}`, 303);
});

familyPages.post('/family/offers/:id/decline', async (c) => {
  let status: string;
  try {
    status = (await declineOffer(principalOf(c, 'FAMILY'), c.req.param('id'))).status;
  } catch (err) {
    return familyHome(c, { error: errorMessage(err) });
  }
  return c.redirect(`/family?done=${status === 'WITHDRAWN' ? 'waitlistLeft' : 'offerDeclined'}`, 303);
});

familyPages.post('/family/offers/:id/accept', async (c) => {
  try {
    await acceptOffer(principalOf(c, 'FAMILY'), c.req.param('id'));
  } catch (err) {
    return familyHome(c, { error: errorMessage(err) });
  }
  return c.redirect('/family?done=offer', 303);
});

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
  error?: ReturnType<typeof errorMessage>;
  /** Editing this open request: the form posts to it and the child is fixed. */
  editing?: { id: string; childId: string };
}

/** The form a request is filed or changed with: the child first, then the period, then choices of places that can meet the child's needs. */
async function requestPage(c: Context<WebEnv>, form: FormValues, options: RequestFormOptions = {}) {
  const { error, editing } = options;
  const p = principalOf(c, 'FAMILY');
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

familyPages.get('/family/request', (c) => requestPage(c, mergeDates(c.req.query())));

familyPages.post('/family/request', async (c) => {
  const form = await readForm(c);
  try {
    const input = parseWith(CreateRequestBody, { childId: text(form, 'childId'), ...requestFields(form) });
    await createRequest(principalOf(c, 'FAMILY'), input);
  } catch (err) {
    return requestPage(c, form, { error: errorMessage(err) });
  }
  return c.redirect('/family?done=request', 303);
});

// ---- One request: see it, change it, withdraw it ------------------------------

async function requestDetailPage(c: Context<WebEnv>, error?: ReturnType<typeof errorMessage>) {
  const p = principalOf(c, 'FAMILY');
  const request = await getRequest(p, c.req.param('id')!);
  const family = await getFamily(p, p.familyId);
  const child = family.children.find((ch) => ch.id === request.childId);
  const slotIds = request.preferences.flatMap((pref) => (pref.kind === 'SLOT' ? [pref.slotId] : []));
  const places = await breakPlaces(p, slotIds, family);
  const outcome = request.status === 'ALLOCATED' ? (await requestOutcomes(p, [request])).get(request.id) : undefined;
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

familyPages.get('/family/requests/:id', (c) => requestDetailPage(c));

familyPages.get('/family/requests/:id/edit', async (c) => {
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

familyPages.post('/family/requests/:id', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const form = await readForm(c);
  const request = await getRequest(p, c.req.param('id'));
  try {
    await updateRequest(p, request.id, parseWith(UpdateRequestBody, requestFields(form)));
  } catch (err) {
    return requestPage(c, form, { error: errorMessage(err), editing: { id: request.id, childId: request.childId } });
  }
  return c.redirect(`/family/requests/${request.id}?done=requestChanged`, 303);
});

familyPages.post('/family/requests/:id/withdraw', async (c) => {
  try {
    await withdrawRequest(principalOf(c, 'FAMILY'), c.req.param('id'));
  } catch (err) {
    return requestDetailPage(c, errorMessage(err));
  }
  return c.redirect('/family?done=requestWithdrawn', 303);
});
