/**
 * Messages sent on a clock rather than on a change: the reminders before each
 * break, providers' list of tomorrow's arrivals, and the monthly word to
 * coordinators about children falling behind their award. BullMQ job
 * schedulers run these (workers/index.ts), so they survive a worker restart:
 * a run missed while no worker was up runs when one comes back. Each message
 * has a dedupe key from its booking, day or month, so running twice, or on
 * two workers at once, sends it once.
 */
import { config } from '../config.js';
import { db } from '../db.js';
import { addDays, londonDateOf, londonWallTimeOf, londonWallTimeToInstant } from '../domain/london-time.js';
import { parseReminderOffsets, reminderTimes, whenPhrase } from '../domain/notification-schedule.js';
import { dayText, timeText } from '../domain/notification-text.js';
import { entitlementLedger } from './reports.js';
import { bookingFacts } from './notification-facts.js';
import { notify } from './notifications.js';
import { transaction } from './tx.js';
import { UPCOMING_BOOKING_STATUSES } from '../domain/booking-status.js';

async function unsent(keys: string[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const sent = await db().notification.findMany({ where: { dedupeKey: { in: keys } }, select: { dedupeKey: true } });
  const done = new Set(sent.map((s) => s.dedupeKey));
  return new Set(keys.filter((k) => !done.has(k)));
}

/**
 * Reminders that are due: for each confirmed break not yet started, the
 * latest reminder whose time has come (a break booked late gets one reminder
 * now, not every one it missed). Returns how many were written.
 */
export async function sendDueReminders(now = new Date()): Promise<number> {
  const offsets = parseReminderOffsets(config().BREAK_REMINDERS);
  if (!offsets.length) return 0;
  const horizon = new Date(now.getTime() + (Math.max(...offsets.map((o) => o.daysBefore)) + 2) * 864e5);
  const bookings = await db().booking.findMany({
    where: { status: 'CONFIRMED', startsAt: { gt: now, lte: horizon } },
    select: { id: true, startsAt: true },
    orderBy: { startsAt: 'asc' },
  });
  const due = bookings.flatMap((b) => {
    const latest = reminderTimes(b.startsAt, offsets).filter((r) => r.dueAt <= now).sort((x, y) => y.dueAt.getTime() - x.dueAt.getTime())[0];
    return latest ? [{ booking: b, key: `reminder-${b.id}-${latest.key}` }] : [];
  });
  const todo = await unsent(due.map((d) => d.key));
  let written = 0;
  for (const d of due) {
    if (!todo.has(d.key)) continue;
    await transaction(async (tx) => {
      const f = await bookingFacts(tx, d.booking.id);
      if (f.booking.status !== 'CONFIRMED') return;
      await notify(tx, {
        kind: 'BREAK_REMINDER',
        dedupeKey: d.key,
        recipientRole: 'FAMILY',
        recipientId: f.familyId,
        fields: { child_name: f.childName, provider_name: f.providerName, break_date: f.breakDate, start_time: f.startTime, address: f.address, pickup: f.pickup, when: whenPhrase(d.booking.startsAt, now) },
        link: '/family',
        payload: { bookingId: d.booking.id },
      });
    });
    written++;
  }
  return written;
}

/**
 * Each provider's arrivals for the next London day, with each child's needs
 * and support flag, once the day's ARRIVALS_DIGEST_AT has passed.
 */
export async function sendArrivalDigests(now = new Date()): Promise<number> {
  if (londonWallTimeOf(now) < config().ARRIVALS_DIGEST_AT) return 0;
  const tomorrow = addDays(londonDateOf(now), 1);
  const bookings = await db().booking.findMany({
    where: { status: { in: [...UPCOMING_BOOKING_STATUSES] }, startsAt: { gte: londonWallTimeToInstant(tomorrow, '00:00'), lt: londonWallTimeToInstant(addDays(tomorrow, 1), '00:00') } },
    select: {
      authorityId: true,
      startsAt: true,
      slot: { select: { providerId: true } },
      child: { select: { firstName: true, lastName: true, needs: true, needsTransport: true, supportFlag: true } },
      transportSeats: { select: { run: { select: { direction: true } } } },
    },
    orderBy: [{ startsAt: 'asc' }],
  });
  const byProvider = new Map<string, typeof bookings>();
  for (const b of bookings) byProvider.set(b.slot.providerId, [...(byProvider.get(b.slot.providerId) ?? []), b]);
  const todo = await unsent([...byProvider.keys()].map((p) => `arrivals-${p}-${tomorrow}`));
  let written = 0;
  for (const [providerId, list] of byProvider) {
    const key = `arrivals-${providerId}-${tomorrow}`;
    if (!todo.has(key)) continue;
    const arrivals = list.map((b) => {
      // The support flag is written for every provider page about the child; the passport itself stays behind the family's consent.
      const flag = b.child.supportFlag;
      const needs = b.child.needs.length ? b.child.needs.map((n) => n.toLowerCase().replaceAll('_', ' ')).join(', ') : 'no listed care needs';
      const transport = b.transportSeats.some((s) => s.run.direction === 'TO_BREAK') ? 'arrives by specialist transport' : 'brought by family';
      return `- ${timeText(b.startsAt)} ${b.child.firstName} ${b.child.lastName}: ${needs}; ${transport}${flag ? `; support: ${flag}` : ''}`;
    });
    await transaction((tx) =>
      notify(tx, {
        kind: 'ARRIVALS_TOMORROW',
        dedupeKey: key,
        recipientRole: 'PROVIDER',
        recipientId: providerId,
        authorityId: list[0]!.authorityId,
        fields: { arrival_date: dayText(list[0]!.startsAt), arrivals_count: String(list.length), arrivals: arrivals.join('\n') },
        link: '/provider',
      }),
    );
    written++;
  }
  return written;
}

/** Once a month per award: coordinators hear of each child the ledger flags as behind. */
export async function sendBehindAwardAlerts(now = new Date(), options: { authorityIds?: string[] } = {}): Promise<number> {
  const today = londonDateOf(now);
  const month = today.slice(0, 7);
  const authorities = await db().authority.findMany({ where: options.authorityIds ? { id: { in: options.authorityIds } } : {}, select: { id: true } });
  let written = 0;
  for (const a of authorities) {
    const rows = (await entitlementLedger({ tokenId: 'scheduler', role: 'COORDINATOR', authorityId: a.id }, { from: today, to: today }, now)).filter((r) => r.flagged);
    const todo = await unsent(rows.map((r) => `behind-${r.entitlementId}-${month}`));
    for (const r of rows) {
      const key = `behind-${r.entitlementId}-${month}`;
      if (!todo.has(key)) continue;
      await transaction((tx) =>
        notify(tx, {
          kind: 'CHILD_BEHIND_AWARD',
          dedupeKey: key,
          recipientRole: 'COORDINATOR',
          recipientId: a.id,
          fields: {
            child_name: r.childName,
            awarded: String(r.awardedNights),
            delivered: String(r.deliveredNights + r.upcomingNights),
            expected_by_now: String(r.expectedToDateNights),
            period: `${r.periodStart} to ${r.periodEnd}`,
          },
          link: '/coordinator/ledger',
          payload: { childId: r.childId, entitlementId: r.entitlementId },
        }),
      );
      written++;
    }
  }
  return written;
}
