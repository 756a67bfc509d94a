#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine, and nothing when it is already
# there: CMake and libclang to build the local model (scripts/build-deps.sh), PostgreSQL, Redis,
# NATS (nats-server) and Chromium from Debian's packages, the S3-compatible test server (moto, from
# PyPI) and the official OpenAI Python SDK in a venv under target/, and the web UI's npm packages. Idempotent; safe to re-run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

scripts/build-deps.sh

packages=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || packages+=(postgresql)
[ -x /usr/bin/chromium ] || packages+=(chromium)
command -v redis-server >/dev/null || packages+=(redis-server)
command -v nats-server >/dev/null || packages+=(nats-server)
if [ ${#packages[@]} -gt 0 ]; then
  echo "==> apt-get install ${packages[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

venv="$root/target/tools/venv"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "==> pip install moto[server] into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.*"
fi
# The official OpenAI SDK, which tests/api/llm_sdk.rs runs against /v1.
if ! "$venv/bin/python" -c "import openai" 2>/dev/null; then
  echo "==> pip install openai into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openai>=1.40,<3"
fi

if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "==> npm ci (web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
