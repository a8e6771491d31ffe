/**
 * Who pays: a child's funding package (shares of each break between the
 * authority's social care, the ICB's continuing care and education, generally
 * or for the breaks that meet one need) and each funder's budget for a period.
 * A package applies to bookings made after it is set; earlier bookings keep
 * the split fixed when they were booked.
 */
import { db } from '../db.js';
import type { CareNeed } from '../domain/care-needs.js';
import { packageProblems, type Funder, type FundingShareInfo } from '../domain/costs.js';
import type { FunderBudget } from '../generated/prisma/client.js';
import { invalid, notFound } from '../errors.js';
import type { SetBudgetInput, SetFundingInput } from '../schemas/funding.js';
import { childScope, requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { transaction } from './tx.js';

const shareView = (s: FundingShareInfo) => ({ funder: s.funder, percent: s.basisPoints / 100, basisPoints: s.basisPoints, need: s.need });

export async function getFunding(principal: Principal, childId: string) {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  const child = await db().child.findFirst({ where: { AND: [{ id: childId }, childScope(principal)] }, include: { fundingShares: { orderBy: [{ need: 'asc' }, { funder: 'asc' }] } } });
  if (!child) throw notFound('Child');
  return { childId, shares: child.fundingShares.map((s) => shareView({ funder: s.funder, basisPoints: s.basisPoints, need: s.need as CareNeed | null })) };
}

export async function setFunding(principal: Principal, childId: string, input: SetFundingInput) {
  requireRole(principal, 'COORDINATOR');
  const shares: FundingShareInfo[] = input.shares.map((s) => ({ funder: s.funder as Funder, basisPoints: Math.round(s.percent * 100), need: (s.need ?? null) as CareNeed | null }));
  const problems = packageProblems(shares);
  if (problems.length) throw invalid(problems, 'Each group of shares must name each funder once and add up to 100%');
  await transaction(async (tx) => {
    const child = await tx.child.findFirst({ where: { id: childId, authorityId: principal.authorityId }, select: { id: true } });
    if (!child) throw notFound('Child');
    // Locked like a booking locks it, so a booking made meanwhile sees the old package or the new one, never half.
    await tx.$queryRaw`SELECT id FROM child WHERE id = ${childId} FOR UPDATE`;
    const before = await tx.fundingShare.findMany({ where: { childId } });
    await tx.fundingShare.deleteMany({ where: { childId } });
    await tx.fundingShare.createMany({ data: shares.map((s) => ({ ...s, childId, authorityId: principal.authorityId })) });
    await audit(tx, principal, {
      action: 'funding.set', entityType: 'Child', entityId: childId, authorityId: principal.authorityId,
      before: before.map((s) => ({ funder: s.funder, basisPoints: s.basisPoints, need: s.need })), after: shares,
    });
  });
  return { childId, shares: shares.map(shareView) };
}

export const budgetView = (b: FunderBudget) => ({ id: b.id, funder: b.funder, periodStart: b.periodStart, periodEnd: b.periodEnd, pence: b.pence });

/** One budget per funder and exact period; setting it again replaces the sum. */
export async function setBudget(principal: Principal, input: SetBudgetInput) {
  requireRole(principal, 'COORDINATOR');
  const key = { authorityId: principal.authorityId, funder: input.funder, periodStart: input.periodStart, periodEnd: input.periodEnd };
  const budget = await transaction(async (tx) => {
    const saved = await tx.funderBudget.upsert({ where: { authorityId_funder_periodStart_periodEnd: key }, create: { ...key, pence: input.pence }, update: { pence: input.pence } });
    await audit(tx, principal, { action: 'budget.set', entityType: 'FunderBudget', entityId: saved.id, authorityId: principal.authorityId, after: input });
    return saved;
  });
  return budgetView(budget);
}

export async function listBudgets(principal: Principal, q: { from: string; to: string }) {
  requireRole(principal, 'COORDINATOR');
  const rows = await db().funderBudget.findMany({
    where: { authorityId: principal.authorityId, periodStart: { lte: q.to }, periodEnd: { gte: q.from } },
    orderBy: [{ periodStart: 'asc' }, { funder: 'asc' }],
  });
  return rows.map(budgetView);
}
