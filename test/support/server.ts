/** A real HTTP server on a free loopback port, for tests that need real connections. */
import type { Server } from 'node:http';
import { answerClientErrors } from '../../src/http/client-errors.js';
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { serve } from '@hono/node-server';
import { buildApp } from '../../src/app.js';

export async function startTestServer(): Promise<{ url: string; close(): Promise<void> }> {
  const app = buildApp();
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    answerClientErrors(s as Server);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
