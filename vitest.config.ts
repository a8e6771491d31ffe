import { defineConfig } from 'vitest/config';

const base = process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks';
const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? base.replace(/\/([^/?]+)(\?|$)/, '/$1_test$2');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file has its own PostgreSQL database (test/database-per-file.ts) and they share one Redis
    // (queue prefixes keep their jobs apart), so files run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    // Generous: a timeout only detects a hang, and CI machines are busy (tests wait for conditions, never for time).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    // A database of its own for every test file (copied from the migrated one), so files never see each other's rows.
    setupFiles: ['test/database-per-file.ts'],
    env: {
      DATABASE_URL: testDatabaseUrl,
      // Several checkouts can test side by side on one Redis when each sets its own prefix.
      QUEUE_PREFIX: process.env.TEST_QUEUE_PREFIX ?? 'sbtest',
      LOG_LEVEL: 'error',
      // Many tests send bad tokens on purpose from the same in-process "address";
      // test/api/rate-limit.test.ts builds an app with a low limit of its own.
      AUTH_FAILURES_PER_MINUTE: '100000',
      // Tests revoke and expire tokens by writing rows from the test process and ask again at once, faster than
      // a notification travels; test/api/principal-cache.test.ts proves the cache with it switched on.
      PRINCIPAL_CACHE_MS: '0',
    },
  },
});
