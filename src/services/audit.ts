/** Audit events: who did what, with before and after (DESIGN.md invariant 4). */
import { randomUUID } from 'node:crypto';
import { executeSql, type AnyTx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Principal } from './access.js';

export type Actor =
  | Principal
  | { role: 'SYSTEM'; job: string }
  /** Someone signing in: the person once known (and the session or token it gave them), else only the client address. */
  | { role: 'SIGN_IN'; personId: string | null; sessionId: string | null; tokenId: string | null; address: string };

export interface ActorFields {
  actorRole: string;
  actorId: string;
  /** The person behind the request (null for jobs and for access keys no person owns). */
  actorPersonId: string | null;
  /** The browser session and the API token it came through (either or both). */
  actorSessionId: string | null;
  actorTokenId: string | null;
}

export function actorFields(actor: Actor): ActorFields {
  if (actor.role === 'SYSTEM') return { actorRole: 'SYSTEM', actorId: actor.job, actorPersonId: null, actorSessionId: null, actorTokenId: null };
  if (actor.role === 'SIGN_IN') {
    return { actorRole: 'SIGN_IN', actorId: actor.sessionId ?? actor.tokenId ?? `address:${actor.address}`, actorPersonId: actor.personId, actorSessionId: actor.sessionId, actorTokenId: actor.tokenId };
  }
  const sessionId = actor.sessionId ?? null;
  // A principal built by hand (a job acting as a coordinator) names its credential in tokenId alone.
  const tokenId = actor.apiTokenId ?? (actor.tokenId === sessionId ? null : actor.tokenId);
  return { actorRole: actor.role, actorId: actor.tokenId, actorPersonId: actor.personId ?? null, actorSessionId: sessionId, actorTokenId: tokenId };
}

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string;
  bookingId?: string;
  authorityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** The INSERT of one audit row, to run alone or inside a larger statement (the booking path writes both at once). */
export function auditInsert(actor: Actor, event: AuditEvent): Prisma.Sql {
  const { actorRole, actorId, actorPersonId, actorSessionId, actorTokenId } = actorFields(actor);
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return Prisma.sql`
    INSERT INTO audit_event (id, "actorRole", "actorId", "actorPersonId", "actorSessionId", "actorTokenId", action, "entityType", "entityId", "bookingId", "authorityId", before, after)
    VALUES (${randomUUID()}, ${actorRole}, ${actorId}, ${actorPersonId}, ${actorSessionId}, ${actorTokenId}, ${event.action}, ${event.entityType}, ${event.entityId},
            ${event.bookingId ?? null}, ${event.authorityId ?? null}, ${json(event.before)}::jsonb, ${json(event.after)}::jsonb)`;
}

export async function audit(tx: AnyTx, actor: Actor, event: AuditEvent): Promise<void> {
  // A plain INSERT: audit rows are written inside every booking transaction, the hottest path.
  await executeSql(tx, 'audit-insert', auditInsert(actor, event));
}
