/**
 * Loading the Open Referral (HSDS 3.1) feed of short-break services. Public and
 * unauthenticated, so it reads only providers, their published rules, prices
 * and aggregate free places — no query here touches a child, family or booking
 * row except to count places (src/domain/openreferral.ts maps the result).
 */
import { db } from '../db.js';
import { COMPLEX_HEALTH_NEEDS, type CareNeed } from '../domain/care-needs.js';
import { addDays, londonDateOf } from '../domain/london-time.js';
import { hsdsPage, serviceDocument, serviceSummary, type FeedContext, type FeedProvider } from '../domain/openreferral.js';
import { Prisma } from '../generated/prisma/client.js';
import { ApiError } from '../errors.js';
import { publishedRule } from './capacity-rules.js';
import { providerContact } from './providers.js';

/** Free places are published for the next four weeks: what a family or a directory can act on. */
export const CAPACITY_WINDOW_DAYS = 28;

export interface FeedQuery {
  /** An authority's code: its Local Offer (places open to all plus those block-contracted to it). */
  authority?: string;
  /** HSDS `search`: words in the service's name. */
  search?: string;
  page: number;
  perPage: number;
  full?: boolean;
}

async function feedAuthority(code: string | undefined): Promise<{ id: string | null; name: string | null }> {
  if (!code) return { id: null, name: null };
  const authority = await db().authority.findUnique({ where: { code }, select: { id: true, name: true } });
  if (!authority) throw new ApiError('NOT_FOUND', `No authority has the code ${code}`);
  return authority;
}

/** Rules (and their slots) open to everyone, or block-contracted to the feed's authority. */
const visibleTo = (authorityId: string | null) => (authorityId ? { OR: [{ reservedForAuthorityId: null }, { reservedForAuthorityId: authorityId }] } : { reservedForAuthorityId: null });

const providerInclude = (authorityId: string | null, today: string) =>
  ({
    capacityRules: {
      where: { active: true, AND: [visibleTo(authorityId), { OR: [{ untilDate: null }, { untilDate: { gte: today } }] }] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include: { prices: { where: { OR: [{ effectiveTo: null }, { effectiveTo: { gte: today } }] }, orderBy: { effectiveFrom: 'asc' } } },
    },
    carers: { include: { training: true } },
  }) satisfies Prisma.ProviderInclude;

type ProviderRow = Prisma.ProviderGetPayload<{ include: ReturnType<typeof providerInclude> }>;

interface CapacityRow {
  providerId: string;
  unit: 'NIGHT' | 'SESSION';
  maximum: number;
  available: number;
  updated: Date;
}

/** Published and free units per provider over the window: nights for overnight slots, one per day slot. */
async function capacityOf(providerIds: string[], authorityId: string | null, from: string, to: string): Promise<CapacityRow[]> {
  if (!providerIds.length) return [];
  return db().$queryRaw<CapacityRow[]>`
    WITH s AS (
      SELECT s."providerId", s.capacity, s.booked, s.held, s."updatedAt",
             ((s."endsAt" AT TIME ZONE 'Europe/London')::date - (s."startsAt" AT TIME ZONE 'Europe/London')::date) AS nights
      FROM slot s JOIN provider p ON p.id = s."providerId"
      WHERE s."providerId" IN (${Prisma.join(providerIds)}) AND s."localDate" BETWEEN ${from} AND ${to} AND s.status = 'ACTIVE'
        AND (s."reservedForAuthorityId" IS NULL ${authorityId ? Prisma.sql`OR s."reservedForAuthorityId" = ${authorityId}` : Prisma.empty})
        AND p.status <> 'CLOSED' AND (p."closingFrom" IS NULL OR s."startsAt" < p."closingFrom")
    )
    SELECT "providerId", CASE WHEN nights > 0 THEN 'NIGHT' ELSE 'SESSION' END AS unit,
           SUM(capacity * GREATEST(nights, 1))::int AS maximum,
           SUM(GREATEST(capacity - booked - held, 0) * GREATEST(nights, 1))::int AS available,
           MAX("updatedAt") AS updated
    FROM s GROUP BY "providerId", unit ORDER BY unit`;
}

/** A family-based rule's complex needs are met by its carer's training valid today, never by the rule's tags (invariant 3). */
function capabilitiesOf(p: ProviderRow, rule: ProviderRow['capacityRules'][number], now: Date): CareNeed[] {
  const caps = rule.capabilities as CareNeed[];
  if (p.kind !== 'FAMILY_BASED') return caps;
  const carer = p.carers.find((c) => c.id === rule.carerId);
  const trained = (carer?.training ?? []).filter((t) => t.completedOn <= now && t.expiresOn >= now).map((t) => t.need as CareNeed);
  return [...new Set([...caps.filter((c) => !COMPLEX_HEALTH_NEEDS.includes(c)), ...trained.filter((n) => COMPLEX_HEALTH_NEEDS.includes(n))])];
}

function toFeedProvider(p: ProviderRow, capacity: CapacityRow[], now: Date): FeedProvider {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    status: p.status,
    closingFrom: p.closingFrom,
    ...providerContact(p),
    updatedAt: p.updatedAt,
    rules: p.capacityRules.map((r) => ({
      id: r.id,
      ...publishedRule(r),
      capabilities: capabilitiesOf(p, r, now),
      exdates: r.exdates,
      updatedAt: r.updatedAt,
    })),
    capacity: capacity.filter((c) => c.providerId === p.id).map(({ unit, maximum, available, updated }) => ({ unit, maximum, available, updated })),
    prices: p.capacityRules.flatMap((r) =>
      r.prices.map((c) => ({ id: c.id, ruleName: r.name ?? 'Short breaks', unit: c.unit, pence: c.pence, effectiveFrom: c.effectiveFrom, effectiveTo: c.effectiveTo })),
    ),
  };
}

