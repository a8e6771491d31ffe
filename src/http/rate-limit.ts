/**
 * Rate limiting of authentication failures per client address. Tokens are 256
 * random bits, so this is not what keeps them secret; it stops a client that
 * sends bad tokens from loading the database, and makes probing visible. The
 * count is per API process (a fixed window), which is enough for that purpose.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  /** Seconds until the client may try again, or 0 when it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs || w.count < this.limit) return 0;
    return Math.ceil((w.start + this.windowMs - now) / 1000);
  }

  fail(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) this.windows.set(key, { start: now, count: 1 });
    else w.count++;
    // Keep memory bounded under a flood of distinct addresses.
    if (this.windows.size > 50_000) {
      for (const [k, v] of this.windows) if (now - v.start >= this.windowMs) this.windows.delete(k);
    }
  }
}

/** The client address: the socket's, or the first X-Forwarded-For hop when behind a trusted proxy. */
export function clientKey(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local'; // in-process requests (tests) have no socket
  }
}
