/**
 * The token rows an API process has just looked up, kept for a few seconds (PRINCIPAL_CACHE_MS) so
 * a request does not spend a database round trip on its bearer token. It stays correct on revocation:
 * a trigger on api_token and membership (migration principal_change_notify) sends `principal_changed`
 * at every commit that changes them, and this process forgets everything it holds when that arrives.
 * The cache is used only while the process is listening: until LISTEN has succeeded, and from the
 * moment its connection fails until it is back, every request reads the database. A lookup that
 * started before a change is never stored (the generation check), so nothing read before a
 * revocation outlives it. Only valid rows are kept; expiry is checked on every request.
 */
import pg from 'pg';
import { config } from '../config.js';
import { onDisconnect } from '../db.js';
import { logger } from '../logger.js';
import type { TokenRow } from './tokens.js';

const CHANNEL = 'principal_changed';
const MAX_ENTRIES = 10_000;

const rows = new Map<string, { row: TokenRow; storedAt: number }>();
let generation = 0;
let listening = false;
let listener: pg.Client | undefined;
let starting: Promise<void> | undefined;
let stopped = false;
let retry: NodeJS.Timeout | undefined;
const waiters: (() => void)[] = [];

function forgetAll(): void {
  generation++;
  rows.clear();
  for (const w of waiters.splice(0)) w();
}

const ttl = () => config().PRINCIPAL_CACHE_MS;

function listen(): Promise<void> {
  starting ??= (async () => {
    const client = new pg.Client({ connectionString: config().DATABASE_URL });
    listener = client;
    const lost = (err?: Error) => {
      if (listener !== client) return;
      listening = false;
      listener = undefined;
      starting = undefined;
      forgetAll();
      client.end().catch(() => undefined);
      if (err) logger.warn('principal cache stopped listening', { err: err.message });
      if (!stopped) retry = setTimeout(() => void listen(), 1000).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', forgetAll);
    try {
      await client.connect();
      // The connection must not keep a process alive that has nothing else to do.
      (client as unknown as { connection: { stream: { unref?: () => void } } }).connection.stream.unref?.();
      await client.query(`LISTEN ${CHANNEL}`);
      forgetAll();
      listening = true;
    } catch (err) {
      lost(err as Error);
    }
  })();
  return starting;
}

/**
 * The token row for a hash: from the cache when this process is listening and holds a fresh one,
 * otherwise from `load` (kept when valid and nothing changed meanwhile).
 */
export async function cachedTokenRow(tokenHash: string, load: () => Promise<TokenRow | null>, isValid: (row: TokenRow) => boolean): Promise<TokenRow | null> {
  if (ttl() <= 0 || stopped) return load();
  if (!listening) {
    void listen();
    return load();
  }
  const hit = rows.get(tokenHash);
  if (hit && Date.now() - hit.storedAt < ttl()) return hit.row;
  const before = generation;
  const row = await load();
  if (row && isValid(row) && listening && generation === before) {
    if (rows.size >= MAX_ENTRIES) rows.clear();
    rows.set(tokenHash, { row, storedAt: Date.now() });
  }
  return row;
}

/** Resolves at the next `principal_changed` this process hears (or when it stops listening): for tests. */
export function nextPrincipalChange(): Promise<void> {
  return new Promise((resolve) => waiters.push(resolve));
}

/** Resolves once this process is listening (starting the listener if needed): for tests. */
export async function principalCacheListening(): Promise<boolean> {
  await listen();
  return listening;
}

/** Stop listening and forget everything (process shutdown, disconnectDb). */
export async function stopPrincipalCache(): Promise<void> {
  stopped = true;
  clearTimeout(retry);
  listening = false;
  const client = listener;
  listener = undefined;
  starting = undefined;
  forgetAll();
  await client?.end().catch(() => undefined);
  stopped = false;
}
onDisconnect(stopPrincipalCache);
