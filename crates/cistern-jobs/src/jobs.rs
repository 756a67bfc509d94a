//! [`Jobs`]: the handle the rest of Cistern calls to enqueue and to answer the job API.

use std::sync::Arc;

use crate::backend::Backend;
use crate::error::Result;
use crate::metrics::Metrics;
use crate::model::{Enqueued, Job, JobEvent, JobId, NewJob};
use crate::query::{CancelOutcome, JobFilter, JobPage, QueueDepth, RetryOutcome, Scope};
use crate::queues::UserQueues;

/// A cheap, cloneable handle on a backend and its metrics.
///
/// Every query takes a [`Scope`]: the HTTP layer passes `Scope::Owner(user_id)`, so another
/// user's job answers `None` (a 404), never someone else's data.
#[derive(Debug, Clone)]
pub struct Jobs {
    backend: Arc<dyn Backend>,
    metrics: Metrics,
}

impl Jobs {
    /// A handle with fresh metrics (register them with [`Jobs::metrics`]).
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Self::with_metrics(backend, Metrics::new())
    }

    /// A handle recording into `metrics`.
    pub fn with_metrics(backend: Arc<dyn Backend>, metrics: Metrics) -> Self {
        Jobs { backend, metrics }
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// The metrics this handle (and workers built on it) record into.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The pull-queue API for users' apps.
    pub fn queues(&self) -> UserQueues {
        UserQueues::new(self.backend.clone())
    }

    /// Enqueues one job; durable when this resolves.
    pub async fn enqueue(&self, job: NewJob) -> Result<Enqueued> {
        let mut out = self.enqueue_many(vec![job]).await?;
        out.pop()
            .ok_or_else(|| crate::Error::invalid("enqueue", "no answer for the job"))
    }

    /// Enqueues jobs in one write; durable when this resolves.
    pub async fn enqueue_many(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>> {
        let queues: Vec<String> = jobs.iter().map(|j| j.queue.clone()).collect();
        let out = self.backend.enqueue(jobs).await?;
        for (queue, e) in queues.iter().zip(&out) {
            if !e.deduplicated {
                self.metrics.enqueued(queue, 1);
            }
        }
        Ok(out)
    }

    /// One job, or `None` if it is not in `scope`.
    pub async fn get(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<Job>> {
        self.backend.get(scope, id).await
    }

    /// A page of jobs, newest first.
    pub async fn list(&self, scope: Scope<'_>, filter: &JobFilter) -> Result<JobPage> {
        self.backend.list(scope, filter).await
    }

    /// Ticks after every write this process commits to the job store: wait on it (besides a
    /// poll interval, for other processes' writes) to follow a job's events.
    pub fn write_signal(&self) -> tokio::sync::watch::Receiver<u64> {
        self.backend.write_signal()
    }

    /// Events after `after` (the SSE `Last-Event-ID`; 0 for all), oldest first, at most
    /// `limit`; `None` if the job is not in `scope`.
    pub async fn events(
        &self,
        scope: Scope<'_>,
        id: &JobId,
        after: i64,
        limit: u32,
    ) -> Result<Option<Vec<JobEvent>>> {
        self.backend.events(scope, id, after, limit).await
    }

    /// Cancels a queued job, or signals a running one; `None` if not in `scope`.
    pub async fn cancel(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<CancelOutcome>> {
        self.backend.cancel(scope, id).await
    }

    /// Re-queues a failed, dead or cancelled job; `None` if not in `scope`.
    pub async fn retry(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<RetryOutcome>> {
        self.backend.retry(scope, id).await
    }

    /// Depths of the job queues (all owners: for operators and the metrics).
    pub async fn depths(&self) -> Result<Vec<QueueDepth>> {
        self.backend.depths(None).await
    }

    /// Limits how many jobs of `queue` run at once across all workers (`None` lifts it).
    pub async fn set_queue_limit(&self, queue: &str, max_running: Option<u32>) -> Result<()> {
        self.backend.set_queue_limit(queue, max_running).await
    }
}
