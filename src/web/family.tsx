/** Family pages: entitlement, upcoming breaks and why, requests, waitlist offers, calendar link. */
import { Hono, type Context } from 'hono';
import { addDays } from '../domain/london-time.js';
import { LIVE_BOOKING_STATUSES } from '../services/access.js';
import { getRound } from '../services/allocation-rounds.js';
import { listBookings } from '../services/bookings.js';
import { createCalendarLink } from '../services/calendar.js';
import { getChild, getFamily } from '../services/families.js';
import { createRequest, listRequests } from '../services/requests.js';
import { listSlots } from '../services/slots.js';
import { acceptSwap, closeSwap, listSwaps, proposeSwap } from '../services/swaps.js';
import { acceptOffer, declineOffer, listWaitlist } from '../services/waitlist.js';
import { CreateRequestBody } from '../schemas/requests.js';
import { CreateSwapBody, SwapActionBody } from '../schemas/swaps.js';
import { invalid } from '../http/problem.js';
import { CapabilitySelect, Csrf, ErrorBox, Layout, capabilityOf, Notice, errorMessage, when } from './layout.js';
import { integer, isDate, list, optional, parseWith, readForm, text, today, type FormValues } from './forms.js';
import { principalOf, requirePage, type WebEnv } from './session.js';

export const familyPages = new Hono<WebEnv>();
familyPages.use('/family', requirePage('FAMILY'));
familyPages.use('/family/*', requirePage('FAMILY'));

