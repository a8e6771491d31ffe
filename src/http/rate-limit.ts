/**
 * Who a request comes from, for counting its authentication failures against
 * (the counting itself is src/failure-limiter.ts, shared with the services that
 * limit sign-in links).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The client address: the socket's, or — behind `trustedHops` proxies that each
 * append to X-Forwarded-For — the entry that many from the right. Entries further
 * left were sent by the client and cannot be believed.
 */
export function clientKey(c: Context, trustedHops: number): string {
  if (trustedHops > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const client = hops[hops.length - trustedHops];
    if (client) return client;
  }
  try {
    return getConnInfo(c).remote.address ?? 'local';
  } catch {
    return 'local'; // in-process requests (tests) have no socket
  }
}
