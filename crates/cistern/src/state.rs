//! The state shared by every handler.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::extract::FromRef;
use cistern_agents::Agents;
use cistern_jobs::Jobs;
use cistern_store::{BlobStore, Db};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limits;
use crate::platform::auth::Auth;
use crate::platform::quota::QuotaCache;

/// Handles to everything a request may need; cheap to clone. Handlers extract the narrowest
/// piece they need (`State<Arc<Metrics>>`, …) rather than the whole state where they can.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The effective configuration.
    pub config: Arc<Config>,
    /// The SQL store.
    pub db: Db,
    /// The blob store.
    pub blobs: BlobStore,
    /// Name of the blob backend (`local`, `s3`), for health reports.
    pub blob_backend: &'static str,
    /// This instance's metrics registry.
    pub metrics: Arc<Metrics>,
    /// The code generator's templates and result-cache counters (registered in `metrics`).
    pub codegen: crate::apps::codegen::Shared,
    /// Where Sage's ingests are scored (in process, or a `cistern scorer`).
    pub scorer: crate::apps::sage::Scorer,
    /// When this instance started.
    pub started: Instant,
    /// The same moment on the wall clock.
    pub started_at: SystemTime,
    /// Token keys and identity settings.
    pub auth: Arc<Auth>,
    /// Request rate limits.
    pub limits: Arc<Limits>,
    /// The LLM gateway (records go to the call-log writer).
    pub llm: cistern_llm::Gateway,
    /// Recently read monthly budgets.
    pub quotas: Arc<QuotaCache>,
    /// Tasks that outlive requests and jobs (the call-log writer).
    pub background: Background,
    /// The job engine: enqueue, the job API, users' queues.
    pub jobs: Jobs,
    /// The chat agents and their memory (`crate::apps::chat`).
    pub agents: Agents,
    /// Cancelled when the server begins shutting down: long polls and event streams end, so
    /// draining does not wait on them.
    pub shutdown: CancellationToken,
}

impl AppState {
    /// The one shutdown order, once requests and job workers have drained: every app's hook
    /// (chat turns still running — a client left mid-reply — finish and store their replies),
    /// then the background tasks (the call-log writer stores what it holds, usage included),
    /// then the job backend, then the SQL pool. `cistern serve` and `cistern worker` both end
    /// here.
    pub async fn close(&self) {
        crate::apps::shutdown(self).await;
        self.background.finish().await;
        self.jobs.backend().close().await;
        self.db.close().await;
    }
}

/// Tasks that outlive requests and jobs (the LLM call-log writer): they run until the process
/// has no more work for them, then finish what they hold.
#[derive(Clone, Default)]
pub struct Background {
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl Background {
    /// Runs `task` until [`Background::finish`]; it sees `stop` cancelled and should drain.
    pub fn spawn<F>(&self, task: impl FnOnce(CancellationToken) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(task(self.stop.clone()));
    }

    /// Tells every task to finish and waits until they have. Call once requests and jobs ended.
    pub async fn finish(&self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
