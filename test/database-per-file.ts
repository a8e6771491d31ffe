/**
 * Each test file gets a database of its own, copied from the migrated test
 * database before the file's modules load. Files run two at a time, and with
 * one shared database a file saw the other's providers and places: a booking
 * in one file took a place another file's round had planned, a page listing
 * "the first 200 providers" lost a file's own home once the database held
 * more. Isolation by careful seeding kept missing cases; a database per file
 * ends the whole class. Child processes a test starts (API, workers) inherit
 * the copied database, and a queue prefix of its own, through the environment.
 */
import { inject } from 'vitest';
import { withAdminDatabase } from './support/admin-database.js';

const current = new URL(process.env.DATABASE_URL!);
const runTag = inject('databaseRunTag');
const template = inject('templateDatabase');
const own = `${template}_${runTag}_${process.pid}`;

// A worker process that runs several files keeps the copy it made for the first.
if (current.pathname.slice(1) !== own) {
  await withAdminDatabase(current.toString(), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${own}" WITH (FORCE)`);
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${own}" TEMPLATE "${template}"`);
        break;
      } catch (err) {
        // 55006: the template is briefly in use (another copy starting, or the migration's last connection closing).
        if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  });
  current.pathname = `/${own}`;
  process.env.DATABASE_URL = current.toString();
  // Jobs stay with the database they belong to: another file's workers, on one Redis, would run them against theirs.
  process.env.QUEUE_PREFIX = `${process.env.QUEUE_PREFIX ?? 'sbtest'}${runTag}${process.pid}`;
}
