/** The family's home page: entitlement, upcoming breaks and why, swaps, requests, waiting lists and offers, the calendar link. */
import { Hono, type Context } from 'hono';
import { FAMILY_LIVE_BOOKING_STATUSES } from '../../domain/booking-status.js';
import { breakPlaces, requestOutcomes, swapSlots, transportAsked, transportFor } from '../../services/break-details.js';
import { listBookings } from '../../services/bookings.js';
import { createCalendarLink } from '../../services/calendar.js';
import { getFamily } from '../../services/families.js';
import { familyLedger, type LedgerRow } from '../../services/reports.js';
import { listRequests } from '../../services/requests.js';
import { acceptSwap, closeSwap, listSwaps } from '../../services/swaps.js';
import { listedBookingIds } from '../../services/swap-board.js';
import { acceptOffer, declineOffer, listWaitlist } from '../../services/waitlist.js';
import type { Principal } from '../../services/access.js';
import { SwapActionBody } from '../../schemas/swaps.js';
import { Banner, Button, Tag, Csrf, ErrorBox, Layout, StatusTag, SummaryList, Notice, human, when, type PageError } from '../layout.js';
import { BreakSummary } from '../break-summary.js';
import { longDate, period, plural } from '../format.js';
import { optional, parseWith, readForm, today } from '../forms.js';
import { principalOf, type WebEnv } from '../session.js';
import { formAction } from '../shared/form-action.js';
import { REQUEST_TAGS } from './request-status.js';

export const familyHomePages = new Hono<WebEnv>();

const DONE: Record<string, string> = {
  request: 'Your request has been sent. You will hear when the next allocation round is published.',
  offer: 'You accepted the offered place. It is now in your upcoming breaks.',
  swap: 'You accepted the swap. The breaks change over once the coordinator approves (if your council asks for approval).',
  swapRejected: 'You rejected the swap. Your break stays as it is.',
  swapWithdrawn: 'You withdrew your swap offer. Your break stays as it is.',
  offerDeclined: 'You declined the offered place. It will be offered to the next child waiting.',
  waitlistLeft: 'You left the waiting list.',
  requestWithdrawn: 'You withdrew the request. The next allocation round leaves it out.',
};
const SWAPPABLE = ['CONFIRMED', 'ALLOCATED'];
const SWAP_STATUS: Record<string, string> = {
  PROPOSED: 'waiting for the other family',
  ACCEPTED: 'both families agreed; waiting for the coordinator to approve',
  COMPLETED: 'done: the breaks have changed over',
  REJECTED: 'the other family said no',
  EXPIRED: 'expired before it was completed',
  SUPERSEDED: 'closed because one of the breaks changed',
  WITHDRAWN: 'you withdrew it',
};

type Outcome = Awaited<ReturnType<typeof requestOutcomes>> extends Map<string, infer O> ? O : never;

/** "Nothing this round, because …; next step …" for a request a round gave nothing, in the family's words. */
function nothingThisRound(outcome: Outcome, waitingFor: number): { because: string; next: string } {
  const because = outcome.summary.replace(/^Asked for [^.]*, got none\.\s*/, '').replace(/^Nothing could be offered for this request:?\s*/, '') || 'no suitable place was free.';
  const next = waitingFor
    ? `Your child is on the waiting list for ${waitingFor === 1 ? 'one of your choices' : `${waitingFor} of your choices`}. If a place comes free it is offered here first, and you choose whether to take it.`
    : 'Your child moves up the rotation for the next round. You can request breaks for another period now, or ask your short-breaks team about other places.';
  return { because, next };
}

/** Items split by a test, in their order: what passes first, the rest after. */
function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const pass: T[] = [];
  const fail: T[] = [];
  for (const item of items) (test(item) ? pass : fail).push(item);
  return [pass, fail];
}

/** The award in force first, then any that start later; ended ones latest first. A family reads this year's figures, not last year's. */
function splitAwards(ledger: readonly LedgerRow[], day: string) {
  const [now, ended] = partition(ledger, (a) => a.periodEnd >= day);
  return { now: now.sort((a, b) => a.periodStart.localeCompare(b.periodStart)), ended: ended.sort((a, b) => b.periodStart.localeCompare(a.periodStart)) };
}

const AwardSummary = ({ award: l }: { award: LedgerRow }) => (
  <SummaryList
    rows={[
      { key: 'Award period', value: period(l.periodStart, l.periodEnd) },
      { key: 'Nights', value: `${l.awardedNights} awarded, ${l.allocatedNights} booked, ${l.deliveredNights} delivered` },
      { key: 'Day sessions', value: `${l.awardedSessions} awarded, ${l.allocatedSessions} booked, ${l.deliveredSessions} delivered` },
    ]}
  />
);

/** What is over, folded away under a count, still one click from the page. */
const Earlier = ({ summary, count, children }: { summary: string; count: number; children?: unknown }) =>
  count ? (
    <details class="govuk-details">
      <summary class="govuk-details__summary">
        <span class="govuk-details__summary-text">
          {summary} ({count})
        </span>
      </summary>
      <div class="govuk-details__text">{children}</div>
    </details>
  ) : null;

/**
 * Everything the home page shows, in a fixed number of reads whatever the family's size:
 * the lists first, then the places, transport and round outcomes they refer to, each in one batch.
 */
