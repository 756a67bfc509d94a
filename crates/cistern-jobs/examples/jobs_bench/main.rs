//! Job engine benchmark: end-to-end jobs/s (enqueue → handler → completion recorded) and
//! enqueue→completion latency at a steady rate.
//!
//! ```text
//! cargo run --release -p cistern-jobs --example jobs_bench -- \
//!     [--backend sqlite|postgres|nats] [--mode throughput|latency|both] [--jobs 50000] \
//!     [--concurrency 16] [--producers 256] [--prefetch 256] [--rate 1000] [--seconds 10] \
//!     [--durability full|normal] [--dir PATH]
//! ```
//!
//! PostgreSQL needs `CISTERN_TEST_POSTGRES_URL` (a fresh schema is made), NATS needs
//! `CISTERN_TEST_NATS_URL` (state in SQLite under `--dir`). Producers enqueue one job per call,
//! `--producers` of them at once, like that many API clients; every enqueue is acknowledged only
//! once durable.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod counting;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use cistern_jobs::{
    Backend, Jobs, NewJob, SqlBackend, SqlConfig, SqliteDurability, Worker, WorkerConfig,
};
use cistern_store::Db;
use cistern_store::sql::PoolOptions;
use counting::{Completions, Counting};
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

struct Args {
    backend: String,
    mode: String,
    jobs: usize,
    concurrency: usize,
    producers: usize,
    prefetch: usize,
    rate: u64,
    seconds: u64,
    durability: SqliteDurability,
    dir: Option<String>,
}

fn parse() -> anyhow::Result<Args> {
    let mut a = Args {
        backend: "sqlite".into(),
        mode: "both".into(),
        jobs: 50_000,
        concurrency: 16,
        producers: 256,
        prefetch: 256,
        rate: 1000,
        seconds: 10,
        durability: SqliteDurability::Full,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => a.backend = v,
            "--mode" => a.mode = v,
            "--jobs" => a.jobs = v.parse()?,
            "--concurrency" => a.concurrency = v.parse()?,
            "--producers" => a.producers = v.parse()?,
            "--prefetch" => a.prefetch = v.parse()?,
            "--rate" => a.rate = v.parse()?,
            "--seconds" => a.seconds = v.parse()?,
            "--dir" => a.dir = Some(v),
            "--durability" => {
                a.durability = match v.as_str() {
                    "full" => SqliteDurability::Full,
                    "normal" => SqliteDurability::Normal,
                    _ => anyhow::bail!("--durability full|normal"),
                }
            }
            _ => anyhow::bail!("unknown flag {flag}"),
        }
    }
    Ok(a)
}

struct Setup {
    jobs: Jobs,
    backend: Arc<Counting>,
    completions: Arc<Completions>,
    _dir: tempfile::TempDir,
}

async fn sqlite_db(dir: &tempfile::TempDir) -> anyhow::Result<Db> {
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let db = Db::connect(&url, &PoolOptions::default()).await?;
    db.migrate().await?;
    Ok(db)
}

async fn open(a: &Args) -> anyhow::Result<Setup> {
    let dir = match &a.dir {
        Some(d) => tempfile::tempdir_in(d)?,
        None => tempfile::tempdir()?,
    };
    let config = SqlConfig {
        durability: a.durability,
        ..SqlConfig::default()
    };
    let inner: Arc<dyn Backend> = match a.backend.as_str() {
        "sqlite" => Arc::new(SqlBackend::open(sqlite_db(&dir).await?, config).await?),
        "postgres" => {
            let url = cistern_store::testing::fresh_postgres_url()
                .await
                .context("set CISTERN_TEST_POSTGRES_URL")?;
            let db = Db::connect(&url, &PoolOptions::default()).await?;
            db.migrate().await?;
            Arc::new(SqlBackend::open(db, config).await?)
        }
        "nats" => {
            let url = cistern_jobs::testing::nats_url().context("set CISTERN_TEST_NATS_URL")?;
            let nats = cistern_jobs::NatsConfig {
                url,
                prefix: cistern_jobs::testing::unique_prefix(),
                ..cistern_jobs::NatsConfig::default()
            };
            Arc::new(cistern_jobs::NatsBackend::open(sqlite_db(&dir).await?, config, nats).await?)
        }
        other => anyhow::bail!("unknown backend {other}"),
    };
    let completions = Arc::new(Completions::default());
    let backend = Arc::new(Counting {
        inner,
        completions: completions.clone(),
    });
    let jobs = Jobs::new(backend.clone());
    Ok(Setup {
        jobs,
        backend,
        completions,
        _dir: dir,
    })
}

