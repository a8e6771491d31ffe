/**
 * `npm start` on one machine: apply migrations, load the demo county when the
 * database is empty, then run the API and the workers as two child processes
 * (the same entry points a scaled deployment runs separately). SIGTERM/SIGINT
 * are passed on so both shut down gracefully.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { config } from '../src/config.js';
import { db, disconnectDb } from '../src/db.js';
import { applyMigrations } from '../src/db/migrations.js';
import { seedDemoCounty } from '../fixtures/demo-county.js';
import { mintToken } from '../src/services/tokens.js';

const cfg = config();
const applied = await applyMigrations(cfg.DATABASE_URL);
if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);

if ((await db().authority.count()) === 0) {
  console.log('Loading the demo county (first start only)…');
  const summary = await seedDemoCounty();
  console.log(`  ${summary.providers} providers, ${summary.slots} slots, ${summary.families} families, ${summary.children} children`);
}

const authority = await db().authority.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
const provider = await db().provider.findFirstOrThrow({ where: { kind: 'RESIDENTIAL' }, orderBy: { name: 'asc' } });
const family = await db().family.findFirstOrThrow({ where: { authorityId: authority.id }, orderBy: { name: 'asc' } });
const tokens = {
  coordinator: await mintToken({ role: 'COORDINATOR', authorityId: authority.id }, { label: 'demo' }),
  provider: await mintToken({ role: 'PROVIDER', providerId: provider.id }, { label: 'demo' }),
  family: await mintToken({ role: 'FAMILY', familyId: family.id }, { label: 'demo' }),
};
await disconnectDb();

const children: ChildProcess[] = ['src/server.ts', 'workers/index.ts'].map((entry) =>
  spawn(process.execPath, ['--import', 'tsx', entry], { stdio: 'inherit', env: process.env }),
);

const url = `http://localhost:${cfg.PORT}`;
console.log(`
Short-breaks scheduler running at ${url}
  web pages: ${url}/  (sign in by pasting one of the tokens below)
  health:  curl ${url}/health
  OpenAPI: ${url}/openapi.json
Demo tokens (new each start):
  coordinator (${authority.name}):  ${tokens.coordinator}
  provider (${provider.name}):  ${tokens.provider}
  family (${family.name}):  ${tokens.family}
Try:  curl -H "Authorization: Bearer ${tokens.coordinator}" "${url}/v1/slots?from=${new Date().toISOString().slice(0, 10)}&to=${new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10)}&available=true"
`);

let exiting = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    exiting = true;
    for (const child of children) child.kill('SIGTERM');
  });
}
for (const child of children) {
  child.on('exit', (code) => {
    if (!exiting) {
      // If either process dies the system is not whole: stop the other too.
      exiting = true;
      for (const other of children) if (other !== child) other.kill('SIGTERM');
      process.exitCode = code ?? 1;
    }
  });
}
