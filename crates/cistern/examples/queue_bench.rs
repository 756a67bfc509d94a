//! The user-queue path over HTTP: enqueue → lease → ack through `/api/v1/queues/…`, end to end.
//!
//! `cargo run --release -p cistern --example queue_bench -- [--messages 20000] [--concurrency 32]
//! [--batch 1] [--runs 3] [--durability full|normal] [--wait 1]`
//!
//! Boots the real application (SQLite in a temp dir, rate limits off) on 127.0.0.1:0, signs one
//! user up, then runs producers (half the concurrency, each sending `batch` messages per request
//! and waiting for the 201) and consumers (the other half, each leasing up to `batch` with a
//! long poll (`--wait`) and acking what it got) together until every message is acked. Prints per run:
//! messages/s from the first send to the last ack, and the send and lease+ack round trips (p50,
//! p99). Client and server share the process and the machine's cores.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use cistern::config::{Config, JobsDurability};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

struct Args {
    messages: usize,
    concurrency: usize,
    batch: usize,
    runs: usize,
    durability: JobsDurability,
    wait: u64,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        messages: 20_000,
        concurrency: 32,
        batch: 1,
        runs: 3,
        durability: JobsDurability::Full,
        wait: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--messages" => a.messages = value.parse()?,
            "--concurrency" => a.concurrency = value.parse()?,
            "--batch" => a.batch = value.parse()?,
            "--runs" => a.runs = value.parse()?,
            "--wait" => a.wait = value.parse()?,
            "--durability" => {
                a.durability = match value.as_str() {
                    "full" => JobsDurability::Full,
                    "normal" => JobsDurability::Normal,
                    other => anyhow::bail!("--durability full|normal, not {other}"),
                }
            }
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    anyhow::ensure!(
        a.concurrency >= 2 && (1..=100).contains(&a.batch),
        "concurrency ≥ 2, batch 1–100"
    );
    Ok(a)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Run {
    per_sec: f64,
    send_ms: (f64, f64),
    consume_ms: (f64, f64),
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "{url}: {status}");
    Ok(response.json().await?)
}

async fn run(base: &str, token: &str, queue: &str, a: &Args) -> anyhow::Result<Run> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency)
        .build()?;
    let to_send = Arc::new(AtomicUsize::new(a.messages.div_ceil(a.batch)));
    let acked = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut producers = Vec::new();
    let mut consumers = Vec::new();
    for _ in 0..a.concurrency / 2 {
        let (client, to_send, token) = (client.clone(), to_send.clone(), token.to_owned());
        let url = format!("{base}/api/v1/queues/{queue}/messages");
        let batch = a.batch;
        producers.push(tokio::spawn(async move {
            let mut rtts = Vec::new();
            while to_send
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                let messages: Vec<Value> = (0..batch)
                    .map(|i| json!({ "body": { "i": i, "pad": "x".repeat(64) } }))
                    .collect();
                let t = Instant::now();
                post(&client, &url, &token, json!({ "messages": messages })).await?;
                rtts.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(rtts)
        }));
    }
    let total = a.messages.div_ceil(a.batch) * a.batch;
    for _ in 0..a.concurrency - a.concurrency / 2 {
        let (client, acked, token) = (client.clone(), acked.clone(), token.to_owned());
        let lease = format!("{base}/api/v1/queues/{queue}/lease");
        let ack = format!("{base}/api/v1/queues/{queue}/ack");
        let (batch, wait) = (a.batch, a.wait);
        consumers.push(tokio::spawn(async move {
            let mut rtts = Vec::new();
            while acked.load(Ordering::Relaxed) < total {
                let t = Instant::now();
                let got = post(
                    &client,
                    &lease,
                    &token,
                    json!({ "batch_size": batch, "visibility_timeout_s": 60, "wait_s": wait }),
                )
                .await?;
                let ids: Vec<Value> = got["messages"]
                    .as_array()
                    .map(|m| m.iter().map(|m| m["id"].clone()).collect())
                    .unwrap_or_default();
                if ids.is_empty() {
                    continue;
                }
                let n = ids.len();
                post(&client, &ack, &token, json!({ "ids": ids })).await?;
                rtts.push(t.elapsed().as_secs_f64() * 1000.0);
                acked.fetch_add(n, Ordering::Relaxed);
            }
            anyhow::Ok(rtts)
        }));
    }
    let mut send = Vec::new();
    for p in producers {
        send.extend(p.await??);
    }
    let mut consume = Vec::new();
    for c in consumers {
        consume.extend(c.await??);
    }
    let elapsed = started.elapsed();
    send.sort_by(f64::total_cmp);
    consume.sort_by(f64::total_cmp);
    Ok(Run {
        per_sec: total as f64 / elapsed.as_secs_f64(),
        send_ms: (percentile(&send, 0.5), percentile(&send, 0.99)),
        consume_ms: (percentile(&consume, 0.5), percentile(&consume, 0.99)),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = tempfile::tempdir()?;
    let mut config = Config {
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    config.server.port = 0;
    config.log.level = "error".into();
    config.rate_limit.enabled = false;
    config.jobs.sqlite_durability = a.durability;
    let app = cistern::Application::build(config).await?;
    let base = format!("http://{}", app.local_addr());
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(shutdown.clone()));

    let client = reqwest::Client::new();
    let session = post(
        &client,
        &format!("{base}/api/v1/auth/register"),
        "",
        json!({ "email": "bench@example.com", "password": "correct horse battery" }),
    )
    .await?;
    let token = session["access_token"]
        .as_str()
        .context("access token")?
        .to_owned();

    println!(
        "{} messages, concurrency {} ({} producers, {} consumers), batch {}, durability {:?}",
        a.messages,
        a.concurrency,
        a.concurrency / 2,
        a.concurrency - a.concurrency / 2,
        a.batch,
        a.durability
    );
    let mut rates = Vec::new();
    for i in 0..a.runs {
        let r = run(&base, &token, &format!("bench-{i}"), &a).await?;
        println!(
            "run {}: {:.0} messages/s end to end; send p50 {:.2} ms p99 {:.2} ms; lease+ack p50 {:.2} ms p99 {:.2} ms",
            i + 1,
            r.per_sec,
            r.send_ms.0,
            r.send_ms.1,
            r.consume_ms.0,
            r.consume_ms.1
        );
        rates.push(r.per_sec);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "median {:.0} messages/s (min {:.0}, max {:.0})",
        rates[rates.len() / 2],
        rates[0],
        rates[rates.len() - 1]
    );
    shutdown.cancel();
    server.await??;
    Ok(())
}
