/**
 * Factories: every test builds its own tenant with unique ids, so tests never
 * depend on each other or on order (STYLE.md rule 7).
 */
import { randomUUID } from 'node:crypto';
import { db } from '../../src/db.js';
import type { CareNeed } from '../../src/domain/care-needs.js';
import { mintToken } from '../../src/services/tokens.js';
import { generateSlotsForRule } from '../../src/services/slot-generation.js';
import { toDbDate } from '../../src/services/serialize.js';
import type { ProviderKind } from '../../src/domain/model.js';

export const uid = () => randomUUID().slice(0, 8);

export async function makeAuthority(options: { swapRequiresApproval?: boolean } = {}) {
  const code = `T${uid()}`;
  const authority = await db().authority.create({ data: { name: `Test authority ${code}`, code, swapRequiresApproval: options.swapRequiresApproval ?? true } });
  const coordinatorToken = await mintToken({ role: 'COORDINATOR', authorityId: authority.id });
  return { authority, coordinatorToken };
}

/**
 * A provider and its token. `operatorAuthorityId`: the authority that runs it
 * (only its coordinators may change or close it); left out, the provider
 * organisation runs itself and only its own token may.
 */
export async function makeProvider(kind: ProviderKind = 'RESIDENTIAL', options: { lat?: number; lng?: number; name?: string; operatorAuthorityId?: string | null } = {}) {
  const provider = await db().provider.create({
    data: { name: options.name ?? `Provider ${uid()}`, kind, addressLine: '1 Test Lane', postcode: 'BN11 1AA', lat: options.lat ?? 50.82, lng: options.lng ?? -0.37, operatorAuthorityId: options.operatorAuthorityId ?? null },
  });
  const providerToken = await mintToken({ role: 'PROVIDER', providerId: provider.id });
  return { provider, providerToken };
}

export async function makeFamily(authorityId: string, options: { lat?: number; lng?: number } = {}) {
  const family = await db().family.create({ data: { authorityId, name: `Family ${uid()}`, lat: options.lat ?? 50.83, lng: options.lng ?? -0.35 } });
  const familyToken = await mintToken({ role: 'FAMILY', familyId: family.id });
  return { family, familyToken };
}

export async function makeChild(
  familyId: string,
  authorityId: string,
  options: { needs?: CareNeed[]; nights?: number; daySessions?: number; periodStart?: string; periodEnd?: string; needsTransport?: boolean } = {},
) {
  const child = await db().child.create({
    data: {
      familyId,
      authorityId,
      firstName: `Child${uid()}`,
      lastName: 'Test',
      dateOfBirth: toDbDate('2015-06-01'),
      needs: options.needs ?? [],
      needsTransport: options.needsTransport ?? false,
      passport: { communication: 'Talks', calming: 'Music', ...(options.needs?.length ? { medical: options.needs.join(', ') } : {}) },
    },
  });
  await db().entitlement.create({
    data: {
      childId: child.id,
      periodStart: options.periodStart ?? '2026-01-01',
      periodEnd: options.periodEnd ?? '2028-12-31',
      nights: options.nights ?? 60,
      daySessions: options.daySessions ?? 60,
    },
  });
  return child;
}

/** A rule plus its generated slots, synchronously (tests do not wait for the worker unless they test it). */
export async function makeSlots(
  providerId: string,
  options: {
    rrule?: string;
    startDate: string;
    untilDate?: string;
    startTime?: string;
    durationMinutes?: number;
    places?: number;
    capabilities?: CareNeed[];
    carerId?: string;
    reservedForAuthorityId?: string;
  },
) {
  const rule = await db().capacityRule.create({
    data: {
      providerId,
      rrule: options.rrule ?? 'FREQ=DAILY',
      startDate: options.startDate,
      untilDate: options.untilDate ?? null,
      startTime: options.startTime ?? '17:00',
      durationMinutes: options.durationMinutes ?? 17 * 60,
      places: options.places ?? 3,
      capabilities: options.capabilities ?? [],
      exdates: [],
      carerId: options.carerId ?? null,
      reservedForAuthorityId: options.reservedForAuthorityId ?? null,
    },
  });
  await generateSlotsForRule(rule.id);
  const slots = await db().slot.findMany({ where: { capacityRuleId: rule.id }, orderBy: { startsAt: 'asc' } });
  return { rule, slots };
}
