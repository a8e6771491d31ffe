/**
 * The database of a process (STYLE.md: `src/db.ts`): one pg pool, shared by the
 * one Prisma client and by the hot paths that run their few statements on a pool
 * connection directly (`SqlTx`, with named prepared statements: parsed and
 * planned once per connection, no ORM mapping per row).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';
import { config } from './config.js';
import { logger } from './logger.js';

export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

let pgPool: pg.Pool | undefined;
let client: PrismaClient | undefined;

/** The process's connection pool (DATABASE_POOL_MAX connections). */
export function pool(): pg.Pool {
  if (!pgPool) {
    pgPool = new pg.Pool({ connectionString: config().DATABASE_URL, max: config().DATABASE_POOL_MAX });
    // A connection the server ended while idle (a restart, pg_terminate_backend) must not crash the process.
    pgPool.on('error', (err) => logger.warn('idle database connection lost', { err: err.message }));
  }
  return pgPool;
}

export function db(): PrismaClient {
  client ??= new PrismaClient({ adapter: new PrismaPg(pool()) });
  return client;
}

/**
 * A transaction on one pool connection, for the hottest paths. Statements are
 * `Prisma.sql` templates (the same ones Prisma runs elsewhere) sent as named
 * prepared statements: a name always stands for one text.
 */
export class SqlTx {
  constructor(readonly connection: pg.PoolClient) {}

  async rows<T>(name: string, query: Prisma.Sql): Promise<T[]> {
    return (await this.connection.query<T & pg.QueryResultRow>({ name, text: query.text, values: query.values as unknown[] })).rows;
  }

  async execute(name: string, query: Prisma.Sql): Promise<number> {
    return (await this.connection.query({ name, text: query.text, values: query.values as unknown[] })).rowCount ?? 0;
  }
}

/** Either kind of transaction, for the statements both paths share (placement, audit). */
export type AnyTx = Tx | SqlTx;

export async function queryRows<T>(tx: AnyTx, name: string, query: Prisma.Sql): Promise<T[]> {
  return tx instanceof SqlTx ? tx.rows<T>(name, query) : tx.$queryRaw<T[]>(query);
}

export async function executeSql(tx: AnyTx, name: string, query: Prisma.Sql): Promise<number> {
  return tx instanceof SqlTx ? tx.execute(name, query) : tx.$executeRaw(query);
}

const beforeDisconnect: (() => Promise<void>)[] = [];

/** Work to finish before the process's connections close (a module holding its own connection registers its stop here). */
export function onDisconnect(stop: () => Promise<void>): void {
  beforeDisconnect.push(stop);
}

export async function disconnectDb(): Promise<void> {
  for (const stop of beforeDisconnect) await stop();
  const c = client;
  const p = pgPool;
  client = undefined;
  pgPool = undefined;
  if (c) await c.$disconnect();
  if (p) await p.end().catch(() => undefined);
}
