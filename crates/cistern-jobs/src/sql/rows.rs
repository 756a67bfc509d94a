//! Rows as the drivers decode them, and their conversion to the public model.

use crate::backend::{Claimed, Lease};
use crate::error::{Error, Result};
use crate::model::{AttemptError, EventKind, Job, JobEvent, JobId, JobStatus};
use crate::query::{LeasedMessage, QueueDepth};

/// A `jobs` row (the columns of `job_cols!`).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct JobRow {
    pub id: String,
    pub owner: Option<String>,
    pub queue: String,
    pub name: String,
    pub payload: String,
    pub priority: i32,
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub progress: i32,
    pub result: Option<String>,
    pub errors: String,
    pub dedup_key: Option<String>,
    pub run_at: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub cancel_requested: i32,
}

fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl JobRow {
    pub(crate) fn into_job(self) -> Result<Job> {
        Ok(Job {
            id: JobId::from_db(self.id),
            owner: self.owner,
            queue: self.queue,
            name: self.name,
            payload: serde_json::from_str(&self.payload)?,
            priority: self.priority,
            status: JobStatus::parse(&self.status)?,
            attempts: count(self.attempts),
            max_attempts: count(self.max_attempts),
            progress: u8::try_from(self.progress.clamp(0, 100)).unwrap_or(0),
            result: self
                .result
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
            errors: serde_json::from_str(&self.errors)?,
            dedup_key: self.dedup_key,
            run_at: self.run_at,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            cancel_requested: self.cancel_requested != 0,
        })
    }
}

/// A claimed row (the columns of `claim_cols!`).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClaimRow {
    pub id: String,
    pub owner: Option<String>,
    pub queue: String,
    pub name: String,
    pub payload: String,
    pub priority: i32,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: i64,
}

impl ClaimRow {
    /// A freshly claimed row: `due_at` is the time it became due (`run_at`).
    pub(crate) fn into_claimed(self, token: &str) -> Result<Claimed> {
        Ok(Claimed {
            lease: Lease {
                job_id: JobId::from_db(self.id),
                token: token.to_owned(),
            },
            owner: self.owner,
            queue: self.queue,
            name: self.name,
            payload: serde_json::from_str(&self.payload)?,
            attempt: count(self.attempts),
            max_attempts: count(self.max_attempts),
            priority: self.priority,
            due_at: self.run_at,
        })
    }

    pub(crate) fn into_message(self) -> Result<LeasedMessage> {
        Ok(LeasedMessage {
            id: JobId::from_db(self.id),
            body: serde_json::from_str(&self.payload)?,
            attempts: count(self.attempts),
        })
    }
}

/// A `job_events` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    pub id: i64,
    pub kind: String,
    pub data: String,
    pub at: i64,
}

impl EventRow {
    pub(crate) fn into_event(self) -> Result<JobEvent> {
        Ok(JobEvent {
            id: self.id,
            kind: EventKind::parse(&self.kind)?,
            data: serde_json::from_str(&self.data)?,
            at: self.at,
        })
    }
}

/// A row of the depth query.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DepthRow {
    pub queue: String,
    pub ready: Option<i64>,
    pub delayed: Option<i64>,
    pub running: Option<i64>,
    pub dead: Option<i64>,
}

impl From<DepthRow> for QueueDepth {
    fn from(r: DepthRow) -> Self {
        let n = |v: Option<i64>| u64::try_from(v.unwrap_or(0)).unwrap_or(0);
        QueueDepth {
            queue: r.queue,
            ready: n(r.ready),
            delayed: n(r.delayed),
            running: n(r.running),
            dead: n(r.dead),
        }
    }
}

/// Appends one failed attempt to a stored error history.
pub(crate) fn push_error(history: &str, attempt: u32, error: &str, at: i64) -> Result<String> {
    let mut errors: Vec<AttemptError> = serde_json::from_str(history)?;
    errors.push(AttemptError {
        attempt,
        error: error.to_owned(),
        at,
    });
    Ok(serde_json::to_string(&errors)?)
}

/// An unexpected reply variant from the writer: a bug, reported rather than panicking.
pub(crate) fn mismatch() -> Error {
    Error::invalid("writer reply", "unexpected reply kind")
}
