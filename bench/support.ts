/**
 * Benchmarks run against their own database (`<db>_bench`), created and migrated
 * here, so they never disturb the demo or the tests. Set before anything reads
 * the configuration.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';

// Kept for the stages `npm run bench` runs in a process of their own (they inherit the rewritten DATABASE_URL).
const base = process.env.BENCH_BASE_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks';
process.env.BENCH_BASE_DATABASE_URL = base;
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

/** A database of a stage's own, dropped and made again, so its figures are for exactly what the stage seeds. */
export async function freshDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const { applyMigrations } = await import('../src/db/migrations.js');
  await applyMigrations(databaseUrl);
}

/**
 * A stage run in a process of its own hands its figures to `npm run bench`'s closing summary through a file
 * (BENCH_RESULTS_DIR, which bench/index.ts sets); run alone, it only prints them.
 */
export function saveResult(stage: string, value: unknown): void {
  const dir = process.env.BENCH_RESULTS_DIR;
  if (dir) writeFileSync(`${dir}/${stage}.json`, JSON.stringify(value));
}

export function readResult<T>(stage: string): T | undefined {
  const dir = process.env.BENCH_RESULTS_DIR;
  try {
    return dir ? (JSON.parse(readFileSync(`${dir}/${stage}.json`, 'utf8')) as T) : undefined;
  } catch {
    return undefined;
  }
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

let nextPort = 3900 + Math.floor(Math.random() * 50);

/** Start `src/server.ts` (or another entry point) on a free port against the bench database; resolves once `ready` answers. */
export async function startApiProcess(options: { entry?: string; ready?: string; env?: Record<string, string> } = {}): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const port = nextPort++;
  // BENCH_PROFILE_DIR=/some/dir writes a V8 CPU profile of each API process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', options.entry ?? 'src/server.ts'], {
    env: { ...process.env, ...options.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}${options.ready ?? '/health'}`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Closed loop for `seconds`: `concurrency` clients each sending the next request when the last answered. */
export async function runFor(seconds: number, concurrency: number, task: () => Promise<boolean>) {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if (!(await task())) failures++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { n: latencies.length, throughput: (latencies.length / wallMs) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); 0 where that is not readable. */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // utime and stime are fields 14 and 15 of stat; the slice above starts at field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/**
 * A load generator's HTTP client: node:http over a keep-alive agent. On this two-core machine the
 * load generator shares the cores with the API it measures, and fetch (undici through the web
 * streams) spends about 1 ms of CPU per request, as much as the API's booking itself; node:http
 * spends about a quarter of that, so what is measured is the API rather than the client.
 */
export function httpClient(base: string, maxSockets: number) {
  // A kept-alive socket idle for the server's keep-alive timeout (Node's 5 s) is closed by the server; the agent drops
  // its idle sockets a second before that, so no request goes out on one the server is closing (ECONNRESET).
  const agent = new http.Agent({ keepAlive: true, maxSockets, timeout: 4000 });
  const { hostname, port } = new URL(base);
  return {
    request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const all = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
        const req = http.request({ agent, host: hostname, port, path, method, headers: all }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * CPU time (ms) used so far by each PostgreSQL backend serving this database (other than the
 * asking one); the database server runs on this machine, so /proc has them. Subtract two readings
 * with `cpuSince` for the database's share of a measured stretch of work.
 */
export async function databaseCpu(client: pg.Client): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)]));
}

export function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}