async function loadFamilyHome(p: Extract<Principal, { role: 'FAMILY' }>) {
  const [family, ledgers, allUpcoming, requestList, allSwaps, waitlist, onBoard] = await Promise.all([
    getFamily(p, p.familyId),
    familyLedger(p, p.familyId),
    listBookings(p, { from: today(), limit: 200 }).then((r) => r.items),
    listRequests(p, { limit: 50 }).then((r) => r.items),
    listSwaps(p, { limit: 200 }).then((r) => r.items),
    listWaitlist(p, {}),
    listedBookingIds(p),
  ]);
  const day = today();
  const children = family.children.map((ch) => ({ ...ch, awards: splitAwards(ledgers.get(ch.id) ?? [], day) }));
  const bookings = allUpcoming
    .filter((b) => (FAMILY_LIVE_BOOKING_STATUSES as readonly string[]).includes(b.status))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const requests = requestList.sort((a, b) => b.periodStart.localeCompare(a.periodStart));
  // Requests still to be decided or whose dates have not all passed stay in view; a year of fortnightly
  // rounds would otherwise bury them under two dozen finished ones.
  const [currentRequests, earlierRequests] = partition(requests, (r) => r.status === 'OPEN' || r.periodEnd >= day);
  const ownBookings = new Map(allUpcoming.map((b) => [b.id, b]));
  // Open swaps either way, plus every swap this family proposed (with how it ended).
  const proposedByUs = (s: (typeof allSwaps)[number]) => !ownBookings.has(s.bookingBId);
  const swaps = allSwaps.filter((s) => s.status === 'PROPOSED' || s.status === 'ACCEPTED' || proposedByUs(s));
  const [swapPairs, outcomes, asked] = await Promise.all([
    swapSlots(p, swaps.map((s) => s.id)),
    requestOutcomes(p, requests.filter((r) => r.status === 'ALLOCATED')),
    transportAsked(p, [...bookings.flatMap((b) => (b.requestId ? [b.requestId] : [])), ...waitlist.flatMap((w) => (w.requestId ? [w.requestId] : []))]),
  ]);
  const places = await breakPlaces(p, [...bookings.map((b) => b.slotId), ...waitlist.map((w) => w.slotId), ...[...swapPairs.values()].flatMap((x) => [x.slotA, x.slotB])], family);
  const legs = await transportFor(p, bookings.map((b) => b.id));
  return {
    family,
    children,
    bookings,
    requests,
    currentRequests,
    earlierRequests,
    ownBookings,
    proposedByUs,
    swaps,
    waitlist,
    onBoard,
    offers: waitlist.filter((w) => w.status === 'OFFERED'),
    waiting: waitlist.filter((w) => w.status !== 'OFFERED'),
    swapPairs,
    outcomes,
    asked,
    places,
    legs,
  };
}

async function familyHome(c: Context<WebEnv>, extra: { calendarUrl?: string; error?: PageError } = {}) {
  const p = principalOf(c, 'FAMILY');
  const { family, children, bookings, requests, currentRequests, earlierRequests, ownBookings, proposedByUs, swaps, waitlist, onBoard, offers, waiting, swapPairs, outcomes, asked, places, legs } = await loadFamilyHome(p);
  const names = new Map(children.map((ch) => [ch.id, ch.firstName]));
  const nowIso = new Date().toISOString();
  const csrf = c.get('csrfToken');
  const childName = (id: string) => names.get(id) ?? 'your child';
  const requestSection = (r: (typeof requests)[number]) => {
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
  };
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
          {ch.awards.now.length + ch.awards.ended.length ? (
            <>
              {ch.awards.now.map((l) => (
                <AwardSummary award={l} />
              ))}
              <Earlier summary="Earlier award periods" count={ch.awards.ended.length}>
                {ch.awards.ended.map((l) => (
                  <AwardSummary award={l} />
                ))}
              </Earlier>
            </>
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
        <>
          {currentRequests.map(requestSection)}
          <Earlier summary="Earlier requests" count={earlierRequests.length}>
            {earlierRequests.map(requestSection)}
          </Earlier>
        </>
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


familyHomePages.get('/family', (c) => familyHome(c));

familyHomePages.post('/family/calendar-link', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const origin = new URL(c.req.url).origin;
  const link = await createCalendarLink(p, p.familyId, origin);
  return familyHome(c, { calendarUrl: link.url });
});

const refusedHere = (c: Context<WebEnv>) => (error: PageError) => familyHome(c, { error });

familyHomePages.post('/family/swaps/:id/accept', (c) =>
  formAction(() => acceptSwap(principalOf(c, 'FAMILY'), c.req.param('id')), { done: () => c.redirect('/family?done=swap', 303), refused: refusedHere(c) }),
);

familyHomePages.post('/family/swaps/:id/close', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const form = await readForm(c);
  return formAction(
    async () => {
      const body = parseWith(SwapActionBody, { reason: optional(form, 'reason') });
      return (await closeSwap(p, c.req.param('id'), body.reason)).status;
    },
    { done: (status) => c.redirect(`/family?done=${status === 'WITHDRAWN' ? 'swapWithdrawn' : 'swapRejected'}`, 303), refused: refusedHere(c) },
  );
});

familyHomePages.post('/family/offers/:id/decline', (c) =>
  formAction(async () => (await declineOffer(principalOf(c, 'FAMILY'), c.req.param('id'))).status, {
    done: (status) => c.redirect(`/family?done=${status === 'WITHDRAWN' ? 'waitlistLeft' : 'offerDeclined'}`, 303),
    refused: refusedHere(c),
  }),
);

familyHomePages.post('/family/offers/:id/accept', (c) =>
  formAction(() => acceptOffer(principalOf(c, 'FAMILY'), c.req.param('id')), { done: () => c.redirect('/family?done=offer', 303), refused: refusedHere(c) }),
);
