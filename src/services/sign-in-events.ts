/**
 * Sign-in events, in the audit log: each success (the person, and the session
 * or token it gave them) and each failure (why, and from which client
 * address), by method — OpenID Connect, an emailed link (or invitation), or an
 * access key typed into the sign-in page, or a bearer token sent to the API.
 * Failures are written only while the address is within its failure limit
 * (src/failure-limiter.ts) and its first RECORDED_FAILURES_PER_MINUTE, and once
 * more when it passes them, so a flood of bad attempts writes a bounded number
 * of rows per address a minute. Never the token or link itself.
 */
import type { Tx } from '../db.js';
import { db } from '../db.js';
import type { FailureLimiter } from '../failure-limiter.js';
import { requireRole, type Principal } from './access.js';
import { audit } from './audit.js';
import { transaction } from './tx.js';

export type SignInEventMethod = 'TOKEN' | 'EMAIL_LINK' | 'INVITATION' | 'OIDC' | 'API_TOKEN';

export interface SignInEvent {
  method: SignInEventMethod;
  outcome: 'SUCCEEDED' | 'FAILED';
  address: string;
  personId?: string | null;
  sessionId?: string | null;
  tokenId?: string | null;
  /** Why a sign-in failed (UNKNOWN, USED, EXPIRED, PROVIDER_REFUSED, ...). */
  reason?: string;
}

export async function recordSignIn(e: SignInEvent, tx?: Tx): Promise<void> {
  const write = (t: Tx) =>
    audit(
      t,
      { role: 'SIGN_IN', personId: e.personId ?? null, sessionId: e.sessionId ?? null, tokenId: e.tokenId ?? null, address: e.address },
      {
        action: e.outcome === 'SUCCEEDED' ? 'sign_in.succeeded' : 'sign_in.failed',
        entityType: e.personId ? 'Person' : 'SignIn',
        entityId: e.personId ?? e.method,
        after: { method: e.method, address: e.address, ...(e.reason ? { reason: e.reason } : {}) },
      },
    );
  await (tx ? write(tx) : transaction(write));
}

/** Why the one row written when an address passes what is recorded was written (the attempts after it that minute are not). */
export const TOO_MANY_FAILURES = 'TOO_MANY_FAILURES';
/** Failures recorded per address a minute (fewer when the address's failure limit is lower). */
export const RECORDED_FAILURES_PER_MINUTE = 10;

/**
 * A sign-in failed: count it against the client address and audit it while the address is within what
 * is recorded, and once as TOO_MANY_FAILURES when it passes that. Answers the seconds to wait, or 0.
 * Without Redis nothing is counted, so nothing is written either (an uncounted flood must not fill the log).
 */
export async function signInFailure(limiter: FailureLimiter, e: Omit<SignInEvent, 'outcome'>): Promise<number> {
  const { wait, counts } = await limiter.failures([`ip:${e.address}`]);
  const count = counts?.[0];
  if (count === undefined) return wait;
  const recorded = Math.min(limiter.limit, RECORDED_FAILURES_PER_MINUTE);
  if (count <= recorded) await recordSignIn({ ...e, outcome: 'FAILED' });
  else if (count === recorded + 1) await recordSignIn({ ...e, outcome: 'FAILED', reason: TOO_MANY_FAILURES });
  return wait;
}

export interface SignInEventView {
  at: string;
  outcome: 'SUCCEEDED' | 'FAILED';
  method: string;
  reason: string | null;
  address: string | null;
  personId: string | null;
  personName: string | null;
  serviceAccount: boolean;
  sessionId: string | null;
  tokenId: string | null;
}

/** The latest sign-in events, newest first, for platform administrators (failures only when asked). */
export async function listSignInEvents(p: Principal, query: { outcome?: 'SUCCEEDED' | 'FAILED'; limit: number }): Promise<SignInEventView[]> {
  requireRole(p, 'ADMIN');
  const actions = query.outcome === 'SUCCEEDED' ? ['sign_in.succeeded'] : query.outcome === 'FAILED' ? ['sign_in.failed'] : ['sign_in.succeeded', 'sign_in.failed'];
  const rows = await db().auditEvent.findMany({ where: { action: { in: actions } }, orderBy: [{ at: 'desc' }, { id: 'asc' }], take: query.limit });
  const personIds = [...new Set(rows.map((r) => r.actorPersonId).filter((id): id is string => Boolean(id)))];
  const people = new Map((await db().person.findMany({ where: { id: { in: personIds } }, select: { id: true, name: true, serviceAccount: true } })).map((x) => [x.id, x]));
  return rows.map((r) => {
    const after = (r.after ?? {}) as { method?: unknown; reason?: unknown; address?: unknown };
    const person = r.actorPersonId ? people.get(r.actorPersonId) : undefined;
    return {
      at: r.at.toISOString(),
      outcome: r.action === 'sign_in.succeeded' ? 'SUCCEEDED' : 'FAILED',
      method: typeof after.method === 'string' ? after.method : 'UNKNOWN',
      reason: typeof after.reason === 'string' ? after.reason : null,
      address: typeof after.address === 'string' ? after.address : null,
      personId: r.actorPersonId,
      personName: person?.name ?? null,
      serviceAccount: person?.serviceAccount ?? false,
      sessionId: r.actorSessionId,
      tokenId: r.actorTokenId,
    };
  });
}
