/** Authentication failures are rate limited per client; security headers are on every response. */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { makeAuthority } from '../support/factories.js';

describe('authentication failures', () => {
  it('answers 429 with Retry-After once an address has failed too often, and even a good token waits', async () => {
    const app = buildApp({ authFailuresPerMinute: 3 });
    const { coordinatorToken } = await makeAuthority();
    const bad = () => app.request('/v1/vehicles', { headers: { Authorization: 'Bearer sbc_not-a-real-token-at-all' } });
    for (let i = 0; i < 3; i++) expect((await bad()).status).toBe(401);
    const limited = await bad();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED');
    const good = await app.request('/v1/vehicles', { headers: { Authorization: `Bearer ${coordinatorToken}` } });
    expect(good.status).toBe(429);
  });

  it('does not count successful requests', async () => {
    const app = buildApp({ authFailuresPerMinute: 2 });
    const { coordinatorToken } = await makeAuthority();
    for (let i = 0; i < 5; i++) {
      expect((await app.request('/v1/vehicles', { headers: { Authorization: `Bearer ${coordinatorToken}` } })).status).toBe(200);
    }
  });
});

describe('security headers', () => {
  it('sets them on API answers and errors alike', async () => {
    const app = buildApp();
    for (const path of ['/health', '/v1/vehicles', '/nowhere']) {
      const res = await app.request(path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toContain('max-age');
    }
  });
});
