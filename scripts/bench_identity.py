#!/usr/bin/env python3
"""Identity figures: authenticated `GET /api/v1/me` with a JWT and with an API key, against
unauthenticated `GET /health`, under wrk at saturation (127.0.0.1 only). The rate limiter stays
on (its check is part of the cost) with limits far above what wrk can send.

Usage: python3 scripts/bench_identity.py [--rounds 3] [--seconds 8] [--connections 64]
Needs: a release build (`cargo build --release -p cistern`) and `wrk` (apt-get install wrk).
Rounds interleave the three targets so the noise of a shared machine spreads over all of them.
"""
import argparse, json, os, re, shutil, statistics, subprocess, tempfile, time, urllib.request

from bench_foundation import BIN, free_port, health_ok

UNLIMITED = "100000000"  # per hour: far above what wrk sends, within the limiter's resolution


def post(port, path, body, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def wrk(port, path, token, seconds, connections):
    script = None
    args = [shutil.which("wrk"), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise SystemExit(f"{path}: {non2xx.group(1)} non-2xx answers — the figure would be wrong")
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), float(p99.group(1)) * scale


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    if not os.path.exists(BIN) or not shutil.which("wrk"):
        raise SystemExit("needs: cargo build --release -p cistern, and wrk (apt-get install wrk)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CISTERN_")}
    env.update({"CISTERN_LOG__LEVEL": "warn",
                "CISTERN_RATE_LIMIT__API_PER_IP__BURST": UNLIMITED,
                "CISTERN_RATE_LIMIT__API_PER_IP__PER_SECS": "3600",
                "CISTERN_RATE_LIMIT__API_PER_USER__BURST": UNLIMITED,
                "CISTERN_RATE_LIMIT__API_PER_USER__PER_SECS": "3600"})
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        proc = subprocess.Popen([BIN, "serve", "--port", str(port), "--data-dir", data_dir],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            for _ in range(2000):
                if health_ok(port):
                    break
                time.sleep(0.005)
            pair = post(port, "/api/v1/auth/register",
                        {"email": "bench@example.com", "password": "correct horse battery"})
            jwt = pair["access_token"]
            key = post(port, "/api/v1/api-keys", {"name": "bench"}, jwt)["key"]
            targets = {"/health (no auth)": ("/health", None), "/api/v1/me (JWT)": ("/api/v1/me", jwt),
                       "/api/v1/me (API key)": ("/api/v1/me", key)}
            results = {name: [] for name in targets}
            for _ in range(args.rounds):
                for name, (path, token) in targets.items():
                    results[name].append(wrk(port, path, token, args.seconds, args.connections))
            base = statistics.median(r for r, _ in results["/health (no auth)"])
            print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} interleaved rounds, medians:")
            for name, runs in results.items():
                rps = statistics.median(r for r, _ in runs)
                p99 = statistics.median(p for _, p in runs)
                print(f"  {name:22} {rps:9,.0f} req/s  p99 {p99:6.2f} ms  ({rps / base:.1%} of /health)")
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
