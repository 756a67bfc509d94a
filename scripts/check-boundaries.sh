#!/usr/bin/env bash
# The crate boundaries ARCHITECTURE.md promises, checked on the dependency graph rather than
# trusted as prose: the library crates — the LLM gateway above all — link no web server
# framework (axum); only the binary (`cistern`) and the test fake (`cistern-llm-fake`) do.
# (tower-http arrives through reqwest's client side and is not a server.) Usage: scripts/check-boundaries.sh
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for crate in cistern-llm cistern-agents cistern-jobs cistern-store cistern-cache cistern-logs cistern-extension cistern-syntax cistern-codegen cistern-edit; do
  if cargo tree --locked -p "$crate" -e normal --prefix none | grep -qE '^axum(-core)? v'; then
    echo "boundary broken: $crate links axum:" >&2
    cargo tree --locked -p "$crate" -e normal -i axum-core >&2 || true
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "boundaries ok: no library crate links axum"
exit "$status"
