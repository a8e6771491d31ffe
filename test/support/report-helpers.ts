/**
 * Helpers for the issue-6 tests (attendance, ledger, reports, calendars):
 * families, children and awards made through the API, and "time travel" that
 * moves a booked break (its slot and every booking in it) to a past date, since
 * the API only books future slots and attendance is only allowed once a break
 * has started.
 */
import { db } from '../../src/db.js';
import type { CareNeed } from '../../src/domain/care-needs.js';
import { addDays, daysBetween, londonDateOf, londonWallTimeOf, londonWallTimeToInstant } from '../../src/domain/london-time.js';
import { mintToken } from '../../src/services/tokens.js';
import { post } from './api.js';
import { uid } from './factories.js';

function ok<T = any>(res: { status: number; body: T }, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A family made by the coordinator through the API, with a family token. */
export async function apiFamily(coordinatorToken: string, name = `Family ${uid()}`) {
  const family = ok<{ id: string; authorityId: string; name: string }>(await post('/v1/families', coordinatorToken, { name }), 201, 'create family');
  const familyToken = await mintToken({ role: 'FAMILY', familyId: family.id });
  return { family, familyToken };
}

/** A child made through the API, with an award through the API when `award` is given. */
export async function apiChild(
  coordinatorToken: string,
  familyId: string,
  options: { firstName: string; lastName?: string; needs?: CareNeed[]; award?: { periodStart: string; periodEnd: string; nights: number; daySessions: number } },
) {
  const child = ok<{ id: string; authorityId: string; firstName: string; lastName: string }>(
    await post(`/v1/families/${familyId}/children`, coordinatorToken, {
      firstName: options.firstName,
      lastName: options.lastName ?? 'Test',
      dateOfBirth: '2014-03-01',
      needs: options.needs ?? [],
    }),
    201,
    'create child',
  );
  if (options.award) ok(await post(`/v1/children/${child.id}/entitlements`, coordinatorToken, options.award), 201, 'award entitlement');
  return child;
}

/**
 * Move a slot, and every booking in it, to `date` at the same London wall-clock
 * times (so the nights stay the same across a clock change). Test set-up only.
 */
export async function moveSlotTo(slotId: string, date: string) {
  const slot = await db().slot.findUniqueOrThrow({ where: { id: slotId } });
  const endOffset = daysBetween(slot.localDate, londonDateOf(slot.endsAt));
  const startsAt = londonWallTimeToInstant(date, londonWallTimeOf(slot.startsAt));
  const endsAt = londonWallTimeToInstant(addDays(date, endOffset), londonWallTimeOf(slot.endsAt));
  await db().$transaction([
    db().slot.update({ where: { id: slotId }, data: { localDate: date, startsAt, endsAt } }),
    db().booking.updateMany({ where: { slotId }, data: { startsAt, endsAt } }),
  ]);
  return { startsAt, endsAt };
}

/** Move the slot of a booking (and so the booking) to `date`. */
export async function moveBookingTo(bookingId: string, date: string) {
  const booking = await db().booking.findUniqueOrThrow({ where: { id: bookingId }, select: { slotId: true } });
  return moveSlotTo(booking.slotId, date);
}

/** A minimal RFC 4180 parser (quoted cells, doubled quotes, CRLF), for checking CSV exports. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** CSV rows as objects keyed by the header row. */
export function csvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error('empty CSV');
  return { header, records: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) };
}
