//! Types of the read side: who may see what, filters, pages, queue depths, and user-queue messages.

use serde::Serialize;
use serde_json::Value;

use crate::model::{Job, JobId, JobStatus};

/// Whose jobs an operation may see or touch. The HTTP layer passes [`Scope::Owner`] with the
/// caller's user id, so another user's job is simply not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// One user's jobs.
    Owner(&'a str),
    /// System jobs (no owner).
    System,
    /// Everyone's (administrators, maintenance).
    All,
}

impl<'a> Scope<'a> {
    /// The two SQL parameters `(mode, owner)` of the shared scope predicate
    /// `($m = 0 OR ($m = 1 AND owner = $o) OR ($m = 2 AND owner IS NULL))`.
    pub(crate) fn params(self) -> (i32, Option<&'a str>) {
        match self {
            Scope::All => (0, None),
            Scope::Owner(owner) => (1, Some(owner)),
            Scope::System => (2, None),
        }
    }
}

/// Which jobs to list: newest first, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFilter {
    /// Only this status.
    pub status: Option<JobStatus>,
    /// Only this queue.
    pub queue: Option<String>,
    /// Only this handler kind.
    pub name: Option<String>,
    /// Only jobs older than this one: the previous page's `next_cursor`.
    pub before: Option<JobId>,
    /// Page size (1 to 500).
    pub limit: u32,
}

impl Default for JobFilter {
    fn default() -> Self {
        JobFilter {
            status: None,
            queue: None,
            name: None,
            before: None,
            limit: 50,
        }
    }
}

/// A page of jobs, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobPage {
    /// The jobs.
    pub jobs: Vec<Job>,
    /// Pass as [`JobFilter::before`] for the next page; `None` on the last page.
    pub next_cursor: Option<JobId>,
}

/// How many jobs (or messages) of one queue are in each live state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    /// The queue.
    pub queue: String,
    /// Waiting, due now.
    pub ready: u64,
    /// Waiting until a later `run_at` (delayed or backing off).
    pub delayed: u64,
    /// Leased.
    pub running: u64,
    /// Dead (kept until retention prunes them).
    pub dead: u64,
}

/// What a cancel did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcome {
    /// It was queued and is now cancelled.
    Cancelled,
    /// It is running; its handler was told (it ends `cancelled` when the handler gives up).
    Requested,
    /// It had already finished with this status; nothing changed.
    AlreadyFinished(JobStatus),
}

/// What a retry did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryOutcome {
    /// Queued again with a fresh attempt budget.
    Requeued,
    /// Only failed, dead or cancelled jobs can be retried; it is in this status.
    NotRetryable(JobStatus),
    /// A live job with the same dedup key exists (this one): nothing changed.
    Duplicate(JobId),
}

/// A message to send to a user queue.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMessage {
    /// Any JSON.
    pub body: Value,
    /// Invisible until this many milliseconds from now.
    pub delay_ms: u64,
}

/// A leased user-queue message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeasedMessage {
    /// Its id (ack and nack by it).
    pub id: JobId,
    /// Its body.
    pub body: Value,
    /// Deliveries so far, this one included.
    pub attempts: u32,
}
