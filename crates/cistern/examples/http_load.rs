//! `http_load`: a small HTTP load generator for Cistern's benchmarks (`scripts/bench_gateway.py`).
//!
//! Closed loop (`--rate 0`): `--connections` workers send back to back; prints throughput.
//! Open loop (`--rate N`): a request is *scheduled* every 1/N s whatever the server does, and
//! each latency is measured from its scheduled time, so a stalled server shows up in the tail
//! instead of silently slowing the generator (no coordinated omission).
//!
//! ```text
//! cargo run --release -p cistern --example http_load -- --url http://127.0.0.1:8080/v1/chat/completions \
//!     --body body.json --header "authorization: Bearer cst_…" --rate 2000 --seconds 10
//! ```
//! Prints one JSON line: `{"requests", "errors", "seconds", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms"}`.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

struct Args {
    url: String,
    body: Option<Vec<u8>>,
    headers: HeaderMap,
    rate: u64,
    connections: usize,
    seconds: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: String::new(),
        body: None,
        headers: HeaderMap::new(),
        rate: 0,
        connections: 16,
        seconds: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => args.url = value()?,
            "--body" => {
                let path = value()?;
                args.body = Some(std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?);
            }
            "--header" => {
                let v = value()?;
                let (name, val) = v.split_once(':').ok_or("--header NAME: VALUE")?;
                args.headers.insert(
                    HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?,
                    HeaderValue::from_str(val.trim()).map_err(|e| e.to_string())?,
                );
            }
            "--rate" => args.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--connections" => {
                args.connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?;
            }
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.url.is_empty() {
        return Err("--url is required".into());
    }
    Ok(args)
}

/// One request; the whole body is read (a stream counts until its last byte).
async fn send(client: &reqwest::Client, args: &Args) -> bool {
    let request = match &args.body {
        Some(body) => client
            .post(&args.url)
            .header("content-type", "application/json")
            .body(body.clone()),
        None => client.get(&args.url),
    };
    match request.headers(args.headers.clone()).send().await {
        Ok(response) => {
            let ok = response.status().is_success();
            response.bytes().await.is_ok() && ok
        }
        Err(_) => false,
    }
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(args) => Arc::new(args),
        Err(e) => {
            eprintln!("http_load: {e}");
            std::process::exit(2);
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let duration = Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    if args.rate == 0 {
        let stop = Arc::new(AtomicBool::new(false));
        for _ in 0..args.connections {
            let (client, args, stop) = (client.clone(), args.clone(), stop.clone());
            tasks.spawn(async move {
                let mut out = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    out.push((send(&client, &args).await, t.elapsed()));
                }
                out
            });
        }
        tokio::time::sleep(duration).await;
        stop.store(true, Ordering::Relaxed);
    } else {
        let period = Duration::from_secs_f64(1.0 / args.rate as f64);
        let total = args.rate * args.seconds;
        for i in 0..total {
            let due = started + period.mul_f64(i as f64);
            tokio::time::sleep_until(due.into()).await;
            let (client, args) = (client.clone(), args.clone());
            tasks.spawn(async move { vec![(send(&client, &args).await, due.elapsed())] });
        }
    }
    let mut latencies = Vec::new();
    let mut errors = 0u64;
    while let Some(done) = tasks.join_next().await {
        for (ok, latency) in done.unwrap_or_default() {
            if ok {
                latencies.push(latency);
            } else {
                errors += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{{\"requests\": {}, \"errors\": {errors}, \"seconds\": {seconds:.3}, \"rps\": {:.1}, \"p50_ms\": {:.3}, \"p90_ms\": {:.3}, \"p99_ms\": {:.3}, \"max_ms\": {:.3}}}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
    );
}
