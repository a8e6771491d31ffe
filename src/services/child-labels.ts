/**
 * How a coordinator tells children apart on a list: date of birth and a short
 * reference (the start of the child's id, which every API response carries),
 * for children of the coordinator's own authority only.
 */
import { db } from '../db.js';
import { childScope, requireRole, type Principal } from './access.js';
import { dateOnly } from './serialize.js';

export interface ChildLabel {
  dateOfBirth: string;
  reference: string;
  familyName: string;
}

/** The first 8 characters of a child's id, upper case: short enough to read out on the phone, long enough to be unique in a county. */
export const childReference = (childId: string) => childId.slice(0, 8).toUpperCase();

export async function childLabels(principal: Principal, childIds: string[]): Promise<Map<string, ChildLabel>> {
  requireRole(principal, 'COORDINATOR', 'FAMILY');
  const ids = [...new Set(childIds)];
  if (!ids.length) return new Map();
  const rows = await db().child.findMany({ where: { AND: [{ id: { in: ids } }, childScope(principal)] }, select: { id: true, dateOfBirth: true, family: { select: { name: true } } } });
  return new Map(rows.map((r) => [r.id, { dateOfBirth: dateOnly(r.dateOfBirth), reference: childReference(r.id), familyName: r.family.name }]));
}