const DONE: Record<string, string> = {
  request: 'Your request has been sent. You will hear when the next allocation round is published.',
  offer: 'You accepted the offered place. It is now in your upcoming breaks.',
  swap: 'You accepted the swap. The breaks change over once the coordinator approves (if your council asks for approval).',
  swapProposed: 'Your swap offer has been sent. The other family can accept or reject it on their page.',
  swapRejected: 'You rejected the swap. Your break stays as it is.',
  swapWithdrawn: 'You withdrew your swap offer. Your break stays as it is.',
  offerDeclined: 'You declined the offered place. It will be offered to the next child waiting.',
  waitlistLeft: 'You left the waiting list.',
};
const SWAPPABLE = ['CONFIRMED', 'ALLOCATED'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
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

async function familyHome(c: Context<WebEnv>, extra: { calendarUrl?: string; error?: ReturnType<typeof errorMessage>; swapFor?: string; swapWith?: string } = {}) {
  const p = principalOf(c, 'FAMILY');
  const family = await getFamily(p, p.familyId);
  const children = await Promise.all(family.children.map((child) => getChild(p, child.id)));
  const names = new Map(children.map((ch) => [ch.id, ch.firstName]));
  const allUpcoming = (await listBookings(p, { from: today(), limit: 200 })).items;
  const bookings = allUpcoming
    .filter((b) => (LIVE_BOOKING_STATUSES as readonly string[]).includes(b.status))
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  // Why each allocated break was given: the published round's explanation for our child.
  const summaries = new Map<string, string>();
  for (const roundId of new Set(bookings.flatMap((b) => (b.roundId ? [b.roundId] : [])))) {
    const round = await getRound(p, roundId).catch(() => null);
    for (const e of round?.explanations ?? []) summaries.set(`${roundId}|${(e as { childId: string }).childId}`, (e as { summary: string }).summary);
  }
  const requests = (await listRequests(p, { limit: 50 })).items;
  const ownBookings = new Map(allUpcoming.map((b) => [b.id, b]));
  const nowIso = new Date().toISOString();
  const allSwaps = (await listSwaps(p, { limit: 200 })).items;
  // Open swaps either way, plus every swap this family proposed (with how it ended).
  const proposedByUs = (s: (typeof allSwaps)[number]) => !ownBookings.has(s.bookingBId);
  const swaps = allSwaps.filter((s) => s.status === 'PROPOSED' || s.status === 'ACCEPTED' || proposedByUs(s));
  const waitlist = await listWaitlist(p, {});
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title={`${family.name}: our short breaks`} session={p} csrf={csrf} current="/family">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={extra.error} />
      <h2>Entitlement</h2>
      {children.map((ch) => (
        <section aria-labelledby={`ent-${ch.id}`}>
          <h3 id={`ent-${ch.id}`}>
            {ch.firstName} {ch.lastName}
          </h3>
          {(ch.ledger ?? []).length ? (
            (ch.ledger ?? []).map((l) => (
              <dl class="passport">
                <dt>Award period</dt>
                <dd>
                  {l.periodStart} to {l.periodEnd}
                </dd>
                <dt>Nights awarded</dt>
                <dd>{l.awardedNights}</dd>
                <dt>Nights booked</dt>
                <dd>{l.allocatedNights}</dd>
                <dt>Nights delivered</dt>
                <dd>{l.deliveredNights}</dd>
                <dt>Day sessions awarded</dt>
                <dd>{l.awardedSessions}</dd>
                <dt>Day sessions booked / delivered</dt>
                <dd>
                  {l.allocatedSessions} / {l.deliveredSessions}
                </dd>
              </dl>
            ))
          ) : (
            <p>No award recorded yet; your coordinator sets it.</p>
          )}
        </section>
      ))}

      <h2>Upcoming breaks</h2>
      {bookings.length ? (
        <ul>
          {bookings.map((b) => (
            <li>
              <strong>{names.get(b.childId)}</strong>: {b.providerName}, {when(b.startsAt)} to {when(b.endsAt)} ({b.status.toLowerCase()})
              {b.roundId && summaries.get(`${b.roundId}|${b.childId}`) ? <p class="hint">{summaries.get(`${b.roundId}|${b.childId}`)}</p> : null}
              <p class="hint">
                Booking reference: <code>{b.id}</code>
              </p>
              {SWAPPABLE.includes(b.status) && b.startsAt > nowIso ? (
                <details open={extra.swapFor === b.id}>
                  <summary>Swap this break with another family</summary>
                  <form method="post" action={`/family/bookings/${b.id}/swap`}>
                    <Csrf token={csrf} />
                    <label for={`with-${b.id}`}>Other family's booking reference</label>
                    <input
                      type="text"
                      id={`with-${b.id}`}
                      name="withBookingId"
                      required
                      spellcheck={false}
                      autocomplete="off"
                      aria-describedby={`with-${b.id}-hint`}
                      value={extra.swapFor === b.id ? extra.swapWith : undefined}
                    />
                    <p class="hint" id={`with-${b.id}-hint`}>
                      You cannot see other families' breaks, so ask the family you agreed a swap with for their booking reference (it looks like
                      this break's reference above) and give them yours.
                    </p>
                    <button type="submit">Offer swap</button>
                  </form>
                </details>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>No breaks booked yet.</p>
      )}

      {swaps.length ? (
        <>
          <h2>Swaps</h2>
          <ul>
            {swaps.map((s) => {
              const offeredToUs = s.status === 'PROPOSED' && ownBookings.has(s.bookingBId);
              const mine = proposedByUs(s);
              const open = s.status === 'PROPOSED' || s.status === 'ACCEPTED';
              const ours = ownBookings.get(s.bookingBId) ?? ownBookings.get(s.bookingAId);
              return (
                <li>
                  {ours ? `${names.get(ours.childId)}'s break on ${when(ours.startsAt)}: ` : ''}
                  {offeredToUs
                    ? 'another family would like to swap this break for one of theirs.'
                    : mine
                      ? `you offered a swap for booking ${s.bookingBId} — ${SWAP_STATUS[s.status] ?? s.status.toLowerCase()}.`
                      : `${SWAP_STATUS[s.status] ?? s.status.toLowerCase()}.`}
                  {s.closedReason && !open ? <span class="hint"> ({s.closedReason})</span> : null}
                  {offeredToUs ? (
                    <form method="post" action={`/family/swaps/${s.id}/accept`}>
                      <Csrf token={csrf} />
                      <button type="submit">Accept swap</button>
                    </form>
                  ) : null}
                  {open ? (
                    <form method="post" action={`/family/swaps/${s.id}/close`}>
                      <Csrf token={csrf} />
                      <button type="submit" class="secondary">
                        {mine ? 'Withdraw swap offer' : 'Reject swap'}
                      </button>
                    </form>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}

      <h2>Requests</h2>
      {requests.length ? (
        <ul>
          {requests.map((r) => (
            <li>
              {names.get(r.childId)}: {r.periodStart} to {r.periodEnd}, {r.preferences.length} preference(s) — {r.status === 'OPEN' ? 'waiting for the next allocation round' : r.status.toLowerCase()}
            </li>
          ))}
        </ul>
      ) : (
        <p>No requests yet.</p>
      )}
      <p>
        <a href="/family/request">Request breaks</a>
      </p>

      <h2>Waiting list</h2>
      {waitlist.length ? (
        <ul>
          {waitlist.map((w) => (
            <li>
              {names.get(w.childId)}:{' '}
              {w.status === 'OFFERED' ? (
                <form method="post" action={`/family/offers/${w.id}/accept`}>
                  A place is offered until {w.offerExpiresAt ? when(w.offerExpiresAt) : 'soon'}. <Csrf token={csrf} />
                  <button type="submit">Accept this place</button>
                  <button type="submit" class="secondary" formaction={`/family/offers/${w.id}/decline`}>
                    Decline this place
                  </button>
                </form>
              ) : (
                <form method="post" action={`/family/offers/${w.id}/decline`}>
                  position {w.position ?? '–'} for a place. <Csrf token={csrf} />
                  <button type="submit" class="secondary">
                    Leave this waiting list
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>Not on any waiting list.</p>
      )}

      <h2>Calendar subscription</h2>
      {extra.calendarUrl ? (
        <p>
          Subscribe to this address in your phone's calendar (keep it private; making a new one stops the old one):{' '}
          <a href={extra.calendarUrl}>{extra.calendarUrl}</a>
        </p>
      ) : (
        <p class="hint">Your breaks can appear in your phone's calendar.</p>
      )}
      <form method="post" action="/family/calendar-link">
        <Csrf token={csrf} />
        <button type="submit" class="secondary">
          Make a calendar link
        </button>
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

familyPages.post('/family/bookings/:id/swap', async (c) => {
  const p = principalOf(c, 'FAMILY');
  const form = await readForm(c);
  const bookingId = c.req.param('id');
  const withBookingId = text(form, 'withBookingId');
  try {
    const field = 'Other family’s booking reference';
    if (!UUID.test(withBookingId)) {
      throw invalid(
        [{ path: field, message: 'a booking reference looks like 1b4e28ba-2fa1-4d2b-883f-0016d3cca427 (ask the other family to copy it from their page)' }],
        'Enter the other family’s booking reference',
      );
    }
    if (withBookingId.toLowerCase() === bookingId.toLowerCase()) {
      throw invalid([{ path: field, message: 'this is your own booking’s reference; enter the one the other family gave you' }], 'Enter the other family’s booking reference');
    }
    await proposeSwap(p, parseWith(CreateSwapBody, { bookingId, withBookingId: withBookingId.toLowerCase() }));
  } catch (err) {
    return familyHome(c, { error: errorMessage(err), swapFor: bookingId, swapWith: withBookingId });
  }
  return c.redirect('/family?done=swapProposed', 303);
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

async function requestPage(c: Context<WebEnv>, form: FormValues, error?: ReturnType<typeof errorMessage>) {
  const p = principalOf(c, 'FAMILY');
  const family = await getFamily(p, p.familyId);
  const from = isDate(text(form, 'periodStart')) ? text(form, 'periodStart') : addDays(today(), 1);
  const to = isDate(text(form, 'periodEnd')) && text(form, 'periodEnd') >= from ? text(form, 'periodEnd') : addDays(from, 13);
  const capability = capabilityOf(text(form, 'capability'));
  const kind = KINDS.find(([k]) => k === text(form, 'kind'))?.[0];
  const found = await listSlots(p, { from, to: to > addDays(from, 190) ? addDays(from, 190) : to, available: 'true', capability, kind, limit: 200 });
  const slots = found.items;
  const chosenDays = new Set(list(form, 'days'));
  const csrf = c.get('csrfToken');
  return c.html(
    <Layout title="Request short breaks" session={p} csrf={csrf} current="/family/request">
      <ErrorBox error={error} />
      <form method="get" action="/family/request">
        <fieldset>
          <legend>Which period?</legend>
          <label for="periodStart">From</label>
          <input type="date" id="periodStart" name="periodStart" value={from} required />
          <label for="periodEnd">To</label>
          <input type="date" id="periodEnd" name="periodEnd" value={to} required />
          <label for="kind">Type of break</label>
          <select id="kind" name="kind">
            <option value="">Any</option>
            {KINDS.map(([k, label]) => (
              <option value={k} selected={k === kind}>
                {label}
              </option>
            ))}
          </select>
          <CapabilitySelect label="The place must be able to meet" value={capability} />
          <button type="submit" class="secondary">
            Show breaks in this period
          </button>
        </fieldset>
      </form>
      <form method="post" action="/family/request">
        <Csrf token={csrf} />
        <input type="hidden" name="periodStart" value={from} />
        <input type="hidden" name="periodEnd" value={to} />
        <label for="childId">Child</label>
        <select id="childId" name="childId" required>
          {family.children.map((ch) => (
            <option value={ch.id} selected={text(form, 'childId') === ch.id}>
              {ch.firstName} {ch.lastName}
            </option>
          ))}
        </select>
        <fieldset>
          <legend>
            Preferred breaks, {from} to {to} (most wanted first)
          </legend>
          <p class="hint">
            {found.nextCursor ? `More than ${slots.length} breaks have free places; the first ${slots.length} are listed, so choose a shorter period to see the rest.` : `${slots.length} breaks have free places in this period.`}{' '}
            Choose up to three, or choose days of the week below.
          </p>
          {[1, 2, 3].map((rank) => (
            <>
              <label for={`pref${rank}`}>Choice {rank}</label>
              <select id={`pref${rank}`} name={`pref${rank}`}>
                <option value="">No choice</option>
                {slots.map((s) => (
                  <option value={s.id} selected={text(form, `pref${rank}`) === s.id}>
                    {s.providerName}: {when(s.startsAt)}, {s.nights ? `${s.nights} night(s)` : 'day'}, {s.free} free
                  </option>
                ))}
              </select>
            </>
          ))}
        </fieldset>
        <fieldset class="checks">
          <legend>Or: any night starting on these days</legend>
          {DAYS.map((d, i) => (
            <label>
              <input type="checkbox" name="days" value={String(i)} checked={chosenDays.has(String(i))} />
              {d}
            </label>
          ))}
        </fieldset>
        <label for="nightsWanted">How many nights would you like? (optional)</label>
        <input type="number" id="nightsWanted" name="nightsWanted" min="1" max="366" value={text(form, 'nightsWanted')} />
        <fieldset class="checks">
          <legend>Also</legend>
          <label>
            <input type="checkbox" name="flexible" value="true" checked={text(form, 'flexible') === 'true'} />
            Any suitable break in the period will do
          </label>
          <label>
            <input type="checkbox" name="transportNeeded" value="true" checked={text(form, 'transportNeeded') === 'true'} />
            We need transport
          </label>
        </fieldset>
        <label for="notes">Anything the team should know (optional)</label>
        <textarea id="notes" name="notes" rows={3} maxlength={1000}>
          {text(form, 'notes')}
        </textarea>
        <div>
          <button type="submit">Send request</button>
        </div>
      </form>
    </Layout>,
    error ? 422 : 200,
  );
}

familyPages.get('/family/request', (c) => requestPage(c, c.req.query()));

familyPages.post('/family/request', async (c) => {
  const form = await readForm(c);
  try {
    const slotIds = [...new Set(['pref1', 'pref2', 'pref3'].map((k) => text(form, k)).filter(Boolean))];
    const days = list(form, 'days').map(Number);
    const preferences = [
      ...slotIds.map((slotId) => ({ kind: 'SLOT' as const, slotId })),
      ...(days.length ? [{ kind: 'DAYS' as const, daysOfWeek: days }] : []),
    ];
    if (!preferences.length) throw invalid([{ path: 'preferences', message: 'choose at least one break or one day of the week' }], 'Say which breaks you would like');
    const input = parseWith(CreateRequestBody, {
      childId: text(form, 'childId'),
      periodStart: text(form, 'periodStart'),
      periodEnd: text(form, 'periodEnd'),
      preferences,
      flexible: text(form, 'flexible') === 'true',
      transportNeeded: text(form, 'transportNeeded') === 'true',
      nightsWanted: integer(form, 'nightsWanted'),
      notes: optional(form, 'notes'),
    });
    await createRequest(principalOf(c, 'FAMILY'), input);
  } catch (err) {
    return requestPage(c, form, errorMessage(err));
  }
  return c.redirect('/family?done=request', 303);
});
