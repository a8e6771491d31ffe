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
import { loadDemo } from '../fixtures/demo.js';
import { addMembership } from '../src/services/people.js';
import { mintSignInLink, SIGN_IN_LINK_MINUTES } from '../src/services/sign-in-links.js';
import { transaction } from '../src/services/tx.js';

const cfg = config();
const applied = await applyMigrations(cfg.DATABASE_URL);
if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);

const firstStart = (await db().authority.count()) === 0;
if (firstStart) {
  console.log('Loading the demo county (first start only)…');
  const started = performance.now();
  await loadDemo(console.log);
  console.log(`  loaded in ${Math.round((performance.now() - started) / 1000)} s`);
}

const authority = await db().authority.findFirstOrThrow({ orderBy: { createdAt: 'asc' } });
const provider = await db().provider.findFirstOrThrow({ where: { kind: 'RESIDENTIAL' }, orderBy: { name: 'asc' } });
const family = await db().family.findFirstOrThrow({ where: { authorityId: authority.id }, orderBy: { name: 'asc' } });
// The demo's people, one per role (made once, found again on later starts); each gets a fresh sign-in link below.
const demoPeople = await transaction(async (tx) => ({
  coordinator: await addMembership(tx, { name: 'Chris Coordinator', email: 'coordinator@demo.shortbreaks.example' }, { role: 'COORDINATOR', authorityId: authority.id }),
  provider: await addMembership(tx, { name: 'Pat Manager', email: 'manager@demo.shortbreaks.example' }, { role: 'PROVIDER_MANAGER', providerId: provider.id }),
  family: await addMembership(tx, { name: 'Sam Parent', email: 'parent@demo.shortbreaks.example' }, { role: 'CARER', familyId: family.id }),
  admin: await addMembership(tx, { name: 'Ada Administrator', email: 'admin@demo.shortbreaks.example' }, { role: 'PLATFORM_ADMIN' }),
}));
const links = await transaction(async (tx) => ({
  coordinator: (await mintSignInLink(tx, demoPeople.coordinator.person.id)).path,
  provider: (await mintSignInLink(tx, demoPeople.provider.person.id)).path,
  family: (await mintSignInLink(tx, demoPeople.family.person.id)).path,
  admin: (await mintSignInLink(tx, demoPeople.admin.person.id)).path,
}));
await disconnectDb();

const children: ChildProcess[] = ['src/server.ts', 'workers/index.ts'].map((entry) =>
  spawn(process.execPath, ['--import', 'tsx', entry], { stdio: 'inherit', env: process.env }),
);

const url = `http://localhost:${cfg.PORT}`;
console.log(`
Short-breaks scheduler running at ${url}
  web pages: ${url}/
  health:  curl ${url}/health
  OpenAPI: ${url}/openapi.json
Demo sign-in links (each works once, for ${SIGN_IN_LINK_MINUTES} minutes; ask for a new one at ${url}/sign-in/email):
  coordinator (${authority.name}, ${demoPeople.coordinator.person.email}):  ${url}${links.coordinator}
  provider manager (${provider.name}, ${demoPeople.provider.person.email}):  ${url}${links.provider}
  family (${family.name}, ${demoPeople.family.person.email}):  ${url}${links.family}
  platform administrator (${demoPeople.admin.person.email}):  ${url}${links.admin}
Links asked for later are sent by email (NOTIFY_TRANSPORT=log writes them to the workers' log).
API tokens for integrations and scripts:  npm run --silent token -- coordinator | provider <id> | family <id> | admin
`);

let exiting = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    exiting = true;
    for (const child of children) child.kill('SIGTERM');
  });
}
let running = children.length;
for (const child of children) {
  child.on('exit', (code) => {
    if (!exiting) {
      // If either process dies the system is not whole: stop the other too.
      exiting = true;
      for (const other of children) if (other !== child) other.kill('SIGTERM');
      process.exitCode = code ?? 1;
    }
    // Once both have stopped there is nothing left to run; connections the demo load opened (its queues) would
    // otherwise keep this process waiting after Ctrl-C or SIGTERM.
    if (--running === 0) process.exit();
  });
}
