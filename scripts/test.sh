#!/usr/bin/env bash
# The test command: sets up what it needs, then runs every test against real
# PostgreSQL (the *_test database) and Redis.
#   npm test                 -> the whole suite, then the API fuzzer on its own
#   npm test -- <files...>   -> just those (vitest arguments)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -gt 0 ]; then
  exec npx vitest run "$@"
fi
npx vitest run --exclude 'test/fuzz/**'
# The fuzzer sends at least 10,000 requests, enough to reach every route's odd corners; alone on the machine it
# gets them through well inside its time bound.
FUZZ_SECONDS="${FUZZ_SECONDS:-180}" npx vitest run test/fuzz
