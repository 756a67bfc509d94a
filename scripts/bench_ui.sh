#!/usr/bin/env bash
# The web UI's figures: the entry chunk's gzipped size (what every first visit downloads) and
# Lighthouse scores of the chat and extensions pages, signed in, on the local server.
# Lighthouse is installed outside the clone (it is large and only this benchmark needs it).
# Usage: scripts/bench_ui.sh   (needs the debug binary: cargo build -p cistern)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lh="${XDG_CACHE_HOME:-$HOME/.cache}/cistern/lighthouse"
[ -f "$lh/node_modules/lighthouse/package.json" ] || npm install --silent --prefix "$lh" lighthouse@13.5.0
cd "$root/web"
npm run --silent build >/dev/null
echo "entry chunk (gzip -9):"
for f in dist/assets/index-*.js dist/assets/index-*.css; do
  printf '  %-40s %8d bytes raw %8d bytes gzipped\n' "$(basename "$f")" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
echo
LIGHTHOUSE_DIR="$lh" CISTERN_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/cistern" node e2e/lighthouse.mjs /chat /extensions /status
