/**
 * Retention per record type (UK GDPR article 5(1)(e): kept no longer than
 * needed). The periods come from src/config.ts; the README lists the defaults.
 * Personal data past its time is deleted, or for a family as a whole erased
 * (src/services/erasure.ts), which keeps bookings' counts and pseudonymised
 * audit events so every report still adds up.
 */
import { config, type Config } from '../config.js';
import { db } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import { logger } from '../logger.js';
import { eraseFamilyData } from './erasure.js';
import { transaction } from './tx.js';

export function retentionRules(c: Pick<Config, 'RETENTION_FAMILY_YEARS' | 'RETENTION_PASSPORT_READS_DAYS' | 'RETENTION_EMERGENCY_ACCESS_DAYS' | 'RETENTION_NOTIFICATIONS_DAYS' | 'RETENTION_EXPORTS_DAYS'>) {
  return [
    {
      record: 'Your family, your children and their passports, requests and breaks',
      keptFor: `${c.RETENTION_FAMILY_YEARS} years after your last break or award ends`,
      then: 'names, contact details, passports and notes erased; counts and costs of breaks, and the kinds of need they met, kept without names',
    },
    { record: 'Who has read a passport', keptFor: `${c.RETENTION_PASSPORT_READS_DAYS} days`, then: 'deleted' },
    { record: 'Emergency openings of a passport', keptFor: `${c.RETENTION_EMERGENCY_ACCESS_DAYS} days after they end`, then: 'deleted' },
    { record: 'Messages sent to you and to providers', keptFor: `${c.RETENTION_NOTIFICATIONS_DAYS} days`, then: 'deleted' },
    { record: 'Copies of your data you asked for', keptFor: `${c.RETENTION_EXPORTS_DAYS} days`, then: 'deleted' },
    { record: 'The record of who changed what (audit)', keptFor: 'as long as the bookings it explains', then: 'names and passport content removed at erasure' },
  ];
}

/**
 * Apply every rule once (the daily data-protection job). `authorityId` limits it
 * to one authority (tests share a database; an operator may run one council).
 * Each family is erased in its own transaction, so one failure stops nothing else.
 */
export async function applyRetention(options: { now?: Date; authorityId?: string; config?: Config } = {}) {
  const now = options.now ?? new Date();
  const c = options.config ?? config();
  const daysAgo = (d: number) => new Date(now.getTime() - d * 864e5);
  const inAuthority = options.authorityId;
  const childOf = inAuthority ? { child: { authorityId: inAuthority } } : {};
  const reads = await db().passportRead.deleteMany({ where: { at: { lt: daysAgo(c.RETENTION_PASSPORT_READS_DAYS) }, ...childOf } });
  const overrides = await db().passportEmergencyAccess.deleteMany({
    where: { expiresAt: { lt: daysAgo(c.RETENTION_EMERGENCY_ACCESS_DAYS) }, ...(inAuthority ? { authorityId: inAuthority } : {}) },
  });
  const exports = await db().subjectAccessExport.deleteMany({ where: { createdAt: { lt: daysAgo(c.RETENTION_EXPORTS_DAYS) }, ...(inAuthority ? { family: { authorityId: inAuthority } } : {}) } });
  // Notifications carry no authority column; an authority-limited run leaves them to the full run.
  const notifications = inAuthority
    ? { count: 0 }
    : await db().notification.deleteMany({ where: { status: { in: ['SENT', 'FAILED'] }, createdAt: { lt: daysAgo(c.RETENTION_NOTIFICATIONS_DAYS) } } });

  // Families whose last break, award or request ended over RETENTION_FAMILY_YEARS ago (and were created before that).
  const cutoff = new Date(now.getTime());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - c.RETENTION_FAMILY_YEARS);
  const cutoffDate = cutoff.toISOString().slice(0, 10);
  const due = await db().$queryRaw<{ id: string }[]>`
    SELECT f.id FROM family f
    WHERE f."erasedAt" IS NULL AND f."createdAt" < ${cutoff}
      ${inAuthority ? Prisma.sql`AND f."authorityId" = ${inAuthority}` : Prisma.empty}
      AND NOT EXISTS (SELECT 1 FROM booking b JOIN child ch ON ch.id = b."childId" WHERE ch."familyId" = f.id AND b."endsAt" >= ${cutoff})
      AND NOT EXISTS (SELECT 1 FROM entitlement e JOIN child ch ON ch.id = e."childId" WHERE ch."familyId" = f.id AND e."periodEnd" >= ${cutoffDate})
      AND NOT EXISTS (SELECT 1 FROM break_request r JOIN child ch ON ch.id = r."childId" WHERE ch."familyId" = f.id AND r."periodEnd" >= ${cutoffDate})
    ORDER BY f.id LIMIT 500`;
  const erased: string[] = [];
  for (const { id } of due) {
    try {
      await transaction((tx) => eraseFamilyData(tx, { role: 'SYSTEM', job: 'retention' }, id, `retention: no break, award or request for ${c.RETENTION_FAMILY_YEARS} years`, now));
      erased.push(id);
    } catch (err) {
      logger.warn('retention could not erase a family', { familyId: id, err: (err as Error).message });
    }
  }
  return { passportReads: reads.count, emergencyAccess: overrides.count, exports: exports.count, notifications: notifications.count, familiesErased: erased };
}
