/** Liveness plus reachability of PostgreSQL and Redis, each with a short time limit. */
import { db } from '../db.js';
import type { Redis } from 'ioredis';
import { probeConnection } from '../redis.js';

let redisClient: Redis | undefined;

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))]);

async function probe(check: () => Promise<unknown>) {
  const started = performance.now();
  try {
    await withTimeout(check(), 1500);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export async function checkHealth() {
  const [database, redis] = await Promise.all([
    probe(() => db().$queryRaw`SELECT 1`),
    probe(() => (redisClient ??= probeConnection()).ping()),
  ]);
  const status = database.ok && redis.ok ? 'ok' : database.ok ? 'degraded' : 'down';
  return { status, database, redis, time: new Date().toISOString() } as const;
}
