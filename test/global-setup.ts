/** Bring the test database to the current migrations once per run. */
import { applyMigrations } from '../src/db/migrations.js';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url || !/_test(\?|$)/.test(url)) throw new Error(`refusing to run tests against ${url}: not a *_test database`);
  await applyMigrations(url);
}
