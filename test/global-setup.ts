/** Bring the test database to the current migrations once per run. */
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../src/db/migrations.js';

export default async function setup(project: TestProject): Promise<void> {
  // `test.env` in vitest.config.ts reaches the test workers, not this process.
  const url = project.config.env.DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url || !/_test(\?|$)/.test(url)) throw new Error(`refusing to run tests against ${url}: not a *_test database`);
  await applyMigrations(url);
}
