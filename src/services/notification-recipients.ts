/**
 * Who a notification reaches. Recipients are keyed by role and id as the
 * notification outbox is: a family (its email and phone), a provider (its
 * email and phone), or an authority's coordinators (the short-breaks team's
 * shared inbox and phone). When people with their own contacts exist, this
 * is the one place that learns to find them: a person (sign-in links) by their
 * own email, and an invitation by the address it was sent to.
 */
import type { Tx } from '../db.js';
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
