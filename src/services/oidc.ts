/**
 * Staff sign-in with OpenID Connect: authorization code flow with PKCE
 * (openid-client), against the identity provider named by OIDC_ISSUER. The
 * state, nonce and PKCE verifier of a sign-in in progress travel in a cookie
 * signed with SESSION_SECRET, so whichever replica receives the callback can
 * finish it. A person is found by the provider's subject, or on their first
 * sign-in by the provider's verified email (they must have been invited or set
 * up first: signing in never creates access on its own).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { config } from '../config.js';
import { db } from '../db.js';
import { logger } from '../logger.js';
import { normalizeEmail } from './people.js';

export const oidcConfigured = (): boolean => Boolean(config().OIDC_ISSUER && config().OIDC_CLIENT_ID && config().OIDC_CLIENT_SECRET);

let discovered: { issuer: string; config: Promise<client.Configuration> } | undefined;

/** The provider's metadata, read once per process (and again after a failure). */
function providerConfig(): Promise<client.Configuration> {
  const cfg = config();
  const issuer = cfg.OIDC_ISSUER!;
  if (discovered?.issuer !== issuer) {
    // client_secret_basic: what a client registered with defaults uses at most identity providers.
    const pending = client.discovery(new URL(issuer), cfg.OIDC_CLIENT_ID!, undefined, client.ClientSecretBasic(cfg.OIDC_CLIENT_SECRET!), {
      // Plain http only for an issuer on this machine (development and tests); anywhere else it must be https.
      execute: issuer.startsWith('http:') && /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/)/.test(issuer) ? [client.allowInsecureRequests] : [],
    });
    pending.catch(() => {
      if (discovered?.config === pending) discovered = undefined;
    });
    discovered = { issuer, config: pending };
  }
  return discovered.config;
}

/** What a sign-in in progress has to remember until the callback. */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  /** Milliseconds since the epoch after which the callback is refused. */
  until: number;
}

export const PENDING_MINUTES = 10;

const sign = (payload: string) => createHmac('sha256', config().SESSION_SECRET).update(`oidc:${payload}`).digest('base64url');

export function sealPending(p: PendingSignIn): string {
  const payload = Buffer.from(JSON.stringify(p)).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function openPending(sealed: string | undefined, now = Date.now()): PendingSignIn | null {
  if (!sealed || sealed.length > 4000) return null;
  const [payload, mac] = sealed.split('.');
  if (!payload || !mac) return null;
  const expected = Buffer.from(sign(payload));
  const got = Buffer.from(mac);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) return null;
  try {
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PendingSignIn;
    return typeof p.state === 'string' && typeof p.verifier === 'string' && typeof p.nonce === 'string' && p.until > now ? p : null;
  } catch {
    return null;
  }
}

/** Where to send the browser, and what to remember (the caller puts it in a cookie). */
export async function beginOidcSignIn(redirectUri: string, now = Date.now()): Promise<{ url: string; pending: string }> {
  const cfg = await providerConfig();
  const verifier = client.randomPKCECodeVerifier();
  const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), verifier, redirectUri, until: now + PENDING_MINUTES * 60_000 };
  const url = client.buildAuthorizationUrl(cfg, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url: url.href, pending: sealPending(pending) };
}

export type OidcRefusal = 'NO_SIGN_IN_IN_PROGRESS' | 'PROVIDER_REFUSED' | 'NO_VERIFIED_EMAIL' | 'UNKNOWN_PERSON';

/** Finish at the callback: exchange the code (checking state, nonce and the PKCE verifier) and find the person. */
export async function finishOidcSignIn(pendingCookie: string | undefined, callbackQuery: string): Promise<{ personId: string; idToken: string | null } | { refused: OidcRefusal }> {
  const pending = openPending(pendingCookie);
  if (!pending) return { refused: 'NO_SIGN_IN_IN_PROGRESS' };
  const cfg = await providerConfig();
  let claims: client.IDToken | undefined;
  let idToken: string | null = null;
  try {
    const tokens = await client.authorizationCodeGrant(cfg, new URL(`${pending.redirectUri}${callbackQuery}`), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
    idToken = tokens.id_token ?? null;
    // Many providers put scope claims (email) only in the userinfo response, not the ID token.
    if (claims && typeof claims.email !== 'string') {
      const info = await client.fetchUserInfo(cfg, tokens.access_token, claims.sub);
      claims = { ...claims, email: info.email, email_verified: info.email_verified };
    }
  } catch (err) {
    logger.warn('OpenID Connect sign-in refused', { err: (err as Error).message });
    return { refused: 'PROVIDER_REFUSED' };
  }
  if (!claims) return { refused: 'PROVIDER_REFUSED' };
  const subject = `${claims.iss} ${claims.sub}`;
  const known = await db().person.findUnique({ where: { oidcSubject: subject } });
  if (known) return { personId: known.id, idToken };
  const email = typeof claims.email === 'string' && claims.email_verified === true ? normalizeEmail(claims.email) : null;
  if (!email) return { refused: 'NO_VERIFIED_EMAIL' };
  // First sign-in: the person set up or invited with this address, remembered by subject from now on.
  const linked = await db().person.updateMany({ where: { email, serviceAccount: false, oidcSubject: null }, data: { oidcSubject: subject } });
  if (linked.count === 0) return { refused: 'UNKNOWN_PERSON' };
  const person = await db().person.findUniqueOrThrow({ where: { email } });
  return { personId: person.id, idToken };
}

/**
 * Where to send the browser after signing out a person who signed in with OpenID Connect, so the
 * identity provider ends its own session too (RP-Initiated Logout), or null when the provider
 * offers no end-session endpoint or cannot be reached (the session here has ended either way).
 * The session's ID token goes as id_token_hint, so the provider knows whose session to end and may
 * skip asking; it is the only provider token kept, and only until sign-out.
 */
export async function oidcSignOutUrl(postLogoutRedirectUri: string, idTokenHint: string | null): Promise<string | null> {
  if (!oidcConfigured()) return null;
  try {
    const cfg = await providerConfig();
    if (!cfg.serverMetadata().end_session_endpoint) return null;
    return client.buildEndSessionUrl(cfg, { post_logout_redirect_uri: postLogoutRedirectUri, ...(idTokenHint ? { id_token_hint: idTokenHint } : {}) }).href;
  } catch (err) {
    logger.warn('OpenID Connect sign-out not passed to the provider', { err: (err as Error).message });
    return null;
  }
}
