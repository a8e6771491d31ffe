/**
 * `npm run db:seed`: apply migrations and load the demo county (fixtures/demo.ts)
 * into an empty database. A database that already holds an authority is left
 * alone, so running it twice never doubles the county.
 */
import { config } from '../src/config.js';
import { db, disconnectDb } from '../src/db.js';
import { applyMigrations } from '../src/db/migrations.js';
import { loadDemo } from '../fixtures/demo.js';
import { closeQueues } from '../src/jobs/queues.js';
import { closeRedis } from '../src/redis.js';

const applied = await applyMigrations(config().DATABASE_URL);
if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
if ((await db().authority.count()) > 0) {
  console.log('The database already holds data; the demo county is loaded only into an empty one.');
} else {
  console.log('Loading the demo county…');
  const started = performance.now();
  await loadDemo(console.log);
  console.log(`Loaded in ${Math.round((performance.now() - started) / 1000)} s`);
}
// The seed queues jobs (the scenario, notifications); the workers' sweeper pushes any this process did not.
await closeQueues();
await closeRedis();
await disconnectDb();
