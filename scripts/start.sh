#!/usr/bin/env bash
# One command for a newcomer: set everything up, load the demo county, start the
# API and the workers, print the URL and demo tokens.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --import tsx scripts/start.ts
