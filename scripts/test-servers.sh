#!/usr/bin/env bash
# Sourced by scripts/test.sh: starts a throwaway PostgreSQL, Redis, NATS (JetStream) and an S3-compatible server (moto) on
# 127.0.0.1 at free ports, exports their addresses for the tests, and stops both on exit.
# Requires: scripts/install-test-deps.sh has run.

# The repository root (scripts/test.sh sets it; sourced on its own, it is this script's parent).
root="${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

test_servers_dir="$(mktemp -d /tmp/cistern-test.XXXXXX)"
pg_bin="$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n1)")"
pg_port="$(free_port)"
s3_port="$(free_port)"
redis_port="$(free_port)"
nats_port="$(free_port)"
moto_pid=""
redis_pid=""
nats_pid=""

# PostgreSQL refuses to run as root: use the postgres account Debian's package created.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Runs from the EXIT trap under `set -e`: a server that exits non-zero on SIGTERM (nats-server
# does) must not turn a passing run into a failing one, hence `|| true` on every step.
stop_test_servers() {
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  if [ -n "$nats_pid" ]; then kill "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; fi
  if [ -f "$test_servers_dir/pg/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$test_servers_dir/pg" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$test_servers_dir"
}
trap stop_test_servers EXIT

mkdir -p "$test_servers_dir/pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$test_servers_dir" "$test_servers_dir/pg"
as_pg "$pg_bin/initdb" -D "$test_servers_dir/pg" -U postgres -A trust --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$test_servers_dir/pg" -l "$test_servers_dir/pg.log" -w -t 60 \
  -o "-p $pg_port -k $test_servers_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
export CISTERN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >"$test_servers_dir/redis.log" 2>&1 &
redis_pid=$!
export CISTERN_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"

# NATS with JetStream (the job engine's scale-out backend); its store lives in the temp dir.
nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$test_servers_dir/nats" >"$test_servers_dir/nats.log" 2>&1 &
nats_pid=$!
export CISTERN_TEST_NATS_URL="nats://127.0.0.1:$nats_port"

"$root/target/tools/venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >"$test_servers_dir/moto.log" 2>&1 &
moto_pid=$!
python3 - "$s3_port" <<'PY' || { echo "moto did not start:"; cat "$test_servers_dir/moto.log"; exit 1; }
import sys, time, urllib.request
for _ in range(300):  # up to 30 s
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
export CISTERN_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
python3 - "$redis_port" <<'PY' || { echo "redis did not start:"; cat "$test_servers_dir/redis.log"; exit 1; }
import socket, sys, time
for _ in range(300):  # up to 30 s
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
python3 - "$nats_port" <<'PY' || { echo "nats-server did not start:"; cat "$test_servers_dir/nats.log"; exit 1; }
import socket, sys, time
for _ in range(300):  # up to 30 s
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
            if s.recv(4096).startswith(b"INFO "):
                sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
echo "==> PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, S3 (moto) on 127.0.0.1:$s3_port, NATS on 127.0.0.1:$nats_port"
