#!/usr/bin/env bash
# Builds everything (web UI included) and runs `cistern serve` on embedded defaults: SQLite and
# blobs under ./data, http://127.0.0.1:8080. Extra arguments go to `cistern serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
exec cargo run --release --bin cistern -- serve "$@"
