#!/usr/bin/env bash
# The test command: sets up what it needs, then runs every test against real
# PostgreSQL (the *_test database) and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npx vitest run "$@"
