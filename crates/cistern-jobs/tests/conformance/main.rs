//! One conformance suite for every job backend: each case runs on SQLite, on PostgreSQL (a fresh
//! schema) and on NATS JetStream (with its state in SQLite). The PostgreSQL and NATS servers come
//! from `scripts/test.sh`; without them those variants skip with a note, except under CI.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod api;
mod delivery;
mod queues;
mod reads;
mod scheduling;
mod shutdown;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use cistern_jobs::{Backend, Jobs, NewJob, SqlBackend, SqlConfig};
use cistern_store::Db;
use cistern_store::sql::PoolOptions;

/// A backend under test and what keeps it alive.
pub struct Harness {
    /// The handle the API layer would use.
    pub jobs: Jobs,
    /// The backend itself (claims, leases).
    pub backend: Arc<dyn Backend>,
    _dir: Option<tempfile::TempDir>,
}

impl Harness {
    /// Stops the backend's tasks.
    pub async fn close(self) {
        self.backend.close().await;
    }
}

fn config() -> SqlConfig {
    SqlConfig {
        reap_interval: Duration::from_millis(100),
        retention: None,
        ..SqlConfig::default()
    }
}

async fn sqlite_db() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let db = Db::connect(&url, &PoolOptions::default())
        .await
        .expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    (db, dir)
}

fn harness(backend: Arc<dyn Backend>, dir: Option<tempfile::TempDir>) -> Harness {
    Harness {
        jobs: Jobs::new(backend.clone()),
        backend,
        _dir: dir,
    }
}

/// A backend on a fresh SQLite file.
pub async fn sqlite() -> Harness {
    let (db, dir) = sqlite_db().await;
    let backend = SqlBackend::open(db, config()).await.expect("open backend");
    harness(Arc::new(backend), Some(dir))
}

/// A backend on a fresh PostgreSQL schema, if a server is configured.
pub async fn postgres() -> Option<Harness> {
    let url = cistern_store::testing::fresh_postgres_url().await?;
    let db = Db::connect(&url, &PoolOptions::default())
        .await
        .expect("open postgres");
    db.migrate().await.expect("migrate postgres");
    let backend = SqlBackend::open(db, config()).await.expect("open backend");
    Some(harness(Arc::new(backend), None))
}

/// A NATS backend (state in SQLite), if a server is configured.
pub async fn nats() -> Option<Harness> {
    let url = cistern_jobs::testing::nats_url()?;
    let (db, dir) = sqlite_db().await;
    let nats = cistern_jobs::NatsConfig {
        url,
        // Each test gets its own stream and consumers.
        prefix: cistern_jobs::testing::unique_prefix(),
        ..cistern_jobs::NatsConfig::default()
    };
    let backend = cistern_jobs::NatsBackend::open(db, config(), nats)
        .await
        .expect("open nats backend");
    Some(harness(Arc::new(backend), Some(dir)))
}

/// Generates `<case>::{sqlite, postgres, nats}` from `async fn <case>(&Harness)`.
#[macro_export]
macro_rules! suite {
    ($($case:ident),* $(,)?) => { $(
        mod $case {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let h = $crate::sqlite().await;
                super::$case(&h).await;
                h.close().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(h) = $crate::postgres().await {
                    super::$case(&h).await;
                    h.close().await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn nats() {
                if let Some(h) = $crate::nats().await {
                    super::$case(&h).await;
                    h.close().await;
                }
            }
        }
    )* };
}

/// A job on `queue` owned by `owner`.
pub fn job(name: &str, queue: &str, owner: &str) -> NewJob {
    NewJob::new(name, serde_json::json!({"n": name}))
        .queue(queue)
        .owner(owner)
}

/// Polls `attempt` until it answers `Some`, for at most ~20 s (bounded; never a timing
/// assertion).
pub async fn eventually<T, F, Fut>(what: &str, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..400 {
        if let Some(value) = attempt().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Claims one job of `queue` and fails it with a retry due now.
pub async fn fail_now(h: &Harness, queue: &str, error: &str) -> Option<cistern_jobs::JobStatus> {
    let c = claim_n(h, queue, 1).await;
    let c = c.first().expect("a job to claim");
    let outcome = cistern_jobs::Outcome::Failed {
        error: error.to_owned(),
        retry_at: Some(cistern_jobs::now_ms()),
    };
    h.backend.finish(&c.lease, outcome).await.expect("finish")
}

/// Claims until `n` jobs of `queue` are held, for at most ~20 s: JetStream offers a message
/// again (after a retry, a release, a busy limit) asynchronously, SQL at once.
pub async fn claim_n(h: &Harness, queue: &str, n: usize) -> Vec<cistern_jobs::Claimed> {
    let mut got = Vec::new();
    for _ in 0..400 {
        let more = h
            .backend
            .claim(queue, n - got.len(), Duration::from_secs(30))
            .await
            .expect("claim");
        got.extend(more);
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("claimed {} of {n} jobs of {queue}", got.len());
}
