/**
 * RFC 5545 iCalendar text for a family's bookings. Times are written in
 * Europe/London with a VTIMEZONE, so phone calendars show 17:00 as 17:00 on
 * both sides of a clock change.
 *
 * The feed is subscribed to, so it must update a phone's copy rather than
 * leave stale events: each break keeps its UID for life, SEQUENCE rises with
 * every change (RFC 5545 3.8.7.4), a cancelled break stays in the feed with
 * STATUS:CANCELLED (a subscriber that never sees an event again may keep it
 * forever), and REFRESH-INTERVAL (RFC 7986 5.7) with its older spelling
 * X-PUBLISHED-TTL asks calendars to fetch the feed again every hour.
 */
import { londonDateOf, londonWallTimeOf } from './london-time.js';

export interface CalendarEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
  lastModified: Date;
  /** Bumped on every change to the break (status, times, transport). */
  sequence: number;
  status: 'CONFIRMED' | 'CANCELLED';
}

/** How often subscribers are asked to fetch the feed again. */
export const REFRESH_INTERVAL = 'PT1H';

const VTIMEZONE_LONDON = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 3.3.11). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74; // continuation lines begin with a space
  }
  return parts.join('\r\n ');
}

const localStamp = (d: Date) => `${londonDateOf(d).replaceAll('-', '')}T${londonWallTimeOf(d).replace(':', '')}00`;
const utcStamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export function renderCalendar(name: string, events: CalendarEvent[], now = new Date()): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Short breaks scheduler//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(name)}`,
    `NAME:${escapeText(name)}`,
    'X-WR-TIMEZONE:Europe/London',
    `REFRESH-INTERVAL;VALUE=DURATION:${REFRESH_INTERVAL}`,
    `X-PUBLISHED-TTL:${REFRESH_INTERVAL}`,
    ...VTIMEZONE_LONDON,
  ];
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTAMP:${utcStamp(now)}`,
      `LAST-MODIFIED:${utcStamp(e.lastModified)}`,
      `DTSTART;TZID=Europe/London:${localStamp(e.start)}`,
      `DTEND;TZID=Europe/London:${localStamp(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      `LOCATION:${escapeText(e.location)}`,
      `DESCRIPTION:${escapeText(e.description)}`,
      `SEQUENCE:${e.sequence}`,
      `STATUS:${e.status}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
