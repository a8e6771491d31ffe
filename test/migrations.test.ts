/**
 * The offline migration runner (DESIGN.md, "Installing offline"): the
 * WebAssembly schema engine applies prisma/migrations to an empty database,
 * records them as `prisma migrate deploy` would, applies nothing the second
 * time, and finds no difference between the migrations and the schema.
 */
import { readdir } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, createMigration, MIGRATIONS_DIR } from '../src/db/migrations.js';
import { uid } from './support/factories.js';

const baseUrl = process.env.DATABASE_URL!;
const name = `shortbreaks_mig_${uid()}`;
const url = (() => {
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();

async function admin<T>(fn: (client: pg.Client) => Promise<T>, connectionString = baseUrl): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin((c) => c.query(`CREATE DATABASE "${name}"`)));
afterAll(() =>
  admin(async (c) => {
    // createMigration diffs against a shadow database named after the target; drop both.
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS "${name}_shadow" WITH (FORCE)`);
  }),
);

describe('applyMigrations', () => {
  it('applies every migration to an empty database once, with the hand-written invariants', async () => {
    const migrations = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(migrations.some((m) => m.endsWith('_init'))).toBe(true);

    expect(await applyMigrations(url)).toEqual(migrations);

    await admin(async (c) => {
      const recorded = await c.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
        'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(recorded.rows.map((r) => r.migration_name)).toEqual(migrations);
      expect(recorded.rows.every((r) => r.finished_at && !r.rolled_back_at)).toBe(true);
      const constraints = await c.query<{ conname: string }>(
        "SELECT conname FROM pg_constraint WHERE conname IN ('booking_no_overlap', 'slot_places_check') ORDER BY conname",
      );
      expect(constraints.rows.map((r) => r.conname)).toEqual(['booking_no_overlap', 'slot_places_check']);
      const trigger = await c.query("SELECT 1 FROM pg_trigger WHERE tgname = 'booking_slot_count'");
      expect(trigger.rowCount).toBe(1);
    }, url);

    expect(await applyMigrations(url)).toEqual([]);
  }, 60_000);
});

describe('createMigration', () => {
  it('finds no change between the migrations and the schema, and writes nothing', async () => {
    const before = (await readdir(MIGRATIONS_DIR)).sort();
    const created = await createMigration(url, 'should_be_empty');
    const after = (await readdir(MIGRATIONS_DIR)).sort();
    expect(created).toBeNull();
    expect(after).toEqual(before);
  }, 60_000);
});
