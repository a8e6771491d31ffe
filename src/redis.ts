/**
 * Redis connections. BullMQ workers need `maxRetriesPerRequest: null` (blocking
 * commands must wait through a reconnect); producers fail fast instead, with
 * `enableOfflineQueue: false`, so an API request never hangs on a Redis outage —
 * the job outbox in PostgreSQL keeps the work until Redis is back.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { config } from './config.js';

const connections = new Set<Redis>();

function open(options: RedisOptions): Redis {
  const conn = new Redis(config().REDIS_URL, { lazyConnect: false, ...options });
  // An unhandled 'error' event would crash the process during a Redis restart.
  conn.on('error', () => undefined);
  connections.add(conn);
  conn.once('end', () => connections.delete(conn));
  return conn;
}

export function workerConnection(): Redis {
  return open({ maxRetriesPerRequest: null });
}

export function producerConnection(): Redis {
  return open({ maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 });
}

/** For health probes: waits for a connection, but the probe's own time limit bounds it. */
export function probeConnection(): Redis {
  return open({ maxRetriesPerRequest: 0, connectTimeout: 1000 });
}

export async function closeRedis(): Promise<void> {
  await Promise.all([...connections].map((c) => c.quit().catch(() => c.disconnect())));
  connections.clear();
}
