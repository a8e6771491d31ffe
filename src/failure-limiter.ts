/**
 * Rate limiting of authentication failures, shared by every API replica through
 * Redis. Tokens are 256 random bits, so this is not what keeps them secret; it
 * stops a client that sends bad credentials from loading the database, and makes
 * probing visible.
 *
 * Only failures are counted and only failures are refused: a request with a valid
 * credential is always served, however many others failed from the same address
 * (behind a load balancer without TRUST_PROXY every client shares one). Each
 * failure counts against every key it names: the client address and, where the
 * request names one, the account (an email address asking for a sign-in link).
 */
import type { Redis } from 'ioredis';
import { config } from './config.js';
import { logger } from './logger.js';
import { producerConnection } from './redis.js';

let connection: Redis | undefined;
/** The shared connection, once ready: a fail-fast connection refuses commands while it is still connecting. */
async function redis(): Promise<Redis> {
  if (!connection || connection.status === 'end') connection = producerConnection();
  const conn = connection;
  if (conn.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis not ready')), 2000);
      conn.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return conn;
}

/** A fixed window per key: the first failure starts it, it ends windowMs later. */
export class FailureLimiter {
  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    /** Keys live under this prefix, so deployments (and test runs) sharing one Redis count apart. */
    private readonly prefix = config().QUEUE_PREFIX,
  ) {}

  private key(k: string) {
    return `${this.prefix}:authfail:${k}`;
  }

  /**
   * Count one failure against each key; answers the seconds to wait when any of
   * them is now over the limit, or 0 when this failure is still within it.
   */
  async fail(keys: string[]): Promise<number> {
    return (await this.failures(keys)).wait;
  }

  /** As fail, with each key's count in this window (null when Redis is unavailable: nothing is refused then). */
  async failures(keys: string[]): Promise<{ wait: number; counts: number[] | null }> {
    try {
      const multi = (await redis()).multi();
      for (const k of keys) multi.set(this.key(k), '0', 'PX', this.windowMs, 'NX').incr(this.key(k)).pttl(this.key(k));
      const replies = (await multi.exec()) ?? [];
      let wait = 0;
      const counts = keys.map((_, i) => {
        const count = Number(replies[i * 3 + 1]?.[1] ?? 0);
        const ttl = Number(replies[i * 3 + 2]?.[1] ?? this.windowMs);
        if (count > this.limit) wait = Math.max(wait, Math.ceil(Math.max(ttl, 1) / 1000));
        return count;
      });
      return { wait, counts };
    } catch (err) {
      // Failing open: without Redis nobody is locked out, and tokens stay as hard to guess.
      logger.warn('authentication failures not counted: Redis unavailable', { err: (err as Error).message });
      return { wait: 0, counts: null };
    }
  }

  /** Count one hit against each key; the counts in this window (null when Redis is unavailable: callers fail open). */
  async hits(keys: string[]): Promise<number[] | null> {
    try {
      const multi = (await redis()).multi();
      for (const k of keys) multi.set(this.key(k), '0', 'PX', this.windowMs, 'NX').incr(this.key(k));
      const replies = (await multi.exec()) ?? [];
      return keys.map((_, i) => Number(replies[i * 2 + 1]?.[1] ?? 0));
    } catch (err) {
      logger.warn('rate limit not counted: Redis unavailable', { err: (err as Error).message });
      return null;
    }
  }

  /** Seconds until a key may fail again without refusal (0 when it may now); for flows that refuse before checking. */
  async retryAfter(key: string): Promise<number> {
    try {
      const conn = await redis();
      const [count, ttl] = await Promise.all([conn.get(this.key(key)), conn.pttl(this.key(key))]);
      return Number(count ?? 0) >= this.limit && ttl > 0 ? Math.ceil(ttl / 1000) : 0;
    } catch {
      return 0;
    }
  }
}
