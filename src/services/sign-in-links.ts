/**
 * One-time sign-in links by email, for families (and staff where no OpenID
 * provider is configured): single use, SIGN_IN_LINK_MINUTES long, only the
 * SHA-256 of the secret stored, sent through the notification outbox. Asking
 * for a link answers the same whether or not the address is known, so the
 * form tells nobody who uses the service.
 */
import { randomBytes } from 'node:crypto';
import { config } from '../config.js';
import { db } from '../db.js';
import { FailureLimiter } from '../failure-limiter.js';
import { audit } from './audit.js';
import { LINK_SECRET_SHAPE, type LinkRefusal } from './invitations.js';
import { notify } from './notifications.js';
import { normalizeEmail } from './people.js';
import { hashSecret } from './tokens.js';
import { transaction } from './tx.js';

export const SIGN_IN_LINK_MINUTES = 15;
/** Links one person may be sent per SIGN_IN_LINK_MINUTES: enough for a lost email, too few to flood an inbox. */
export const LINKS_PER_WINDOW = 5;

let requestLimiter: FailureLimiter | undefined;
const requests = () => (requestLimiter ??= new FailureLimiter(LINKS_PER_WINDOW, SIGN_IN_LINK_MINUTES * 60_000));

/**
 * Whether a link request from this client address for this address may go on, counted in Redis
 * (shared by every replica). An account gets at most LINKS_PER_WINDOW links a window whoever
 * asks; an address that has asked more than SIGN_IN_LINK_REQUESTS_PER_ADDRESS times gets a link
 * only for an account nobody has asked for yet in the window. So a flood from one address sends
 * no more mail, yet someone else behind that address (one proxy, one office) still gets theirs.
 * Without Redis it fails open; the per-person count in PostgreSQL below still holds.
 */
async function mayRequest(email: string, address: string): Promise<boolean> {
  const counts = await requests().hits([`linkreq:address:${address}`, `linkreq:account:${hashSecret(normalizeEmail(email))}`]);
  if (!counts) return true;
  const [fromAddress, forAccount] = counts as [number, number];
  if (forAccount > LINKS_PER_WINDOW) return false;
  return fromAddress <= config().SIGN_IN_LINK_REQUESTS_PER_ADDRESS || forAccount === 1;
}

/**
 * Send a sign-in link to the person with this email, if there is one who may sign in and the
 * limits allow. Returns whether one was sent (for tests and logs, never the page).
 */
export async function requestSignInLink(email: string, now = new Date(), address = 'unknown'): Promise<boolean> {
  if (!(await mayRequest(email, address))) return false;
  const person = await db().person.findUnique({ where: { email: normalizeEmail(email) }, include: { memberships: { where: { revokedAt: null }, select: { id: true } } } });
  if (!person || person.serviceAccount || person.memberships.length === 0) return false;
  return transaction(async (tx) => {
    const since = new Date(now.getTime() - SIGN_IN_LINK_MINUTES * 60_000);
    if ((await tx.signInLink.count({ where: { personId: person.id, createdAt: { gt: since } } })) >= LINKS_PER_WINDOW) return false;
    const link = await mintSignInLink(tx, person.id, now);
    await audit(tx, { role: 'SIGN_IN', personId: person.id, sessionId: null, tokenId: null, address }, { action: 'sign_in.link_sent', entityType: 'Person', entityId: person.id, after: { method: 'EMAIL_LINK', address } });
    await notify(tx, {
      kind: 'SIGN_IN_LINK',
      dedupeKey: `sign-in-${link.id}`,
      recipientRole: 'PERSON',
      recipientId: person.id,
      fields: { name: person.name, minutes: String(SIGN_IN_LINK_MINUTES) },
      link: link.path,
      payload: { signInLinkId: link.id },
    });
    return true;
  });
}

/** A new link for a person (emailed by requestSignInLink; `npm start` prints the demo people's). */
export async function mintSignInLink(tx: Pick<ReturnType<typeof db>, 'signInLink'>, personId: string, now = new Date()): Promise<{ id: string; path: string }> {
  const secret = randomBytes(32).toString('base64url');
  const row = await tx.signInLink.create({ data: { personId, secretHash: hashSecret(secret), expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000) } });
  return { id: row.id, path: `/sign-in/link/${secret}` };
}

/** Whether a link would sign in, without using it (the page a person lands on). */
export async function checkSignInLink(secret: string, now = new Date()): Promise<LinkRefusal | null> {
  if (!LINK_SECRET_SHAPE.test(secret)) return 'UNKNOWN';
  const row = await db().signInLink.findUnique({ where: { secretHash: hashSecret(secret) } });
  if (!row) return 'UNKNOWN';
  if (row.usedAt) return 'USED';
  return row.expiresAt <= now ? 'EXPIRED' : null;
}

/** Use a link, once: the person it signs in, or why not. */
export async function useSignInLink(secret: string, now = new Date()): Promise<{ personId: string } | { refused: LinkRefusal }> {
  const refused = await checkSignInLink(secret, now);
  if (refused) return { refused };
  // One conditional UPDATE: of two clicks at once (or two replicas), exactly one signs in.
  const rows = await db().$queryRaw<{ personId: string }[]>`
    UPDATE sign_in_link SET "usedAt" = ${now} WHERE "secretHash" = ${hashSecret(secret)} AND "usedAt" IS NULL AND "expiresAt" > ${now} RETURNING "personId"`;
  return rows[0] ? { personId: rows[0].personId } : { refused: 'USED' };
}
