/** How messages state dates, times and journeys: in words a parent reads on a phone, London time. */
import { travelMinutes, type LatLng } from './geo.js';
import { londonDateOf, londonWallTimeOf } from './london-time.js';

const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** "Friday 8 January 2027" */
export const dayText = (instant: Date) => DAY.format(instant).replace(',', '');

/** "17:00" */
export const timeText = (instant: Date) => londonWallTimeOf(instant);

/** "Friday 8 January 2027 at 17:00" */
export const dayAndTimeText = (instant: Date) => `${dayText(instant)} at ${timeText(instant)}`;

export { londonDateOf };

/** "about 25 minutes by road from home", plus who drives. */
export function journeyText(home: LatLng | null, provider: LatLng, transportArranged: boolean, needsTransport: boolean): string {
  const distance = home ? `about ${Math.max(5, Math.round(travelMinutes(home, provider) / 5) * 5)} minutes by road from home` : 'see the address';
  if (transportArranged) return `${distance}; specialist transport picks your child up`;
  if (needsTransport) return `${distance}; transport is being arranged and you will be told the pick-up time`;
  return distance;
}

/** What a reminder says about transport. */
export function pickupText(departAt: Date | null, needsTransport: boolean): string {
  if (departAt) return `Pick-up: the minibus leaves the depot at ${timeText(departAt)}; please have your child ready.`;
  return needsTransport ? 'Transport is being arranged; the coordinator will confirm the pick-up time.' : 'No transport booked: please bring your child.';
}
