#!/usr/bin/env python3
"""LLM gateway figures, end to end through `cistern serve`: what the server adds in front of a fast
local upstream (`fake-llm`, a canned ~60-word completion), with accounting and the call log on.

For each mode (non-streaming; streaming with 64 chunks and include_usage):
  * throughput at saturation, 16 and 64 connections (closed loop), direct to fake-llm and
    through Cistern;
  * p50/p99 latency at fixed rates of 200, 1,000 and 2,000 requests/s (open loop, latency from
    each request's scheduled time), direct and through Cistern — "added" is the difference;
  * Cistern's CPU time per request (utime+stime from /proc over the saturation runs) and its
    peak RSS (VmHWM).

Usage: python3 scripts/bench_gateway.py [--seconds 8] [--rounds 3]
Needs: cargo build --release -p cistern -p cistern-llm-fake --bin cistern --bin fake-llm --example http_load
Rounds interleave direct and gateway runs so the noise of a shared machine hits both alike.
"""
import argparse, json, os, re, statistics, subprocess, tempfile, time, urllib.request

from bench_foundation import BIN, ROOT, free_port, health_ok

REL = os.path.join(ROOT, "target", "release")
FAKE = os.path.join(REL, "fake-llm")
LOAD = os.path.join(REL, "examples", "http_load")
UNLIMITED = "100000000"


def post(port, path, body, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def load(url, body_file, token, seconds, rate=0, connections=16):
    args = [LOAD, "--url", url, "--body", body_file, "--seconds", str(seconds), "--rate", str(rate),
            "--connections", str(connections)]
    if token:
        args += ["--header", f"authorization: Bearer {token}"]
    out = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    if out["errors"]:
        raise SystemExit(f"{url}: {out['errors']} failed requests — the figure would be wrong")
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) / 1024


def wait_line(proc, pattern):
    for _ in range(200):
        line = proc.stdout.readline()
        m = re.search(pattern, line)
        if m:
            return m.group(1)
    raise SystemExit(f"no line matching {pattern}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for path in (BIN, FAKE, LOAD):
        if not os.path.exists(path):
            raise SystemExit(f"missing {path}: cargo build --release -p cistern -p cistern-llm-fake "
                             "--bin cistern --bin fake-llm --example http_load")
    fake = subprocess.Popen([FAKE, "--port", "0", "--stream-chunks", "64"], stdout=subprocess.PIPE, text=True)
    upstream = wait_line(fake, r"listening on (http://\S+)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CISTERN_", "OPENAI_", "ANTHROPIC_",
                                                                     "GEMINI_", "CEREBRAS_", "OLLAMA_"))}
    env.update({"CISTERN_LOG__LEVEL": "warn", "OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": f"{upstream}/v1",
                "CISTERN_QUOTA__DEFAULT_MONTHLY_TOKENS": "0"})
    for limit in ("API_PER_IP", "API_PER_USER", "LLM_TOKENS_PER_USER"):
        env[f"CISTERN_RATE_LIMIT__{limit}__BURST"] = UNLIMITED
        env[f"CISTERN_RATE_LIMIT__{limit}__PER_SECS"] = "3600"  # within the limiter's resolution
    data_dir = tempfile.mkdtemp()
    port = free_port()
    server = subprocess.Popen([BIN, "serve", "--port", str(port), "--data-dir", data_dir],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for _ in range(2000):
            if health_ok(port):
                break
            if server.poll() is not None:
                raise SystemExit(f"cistern exited: {server.stderr.read()}")
            time.sleep(0.005)
        jwt = post(port, "/api/v1/auth/register",
                   {"email": "bench@example.com", "password": "correct horse battery"})["access_token"]
        key = post(port, "/api/v1/api-keys", {"name": "bench"}, jwt)["key"]
        messages = [{"role": "system", "content": "You are a concise assistant."},
                    {"role": "user", "content": "Tell me about cisterns in one paragraph."}]
        bodies = {}
        for mode, extra in (("non-streaming", {}),
                            ("streaming (64 chunks)", {"stream": True, "stream_options": {"include_usage": True}})):
            path = os.path.join(data_dir, f"{len(bodies)}.json")
            with open(path, "w") as f:
                json.dump({"model": "gpt-4o-mini", "messages": messages, **extra}, f)
            bodies[mode] = path
        direct = f"{upstream}/v1/chat/completions"
        gateway = f"http://127.0.0.1:{port}/v1/chat/completions"
        print(f"{args.rounds} interleaved rounds of {args.seconds} s; medians")
        for mode, body in bodies.items():
            print(f"\n{mode}")
            for c in (16, 64):
                d, g, cpu = [], [], []
                for _ in range(args.rounds):
                    d.append(load(direct, body, None, args.seconds, connections=c)["rps"])
                    before = cpu_seconds(server.pid)
                    run = load(gateway, body, key, args.seconds, connections=c)
                    cpu.append((cpu_seconds(server.pid) - before) / run["requests"] * 1e6)
                    g.append(run["rps"])
                print(f"  saturation c={c:<3} direct {statistics.median(d):8,.0f} req/s   cistern "
                      f"{statistics.median(g):8,.0f} req/s   cistern CPU {statistics.median(cpu):6.1f} µs/req")
            for rate in (200, 1000, 2000):
                rows = {"direct": [], "cistern": []}
                for _ in range(args.rounds):
                    rows["direct"].append(load(direct, body, None, args.seconds, rate=rate))
                    rows["cistern"].append(load(gateway, body, key, args.seconds, rate=rate))
                med = {k: {p: statistics.median(r[p] for r in v) for p in ("p50_ms", "p99_ms")}
                       for k, v in rows.items()}
                print(f"  rate {rate:>5}/s  direct p50 {med['direct']['p50_ms']:6.3f} p99 {med['direct']['p99_ms']:7.3f} ms"
                      f"   cistern p50 {med['cistern']['p50_ms']:6.3f} p99 {med['cistern']['p99_ms']:7.3f} ms"
                      f"   added p50 {med['cistern']['p50_ms'] - med['direct']['p50_ms']:+6.3f}"
                      f" p99 {med['cistern']['p99_ms'] - med['direct']['p99_ms']:+7.3f} ms")
        print(f"\ncistern peak RSS {peak_rss_mib(server.pid):.1f} MiB")
        calls = json.loads(urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/usage", headers={"authorization": f"Bearer {jwt}"})).read())
        print(f"calls accounted this month: {sum(b['requests'] for b in calls['breakdown']):,}")
    finally:
        server.terminate()
        server.wait(30)
        fake.terminate()
        fake.wait(10)


if __name__ == "__main__":
    main()
