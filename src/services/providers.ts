import { db } from '../db.js';
import type { Provider } from '../generated/prisma/client.js';
import { notFound } from '../errors.js';
import type { CreateProviderInput, UpdateProviderInput } from '../schemas/providers.js';
import { assertReadsProvider, loadOperatedProvider, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { iso, isoOrNull } from './serialize.js';
import { transaction } from './tx.js';

/** Where a provider is and how to reach it (the API's view and the Open Referral feed both show it). */
export function providerContact(p: Pick<Provider, 'addressLine' | 'postcode' | 'lat' | 'lng' | 'phone' | 'email'>) {
  return { addressLine: p.addressLine, postcode: p.postcode, lat: p.lat, lng: p.lng, phone: p.phone, email: p.email };
}

export function providerView(p: Provider) {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    status: p.status,
    ...providerContact(p),
    closingFrom: isoOrNull(p.closingFrom),
    operatorAuthorityId: p.operatorAuthorityId,
    createdAt: iso(p.createdAt),
  };
}

export async function createProvider(principal: Principal, input: CreateProviderInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const { operator, ...fields } = input;
    // A council-run home by default: the creating coordinator's authority operates it.
    const provider = await tx.provider.create({ data: { ...fields, postcode: fields.postcode.toUpperCase(), operatorAuthorityId: operator === 'PROVIDER' ? null : principal.authorityId } });
    await audit(tx, principal, { action: 'provider.created', entityType: 'Provider', entityId: provider.id, after: input });
    return providerView(provider);
  });
}

export async function listProviders(
  principal: Principal,
  q: { kind?: Provider['kind']; status?: Provider['status']; operatorAuthorityId?: string; limit: number; cursor?: string },
) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const rows = await db().provider.findMany({
    where: {
      kind: q.kind,
      status: q.status,
      operatorAuthorityId: q.operatorAuthorityId,
      AND: [principal.role === 'PROVIDER' ? { id: principal.providerId } : {}, q.cursor ? { id: { gt: q.cursor } } : {}],
    },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
  });
  return rows.map(providerView);
}

export async function getProvider(principal: Principal, id: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  assertReadsProvider(principal, id);
  const provider = await db().provider.findUnique({ where: { id } });
  if (!provider) throw notFound('Provider');
  return providerView(provider);
}

export async function updateProvider(principal: Principal, id: string, input: UpdateProviderInput) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  return transaction(async (tx) => {
    await loadOperatedProvider(tx, principal, id);
    const before = await tx.provider.findUniqueOrThrow({ where: { id } });
    const after = await tx.provider.update({
      where: { id },
      data: { ...input, ...(input.postcode ? { postcode: input.postcode.toUpperCase() } : {}) },
    });
    await audit(tx, principal, { action: 'provider.updated', entityType: 'Provider', entityId: id, before: providerView(before), after: providerView(after) });
    return providerView(after);
  });
}
