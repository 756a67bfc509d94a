//! Crash tests: worker (and producer) processes killed with SIGKILL.
//!
//! The test binary re-executes itself as the child (`crash_child`, driven by environment
//! variables), so the worker really is another process that dies without any cleanup. Asserted:
//! a job whose worker is killed mid-run is redelivered and completes once; across thousands of
//! jobs and repeated kills none is lost and none has its completion recorded twice; and every
//! enqueue a producer saw acknowledged before it was killed is in the store.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod child;

use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::Duration;

use child::{Target, kill, open, spawn_child};
use cistern_jobs::{JobStatus, Jobs, NewJob, Scope};
use cistern_store::Db;
use cistern_store::sql::PoolOptions;
use serde_json::json;

/// The child's entry point (a no-op in the parent run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child() {
    child::run().await;
}

async fn sqlite_target() -> Target {
    let dir = tempfile::tempdir().expect("dir");
    let db_url = format!("sqlite://{}", dir.path().join("crash.db").display());
    Target {
        backend: "sqlite",
        db_url,
        nats: None,
        _dir: Arc::new(dir),
    }
}

async fn postgres_target() -> Option<Target> {
    let db_url = cistern_store::testing::fresh_postgres_url().await?;
    Some(Target {
        backend: "postgres",
        db_url,
        nats: None,
        _dir: Arc::new(tempfile::tempdir().expect("dir")),
    })
}

async fn nats_target() -> Option<Target> {
    let url = cistern_jobs::testing::nats_url()?;
    let mut t = sqlite_target().await;
    t.backend = "nats";
    t.nats = Some((url, cistern_jobs::testing::unique_prefix()));
    Some(t)
}

/// Counts `(job, succeeded events)` pairs with more than one completion recorded.
async fn double_completions(db_url: &str) -> i64 {
    let db = Db::connect(db_url, &PoolOptions::default())
        .await
        .expect("connect");
    let sql = "SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE kind = 'succeeded'
               GROUP BY job_id HAVING COUNT(*) > 1) AS doubles";
    let n: i64 = match &db {
        Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .expect("count");
    db.close().await;
    n
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn killed_workers_lose_nothing(t: Target) {
    let backend = open(&t).await;
    let jobs = Jobs::new(backend.clone());

    // One slow job: its worker is killed while it runs; the next worker completes it once.
    let slow = jobs
        .enqueue(NewJob::new("work", json!({ "i": -1, "sleep_ms": 1500 })).queue("crash"))
        .await
        .expect("enqueue");
    let mut child = spawn_child(&t, "worker");
    wait_until("the slow job to start", || async {
        jobs.get(Scope::All, &slow.id)
            .await
            .expect("get")
            .is_some_and(|j| j.status == JobStatus::Running)
    })
    .await;
    kill(&mut child);
    let mut child = spawn_child(&t, "worker");
    wait_until("the slow job to complete", || async {
        jobs.get(Scope::All, &slow.id)
            .await
            .expect("get")
            .is_some_and(|j| j.status == JobStatus::Succeeded)
    })
    .await;
    kill(&mut child);
    let j = jobs
        .get(Scope::All, &slow.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        j.attempts, 2,
        "redelivered once after the kill: {:?}",
        j.errors
    );
    assert!(
        j.errors[0].error.contains("lease expired"),
        "{:?}",
        j.errors
    );

    // Thousands of jobs, a worker killed every few hundred milliseconds.
    let total = 2000;
    let batch: Vec<_> = (0..total)
        .map(|i| NewJob::new("work", json!({ "i": i })).queue("crash"))
        .collect();
    let ids: Vec<_> = jobs
        .enqueue_many(batch)
        .await
        .expect("enqueue")
        .into_iter()
        .map(|e| e.id)
        .collect();
    for _ in 0..5 {
        let mut child = spawn_child(&t, "worker");
        tokio::time::sleep(Duration::from_millis(300 + fastrand::u64(0..400))).await;
        kill(&mut child);
    }
    let mut child = spawn_child(&t, "worker");
    wait_until("every job to complete", || async {
        let depths = jobs.depths().await.expect("depths");
        depths.iter().all(|d| d.ready + d.delayed + d.running == 0)
    })
    .await;
    kill(&mut child);
    let mut redelivered = 0;
    for id in &ids {
        let j = jobs
            .get(Scope::All, id)
            .await
            .expect("get")
            .expect("no job lost");
        assert_eq!(j.status, JobStatus::Succeeded, "job {id}: {:?}", j.errors);
        redelivered += usize::from(j.attempts > 1);
    }
    assert!(
        redelivered > 0,
        "the kills interrupted running jobs (else this test proves nothing)"
    );
    assert_eq!(
        double_completions(&t.db_url).await,
        0,
        "a completion was recorded twice"
    );
    eprintln!(
        "{}: {total} jobs, 5 kills, {redelivered} redelivered, none lost or doubled",
        t.backend
    );
    backend.close().await;
}

async fn acknowledged_enqueues_survive_sigkill(t: Target) {
    let backend = open(&t).await;
    let jobs = Jobs::new(backend.clone());
    let mut child = spawn_child(&t, "producer");
    let stdout = child.stdout.take().expect("stdout");
    // Each line is an id whose enqueue was acknowledged (libtest's own lines are skipped).
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(id) = cistern_jobs::JobId::parse(line.trim())
                && tx.send(id).is_err()
            {
                break;
            }
        }
    });
    let mut acked = Vec::new();
    while acked.len() < 300 {
        acked.push(rx.recv().await.expect("the producer died early"));
    }
    kill(&mut child);
    reader.join().expect("reader");
    while let Ok(id) = rx.try_recv() {
        acked.push(id);
    }
    for id in &acked {
        assert!(
            jobs.get(Scope::All, id).await.expect("get").is_some(),
            "acknowledged job {id} was lost"
        );
    }
    backend.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_workers_lose_nothing() {
    killed_workers_lose_nothing(sqlite_target().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_workers_lose_nothing() {
    if let Some(t) = postgres_target().await {
        killed_workers_lose_nothing(t).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nats_killed_workers_lose_nothing() {
    if let Some(t) = nats_target().await {
        killed_workers_lose_nothing(t).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_acknowledged_enqueues_survive_sigkill() {
    acknowledged_enqueues_survive_sigkill(sqlite_target().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_acknowledged_enqueues_survive_sigkill() {
    if let Some(t) = postgres_target().await {
        acknowledged_enqueues_survive_sigkill(t).await;
    }
}
