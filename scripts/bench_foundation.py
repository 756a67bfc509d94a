#!/usr/bin/env python3
"""Foundation figures: start-up time to the first 200 on /health (existing data dir), idle RSS,
release binary size, and /health throughput + latency under wrk at saturation (127.0.0.1 only).

Usage: python3 scripts/bench_foundation.py [--runs 21] [--idle-runs 5] [--wrk-seconds 10] [--check]
(CISTERN_BENCH_BIN=path runs another binary than target/release/cistern.)
Needs: a release build (`cargo build --release -p cistern`), and `wrk` (apt-get install wrk) for
the load part (`--wrk-seconds 0` skips it).

--check is the regression check for the goals (a benchmark, not a timed test): it exits 1 when
the median start-up is 100 ms or more or the median idle RSS (VmRSS, file-backed pages of the
binary included) is 30 MiB or more. MiB because the goal was set in the unit this script has
always printed (the issue's "29.5 MB" with MIMALLOC_ARENA_EAGER_COMMIT=0 is 29.5 MiB here); the
decimal figure is printed beside it.
"""
import argparse, http.client, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# CISTERN_BENCH_BIN runs another build (an old one kept for a before/after comparison).
BIN = os.environ.get("CISTERN_BENCH_BIN") or os.path.join(ROOT, "target", "release", "cistern")
STARTUP_GOAL_MS = 100
IDLE_RSS_GOAL_BYTES = 30 * 1024 * 1024


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


def memory_kib(pid):
    """VmRSS and its parts (anonymous, file-backed: mostly the binary's code) and the huge pages
    among the anonymous ones, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    with open(f"/proc/{pid}/smaps_rollup") as f:
        huge = int(re.search(r"AnonHugePages:\s+(\d+)", f.read()).group(1))
    field = lambda name: int(re.search(name + r":\s+(\d+)", status).group(1))
    return {"rss": field("VmRSS"), "anon": field("RssAnon"), "file": field("RssFile"), "huge": huge}


def warm_up(port):
    """Waits for the first 200, sends one request per route, then waits a second (mimalloc's
    delay before it may return freed pages to the OS)."""
    while not health_ok(port):
        time.sleep(0.005)
    for path in ("/health", "/health/detailed", "/metrics", "/"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        conn.getresponse().read()
    time.sleep(1)


def idle_kib(data_dir):
    """One server's memory, idle after start-up and one request per route."""
    port = free_port()
    proc = start(data_dir, port)
    try:
        warm_up(port)
        return memory_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--idle-runs", type=int, default=5)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless median start-up < 100 ms and median idle RSS < 30 MiB")
    args = ap.parse_args()
    if not os.path.exists(BIN):
        raise SystemExit("build first: cargo build --release -p cistern")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; binary: {BIN}")
    print(f"release binary size: {os.path.getsize(BIN) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as data_dir:
        startup_ms(data_dir)  # creates and migrates the data dir: later runs start on existing data
        times = sorted(startup_ms(data_dir) for _ in range(args.runs))
        startup = statistics.median(times)
        print(f"start-up to first 200 on /health (existing data dir, {args.runs} runs): "
              f"median {startup:.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms")
        idle = [idle_kib(data_dir) for _ in range(max(1, args.idle_runs))]
        med = {k: statistics.median(m[k] for m in idle) for k in idle[0]}
        print(f"idle RSS after start-up and one request per route ({args.idle_runs} runs): "
              f"median {med['rss'] / 1024:.1f} MiB ({med['rss'] * 1024 / 1e6:.1f} MB; "
              f"min {min(m['rss'] for m in idle) / 1024:.1f}, max {max(m['rss'] for m in idle) / 1024:.1f} MiB): "
              f"anonymous {med['anon'] / 1024:.1f} MiB (huge pages {med['huge'] / 1024:.1f}), "
              f"file-backed {med['file'] / 1024:.1f} MiB")
        if args.wrk_seconds > 0:
            load(data_dir, args.wrk_seconds)
    if args.check:
        failed = []
        if startup >= STARTUP_GOAL_MS:
            failed.append(f"start-up median {startup:.1f} ms >= {STARTUP_GOAL_MS} ms")
        if med["rss"] * 1024 >= IDLE_RSS_GOAL_BYTES:
            failed.append(f"idle RSS median {med['rss'] / 1024:.1f} MiB >= {IDLE_RSS_GOAL_BYTES / 2**20:.0f} MiB")
        for line in failed:
            print(f"CHECK FAILED: {line}")
        if failed:
            sys.exit(1)
        print(f"check passed: start-up < {STARTUP_GOAL_MS} ms, idle RSS < {IDLE_RSS_GOAL_BYTES / 2**20:.0f} MiB")


def load(data_dir, seconds):
    """/health under wrk at saturation, then the RSS it leaves."""
    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk not installed (apt-get install wrk): skipping the load figures")
        return
    port = free_port()
    proc = start(data_dir, port)
    try:
        warm_up(port)
        out = subprocess.run([wrk, "-t2", "-c64", f"-d{seconds}s", "--latency",
                              f"http://127.0.0.1:{port}/health"], capture_output=True, text=True, check=True).stdout
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
        p50 = re.search(r"50%\s+(\S+)", out).group(1)
        p99 = re.search(r"99%\s+(\S+)", out).group(1)
        print(f"GET /health under wrk -t2 -c64 -d{seconds}s: {float(rps):,.0f} req/s, p50 {p50}, p99 {p99}")
        print(f"RSS after load: {rss_kib(proc.pid) / 1024:.1f} MiB")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
