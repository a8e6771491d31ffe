/** Requests Node rejects before the app still get problem+json. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('oversized requests', () => {
  it('answers a URL over 16 KiB with a 431 problem', async () => {
    const res = await fetch(`${server.url}/v1/slots?from=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { status: number }).status).toBe(431);
  });
});
