// npm run db:migrate            -> apply prisma/migrations/* to DATABASE_URL
// npm run db:migration -- NAME  -> write a new migration from the schema diff
import { loadConfig } from '../src/config.js';
import { applyMigrations, createMigration } from '../src/db/migrations.js';

const [command, name] = process.argv.slice(2);
const { DATABASE_URL } = loadConfig();

if (command === 'apply') {
  const applied = await applyMigrations(DATABASE_URL);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
} else if (command === 'create') {
  if (!name) {
    console.error('Usage: npm run db:migration -- <name>');
    process.exit(2);
  }
  const dir = await createMigration(DATABASE_URL, name);
  console.log(dir ? `Wrote prisma/migrations/${dir}/migration.sql` : 'Schema matches the migrations; nothing to write.');
} else {
  console.error('Usage: migrate.ts apply | create <name>');
  process.exit(2);
}

// The engine leaves a timer behind for a few seconds; a CLI has nothing left to wait for.
process.exit(process.exitCode ?? 0);
