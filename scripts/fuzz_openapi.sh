#!/usr/bin/env bash
# Fuzzes the running API against its own OpenAPI document with schemathesis: every operation's
# answers must be statuses, content types and shapes the document lists. Starts a throwaway
# `cistern serve` (debug build) on 127.0.0.1, registers a user, runs, stops the server.
# Not part of `scripts/test.sh` (it takes about a minute and installs schemathesis from PyPI into
# target/tools/fuzz-venv the first time). Usage: scripts/fuzz_openapi.sh [max examples, default 30]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
examples="${1:-30}"
venv="$root/target/tools/fuzz-venv"
[ -x "$venv/bin/st" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet "schemathesis>=4,<5"; }
cargo build -p cistern --bin cistern --quiet
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
CISTERN_RATE_LIMIT__ENABLED=false "${CARGO_TARGET_DIR:-$root/target}/debug/cistern" serve \
  --data-dir "$data" --port "$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
token="$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"email":"fuzz@example.com","password":"correct horse battery"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
# Streams, long polls and the routes that end the fuzzer's own session are left out.
"$venv/bin/st" run "http://127.0.0.1:$port/api/openapi.json" -H "Authorization: Bearer $token" \
  --checks status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$examples" --request-timeout 20 \
  --exclude-path-regex '/stream$|/events$|/lease$|/auth/logout|/api-keys/\{id\}$'
