/**
 * Sign-in events, in the audit log: each success (the person, and the session
 * or token it gave them) and each failure (why, and from which client
 * address), by method — OpenID Connect, an emailed link (or invitation), or an
 * access key typed into the sign-in page. Failures are written only while the
 * address is within its failure limit (src/http/rate-limit.ts), so a flood of
 * bad attempts cannot flood the log.
 */
import type { Tx } from '../db.js';
import { audit } from './audit.js';
import { transaction } from './tx.js';

export type SignInEventMethod = 'TOKEN' | 'EMAIL_LINK' | 'INVITATION' | 'OIDC';

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
