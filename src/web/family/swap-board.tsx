/**
 * The swap board as a family uses it: put a break it cannot use on the board,
 * see other families' listed breaks its child could take (never whose they
 * are), and offer one of its own breaks for one. The offer is a swap proposal
 * the other family answers on its own page.
 */
import { Hono, type Context } from 'hono';
import { listBookings } from '../../services/bookings.js';
import { getFamily } from '../../services/families.js';
import { breakPlaces } from '../../services/break-details.js';
import { listOnSwapBoard, offerFromSwapBoard, swapBoard, withdrawFromSwapBoard } from '../../services/swap-board.js';
import { ListOnSwapBoardBody, OfferFromSwapBoardBody } from '../../schemas/swap-board.js';
import { BreakSummary } from '../break-summary.js';
import { longDate, plural } from '../format.js';
import { parseWith, readForm, text, today } from '../forms.js';
import { Button, Csrf, ErrorBox, Layout, Notice, addNavItem, type PageError } from '../layout.js';
import { principalOf, requirePage, type WebEnv } from '../session.js';
import { formAction } from '../shared/form-action.js';

export const familySwapBoardPages = new Hono<WebEnv>();
familySwapBoardPages.use('/family/swap-board', requirePage('FAMILY'));
familySwapBoardPages.use('/family/swap-board/*', requirePage('FAMILY'));
addNavItem('FAMILY', { href: '/family/swap-board', label: 'Swap board' });

const DONE: Record<string, string> = {
  listed: 'Your break is on the swap board. Other families see where and when it is, never who you are.',
  withdrawn: 'Your break is off the swap board. Swap offers already made for it stay on Our breaks until you answer them.',
  offered: 'Your swap offer has been sent. The other family can accept or reject it; you see their answer under Swaps on Our breaks.',
};
const SWAPPABLE = ['CONFIRMED', 'ALLOCATED'];

