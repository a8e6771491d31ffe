/** Close what a test file opened (database pool, Redis, queues), so its process ends promptly. */
import { disconnectDb } from '../../src/db.js';
import { closeQueues } from '../../src/jobs/queues.js';
import { closeRedis } from '../../src/redis.js';

export async function closeConnections(): Promise<void> {
  await closeQueues();
  await closeRedis();
  await disconnectDb();
}
