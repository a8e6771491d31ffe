/** Configuration comes from the environment, validated at start, naming any wrong variable (issue 2). */
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
  ])('names %s when it is wrong (%j)', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`\\b${variable}\\b`));
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
  }, 20_000);
});
