//! The code generator's figures through the real server (issue 16): its overhead per
//! generation of a 20-file project, everything but the model, and the latency of a cache hit.
//!
//! `cargo run --release -p cistern --example codegen_server_bench -- [--rounds 100] [--hits 1000] [--chunk-bytes 16]`
//!
//! Boots the application (SQLite and local blobs in a temp dir, rate limits off) with the
//! wire-level fake provider on 127.0.0.1 answering every call at once with the same reply: a
//! model's Markdown for a 20-file React + Express project (`cistern_codegen::sample`), streamed
//! in chunks of about `--chunk-bytes` (a token is ~4 bytes; providers send a token or a few per
//! event), so the job's live work on the stream — looking for newly complete files after each
//! fence line and announcing them — happens as it does with a real model.
//!
//! 1. **Overhead**: `--rounds` synchronous `POST /api/v1/generate_code` with `cache: false`,
//!    one at a time. Per generation: the HTTP wall time; the model call's latency as the call
//!    log recorded it (whole ms: the stream from the first byte to the last, the job's live
//!    work on it included); their difference, the overhead after the model (job dispatch,
//!    extraction, manifests, README, syntax check of every file, ZIP, blobs, SQL, progress
//!    writes, HTTP); and the job's own step times (`timings_ms` minus `model`).
//! 2. **Cache hit**: one generation with the cache on, then `--hits` identical requests, one at
//!    a time over a kept-alive connection: the HTTP latency of answering from the cache.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod support;

use std::time::Instant;

use anyhow::Context;
use cistern_llm_fake::Reply;
use serde_json::{Value, json};
use support::{Bench, percentile, sorted};

const PROMPT: &str = "a React + Vite shop with an Express API";

fn quantiles(what: &str, values: &[f64]) {
    let v = sorted(values);
    println!(
        "  {what:<52} median {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms",
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        percentile(&v, 0.99)
    );
}

/// The job's own steps: every `timings_ms` entry but the model's.
fn steps_ms(generation: &Value) -> anyhow::Result<f64> {
    let timings = generation["timings_ms"].as_object().context("timings_ms")?;
    Ok(timings
        .iter()
        .filter(|(step, _)| step.as_str() != "model")
        .filter_map(|(_, ms)| ms.as_f64())
        .sum())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (mut rounds, mut hits, mut chunk_bytes) = (100usize, 1000usize, 16usize);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--rounds", Some(n)) => rounds = n.parse().context("--rounds N")?,
            ("--hits", Some(n)) => hits = n.parse().context("--hits N")?,
            ("--chunk-bytes", Some(n)) => chunk_bytes = n.parse().context("--chunk-bytes N")?,
            _ => anyhow::bail!(
                "usage: codegen_server_bench [--rounds N] [--hits N] [--chunk-bytes N]"
            ),
        }
    }
    anyhow::ensure!(
        rounds > 0 && hits > 0 && chunk_bytes > 0,
        "counts must be positive"
    );
    let bench = Bench::start(|config| {
        config.codegen.default_model = "fast".into();
    })
    .await?;
    let (client, fake) = (&bench.client, &bench.fake);
    let reply = cistern_codegen::sample::project_reply();
    let chunks = reply.len().div_ceil(chunk_bytes);
    let generate = |cache: bool| {
        client.call(
            reqwest::Method::POST,
            "/api/v1/generate_code",
            Some(json!({ "prompt": PROMPT, "cache": cache })),
        )
    };

    let (mut wall, mut steps) = (Vec::new(), Vec::new());
    let mut files = 0;
    for _ in 0..rounds {
        fake.enqueue(Reply::text(&reply).chunks(chunks));
        let started = Instant::now();
        let generation = generate(false).await?;
        wall.push(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(generation["status"] == "ready", "{generation}");
        files = generation["files"].as_array().context("files")?.len();
        steps.push(steps_ms(&generation)?);
    }
    let model = client.call_latencies(rounds).await?;
    let overhead: Vec<f64> = wall.iter().zip(&model).map(|(w, m)| w - m).collect();
    println!(
        "20-file project: reply {} kB streamed in {chunks} chunks, {files} files after assembly; {rounds} sync generations, cache off",
        reply.len() / 1000
    );
    quantiles("wall (request → answer)", &wall);
    quantiles("model call (call log, whole ms)", &model);
    quantiles("overhead = wall − model call (goal < 10 ms)", &overhead);
    quantiles("the job's steps (timings_ms but model, whole ms)", &steps);

    fake.enqueue(Reply::text(&reply).chunks(chunks));
    let first = generate(true).await?;
    anyhow::ensure!(first["cached"] == false, "{first}");
    let mut latency = Vec::with_capacity(hits);
    for _ in 0..hits {
        let started = Instant::now();
        let hit = generate(true).await?;
        latency.push(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(hit["cached"] == true, "{hit}");
    }
    println!("cache hit, {hits} sync requests one at a time (keep-alive):");
    quantiles("HTTP latency (goal p50 < 2 ms)", &latency);
    bench.stop().await
}
