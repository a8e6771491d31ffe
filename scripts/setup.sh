#!/usr/bin/env bash
# Everything a fresh machine needs before the app or the tests can run:
# npm packages (from the registry only), PostgreSQL and Redis, the Prisma client.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] installing npm packages"
  # Not `npm ci`: it refuses a lock file that lacks other platforms' optional
  # packages (msgpackr-extract for macOS/Windows), which this registry does not
  # serve. `npm install` follows the lock file's versions all the same.
  npm install --no-audit --no-fund --loglevel=error
fi
bash scripts/services.sh
if [ ! -f src/generated/prisma/client.ts ] || [ prisma/schema.prisma -nt src/generated/prisma/client.ts ]; then
  echo "[setup] generating the Prisma client"
  node scripts/prisma-generate.mjs >/dev/null
fi
bash scripts/browser.sh
