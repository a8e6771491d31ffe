/**
 * One break as a family or a coordinator reads it: the place, the dates, the
 * journey from home and how the child gets there. Used for bookings, offers,
 * waiting-list places, swaps and request choices alike, so each says the same.
 */
import type { FC } from 'hono/jsx';
import type { BreakPlace, TransportLeg } from '../services/break-details.js';
import { clockTime, longDate, plural, span } from './format.js';
import { SummaryList, type SummaryRow } from './layout.js';

/** What a summary shows of a place: a swap-board entry carries no slot or provider id. */
type ShownPlace = Omit<BreakPlace, 'slotId' | 'providerId'>;

const KIND_WORDS: Record<string, string> = {
  RESIDENTIAL: 'Overnight stay at a residential unit',
  COMMUNITY: 'Community club or day session',
  FAMILY_BASED: 'Stay with an approved foster carer',
};

export const kindWords = (kind: string) => KIND_WORDS[kind] ?? kind;

/** "About 12 miles, about 25 minutes by road from home". */
export function journeyWords(place: ShownPlace): string {
  if (!place.journey) return 'We do not have your home address, so the journey cannot be worked out.';
  const miles = place.journey.miles < 1 ? 'under a mile' : `about ${Math.round(place.journey.miles)} ${Math.round(place.journey.miles) === 1 ? 'mile' : 'miles'}`;
  return `${miles.charAt(0).toUpperCase()}${miles.slice(1)} from home, about ${plural(Math.max(5, Math.round(place.journey.minutes / 5) * 5), 'minute')} by road`;
}

/** How the child travels: seats on transport runs, transport asked for but not yet arranged, or the family's own journey. */
export function transportWords(legs: TransportLeg[] | undefined, asked: boolean, childName: string): string {
  if (legs?.length) {
    return legs
      .map((l) =>
        l.direction === 'TO_BREAK'
          ? `There: picked up from home on ${longDate(l.departAt)} at ${clockTime(l.departAt)} by ${l.vehicle}${l.hasEscort ? ', with an escort' : ''}.`
          : `Back: collected on ${longDate(l.departAt)} at ${clockTime(l.departAt)} by ${l.vehicle}, home by about ${clockTime(l.returnAt)}.`,
      )
      .join(' ');
  }
  if (asked) return `You asked for transport. The short-breaks team arranges it and will tell you the pick-up time; until then, ask them if you need to plan.`;
  return `Not asked for: you take ${childName} there and collect them.`;
}

export const BreakSummary: FC<{ place: ShownPlace; childName?: string; legs?: TransportLeg[]; transportAsked?: boolean; extra?: SummaryRow[]; hideTransport?: boolean }> = ({
  place,
  childName,
  legs,
  transportAsked,
  extra,
  hideTransport,
}) => (
  <SummaryList
    rows={[
      ...(childName ? [{ key: 'Child', value: childName }] : []),
      {
        key: 'Where',
        value: (
          <>
            {place.providerName}
            <br />
            <span class="govuk-hint govuk-!-margin-0">
              {kindWords(place.providerKind)}, {place.address}
              {place.phone ? `, telephone ${place.phone}` : ''}
            </span>
          </>
        ),
      },
      { key: 'When', value: `${span(place.startsAt, place.endsAt)}${place.nights ? ` (${plural(place.nights, 'night')})` : ' (day session)'}` },
      { key: 'Journey', value: journeyWords(place) },
      ...(hideTransport ? [] : [{ key: 'Transport', value: transportWords(legs, transportAsked ?? false, childName ?? 'your child') }]),
      ...(extra ?? []),
    ]}
  />
);
