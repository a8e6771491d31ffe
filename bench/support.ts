/**
 * Benchmarks run against their own database (`<db>_bench`), created and migrated
 * here, so they never disturb the demo or the tests. Set before anything reads
 * the configuration.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';

const base = process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks';
export const BENCH_DATABASE_URL = base.replace(/\/([^/?]+)(\?|$)/, '/$1_bench$2');
process.env.DATABASE_URL = BENCH_DATABASE_URL;
process.env.QUEUE_PREFIX ??= 'sbbench';
process.env.LOG_LEVEL ??= 'error';

export async function prepareBenchDatabase(): Promise<void> {
  const url = new URL(BENCH_DATABASE_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const { applyMigrations } = await import('../src/db/migrations.js');
  await applyMigrations(BENCH_DATABASE_URL);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

/** Run `task(i)` for i in [0, n) with at most `concurrency` in flight; returns per-task latencies (ms) and wall time. */
export async function runConcurrent(n: number, concurrency: number, task: (i: number) => Promise<boolean>) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        const t0 = performance.now();
        if (!(await task(i))) failures++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { n, wallMs, throughput: (n / wallMs) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

export function table(rows: Record<string, string | number>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(width[i]!)).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

/** Start `src/server.ts` on a free port against the bench database; resolves once /health answers. */
export async function startApiProcess(): Promise<{ url: string; close(): Promise<void> }> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
