/** A connection to the server's `postgres` database, for creating and dropping test databases beside `url`'s. */
import pg from 'pg';

export async function withAdminDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
