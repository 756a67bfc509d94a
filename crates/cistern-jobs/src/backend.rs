//! The seam between the engine and where jobs live: [`Backend`], implemented by
//! [`crate::SqlBackend`] (SQLite or PostgreSQL) and [`crate::NatsBackend`] (JetStream dispatch,
//! state in SQL). `tests/conformance` runs one suite against every implementation.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::watch;

use crate::error::Result;
use crate::model::{Enqueued, Job, JobEvent, JobId, JobStatus, NewJob};
use crate::query::{
    CancelOutcome, JobFilter, JobPage, LeasedMessage, OutgoingMessage, QueueDepth, RetryOutcome,
    Scope,
};

/// Proof that a worker holds a job: its id and the token of this claim. Every write a worker
/// makes is conditional on the token, so a worker whose lease expired (and whose job was handed
/// to another) cannot record anything — completion is recorded at most once per claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lease {
    /// The job.
    pub job_id: JobId,
    /// This claim's token.
    pub token: String,
}

/// A job handed to a worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    /// The lease to heartbeat and finish with.
    pub lease: Lease,
    /// The owning user, if any.
    pub owner: Option<String>,
    /// Its queue.
    pub queue: String,
    /// The handler kind.
    pub name: String,
    /// The handler's input.
    pub payload: Value,
    /// This attempt (1-based).
    pub attempt: u32,
    /// The attempt budget.
    pub max_attempts: u32,
    /// Priority (higher first).
    pub priority: i32,
    /// When it became due (Unix ms): the enqueue→start latency is measured from here.
    pub due_at: i64,
}

/// What a heartbeat learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseState {
    /// Still ours, extended.
    Held {
        /// The owner asked to cancel: the handler's token is cancelled.
        cancel_requested: bool,
    },
    /// Expired and taken over, or the job was finished elsewhere: stop and record nothing.
    Lost,
}

/// Something a running handler reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// Progress 0–100 with an optional message.
    Progress(u8, Option<String>),
    /// A log line.
    Log(String),
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done; the result is kept and sent as the final event.
    Succeeded(Value),
    /// The attempt failed. With `retry_at` the job is queued again for then — or `dead` if this
    /// was its last attempt; without, it is `failed` for good.
    Failed {
        /// The error, kept in the history.
        error: String,
        /// When to try again (Unix ms); `None` for a permanent failure.
        retry_at: Option<i64>,
    },
    /// The handler stopped because its owner cancelled it.
    Cancelled,
    /// Give the job back untouched (shutdown, no handler here): queued at `at`, the attempt
    /// not counted.
    Release {
        /// When it is due again (Unix ms).
        at: i64,
    },
}

/// Where jobs live and how workers get them. Object-safe: hold it as `Arc<dyn Backend>`.
///
/// Every method taking a [`Scope`] sees only that scope's jobs: another owner's job is `None`.
#[async_trait]
pub trait Backend: Send + Sync + std::fmt::Debug + 'static {
    /// A short name for logs and metrics (`sqlite`, `postgres`, `nats`).
    fn kind(&self) -> &'static str;

    /// Enqueues jobs; when the future resolves, they are durable. Dedup keys answer the
    /// existing live job instead of adding one.
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>>;

    /// Leases up to `max` due jobs of `queue` for `lease`, highest priority first, within the
    /// queue's concurrency limit.
    async fn claim(&self, queue: &str, max: usize, lease: Duration) -> Result<Vec<Claimed>>;

    /// Extends a lease by `lease` from now.
    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<LeaseState>;

    /// Records progress or a log line; `false` when the lease is lost.
    async fn report(&self, lease: &Lease, report: Report) -> Result<bool>;

    /// Records how an attempt ended; `None` when the lease was lost (nothing recorded),
    /// otherwise the job's new status.
    async fn finish(&self, lease: &Lease, outcome: Outcome) -> Result<Option<JobStatus>>;

    /// Ticks when jobs may have become claimable in this process (enqueue, retry, release);
    /// workers and long polls wait on it besides their poll interval.
    fn work_signal(&self) -> watch::Receiver<u64>;

    /// Ticks after every write this process commits to the job store (events included); event
    /// streams wait on it besides their poll interval, so a local job's progress shows at once.
    fn write_signal(&self) -> watch::Receiver<u64>;

    /// One job.
    async fn get(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<Job>>;

    /// Jobs (not user-queue messages), newest first.
    async fn list(&self, scope: Scope<'_>, filter: &JobFilter) -> Result<JobPage>;

    /// Up to `limit` events with an id above `after`, oldest first; `None` if the job is not
    /// in scope.
    async fn events(
        &self,
        scope: Scope<'_>,
        id: &JobId,
        after: i64,
        limit: u32,
    ) -> Result<Option<Vec<JobEvent>>>;

    /// Cancels a queued job, or asks a running one to stop.
    async fn cancel(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<CancelOutcome>>;

    /// Queues a failed, dead or cancelled job again with a fresh attempt budget.
    async fn retry(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<RetryOutcome>>;

    /// Live depths of job queues (`owner = None`: all jobs) or of one user's message queues.
    async fn depths(&self, messages_of: Option<&str>) -> Result<Vec<QueueDepth>>;

    /// Sets (or with `None` removes) the limit of running jobs of `queue` across all workers.
    async fn set_queue_limit(&self, queue: &str, max_running: Option<u32>) -> Result<()>;

    /// Returns jobs and messages whose lease expired to the queue (or `dead` after their last
    /// attempt). Backends also do this on their own; exposed for maintenance and tests.
    async fn reap_expired(&self) -> Result<u64>;

    /// Deletes finished jobs and messages (and their events) finished before `before` (Unix ms).
    async fn prune_finished(&self, before: i64) -> Result<u64>;

    /// Sends messages to a user's queue; durable when the future resolves.
    async fn send_messages(
        &self,
        owner: &str,
        queue: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<JobId>>;

    /// Leases up to `max` visible messages of a user's queue for `visibility`. Never waits:
    /// [`crate::UserQueues::lease`] does the long poll.
    async fn lease_messages(
        &self,
        owner: &str,
        queue: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<LeasedMessage>>;

    /// Acknowledges leased messages; answers how many were leased and are now done.
    async fn ack_messages(&self, owner: &str, queue: &str, ids: &[JobId]) -> Result<u64>;

    /// Returns leased messages to the queue, visible again after `delay` (a message past its
    /// attempt budget goes `dead`); answers how many were leased.
    async fn nack_messages(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
        delay: Duration,
    ) -> Result<u64>;

    /// Stops background tasks and flushes pending writes.
    async fn close(&self);
}
