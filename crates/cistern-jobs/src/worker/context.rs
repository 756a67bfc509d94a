//! What a running handler sees: [`JobContext`], and what it returns on failure: [`JobError`].

use std::fmt;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::backend::{Backend, Claimed, Lease, Report};
use crate::error::Result;
use crate::model::JobId;

/// How a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (with backoff) unless this was the last: then the job is `dead`.
    #[error("{0}")]
    Retryable(String),
    /// Will never succeed (bad input): the job is `failed` at once.
    #[error("{0}")]
    Permanent(String),
    /// The handler stopped because its [`JobContext::cancellation`] fired.
    #[error("cancelled")]
    Cancelled,
}

impl JobError {
    /// A retryable error from anything printable.
    pub fn retry(e: impl fmt::Display) -> Self {
        JobError::Retryable(e.to_string())
    }

    /// A permanent error from anything printable.
    pub fn permanent(e: impl fmt::Display) -> Self {
        JobError::Permanent(e.to_string())
    }
}

impl From<crate::Error> for JobError {
    fn from(e: crate::Error) -> Self {
        JobError::Retryable(e.to_string())
    }
}

/// A running job's handle on its own state. Cheap to clone.
#[derive(Clone)]
pub struct JobContext {
    inner: Arc<Inner>,
}

struct Inner {
    claimed: Claimed,
    backend: Arc<dyn Backend>,
    cancel: CancellationToken,
}

impl fmt::Debug for JobContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobContext")
            .field("id", self.id())
            .field("attempt", &self.attempt())
            .finish_non_exhaustive()
    }
}

impl JobContext {
    pub(crate) fn new(
        claimed: Claimed,
        backend: Arc<dyn Backend>,
        cancel: CancellationToken,
    ) -> Self {
        JobContext {
            inner: Arc::new(Inner {
                claimed,
                backend,
                cancel,
            }),
        }
    }

    /// The job's id.
    pub fn id(&self) -> &JobId {
        &self.inner.claimed.lease.job_id
    }

    /// This attempt, from 1.
    pub fn attempt(&self) -> u32 {
        self.inner.claimed.attempt
    }

    /// The attempt budget: `attempt() == max_attempts()` is the last chance.
    pub fn max_attempts(&self) -> u32 {
        self.inner.claimed.max_attempts
    }

    /// The owning user, if any.
    pub fn owner(&self) -> Option<&str> {
        self.inner.claimed.owner.as_deref()
    }

    /// The job's queue.
    pub fn queue(&self) -> &str {
        &self.inner.claimed.queue
    }

    /// The handler kind.
    pub fn name(&self) -> &str {
        &self.inner.claimed.name
    }

    fn lease(&self) -> &Lease {
        &self.inner.claimed.lease
    }

    /// Records progress (0–100, clamped) with an optional message: stored on the job and sent
    /// to event followers. If the lease is lost, the cancellation token fires.
    pub async fn progress(&self, percent: u8, message: Option<&str>) -> Result<()> {
        let report = Report::Progress(percent.min(100), message.map(str::to_owned));
        self.report(report).await
    }

    /// Appends a log line to the job's events.
    pub async fn log(&self, message: impl Into<String>) -> Result<()> {
        self.report(Report::Log(message.into())).await
    }

    async fn report(&self, report: Report) -> Result<()> {
        if !self.inner.backend.report(self.lease(), report).await? {
            self.inner.cancel.cancel();
        }
        Ok(())
    }

    /// Fires when the handler should stop: its owner cancelled the job, the worker is shutting
    /// down past its grace period, or the lease was lost. Return [`JobError::Cancelled`] then.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.inner.cancel
    }

    /// Whether [`JobContext::cancellation`] fired.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }
}
