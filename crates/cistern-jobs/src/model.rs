//! What a job is: the record, its statuses, its events, and what callers submit.
//!
//! Times are Unix milliseconds, like every table of the SQL store.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

pub use crate::events::{EventKind, JobEvent};
pub use cistern_store::sql::now_ms;

/// A job's (or a user-queue message's) id: a UUIDv7, so ids sort by creation time and serve as
/// the cursor of listings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(String);

impl JobId {
    /// A new, time-ordered id.
    pub fn new() -> Self {
        JobId(uuid::Uuid::now_v7().to_string())
    }

    /// Parses an id from user input (a path segment, a cursor).
    pub fn parse(s: &str) -> Result<Self> {
        let uuid = uuid::Uuid::try_parse(s).map_err(|e| Error::invalid("job id", e.to_string()))?;
        Ok(JobId(uuid.hyphenated().to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps text read back from the store (already valid).
    pub(crate) fn from_db(s: String) -> Self {
        JobId(s)
    }
}

impl Default for JobId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for a worker (possibly until `run_at`).
    Queued,
    /// Leased by a worker.
    Running,
    /// Finished with a result.
    Succeeded,
    /// Finished with a permanent error (no retry).
    Failed,
    /// Failed on its last attempt.
    Dead,
    /// Cancelled by its owner.
    Cancelled,
}

impl JobStatus {
    /// Every status, in life order.
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Dead,
        JobStatus::Cancelled,
    ];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Dead => "dead",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored or user-given name.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| Error::invalid("status", format!("unknown status {s:?}")))
    }

    /// `true` once nothing will run the job again (unless someone retries it).
    pub fn is_terminal(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// A job to enqueue. Build with [`NewJob::new`] and the chained setters.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The handler kind a worker dispatches on.
    pub name: String,
    /// The queue (`[A-Za-z0-9_-]{1,64}`); per-queue concurrency limits apply to it.
    pub queue: String,
    /// The handler's input.
    pub payload: Value,
    /// Higher runs first among due jobs of a queue.
    pub priority: i32,
    /// Attempts before the job is `dead` (at least 1).
    pub max_attempts: u32,
    /// While a job with this key (and owner) is queued or running, enqueueing another returns it.
    pub dedup_key: Option<String>,
    /// Not before this time (Unix ms); `None` is now.
    pub run_at: Option<i64>,
    /// The user the job belongs to; `None` for system jobs.
    pub owner: Option<String>,
}

/// The default queue's name.
pub const DEFAULT_QUEUE: &str = "default";

impl NewJob {
    /// A job for handler `name` on the default queue: priority 0, 5 attempts, due now.
    pub fn new(name: impl Into<String>, payload: Value) -> Self {
        NewJob {
            name: name.into(),
            queue: DEFAULT_QUEUE.to_owned(),
            payload,
            priority: 0,
            max_attempts: 5,
            dedup_key: None,
            run_at: None,
            owner: None,
        }
    }

    /// Sets the queue.
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }

    /// Sets the priority (higher first).
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the attempt budget.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the dedup key.
    pub fn dedup_key(mut self, key: impl Into<String>) -> Self {
        self.dedup_key = Some(key.into());
        self
    }

    /// Runs no earlier than `at` (Unix ms).
    pub fn run_at(mut self, at: i64) -> Self {
        self.run_at = Some(at);
        self
    }

    /// Runs no earlier than `delay` from now.
    pub fn delay(self, delay: Duration) -> Self {
        let at = now_ms().saturating_add(duration_ms(delay));
        self.run_at(at)
    }

    /// Sets the owner (a user id).
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// Refuses what the store or a NATS subject could not hold.
    pub fn validate(&self) -> Result<()> {
        validate_queue(&self.queue)?;
        if self.name.is_empty() || self.name.len() > 128 {
            return Err(Error::invalid("name", "must be 1 to 128 bytes"));
        }
        if self.max_attempts == 0 || self.max_attempts > 1000 {
            return Err(Error::invalid("max_attempts", "must be 1 to 1000"));
        }
        if self
            .dedup_key
            .as_ref()
            .is_some_and(|k| k.is_empty() || k.len() > 256)
        {
            return Err(Error::invalid("dedup_key", "must be 1 to 256 bytes"));
        }
        Ok(())
    }
}

/// Checks a queue name: 1 to 64 of `[A-Za-z0-9_-]` (it becomes part of NATS subjects).
pub fn validate_queue(queue: &str) -> Result<()> {
    let ok = !queue.is_empty()
        && queue.len() <= 64
        && queue
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("queue", "must be 1 to 64 of [A-Za-z0-9_-]"))
    }
}

/// Milliseconds of a duration, saturating.
pub fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The answer to an enqueue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enqueued {
    /// The job's id (the existing job's when deduplicated).
    pub id: JobId,
    /// `true` when a live job with the same dedup key already existed and nothing was added.
    pub deduplicated: bool,
}

/// One failed attempt, kept in the job's error history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptError {
    /// Which attempt (1-based).
    pub attempt: u32,
    /// The handler's error, or `lease expired` when its worker vanished.
    pub error: String,
    /// When (Unix ms).
    pub at: i64,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Its id.
    pub id: JobId,
    /// The owning user; `None` for system jobs.
    pub owner: Option<String>,
    /// Its queue.
    pub queue: String,
    /// The handler kind.
    pub name: String,
    /// The handler's input.
    pub payload: Value,
    /// Higher runs first.
    pub priority: i32,
    /// Where it is in its life.
    pub status: JobStatus,
    /// Attempts started so far.
    pub attempts: u32,
    /// Attempt budget.
    pub max_attempts: u32,
    /// 0–100, as last reported by the handler.
    pub progress: u8,
    /// The handler's result once succeeded.
    pub result: Option<Value>,
    /// Every failed attempt, oldest first.
    pub errors: Vec<AttemptError>,
    /// Its dedup key.
    pub dedup_key: Option<String>,
    /// Due time (Unix ms); after a failed attempt, the retry time.
    pub run_at: i64,
    /// Enqueued at (Unix ms).
    pub created_at: i64,
    /// The last attempt's start.
    pub started_at: Option<i64>,
    /// When it reached its terminal status.
    pub finished_at: Option<i64>,
    /// The owner asked to cancel it while it was running.
    pub cancel_requested: bool,
}
