/**
 * Migrations without Prisma's native schema-engine binary, which cannot be
 * downloaded in a locked-down network (DESIGN.md, "Installing offline"). The
 * WebAssembly build of the same engine, fed a PrismaPg driver adapter, creates
 * migration SQL from the schema diff and applies `prisma/migrations/*`,
 * recording them in `_prisma_migrations` exactly as `prisma migrate deploy` does.
 */
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { ColumnTypeEnum, bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(root, 'prisma/migrations');
const SCHEMA_PATH = path.join(root, 'prisma/schema.prisma');
const LOCKFILE = 'migration_lock.toml';

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm');
type SchemaEngine = Awaited<ReturnType<SchemaEngineModule['SchemaEngine']['new']>>;

let wasmModule: Promise<SchemaEngineModule> | undefined;

// @types/node does not describe the WebAssembly global; this is the part used here.
const wasmApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }> };
}).WebAssembly;

/** Node cannot import a `.wasm` file directly, so instantiate it and hand it to the bindings. */
function loadSchemaEngineModule(): Promise<SchemaEngineModule> {
  wasmModule ??= (async () => {
    // The engine reports a Rust panic's message through this global before throwing.
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message: (message: string) => console.error(`schema engine panicked: ${message}`),
    };
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bindings = (await import(bgPath)) as SchemaEngineModule & { __wbg_set_wasm(exports: object): void };
    const wasmBytes = await readFile(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'));
    const { instance } = await wasmApi.instantiate(wasmBytes, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
    return bindings;
  })();
  return wasmModule;
}

/**
 * PrismaPg's executeScript splits a script on every ';', which breaks function
 * bodies and comments in hand-written migration SQL. Send the script whole
 * instead: PostgreSQL runs a multi-statement simple query as one implicit
 * transaction, so a migration also applies all-or-nothing.
 */
class WholeScriptPg extends PrismaPg {
  /** The engine never closes what it opens; withEngine disposes these so no connection keeps Prisma's migration lock. */
  readonly opened: PgAdapter[] = [];

  constructor(private readonly databaseUrl: string) {
    super({ connectionString: databaseUrl });
  }
  override async connect() {
    const adapter = sendScriptsWhole(await super.connect());
    this.opened.push(adapter);
    return adapter;
  }
  /**
   * PrismaPg's own shadow database ends up on the main database when the config is
   * a connection string; diffing needs a truly empty one, so make it here.
   */
  override async connectToShadowDb() {
    const shadowUrl = await recreateShadowDatabase(this.databaseUrl);
    const adapter = sendScriptsWhole(await new PrismaPg({ connectionString: shadowUrl }).connect());
    this.opened.push(adapter);
    return adapter;
  }
}

async function recreateShadowDatabase(databaseUrl: string): Promise<string> {
  const url = new URL(databaseUrl);
  const shadowName = `${url.pathname.slice(1)}_shadow`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${shadowName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${shadowName}"`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${shadowName}`;
  return url.toString();
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;
type QueryResult = { fields?: { dataTypeID: number }[] };

/** PostgreSQL's one-byte "char" type (catalog columns such as pg_constraint.contype). */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

function sendScriptsWhole(adapter: PgAdapter): PgAdapter {
  const internals = adapter as unknown as {
    client: { query(...args: unknown[]): Promise<QueryResult> };
    onError(err: unknown): never;
  };
  // The engine's introspection reads "char" catalog columns and expects them typed
  // as Character, but the adapter refuses that type. pg already returns the value
  // as a one-letter string, so let it pass as text and retype the column after.
  let charColumns: number[] = [];
  const query = internals.client.query.bind(internals.client);
  internals.client.query = async (...args: unknown[]) => {
    const result = await query(...args);
    charColumns = [];
    result.fields?.forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        charColumns.push(i);
      }
    });
    return result;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (q) => {
    const result = await queryRaw(q);
    for (const i of charColumns) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  adapter.executeScript = async (script: string) => {
    try {
      await internals.client.query(script);
    } catch (err) {
      internals.onError(err);
    }
  };
  return adapter;
}

async function withEngine<T>(databaseUrl: string, fn: (engine: SchemaEngine, schema: string) => Promise<T>): Promise<T> {
  const mod = await loadSchemaEngineModule();
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const factory = new WholeScriptPg(databaseUrl);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await mod.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    // The engine reports its log lines here; migrations should be quiet unless they fail.
    () => undefined,
    adapter,
  );
  try {
    return await fn(engine, schema);
  } finally {
    engine.free();
    await Promise.all(factory.opened.map((a) => a.dispose().catch(() => undefined)));
  }
}

async function readMigrationsList(): Promise<import('@prisma/schema-engine-wasm').MigrationList> {
  await mkdir(MIGRATIONS_DIR, { recursive: true });
  const entries = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    entries.map(async (name) => {
      const file = path.join(MIGRATIONS_DIR, name, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (err: Error) => ({ tag: 'error' as const, value: err.message }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lockContent = await readFile(path.join(MIGRATIONS_DIR, LOCKFILE), 'utf8').catch(() => null);
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

const noFilter = { externalTables: [], externalEnums: [] };

/** Apply every migration not yet recorded in `_prisma_migrations`; returns the names applied. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const migrationsList = await readMigrationsList();
  return withEngine(databaseUrl, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilter });
    return out.appliedMigrationNames;
  });
}

/**
 * Write `prisma/migrations/<timestamp>_<name>/migration.sql` with the SQL that takes
 * the existing migrations to the current schema. Returns null when nothing changed.
 */
export async function createMigration(databaseUrl: string, name: string): Promise<string | null> {
  const migrationsList = await readMigrationsList();
  const sql = await withEngine(databaseUrl, async (engine, schema) => {
    const from =
      migrationsList.migrationDirectories.length === 0
        ? { tag: 'empty' as const }
        : { tag: 'migrations' as const, ...migrationsList };
    const out = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: true,
      filters: noFilter,
    });
    return out.exitCode === 2 ? (out.stdout ?? '') : null;
  });
  if (!sql || sql.trim() === '' || /^-- This is an empty migration/.test(sql.trim())) return null;
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dirName = `${stamp}_${name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`;
  await mkdir(path.join(MIGRATIONS_DIR, dirName), { recursive: true });
  await writeFile(path.join(MIGRATIONS_DIR, dirName, 'migration.sql'), sql);
  await writeFile(
    path.join(MIGRATIONS_DIR, LOCKFILE),
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
  );
  return dirName;
}
