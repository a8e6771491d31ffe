import { defineConfig } from 'prisma/config';

// Prisma 7 reads the connection string from here, not from the schema. The CLI is
// used only for `generate` (see scripts/prisma-generate.mjs); migrations run
// through the WebAssembly schema engine in scripts/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks',
  },
});
