/**
 * Subject-access requests (UK GDPR article 15): everything held about a
 * family, as JSON and as a readable page. A small family's copy is built at
 * once; a large one's by a worker job recorded in the job outbox with the
 * request, so the request never waits on it and a lost job is re-pushed.
 */
import { config } from '../config.js';
import { db, type Tx } from '../db.js';
import { recordJob, flushOutboxSoon } from '../jobs/outbox.js';
import { notFound } from '../errors.js';
import { familyScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { iso, isoOrNull } from './serialize.js';
import { transaction } from './tx.js';
import { AuditValueColumn, FamilyExportColumn, PassportColumn, RequestPreferencesColumn, type FamilyExportData } from '../schemas/json-columns.js';

/** How many rows the export would hold: the size that decides between now and a job. */
async function recordCount(tx: Tx, familyId: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT ((SELECT count(*) FROM booking b JOIN child c ON c.id = b."childId" WHERE c."familyId" = ${familyId})
          + (SELECT count(*) FROM audit_event a WHERE a."entityId" = ${familyId} OR a."entityId" IN (SELECT id FROM child WHERE "familyId" = ${familyId})
               OR a."bookingId" IN (SELECT b.id FROM booking b JOIN child c ON c.id = b."childId" WHERE c."familyId" = ${familyId}))
          + (SELECT count(*) FROM passport_read r JOIN child c ON c.id = r."childId" WHERE c."familyId" = ${familyId})
          + (SELECT count(*) FROM notification n WHERE n."recipientRole" = 'FAMILY' AND n."recipientId" = ${familyId}))::int AS n`;
  return row?.n ?? 0;
}

/** Everything held about the family, as plain JSON (no hashes or secrets: those are not about the person). */
export async function buildFamilyExport(tx: Tx, familyId: string, now = new Date()) {
  const family = await tx.family.findUniqueOrThrow({
    where: { id: familyId },
    include: {
      children: {
        include: {
          entitlements: true,
          requests: true,
          waitlistEntries: true,
          credit: true,
          passportConsents: { include: { provider: { select: { name: true } } } },
          emergencyAccess: true,
          passportReads: { orderBy: { at: 'desc' } },
          bookings: { include: { slot: { select: { localDate: true, provider: { select: { id: true, name: true } } } }, transportSeats: { include: { run: true } }, rehomingOutcomes: true } },
        },
        orderBy: { firstName: 'asc' },
      },
      tokens: { select: { id: true, label: true, createdAt: true, expiresAt: true, revokedAt: true } },
    },
  });
  const childIds = family.children.map((c) => c.id);
  const bookingIds = family.children.flatMap((c) => c.bookings.map((b) => b.id));
  const audits = await tx.auditEvent.findMany({ where: { OR: [{ entityId: { in: [familyId, ...childIds] } }, { bookingId: { in: bookingIds } }] }, orderBy: { at: 'asc' } });
  const notifications = await tx.$queryRaw<{ id: string; subject: string; body: string; status: string; createdAt: Date; sentAt: Date | null; recipientRole: string }[]>`
      SELECT id, subject, body, status::text, "createdAt", "sentAt", "recipientRole"::text FROM notification
      WHERE ("recipientRole" = 'FAMILY' AND "recipientId" = ${familyId}) OR payload->>'childId' = ANY(${childIds}::text[]) OR payload->>'bookingId' = ANY(${bookingIds}::text[])
      ORDER BY "createdAt"`;
  const swaps = await tx.swap.findMany({ where: { OR: [{ bookingAId: { in: bookingIds } }, { bookingBId: { in: bookingIds } }] } });
  const { calendarSecretHash, ...familyFields } = family;
  return {
    generatedAt: iso(now),
    about: 'Everything this short-breaks service holds about your family, as of the time above.',
    family: {
      ...familyFields,
      children: undefined,
      tokens: undefined,
      createdAt: iso(family.createdAt),
      erasedAt: isoOrNull(family.erasedAt),
      calendarLink: calendarSecretHash ? 'a private calendar link exists (its secret is not stored, only a hash)' : 'none',
    },
    accessKeys: family.tokens.map((t) => ({ id: t.id, label: t.label, createdAt: iso(t.createdAt), expiresAt: isoOrNull(t.expiresAt), revokedAt: isoOrNull(t.revokedAt) })),
    children: family.children.map((c) => ({
      id: c.id,
      firstName: c.firstName,
      lastName: c.lastName,
      dateOfBirth: c.dateOfBirth.toISOString().slice(0, 10),
      needs: c.needs,
      needsTransport: c.needsTransport,
      needsEscort: c.needsEscort,
      supportFlag: c.supportFlag,
      passport: PassportColumn.parse(c.passport),
      passportUpdatedAt: isoOrNull(c.passportUpdatedAt),
      passportConsent: c.passportConsents.map((k) => ({ providerId: k.providerId, providerName: k.provider.name, decision: k.decision, since: iso(k.updatedAt) })),
      emergencyAccess: c.emergencyAccess.map((o) => ({ reason: o.reason, providerId: o.providerId, createdAt: iso(o.createdAt), expiresAt: iso(o.expiresAt) })),
      passportReads: c.passportReads.map((r) => ({ at: iso(r.at), who: r.actorLabel ?? `${r.actorRole.toLowerCase()} access key ${r.actorId.slice(0, 8)}`, organisation: r.organisationName, channel: r.channel, level: r.level, basis: r.basis })),
      entitlements: c.entitlements.map((e) => ({ periodStart: e.periodStart, periodEnd: e.periodEnd, nights: e.nights, daySessions: e.daySessions, notes: e.notes, createdAt: iso(e.createdAt) })),
      requests: c.requests.map((r) => ({ id: r.id, periodStart: r.periodStart, periodEnd: r.periodEnd, preferences: RequestPreferencesColumn.parse(r.preferences), flexible: r.flexible, transportNeeded: r.transportNeeded, nightsWanted: r.nightsWanted, notes: r.notes, status: r.status, createdAt: iso(r.createdAt) })),
      bookings: c.bookings.map((b) => ({
        id: b.id,
        provider: b.slot.provider.name,
        date: b.slot.localDate,
        startsAt: iso(b.startsAt),
        endsAt: iso(b.endsAt),
        nights: b.nights,
        status: b.status,
        source: b.source,
        cancelReason: b.cancelReason,
        noShowReason: b.noShowReason,
        transport: b.transportSeats.map((s) => ({ direction: s.run.direction, departAt: iso(s.run.departAt) })),
        rehoming: b.rehomingOutcomes.map((o) => ({ outcome: o.outcome, reason: o.reason })),
      })),
      waitingList: c.waitlistEntries.map((w) => ({ slotId: w.slotId, status: w.status, createdAt: iso(w.createdAt) })),
      rotationCredit: c.credit ? { credit: c.credit.credit, updatedAt: iso(c.credit.updatedAt) } : null,
    })),
    swaps: swaps.map((s) => ({ id: s.id, status: s.status, createdAt: iso(s.createdAt), closedReason: s.closedReason })),
    messages: notifications.map((n) => ({ to: n.recipientRole, subject: n.subject, body: n.body, status: n.status, createdAt: iso(n.createdAt), sentAt: isoOrNull(n.sentAt) })),
    history: audits.map((a) => ({ at: iso(a.at), by: a.actorRole, action: a.action, entity: a.entityType, before: AuditValueColumn.parse(a.before), after: AuditValueColumn.parse(a.after) })),
  };
}

/**
 * The copy as the asker may see it. A coordinator asks on the family's behalf,
 * but the passport is the family's to share: the council's copy says one is
 * held and when it changed, not what it says (the family's own copy has it all),
 * so an export is never a way round consent or the access log.
 */
function forAsker(data: FamilyExportData | null, p: Principal): FamilyExportData | null {
  if (!data || p.role === 'FAMILY') return data;
  return {
    ...data,
    children: data.children.map((c) => ({ ...c, passport: {}, passportWithheld: "The medical passport is shown only in the family's own copy." })),
  };
}

const exportView = (e: { id: string; familyId: string; status: string; createdAt: Date; completedAt: Date | null; error: string | null; result: unknown }, p: Principal) => ({
  id: e.id,
  familyId: e.familyId,
  status: e.status as 'QUEUED' | 'COMPLETED' | 'FAILED',
  createdAt: iso(e.createdAt),
  completedAt: isoOrNull(e.completedAt),
  error: e.error,
  data: forAsker(FamilyExportColumn.parse(e.result), p),
});

/** POST /v1/families/:id/exports: the family itself, or its authority's coordinator on its behalf. */
export async function requestExport(p: Principal, familyId: string) {
  requireRole(p, 'FAMILY', 'COORDINATOR');
  const row = await transaction(async (tx) => {
    const family = await tx.family.findFirst({ where: { AND: [{ id: familyId }, familyScope(p)] }, select: { id: true, authorityId: true } });
    if (!family) throw notFound('Family');
    const inline = (await recordCount(tx, familyId)) <= config().EXPORT_INLINE_MAX_RECORDS;
    const created = await tx.subjectAccessExport.create({ data: { familyId, requestedByRole: p.role, requestedById: p.tokenId } });
    await audit(tx, p, { action: 'family.export_requested', entityType: 'Family', entityId: familyId, authorityId: family.authorityId, after: { exportId: created.id, inline } });
    if (!inline) {
      await recordJob(tx, 'exportFamilyData', { exportId: created.id });
      return created;
    }
    return tx.subjectAccessExport.update({ where: { id: created.id }, data: { status: 'COMPLETED', completedAt: new Date(), result: await buildFamilyExport(tx, familyId) } });
  });
  if (row.status === 'QUEUED') flushOutboxSoon();
  return exportView(row, p);
}

/** The job: build what is still missing; a second run of a finished export does nothing. */
export async function runExport(exportId: string): Promise<'DONE' | 'ALREADY_DONE' | 'GONE'> {
  return transaction(
    async (tx) => {
      const [locked] = await tx.$queryRaw<{ status: string; familyId: string }[]>`SELECT status::text, "familyId" FROM subject_access_export WHERE id = ${exportId} FOR UPDATE`;
      if (!locked) return 'GONE';
      if (locked.status !== 'QUEUED') return 'ALREADY_DONE';
      await tx.subjectAccessExport.update({ where: { id: exportId }, data: { status: 'COMPLETED', completedAt: new Date(), result: await buildFamilyExport(tx, locked.familyId) } });
      return 'DONE';
    },
    { timeoutMs: 120_000 },
  );
}

export async function markExportFailed(exportId: string, error: string): Promise<void> {
  await db().subjectAccessExport.updateMany({ where: { id: exportId, status: 'QUEUED' }, data: { status: 'FAILED', error: error.slice(0, 500) } });
}

/** GET /v1/exports/:id (and the family's page). */
export async function getExport(p: Principal, exportId: string) {
  requireRole(p, 'FAMILY', 'COORDINATOR');
  const row = await db().subjectAccessExport.findFirst({ where: { id: exportId, family: familyScope(p) } });
  if (!row) throw notFound('Export');
  return exportView(row, p);
}

export async function listExports(p: Principal, familyId: string) {
  requireRole(p, 'FAMILY', 'COORDINATOR');
  const rows = await db().subjectAccessExport.findMany({
    where: { familyId, family: familyScope(p) },
    orderBy: { createdAt: 'desc' },
    take: 20,
    select: { id: true, familyId: true, status: true, createdAt: true, completedAt: true, error: true },
  });
  return rows.map((r) => exportView({ ...r, result: null }, p));
}