fn start_worker(s: &Setup, a: &Args) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let config = WorkerConfig {
        queues: BTreeMap::from([("bench".to_owned(), a.concurrency)]),
        prefetch: a.prefetch,
        depth_interval: None,
        ..WorkerConfig::default()
    };
    let worker = Worker::new(s.jobs.clone(), config)
        .handle("noop", |_ctx, _p: Value| async { Ok(Value::Null) });
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let handle = tokio::spawn(async move {
        if let Err(e) = worker.run(token).await {
            eprintln!("worker: {e}");
        }
    });
    (cancel, handle)
}

async fn wait_done(c: &Completions, total: u64) {
    loop {
        let notified = c.notify.notified();
        if c.done.load(Ordering::SeqCst) >= total {
            return;
        }
        // Woken or timed out: either way, look again.
        tokio::time::timeout(Duration::from_millis(50), notified)
            .await
            .ok();
    }
}

async fn throughput(a: &Args) -> anyhow::Result<()> {
    let s = open(a).await?;
    let (cancel, worker) = start_worker(&s, a);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut producers = tokio::task::JoinSet::new();
    for _ in 0..a.producers {
        let (jobs, next, total) = (s.jobs.clone(), next.clone(), a.jobs);
        producers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, cistern_jobs::Error>(());
                }
                jobs.enqueue(NewJob::new("noop", json!({ "i": i })).queue("bench"))
                    .await?;
            }
        });
    }
    while let Some(r) = producers.join_next().await {
        r??;
    }
    let enqueued = start.elapsed();
    wait_done(&s.completions, a.jobs as u64).await;
    let elapsed = start.elapsed();
    println!(
        "throughput backend={} durability={:?} jobs={} concurrency={} producers={} prefetch={}: \
         {:.0} jobs/s end to end ({:.2} s); enqueue {:.0} jobs/s",
        s.backend.kind(),
        a.durability,
        a.jobs,
        a.concurrency,
        a.producers,
        a.prefetch,
        a.jobs as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        a.jobs as f64 / enqueued.as_secs_f64(),
    );
    cancel.cancel();
    worker.await?;
    s.backend.close().await;
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

async fn latency(a: &Args) -> anyhow::Result<()> {
    let s = open(a).await?;
    let (cancel, worker) = start_worker(&s, a);
    let total = a.rate * a.seconds;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / a.rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..total {
        tick.tick().await;
        let jobs = s.jobs.clone();
        sends.spawn(async move {
            let t0 = Instant::now();
            let e = jobs
                .enqueue(NewJob::new("noop", json!({ "i": i })).queue("bench"))
                .await?;
            Ok::<_, cistern_jobs::Error>((e.id, t0, t0.elapsed()))
        });
    }
    let mut started = HashMap::new();
    let mut acks = Vec::new();
    while let Some(r) = sends.join_next().await {
        let (id, t0, ack) = r??;
        started.insert(id, t0);
        acks.push(ack);
    }
    wait_done(&s.completions, total).await;
    let times = std::mem::take(
        &mut *s
            .completions
            .times
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?,
    );
    let mut lat: Vec<Duration> = times
        .into_iter()
        .filter_map(|(id, done)| started.get(&id).map(|t0| done - *t0))
        .collect();
    lat.sort();
    acks.sort();
    println!(
        "latency backend={} durability={:?} rate={}/s for {} s ({} jobs): enqueue→completion \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; enqueue ack p50 {:.2} ms, p99 {:.2} ms",
        s.backend.kind(),
        a.durability,
        a.rate,
        a.seconds,
        lat.len(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
        percentile(&acks, 0.50),
        percentile(&acks, 0.99),
    );
    cancel.cancel();
    worker.await?;
    s.backend.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = parse()?;
    if a.mode == "throughput" || a.mode == "both" {
        throughput(&a).await?;
    }
    if a.mode == "latency" || a.mode == "both" {
        latency(&a).await?;
    }
    Ok(())
}
