/** Audit events: who did what, with before and after (DESIGN.md invariant 4). */
import type { Tx } from '../db.js';
import { randomUUID } from 'node:crypto';
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
  // A plain INSERT: audit rows are written inside every booking transaction, the hottest path.
  const { actorRole, actorId } = actorFields(actor);
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  await tx.$executeRaw`
    INSERT INTO audit_event (id, "actorRole", "actorId", action, "entityType", "entityId", "bookingId", "authorityId", before, after)
    VALUES (${randomUUID()}, ${actorRole}, ${actorId}, ${event.action}, ${event.entityType}, ${event.entityId},
            ${event.bookingId ?? null}, ${event.authorityId ?? null}, ${json(event.before)}::jsonb, ${json(event.after)}::jsonb)`;
}
