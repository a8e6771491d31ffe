/** The API process. Shuts down in order on SIGTERM: stop HTTP, close queues, quit Redis, disconnect Prisma. */
import type { Server } from 'node:http';
import { answerClientErrors } from './http/client-errors.js';
import { serve, type ServerType } from '@hono/node-server';
import { buildApp } from './app.js';
import { ConfigError, config } from './config.js';
import { disconnectDb } from './db.js';
import { closeQueues } from './jobs/queues.js';
import { logger } from './logger.js';
import { closeRedis } from './redis.js';

export function startServer(port = config().PORT): Promise<ServerType> {
  const app = buildApp();
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname: '0.0.0.0' }, () => resolve(server));
    answerClientErrors(server as Server);
  });
}

export async function stopServer(server: ServerType): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await closeQueues();
  await closeRedis();
  await disconnectDb();
}

async function main() {
  try {
    config();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const server = await startServer();
  logger.info('API listening', { url: `http://localhost:${config().PORT}` });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('API shutting down', { signal });
    // Idle keep-alive sockets would hold close() open; give in-flight requests 10 s.
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    await stopServer(server);
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