async function boardPage(c: Context<WebEnv>, error?: PageError) {
  const p = principalOf(c, 'FAMILY');
  const family = await getFamily(p, p.familyId);
  const names = new Map(family.children.map((ch) => [ch.id, ch.firstName]));
  const board = await swapBoard(p);
  const listedIds = new Set(board.listed.map((l) => l.bookingId));
  const nowIso = new Date().toISOString();
  const ownUpcoming = (await listBookings(p, { from: today(), limit: 200 })).items.filter((b) => SWAPPABLE.includes(b.status) && b.startsAt > nowIso && !listedIds.has(b.id));
  const ownPlaces = await breakPlaces(p, ownUpcoming.map((b) => b.slotId), family);
  const csrf = c.get('csrfToken');
  const childName = (id: string) => names.get(id) ?? 'Your child';
  return c.html(
    <Layout title="Swap board" session={p} csrf={csrf} current="/family/swap-board">
      <Notice text={DONE[c.req.query('done') ?? '']} />
      <ErrorBox error={error} />
      <p class="govuk-body">
        If your child cannot use a break, put it on the board. Other families in your council see where and when it is, never who you are. A family whose child
        could take it can offer one of their breaks in return, and you choose whether to accept.
      </p>

      <h2 class="govuk-heading-m">Breaks other families would give up</h2>
      {board.available.length ? (
        board.available.map((entry, i) => (
          <section class="app-break" aria-labelledby={`board-${entry.listingId}`}>
            <h3 class="govuk-heading-s" id={`board-${entry.listingId}`}>
              {entry.place.providerName}, {longDate(entry.place.startsAt)}
            </h3>
            <BreakSummary place={entry.place} hideTransport />
            {entry.forChildren.map((forChild) => {
              const open = forChild.exchangeFor.filter((x) => !x.alreadyOffered);
              const offered = forChild.exchangeFor.filter((x) => x.alreadyOffered);
              const legendId = `give-${i}-${forChild.childId}`;
              return (
                <>
                  {offered.map((x) => (
                    <p class="govuk-inset-text">
                      You offered {childName(forChild.childId)}'s break at {x.place.providerName} on {longDate(x.place.startsAt)} for this one. Waiting for the other family.
                    </p>
                  ))}
                  {open.length ? (
                    <form method="post" action={`/family/swap-board/${entry.listingId}/offer`}>
                      <Csrf token={csrf} />
                      <div class="govuk-form-group">
                        <fieldset class="govuk-fieldset" aria-describedby={`${legendId}-hint`}>
                          <legend class="govuk-fieldset__legend govuk-fieldset__legend--s" id={legendId}>
                            {childName(forChild.childId)} could take this break. Which of {childName(forChild.childId)}'s breaks would you give in return?
                          </legend>
                          <div class="govuk-hint" id={`${legendId}-hint`}>
                            Only breaks the other family's child could take are listed.
                          </div>
                          <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
                            {open.map((x, j) => (
                              <div class="govuk-radios__item">
                                <input class="govuk-radios__input" id={`${legendId}-${j}`} type="radio" name="bookingId" value={x.bookingId} checked={open.length === 1} required />
                                <label class="govuk-label govuk-radios__label" for={`${legendId}-${j}`}>
                                  {x.place.providerName}, {longDate(x.place.startsAt)} ({x.place.nights ? plural(x.place.nights, 'night') : 'day session'})
                                </label>
                              </div>
                            ))}
                          </div>
                        </fieldset>
                      </div>
                      <Button>
                        Offer this swap<span class="govuk-visually-hidden"> for {entry.place.providerName}, {longDate(entry.place.startsAt)}</span>
                      </Button>
                    </form>
                  ) : null}
                </>
              );
            })}
          </section>
        ))
      ) : (
        <p class="govuk-body">No break on the board suits your children just now.</p>
      )}
      {board.notSuitable ? (
        <p class="govuk-body hint">
          {plural(board.notSuitable, 'other break is', 'other breaks are')} on the board but not listed here: your children could not take {board.notSuitable === 1 ? 'it' : 'them'},
          or none of your breaks could go to the other child in return.
        </p>
      ) : null}

      <h2 class="govuk-heading-m">Your breaks on the board</h2>
      {board.listed.length ? (
        board.listed.map((l) => (
          <section class="app-break" aria-labelledby={`listed-${l.id}`}>
            <h3 class="govuk-heading-s" id={`listed-${l.id}`}>
              {childName(l.childId)}: {l.place.providerName}, {longDate(l.place.startsAt)}
            </h3>
            <BreakSummary place={l.place} hideTransport />
            <form method="post" action={`/family/swap-board/${l.id}/withdraw`}>
              <Csrf token={csrf} />
              <Button variant="secondary">
                Take off the board<span class="govuk-visually-hidden"> the break at {l.place.providerName}, {longDate(l.place.startsAt)}</span>
              </Button>
            </form>
          </section>
        ))
      ) : (
        <p class="govuk-body">None of your breaks is on the board.</p>
      )}

      <h2 class="govuk-heading-m">Put a break on the board</h2>
      {ownUpcoming.length ? (
        <ul class="govuk-list">
          {ownUpcoming.map((b) => {
            const place = ownPlaces.get(b.slotId);
            const label = `${childName(b.childId)}: ${b.providerName}, ${longDate(b.startsAt)}${place?.nights ? ` (${plural(place.nights, 'night')})` : ''}`;
            return (
              <li>
                <form method="post" action="/family/swap-board" class="app-inline-form">
                  <Csrf token={csrf} />
                  <input type="hidden" name="bookingId" value={b.id} />
                  <p class="govuk-body govuk-!-margin-bottom-1">{label}</p>
                  <Button variant="secondary">
                    Put on the swap board<span class="govuk-visually-hidden"> the break of {label}</span>
                  </Button>
                </form>
              </li>
            );
          })}
        </ul>
      ) : (
        <p class="govuk-body">You have no upcoming break that could be swapped.</p>
      )}
    </Layout>,
    error ? 422 : 200,
  );
}

familySwapBoardPages.get('/family/swap-board', (c) => boardPage(c));

const refusedHere = (c: Context<WebEnv>) => (error: PageError) => boardPage(c, error);

familySwapBoardPages.post('/family/swap-board', async (c) => {
  const form = await readForm(c);
  return formAction(() => listOnSwapBoard(principalOf(c, 'FAMILY'), parseWith(ListOnSwapBoardBody, { bookingId: text(form, 'bookingId') }).bookingId), {
    done: () => c.redirect('/family/swap-board?done=listed', 303),
    refused: refusedHere(c),
  });
});

familySwapBoardPages.post('/family/swap-board/:id/withdraw', (c) =>
  formAction(() => withdrawFromSwapBoard(principalOf(c, 'FAMILY'), c.req.param('id')), { done: () => c.redirect('/family/swap-board?done=withdrawn', 303), refused: refusedHere(c) }),
);

familySwapBoardPages.post('/family/swap-board/:id/offer', async (c) => {
  const form = await readForm(c);
  return formAction(() => offerFromSwapBoard(principalOf(c, 'FAMILY'), c.req.param('id'), parseWith(OfferFromSwapBoardBody, { bookingId: text(form, 'bookingId') }).bookingId), {
    done: () => c.redirect('/family/swap-board?done=offered', 303),
    refused: refusedHere(c),
  });
});
