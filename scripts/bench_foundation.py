#!/usr/bin/env python3
"""Foundation figures: start-up time to the first 200 on /health (existing data dir), idle RSS,
release binary size, and /health throughput + latency under wrk at saturation (127.0.0.1 only).

Usage: python3 scripts/bench_foundation.py [--runs 21] [--wrk-seconds 10]
Needs: a release build (`cargo build --release`), and `wrk` (apt-get install wrk) for the load part.
"""
import argparse, http.client, os, re, shutil, socket, statistics, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "cistern")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False


def start(data_dir, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CISTERN_")}
    env["CISTERN_LOG__LEVEL"] = "warn"
    return subprocess.Popen([BIN, "serve", "--port", str(port), "--data-dir", data_dir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def startup_ms(data_dir):
    port = free_port()
    t0 = time.perf_counter()
    proc = start(data_dir, port)
    try:
        deadline = t0 + 10
        while time.perf_counter() < deadline:
            if health_ok(port):
                return (time.perf_counter() - t0) * 1000
            time.sleep(0.0005)
        raise RuntimeError("server did not answer within 10 s")
    finally:
        proc.terminate()
        proc.wait(10)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        raise SystemExit("build first: cargo build --release")
    print(f"machine: {os.cpu_count()} cores; binary: {BIN}")
    print(f"release binary size: {os.path.getsize(BIN) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as data_dir:
        startup_ms(data_dir)  # creates and migrates the data dir: later runs start on existing data
        times = sorted(startup_ms(data_dir) for _ in range(args.runs))
        print(f"start-up to first 200 on /health (existing data dir, {args.runs} runs): "
              f"median {statistics.median(times):.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms")
        port = free_port()
        proc = start(data_dir, port)
        try:
            while not health_ok(port):
                time.sleep(0.005)
            for path in ("/health", "/health/detailed", "/metrics", "/"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", path)
                conn.getresponse().read()
            time.sleep(1)
            print(f"idle RSS after start-up and one request per route: {rss_kib(proc.pid) / 1024:.1f} MiB")
            wrk = shutil.which("wrk")
            if not wrk:
                print("wrk not installed (apt-get install wrk): skipping the load figures")
                return
            out = subprocess.run([wrk, "-t2", "-c64", f"-d{args.wrk_seconds}s", "--latency",
                                  f"http://127.0.0.1:{port}/health"], capture_output=True, text=True, check=True).stdout
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
            p50 = re.search(r"50%\s+(\S+)", out).group(1)
            p99 = re.search(r"99%\s+(\S+)", out).group(1)
            print(f"GET /health under wrk -t2 -c64 -d{args.wrk_seconds}s: {float(rps):,.0f} req/s, p50 {p50}, p99 {p99}")
            print(f"RSS after load: {rss_kib(proc.pid) / 1024:.1f} MiB")
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
