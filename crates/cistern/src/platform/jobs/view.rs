//! How jobs look in the API: the engine's records with RFC 3339 times and OpenAPI schemas.

use cistern_jobs::{Job, JobStatus, QueueDepth};
use serde::Serialize;
use utoipa::ToSchema;

use crate::time::rfc3339;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for a worker (possibly until `run_at`).
    Queued,
    /// A worker is running it.
    Running,
    /// Finished with a result.
    Succeeded,
    /// Failed for good (a permanent error).
    Failed,
    /// Failed its last attempt.
    Dead,
    /// Cancelled by its owner.
    Cancelled,
}

impl From<JobStatus> for Status {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Queued => Status::Queued,
            JobStatus::Running => Status::Running,
            JobStatus::Succeeded => Status::Succeeded,
            JobStatus::Failed => Status::Failed,
            JobStatus::Dead => Status::Dead,
            JobStatus::Cancelled => Status::Cancelled,
        }
    }
}

/// One failed attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptErrorView {
    /// Which attempt (1-based).
    pub attempt: u32,
    /// The handler's error, or `lease expired` when its worker vanished.
    pub error: String,
    /// RFC 3339 time.
    pub at: String,
}

/// A job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    /// Its id (a UUIDv7: ids sort by creation time).
    pub id: String,
    /// Its queue.
    pub queue: String,
    /// The handler kind.
    pub name: String,
    /// The handler's input.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Higher runs first.
    pub priority: i32,
    /// Where it is in its life.
    pub status: Status,
    /// Attempts started so far.
    pub attempts: u32,
    /// Attempt budget.
    pub max_attempts: u32,
    /// 0–100, as last reported by its handler.
    pub progress: u8,
    /// The result, once succeeded.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Every failed attempt, oldest first.
    pub errors: Vec<AttemptErrorView>,
    /// Its dedup key.
    pub dedup_key: Option<String>,
    /// Due time (after a failed attempt: the retry time), RFC 3339.
    pub run_at: String,
    /// Enqueued at, RFC 3339.
    pub created_at: String,
    /// The last attempt's start.
    pub started_at: Option<String>,
    /// When it reached its final status.
    pub finished_at: Option<String>,
    /// Its owner asked to cancel it while it was running.
    pub cancel_requested: bool,
}

impl From<Job> for JobView {
    fn from(job: Job) -> Self {
        JobView {
            id: job.id.to_string(),
            queue: job.queue,
            name: job.name,
            payload: job.payload,
            priority: job.priority,
            status: job.status.into(),
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            progress: job.progress,
            result: job.result,
            errors: job
                .errors
                .into_iter()
                .map(|e| AttemptErrorView {
                    attempt: e.attempt,
                    error: e.error,
                    at: rfc3339(e.at),
                })
                .collect(),
            dedup_key: job.dedup_key,
            run_at: rfc3339(job.run_at),
            created_at: rfc3339(job.created_at),
            started_at: job.started_at.map(rfc3339),
            finished_at: job.finished_at.map(rfc3339),
            cancel_requested: job.cancel_requested,
        }
    }
}

/// How many jobs or messages of one queue are in each live state.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDepthView {
    /// The queue.
    pub queue: String,
    /// Waiting and due now.
    pub ready: u64,
    /// Waiting until later (delayed, or backing off after a failure).
    pub delayed: u64,
    /// Leased (running jobs; messages a consumer holds).
    pub running: u64,
    /// Dead: out of attempts (kept until retention removes them).
    pub dead: u64,
}

impl From<QueueDepth> for QueueDepthView {
    fn from(d: QueueDepth) -> Self {
        QueueDepthView {
            queue: d.queue,
            ready: d.ready,
            delayed: d.delayed,
            running: d.running,
            dead: d.dead,
        }
    }
}