async function loadProviders(where: Prisma.ProviderWhereInput, authorityId: string | null, now: Date, paging?: { skip: number; take: number }) {
  const today = londonDateOf(now);
  const windowTo = addDays(today, CAPACITY_WINDOW_DAYS - 1);
  const rows = await db().provider.findMany({ where, include: providerInclude(authorityId, today), orderBy: [{ name: 'asc' }, { id: 'asc' }], ...paging });
  const capacity = await capacityOf(rows.map((r) => r.id), authorityId, today, windowTo);
  const ctx = { windowFrom: today, windowTo };
  return { providers: rows.map((r) => toFeedProvider(r, capacity, now)), ctx };
}

/** GET /openreferral/services: HSDS's paged list (one-to-one fields, or fully nested with `full`). */
export async function listServices(q: FeedQuery, now = new Date()) {
  const authority = await feedAuthority(q.authority);
  const where: Prisma.ProviderWhereInput = {
    status: { not: 'CLOSED' },
    capacityRules: { some: { active: true, ...visibleTo(authority.id) } },
    ...(q.search ? { name: { contains: q.search, mode: 'insensitive' } } : {}),
  };
  const total = await db().provider.count({ where });
  const { providers, ctx } = await loadProviders(where, authority.id, now, { skip: (q.page - 1) * q.perPage, take: q.perPage });
  const feedCtx: FeedContext = { ...ctx, authorityName: authority.name };
  return hsdsPage(providers.map((p) => (q.full ? serviceDocument(p, feedCtx) : serviceSummary(p, feedCtx))), total, q.page, q.perPage);
}

/** GET /openreferral/services/{id}: one fully nested service; a closed provider is published as defunct. */
export async function getService(id: string, q: { authority?: string }, now = new Date()) {
  const authority = await feedAuthority(q.authority);
  const { providers, ctx } = await loadProviders({ id, capacityRules: { some: visibleTo(authority.id) } }, authority.id, now);
  const provider = providers[0];
  if (!provider) throw new ApiError('NOT_FOUND', 'No short-break service has this id in the feed');
  return serviceDocument(provider, { ...ctx, authorityName: authority.name });
}
