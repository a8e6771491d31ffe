/** Bring the test database to the current migrations once per run; it is the template each file's own database copies. */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../src/db/migrations.js';
import { withAdminDatabase } from './support/admin-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseRunTag: string;
    templateDatabase: string;
  }
}

/** The per-file copies of this template (test/database-per-file.ts), of this run or, with `run` unset, of any. */
async function dropCopies(url: string, template: string, run: string | null, force: boolean) {
  await withAdminDatabase(url, async (client) => {
    const pattern = `${template.replace(/_/g, '\\_')}\\_${run ?? '%'}\\_%`;
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [pattern]);
    for (const { datname } of rows) {
      // Without FORCE a copy another run is still using stays; the next run's start drops it.
      await client.query(`DROP DATABASE IF EXISTS "${datname}"${force ? ' WITH (FORCE)' : ''}`).catch(() => undefined);
    }
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // `test.env` in vitest.config.ts reaches the test workers, not this process.
  const url = project.config.env.DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url || !/_test(\?|$)/.test(url)) throw new Error(`refusing to run tests against ${url}: not a *_test database`);
  const template = new URL(url).pathname.slice(1);
  await dropCopies(url, template, null, false);
  await applyMigrations(url);
  const run = randomBytes(3).toString('hex');
  project.provide('databaseRunTag', run);
  project.provide('templateDatabase', template);
  return () => dropCopies(url, template, run, true);
}
