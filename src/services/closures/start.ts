/**
 * Recording a closure (the provider stops taking bookings from its date and the
 * plan job is queued). Retrying a failed one, and marking one failed, is retry.ts.
 */
import { addDays, londonDateOf, londonWallTimeToInstant } from '../../domain/london-time.js';
import { DEFAULT_REHOMING_PREFERENCES } from '../../domain/rehoming/index.js';
import { ApiError, notFound } from '../../errors.js';
import { flushOutboxSoon, recordJob } from '../../jobs/outbox.js';
import type { ConfirmClosureInput } from '../../schemas/closures.js';
import { loadOperatedProvider, requireRole, type Principal } from '../access.js';
import { audit } from '../audit.js';
import { runSeed } from '../seeded-run.js';
import type { Tx } from '../../db.js';
import { transaction } from '../tx.js';
import { ClosureSettingsColumn, toJson, type ClosureSettings } from '../../schemas/json-columns.js';
import { getClosure } from './view.js';
import { inviteFamilies } from './consultation.js';
import { generateStandingPlaces, reserveStandingPlace } from './standing-places.js';

export function effectiveInstant(effectiveFrom: string): Date {
  const today = londonDateOf(new Date());
  if (effectiveFrom < today) {
    throw new ApiError('VALIDATION_FAILED', 'effectiveFrom cannot be in the past', { errors: [{ path: 'body.effectiveFrom', message: `must be ${today} or later` }] });
  }
  return londonWallTimeToInstant(effectiveFrom, '00:00');
}

/**
 * Nothing is closed on a first press (issue "safe to press"): the caller has
 * seen the preview (POST …/closure/preview) and sends `confirm: true`.
 */
export function requireConfirmation(confirm: boolean | undefined, what: string, previewPath: string): void {
  if (confirm !== true) {
    throw new ApiError('UNPROCESSABLE', `${what} needs an explicit confirmation: look at its preview (${previewPath}) first, then send the same body with "confirm": true`, {
      errors: [{ path: 'body.confirm', message: 'must be true' }],
    });
  }
}

/** The end of a consultation: the end of its last local date, before the home closes. */
function consultationDeadline(consultUntil: string | undefined, effectiveFrom: Date): Date | null {
  if (consultUntil === undefined) return null;
  const today = londonDateOf(new Date());
  const deadline = londonWallTimeToInstant(addDays(consultUntil, 1), '00:00');
  if (consultUntil < today || deadline > effectiveFrom) {
    throw new ApiError('VALIDATION_FAILED', 'A consultation ends on a date from today until the day before the home closes', {
      errors: [{ path: 'body.consultUntil', message: `must be from ${today} to the day before ${londonDateOf(effectiveFrom)}` }],
    });
  }
  return deadline;
}

/**
 * The closure row both a closure and a suspension record. With a consultation
 * it waits in CONSULTING (proceedClosure queues the plan); otherwise its job is
 * queued at once.
 */
async function recordClosure(tx: Tx, principal: Principal, input: ConfirmClosureInput, data: { providerId: string; authorityId: string | null; suspendedAuthorityId: string | null; effectiveFrom: Date }) {
  const settings: ClosureSettings = { order: input.preferences ?? [...DEFAULT_REHOMING_PREFERENCES], maxDateShiftDays: input.maxDateShiftDays };
  const deadline = consultationDeadline(input.consultUntil, data.effectiveFrom);
  const created = await tx.closure.create({
    data: {
      ...data,
      reason: input.reason,
      seed: runSeed(input.seed),
      preferences: toJson(ClosureSettingsColumn, settings),
      ...(deadline ? { status: 'CONSULTING' as const, consultationDeadline: deadline } : {}),
    },
  });
  if (input.standingPlace) await reserveStandingPlace(tx, principal, created, input.standingPlace);
  if (!deadline) await recordJob(tx, 'planClosure', { closureId: created.id });
  return created;
}

/**
 * Close a provider from a date: only its operator may (the authority that runs
 * it, or the provider itself; access.ts). Every authority's children there are
 * re-homed, each with its own places and transport.
 */
export async function startClosure(principal: Principal, providerId: string, input: ConfirmClosureInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const closure = await transaction(async (tx) => {
    await loadOperatedProvider(tx, principal, providerId);
    const effectiveFrom = effectiveInstant(input.effectiveFrom);
    requireConfirmation(input.confirm, 'Closing a provider', `POST /v1/providers/${providerId}/closure/preview`);
    await tx.$queryRaw`SELECT id FROM provider WHERE id = ${providerId} FOR UPDATE`;
    const provider = await tx.provider.findUniqueOrThrow({ where: { id: providerId } });
    if (provider.status !== 'ACTIVE') throw new ApiError('CONFLICT', `The provider is already ${provider.status.toLowerCase()}`);
    await tx.provider.update({ where: { id: providerId }, data: { status: 'CLOSING', closingFrom: effectiveFrom } });
    const authorityId = principal.role === 'COORDINATOR' ? principal.authorityId : null;
    const created = await recordClosure(tx, principal, input, { providerId, authorityId, suspendedAuthorityId: null, effectiveFrom });
    await audit(tx, principal, { action: 'provider.closing', entityType: 'Provider', entityId: providerId, authorityId, before: { status: provider.status }, after: { status: 'CLOSING', closureId: created.id, effectiveFrom: input.effectiveFrom } });
    return created;
  });
  await generateStandingPlaces(closure.id);
  await inviteFamilies(closure);
  flushOutboxSoon();
  return getClosure(principal, closure.id);
}

/**
 * A commissioning authority suspends its own placements at a provider from a
 * date (e.g. after an inadequate inspection): its children there are re-homed
 * like a closure's, its coordinators and families stop seeing the provider's
 * places from that date, and the provider stays open to every other authority.
 */
export async function startSuspension(principal: Principal, providerId: string, input: ConfirmClosureInput) {
  requireRole(principal, 'COORDINATOR');
  const closure = await transaction(async (tx) => {
    const effectiveFrom = effectiveInstant(input.effectiveFrom);
    await tx.$queryRaw`SELECT id FROM provider WHERE id = ${providerId} FOR UPDATE`;
    const provider = await tx.provider.findUnique({ where: { id: providerId } });
    if (!provider) throw notFound('Provider');
    requireConfirmation(input.confirm, 'Suspending placements', `POST /v1/providers/${providerId}/suspension/preview`);
    if (provider.status !== 'ACTIVE') throw new ApiError('CONFLICT', `The provider is already ${provider.status.toLowerCase()}: its closure re-homes every child`);
    if (await tx.closure.count({ where: { providerId, suspendedAuthorityId: principal.authorityId } })) {
      throw new ApiError('CONFLICT', 'Your authority has already suspended its placements at this provider');
    }
    const created = await recordClosure(tx, principal, input, { providerId, authorityId: principal.authorityId, suspendedAuthorityId: principal.authorityId, effectiveFrom });
    await audit(tx, principal, { action: 'provider.placements_suspended', entityType: 'Provider', entityId: providerId, authorityId: principal.authorityId, after: { closureId: created.id, effectiveFrom: input.effectiveFrom } });
    return created;
  });
  await generateStandingPlaces(closure.id);
  await inviteFamilies(closure);
  flushOutboxSoon();
  return getClosure(principal, closure.id);
}
