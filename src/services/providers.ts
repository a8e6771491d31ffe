import { db } from '../db.js';
import type { Provider } from '../generated/prisma/client.js';
import { notFound } from '../http/problem.js';
import type { CreateProviderInput, UpdateProviderInput } from '../schemas/providers.js';
import { assertManagesProvider, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { iso, isoOrNull } from './serialize.js';
import { transaction } from './tx.js';

export function providerView(p: Provider) {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    status: p.status,
    addressLine: p.addressLine,
    postcode: p.postcode,
    lat: p.lat,
    lng: p.lng,
    phone: p.phone,
    email: p.email,
    closingFrom: isoOrNull(p.closingFrom),
    createdAt: iso(p.createdAt),
  };
}

export async function createProvider(principal: Principal, input: CreateProviderInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const provider = await tx.provider.create({ data: { ...input, postcode: input.postcode.toUpperCase() } });
    await audit(tx, principal, { action: 'provider.created', entityType: 'Provider', entityId: provider.id, after: input });
    return providerView(provider);
  });
}

export async function listProviders(
  principal: Principal,
  q: { kind?: Provider['kind']; status?: Provider['status']; limit: number; cursor?: string },
) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  const rows = await db().provider.findMany({
    where: {
      kind: q.kind,
      status: q.status,
      AND: [principal.role === 'PROVIDER' ? { id: principal.providerId } : {}, q.cursor ? { id: { gt: q.cursor } } : {}],
    },
    orderBy: { id: 'asc' },
    take: q.limit + 1,
  });
  return rows.map(providerView);
}

export async function getProvider(principal: Principal, id: string) {
  requireRole(principal, 'COORDINATOR', 'PROVIDER');
  assertManagesProvider(principal, id);
  const provider = await db().provider.findUnique({ where: { id } });
  if (!provider) throw notFound('Provider');
  return providerView(provider);
}

export async function updateProvider(principal: Principal, id: string, input: UpdateProviderInput) {
  requireRole(principal, 'COORDINATOR');
  return transaction(async (tx) => {
    const before = await tx.provider.findUnique({ where: { id } });
    if (!before) throw notFound('Provider');
    const after = await tx.provider.update({
      where: { id },
      data: { ...input, ...(input.postcode ? { postcode: input.postcode.toUpperCase() } : {}) },
    });
    await audit(tx, principal, { action: 'provider.updated', entityType: 'Provider', entityId: id, before: providerView(before), after: providerView(after) });
    return providerView(after);
  });
}
