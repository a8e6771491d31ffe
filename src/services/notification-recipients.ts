/**
 * Who a notification reaches. Recipients are keyed by role and id as the
 * notification outbox is: a family, a provider, or an authority's
 * coordinators. Each of their member people (carers of the family, the
 * provider's managers and staff, the authority's coordinators) is told
 * on their own email and mobile (membersOf); an organisation with no member
 * people yet is told on its shared contacts (contactOf), as is the fallback
 * for a member without a mobile. A person (sign-in links) is reached by their
 * own email, and an invitation by the address it was sent to.
 */
import type { Tx } from '../db.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { RecipientRole } from './notifications.js';

export interface RecipientContact {
  email: string | null;
  phone: string | null;
  /** Who the message goes to, in words, for a coordinator reading a failure. */
  label: string;
  /** The authority whose coordinators answer for this recipient's messages, when there is one. */
  authorityId: string | null;
}

export async function contactOf(tx: Tx, role: RecipientRole, id: string): Promise<RecipientContact | null> {
  if (role === 'PERSON') {
    // A carer's undeliverable sign-in link is followed up by their family's authority.
    const p = await tx.person.findUnique({ where: { id }, select: { name: true, email: true, memberships: { where: { revokedAt: null, authorityId: { not: null } }, select: { authorityId: true }, take: 1 } } });
    return p && { email: p.email, phone: null, label: p.name, authorityId: p.memberships[0]?.authorityId ?? null };
  }
  if (role === 'INVITATION') {
    // The address the invitation was sent to: the person does not exist until they accept.
    const i = await tx.invitation.findUnique({ where: { id }, select: { name: true, email: true, authorityId: true } });
    return i && { email: i.email, phone: null, label: `${i.name} (invited)`, authorityId: i.authorityId };
  }
  if (role === 'FAMILY') {
    const f = await tx.family.findUnique({ where: { id }, select: { name: true, email: true, phone: true, authorityId: true } });
    return f && { email: f.email, phone: f.phone, label: f.name, authorityId: f.authorityId };
  }
  if (role === 'PROVIDER') {
    // A council-run home's failures go to its operator's coordinators (a message about a booking names the booking's authority itself).
    const p = await tx.provider.findUnique({ where: { id }, select: { name: true, email: true, phone: true, operatorAuthorityId: true } });
    return p && { email: p.email, phone: p.phone, label: p.name, authorityId: p.operatorAuthorityId };
  }
  const a = await tx.authority.findUnique({ where: { id }, select: { name: true, contactEmail: true, contactPhone: true } });
  return a && { email: a.contactEmail, phone: a.contactPhone, label: `${a.name} short-breaks team`, authorityId: id };
}

export interface MemberContact {
  personId: string;
  name: string;
  email: string | null;
  mobile: string | null;
}

/** The memberships that make a person one of the people an organisation's messages are for. */
export function memberWhere(role: RecipientRole, id: string): Prisma.MembershipWhereInput | null {
  if (role === 'FAMILY') return { role: 'CARER', familyId: id };
  if (role === 'PROVIDER') return { role: { in: ['PROVIDER_MANAGER', 'PROVIDER_STAFF'] }, providerId: id };
  if (role === 'COORDINATOR') return { role: 'COORDINATOR', authorityId: id };
  return null;
}

/** The people an organisation's messages fan out to, each once, oldest membership first; empty when it has none yet. */
export async function membersOf(tx: Tx, role: RecipientRole, id: string): Promise<MemberContact[]> {
  const where = memberWhere(role, id);
  if (!where) return [];
  // Service accounts act for integrations and read no messages.
  const rows = await tx.membership.findMany({
    where: { ...where, revokedAt: null, person: { serviceAccount: false } },
    select: { person: { select: { id: true, name: true, email: true, mobile: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  const seen = new Set<string>();
  return rows.flatMap(({ person: p }) => (seen.has(p.id) ? [] : (seen.add(p.id), [{ personId: p.id, name: p.name, email: p.email, mobile: p.mobile }])));
}
