/** Audit events: who did what, with before and after (DESIGN.md invariant 4). */
import type { Tx } from '../db.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Principal } from './access.js';

export type Actor = Principal | { role: 'SYSTEM'; job: string };

export function actorFields(actor: Actor): { actorRole: string; actorId: string } {
  if (actor.role === 'SYSTEM') return { actorRole: 'SYSTEM', actorId: actor.job };
  return { actorRole: actor.role, actorId: actor.tokenId };
}

export async function audit(
  tx: Tx,
  actor: Actor,
  event: {
    action: string;
    entityType: string;
    entityId: string;
    bookingId?: string;
    authorityId?: string | null;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      ...actorFields(actor),
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      bookingId: event.bookingId ?? null,
      authorityId: event.authorityId ?? null,
      before: (event.before ?? undefined) as Prisma.InputJsonValue | undefined,
      after: (event.after ?? undefined) as Prisma.InputJsonValue | undefined,
    },
  });
}
