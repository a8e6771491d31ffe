/** Configuration comes from the environment, validated at start, naming any wrong variable, so a bad deployment stops at once and says why. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('loadConfig', () => {
  it('defaults to the local machine', () => {
    expect(loadConfig({})).toMatchObject({
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      SLOT_HORIZON_DAYS: 365,
      NOTIFY_TRANSPORT: 'log',
      // Recovery: a killed worker's job is taken again within 20 + 10 s; a job Redis lost is re-pushed within 60 + 30 s.
      JOB_LOCK_MS: 20_000,
      JOB_STALLED_CHECK_MS: 10_000,
      RECONCILE_STALE_MS: 60_000,
      RECONCILE_EVERY_MS: 30_000,
    });
  });

  it('reads and converts the variables it is given, treating empty ones as unset', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'rediss://cache:6380', SLOT_HORIZON_DAYS: '', NOTIFY_TRANSPORT: 'smtp', SMTP_URL: 'smtp://mail:25' });
    expect(config).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'rediss://cache:6380', SLOT_HORIZON_DAYS: 365, SMTP_URL: 'smtp://mail:25' });
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/shortbreaks' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '0' }],
    ['REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }],
    ['SLOT_HORIZON_DAYS', { SLOT_HORIZON_DAYS: '3' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SMTP_URL', { NOTIFY_TRANSPORT: 'smtp' }],
    ['SESSION_SECRET', { NODE_ENV: 'production' }],
    ['SESSION_SECRET', { NODE_ENV: 'staging' }],
    ['SESSION_SECRET', { NODE_ENV: 'production', SESSION_SECRET: 'too-short' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'yes' }],
    ['OIDC_CLIENT_SECRET', { OIDC_ISSUER: 'https://login.example.org', OIDC_CLIENT_ID: 'shortbreaks' }],
    ['OIDC_ISSUER', { OIDC_ISSUER: 'ftp://login.example.org', OIDC_CLIENT_ID: 'shortbreaks', OIDC_CLIENT_SECRET: 's' }],
  ])('names %s when it is wrong (%j)', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${variable}\\b`));
  });

  it('gives development and test one shared session secret (so local replicas agree), and production only its own', () => {
    expect(loadConfig({}).SESSION_SECRET).toBe(loadConfig({ NODE_ENV: 'test' }).SESSION_SECRET);
    const secret = 'p'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret }).SESSION_SECRET).toBe(secret);
  });

  it('reads TRUST_PROXY as a number of proxies', () => {
    expect([loadConfig({}).TRUST_PROXY, loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY, loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY]).toEqual([0, 1, 2]);
  });

  it('names every wrong variable at once', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'abc', REDIS_URL: 'http://x' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/REDIS_URL/);
  });
});

describe('the API entry point', () => {
  it('fails fast with a non-zero exit naming a wrong variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'notaport' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78); // EX_CONFIG, from src/server.ts
    expect(stderr).toMatch(/\bPORT\b/);
    // The suite's own timeout: starting tsx on a loaded CI machine has taken over 20 s, and a timeout only detects a hang.
  });
});
