//! Sage's figures through the real server (issue 19): ingest throughput — decode, parse, score,
//! store the raw logs gzipped, record — in MB/s, and the latency of a forecast served as
//! stored.
//!
//! `cargo run --release -p cistern --example sage_server_bench -- [--mb 8] [--rounds 10] [--reads 1000]`
//!
//! Boots the application (SQLite and local blobs in a temp dir, rate limits off) with the
//! wire-level fake provider as the forecast's model.
//!
//! 1. **Ingest**: a log of about `--mb` MB made of the hand-labelled format corpus
//!    (`crates/cistern-logs/tests/corpus/*.log`, 21 formats, repeated with fresh numbers so the
//!    templates stay and the values change), sent `--rounds` times one at a time as a shipper
//!    does (`text/plain`, `Content-Encoding: gzip`) to one project. Per ingest: MB of log text
//!    per wall second; and MB per CPU-second of the whole process (server and client share it;
//!    the client only sends a prepared body).
//! 2. **Forecast from the store**: the day's forecast once (the model's answer), then
//!    `--reads` `GET …/forecast` one at a time over a kept-alive connection.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod support;

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use cistern_llm_fake::Reply;
use serde_json::{Value, json};
use support::{Bench, percentile, sorted};

const FORECAST: &str = r#"{"outlook": "medium", "forecast": "Errors hold steady.", "actions": [
  {"title": "a", "detail": "b", "priority": "high"},
  {"title": "c", "detail": "d", "priority": "medium"},
  {"title": "e", "detail": "f", "priority": "low"}]}"#;

/// CPU seconds this process has used (user + system).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

/// About `mb` MB of log text from the format corpus, numbers varied on each repetition.
fn corpus_log(mb: usize) -> anyhow::Result<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../cistern-logs/tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("read {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    files.sort();
    let mut base = String::new();
    for f in &files {
        base.push_str(&std::fs::read_to_string(f)?);
    }
    anyhow::ensure!(!base.is_empty(), "no corpus under {}", dir.display());
    let mut out = String::with_capacity(mb * 1_000_000 + base.len());
    let mut round = 0u32;
    while out.len() < mb * 1_000_000 {
        round += 1;
        for line in base.lines() {
            // Vary digits so values are new while templates repeat.
            let varied: String = line
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) => char::from_digit((d + round) % 10, 10).unwrap_or(c),
                    None => c,
                })
                .collect();
            out.push_str(&varied);
            out.push('\n');
        }
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (mut mb, mut rounds, mut reads) = (8usize, 10usize, 1000usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--mb", Some(n)) => mb = n.parse().context("--mb N")?,
            ("--rounds", Some(n)) => rounds = n.parse().context("--rounds N")?,
            ("--reads", Some(n)) => reads = n.parse().context("--reads N")?,
            _ => anyhow::bail!("usage: sage_server_bench [--mb N] [--rounds N] [--reads N]"),
        }
    }
    anyhow::ensure!(mb > 0 && rounds > 0 && reads > 0, "counts must be positive");
    let bench = Bench::start(|config| {
        config.sage.forecast_model = "fast".into();
        config.sage.max_ingest_bytes = (mb as u64 + 4) * 1_000_000;
    })
    .await?;
    let client = &bench.client;
    let project = client
        .call(
            reqwest::Method::POST,
            "/api/v1/sage/projects",
            Some(json!({"name": "bench"})),
        )
        .await?;
    let id = project["id"].as_str().context("id")?.to_owned();
    let log = corpus_log(mb)?;
    let body = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(log.as_bytes())?;
        e.finish()?
    };
    let url = format!("{}/api/v1/sage/projects/{id}/ingest", client.base);
    let (mut wall_mbps, mut cpu_mbps) = (Vec::new(), Vec::new());
    let mut last = Value::Null;
    for _ in 0..rounds {
        let (cpu0, started) = (cpu_seconds(), Instant::now());
        let response = client
            .http
            .post(&url)
            .bearer_auth(&client.token)
            .header("Content-Type", "text/plain")
            .header("Content-Encoding", "gzip")
            .body(body.clone())
            .send()
            .await?;
        let status = response.status();
        last = response.json().await?;
        anyhow::ensure!(status.is_success(), "{status} {last}");
        let (wall, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
        let decoded = log.len() as f64 / 1e6;
        wall_mbps.push(decoded / wall);
        cpu_mbps.push(decoded / cpu.max(0.01));
    }
    println!(
        "ingest: {:.1} MB of log text ({} lines, gzip {:.1} MB on the wire), {rounds} ingests one at a time; last score {} with {} templates",
        log.len() as f64 / 1e6,
        last["ingest"]["lines"],
        body.len() as f64 / 1e6,
        last["score"],
        last["ingest"]["counts"]["templates"]
    );
    let w = sorted(&wall_mbps);
    let c = sorted(&cpu_mbps);
    println!(
        "  MB/s wall          median {:>7.1}   min {:>7.1}   max {:>7.1}",
        percentile(&w, 0.5),
        w[0],
        w[w.len() - 1]
    );
    println!(
        "  MB per CPU-second  median {:>7.1}   min {:>7.1}   max {:>7.1}   (goal ≥ 50 on one core)",
        percentile(&c, 0.5),
        c[0],
        c[c.len() - 1]
    );

    bench.fake.enqueue(Reply::text(FORECAST));
    let path = format!("/api/v1/sage/projects/{id}/forecast");
    let first = client.call(reqwest::Method::GET, &path, None).await?;
    anyhow::ensure!(first["source"] == "model", "{first}");
    let mut latency = Vec::with_capacity(reads);
    for _ in 0..reads {
        let started = Instant::now();
        let again = client.call(reqwest::Method::GET, &path, None).await?;
        latency.push(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(again["id"] == first["id"], "{again}");
    }
    let l = sorted(&latency);
    println!("forecast served as stored, {reads} GETs one at a time (keep-alive):");
    println!(
        "  HTTP latency  median {:.2} ms   p95 {:.2} ms   p99 {:.2} ms   (goal p50 < 5 ms)",
        percentile(&l, 0.5),
        percentile(&l, 0.95),
        percentile(&l, 0.99)
    );
    bench.stop().await
}
