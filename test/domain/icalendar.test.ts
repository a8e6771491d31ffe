/** RFC 5545 text for family calendars: escaping (3.3.11), line folding (3.1) and London times with a VTIMEZONE. */
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, renderCalendar, type CalendarEvent } from '../../src/domain/icalendar.js';
import { londonWallTimeToInstant } from '../../src/domain/london-time.js';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');

function event(overrides: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    uid: 'b-1@shortbreaks',
    start: londonWallTimeToInstant('2027-07-02', '17:00'),
    end: londonWallTimeToInstant('2027-07-04', '10:00'),
    summary: 'Sam: short break at Seaview',
    location: '12 Marine Parade, BN2 1TL',
    description: 'Sam’s short break.',
    lastModified: new Date('2027-06-01T09:00:00Z'),
    sequence: 0,
    status: 'CONFIRMED',
    ...overrides,
  };
}

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and newlines, backslash first', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(escapeText('\\,')).toBe('\\\\\\,');
    // A lone CR would end the content line in a strict parser: it is a line break like any other.
    expect(escapeText('old\rMac')).toBe('old\\nMac');
    expect(escapeText('Seaview: "The Lodge"')).toBe('Seaview: "The Lodge"'); // colons and quotes need nothing in TEXT
  });
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone and folds one of 76', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('keeps every physical line within 75 octets, continuation lines included', () => {
    const folded = foldLine(`DESCRIPTION:${'y'.repeat(300)}`);
    const lines = folded.split('\r\n');
    expect(lines.length).toBe(5);
    expect(lines.every((l) => octets(l) <= 75)).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith(' '))).toBe(true);
    expect(unfold(folded)).toBe(`DESCRIPTION:${'y'.repeat(300)}`);
  });

  it('never splits a multi-byte character', () => {
    // 'é' is 2 octets, '€' 3, '🏠' 4: line boundaries fall in the middle of each unless the fold avoids them.
    for (const ch of ['é', '€', '🏠']) {
      for (let pad = 0; pad < 4; pad++) {
        const line = `SUMMARY:${'a'.repeat(pad)}${ch.repeat(60)}`;
        const folded = foldLine(line);
        const parts = folded.split('\r\n');
        expect(parts.every((p) => octets(p) <= 75)).toBe(true);
        expect(parts.every((p) => !p.includes('\uFFFD'))).toBe(true);
        expect(unfold(folded)).toBe(line);
      }
    }
  });

  it('round-trips any text through escaping, folding and unfolding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const line = `SUMMARY:${escapeText(text)}`;
        const folded = foldLine(line);
        expect(folded.split('\r\n').every((p) => octets(p) <= 75)).toBe(true);
        expect(unfold(folded)).toBe(line);
      }),
    );
  });
});

describe('renderCalendar', () => {
  it('parses with ical.js back to the same text and instants', () => {
    const awkward = event({
      summary: 'Zoë: short break at Seaview, "The Lodge"; Ünit 3 — ' + 'ü'.repeat(50),
      description: 'Line one\nLine two, with; punctuation \\ and a backslash',
    });
    const text = renderCalendar('Family Ó’Brien, Brighton', [awkward, event({ uid: 'b-2@shortbreaks' })], new Date('2027-06-02T08:00:00Z'));
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').every((l) => octets(l) <= 75)).toBe(true);
    const cal = new ICAL.Component(ICAL.parse(text));
    // X- properties are TEXT by default (RFC 5545 3.8.8.2), so escaped as such.
    expect(unfold(text)).toContain('\r\nX-WR-CALNAME:Family Ó’Brien\\, Brighton\r\n');
    const [first, second] = cal.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(first!.summary).toBe(awkward.summary);
    expect(first!.description).toBe(awkward.description);
    expect(first!.location).toBe(awkward.location);
    expect(first!.startDate.toJSDate()).toEqual(awkward.start);
    expect(first!.endDate.toJSDate()).toEqual(awkward.end);
    expect(second!.uid).toBe('b-2@shortbreaks');
    expect(cal.getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstamp')!.toString()).toBe('2027-06-02T08:00:00Z');
  });

  it('writes London wall-clock times with TZID, and the instants follow BST and GMT', () => {
    const summer = event({ start: londonWallTimeToInstant('2027-10-29', '17:00'), end: londonWallTimeToInstant('2027-10-31', '10:00') });
    const winter = event({ uid: 'b-2@shortbreaks', start: londonWallTimeToInstant('2027-11-05', '17:00'), end: londonWallTimeToInstant('2027-11-07', '10:00') });
    const text = renderCalendar('F', [summer, winter]);
    expect(text).toContain('DTSTART;TZID=Europe/London:20271029T170000\r\n');
    expect(text).toContain('DTEND;TZID=Europe/London:20271031T100000\r\n');
    expect(text).toContain('DTSTART;TZID=Europe/London:20271105T170000\r\n');
    const [a, b] = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(a!.startDate.toJSDate().toISOString()).toBe('2027-10-29T16:00:00.000Z');
    expect(a!.endDate.toJSDate().toISOString()).toBe('2027-10-31T10:00:00.000Z');
    expect(b!.startDate.toJSDate().toISOString()).toBe('2027-11-05T17:00:00.000Z');
    // Spring too: the last Sunday of March.
    const spring = renderCalendar('F', [event({ start: londonWallTimeToInstant('2027-03-26', '17:00'), end: londonWallTimeToInstant('2027-03-29', '10:00') })]);
    const s = new ICAL.Event(new ICAL.Component(ICAL.parse(spring)).getFirstSubcomponent('vevent')!);
    expect(s.startDate.toJSDate().toISOString()).toBe('2027-03-26T17:00:00.000Z');
    expect(s.endDate.toJSDate().toISOString()).toBe('2027-03-29T09:00:00.000Z');
  });

  it('renders an empty calendar that still parses', () => {
    const cal = new ICAL.Component(ICAL.parse(renderCalendar('Nobody yet', [])));
    expect(cal.getAllSubcomponents('vevent')).toEqual([]);
    expect(cal.getFirstSubcomponent('vtimezone')!.getFirstPropertyValue('tzid')).toBe('Europe/London');
  });
});
