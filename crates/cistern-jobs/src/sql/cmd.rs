//! The writer's commands and replies: every write of the job store is one [`Cmd`], executed by
//! the writer task inside a group-committed transaction.

use crate::backend::{Claimed, Lease, LeaseState, Outcome};
use crate::model::{Enqueued, EventKind, JobId, JobStatus, NewJob, now_ms};
use crate::query::{CancelOutcome, LeasedMessage, RetryOutcome};

/// `jobs.kind` of worker jobs.
pub(crate) const KIND_JOB: &str = "job";
/// `jobs.kind` of user-queue messages.
pub(crate) const KIND_MESSAGE: &str = "message";

/// A row to insert; serialized (in a batch's JSON array) as the batch insert reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct NewRow {
    pub id: JobId,
    pub kind: &'static str,
    pub owner: Option<String>,
    pub queue: String,
    pub name: String,
    /// The payload's JSON text.
    pub payload: String,
    pub priority: i32,
    pub max_attempts: u32,
    pub dedup_key: Option<String>,
    pub run_at: i64,
}

impl NewRow {
    pub(crate) fn job(job: NewJob) -> Self {
        Self::build(KIND_JOB, job)
    }

    pub(crate) fn message(
        owner: &str,
        queue: &str,
        body: serde_json::Value,
        delay_ms: u64,
        max_attempts: u32,
    ) -> Self {
        let mut job = NewJob::new(KIND_MESSAGE, body)
            .queue(queue)
            .owner(owner)
            .max_attempts(max_attempts);
        job.run_at = Some(now_ms().saturating_add(i64::try_from(delay_ms).unwrap_or(i64::MAX)));
        Self::build(KIND_MESSAGE, job)
    }

    fn build(kind: &'static str, job: NewJob) -> Self {
        NewRow {
            id: JobId::new(),
            kind,
            owner: job.owner,
            queue: job.queue,
            name: job.name,
            payload: job.payload.to_string(),
            priority: job.priority,
            max_attempts: job.max_attempts,
            dedup_key: job.dedup_key,
            run_at: job.run_at.unwrap_or_else(now_ms),
        }
    }
}

/// One write.
#[derive(Debug, Clone)]
pub(crate) enum Cmd {
    Enqueue(Vec<NewRow>),
    /// The hot completion path, merged across callers into one statement.
    Succeed {
        lease: Lease,
        result: String,
    },
    Claim {
        queue: String,
        max: usize,
        lease_ms: i64,
    },
    /// The NATS backend's claim of one dispatched job.
    ClaimOne {
        id: JobId,
        queue: String,
        lease_ms: i64,
    },
    LeaseMessages {
        owner: String,
        queue: String,
        max: usize,
        lease_ms: i64,
    },
    Heartbeat {
        lease: Lease,
        lease_ms: i64,
    },
    Report {
        lease: Lease,
        progress: Option<u8>,
        kind: EventKind,
        data: String,
    },
    Finish {
        lease: Lease,
        outcome: Outcome,
    },
    /// Gives claimed rows back untouched (a long poll whose caller vanished).
    Release {
        ids: Vec<JobId>,
        token: String,
    },
    Cancel {
        mode: i32,
        owner: Option<String>,
        id: JobId,
    },
    Retry {
        mode: i32,
        owner: Option<String>,
        id: JobId,
    },
    SetLimit {
        queue: String,
        max: Option<u32>,
    },
    Reap,
    Prune {
        before: i64,
    },
    Ack {
        owner: String,
        queue: String,
        ids: String,
    },
    Nack {
        owner: String,
        queue: String,
        ids: String,
        at: i64,
    },
}

impl Cmd {
    /// Whether committing this may make jobs claimable (so waiting workers are woken).
    pub(crate) fn wakes(&self) -> bool {
        matches!(
            self,
            Cmd::Enqueue(_)
                | Cmd::Finish { .. }
                | Cmd::Release { .. }
                | Cmd::Retry { .. }
                | Cmd::Reap
                | Cmd::Nack { .. }
                | Cmd::SetLimit { .. }
                | Cmd::Succeed { .. }
        )
    }
}

/// What a command answered.
#[derive(Debug)]
pub(crate) enum Reply {
    Enqueued(Vec<Enqueued>),
    Status(Option<JobStatus>),
    Claimed(Vec<Claimed>),
    Messages(Vec<LeasedMessage>, String),
    Lease(LeaseState),
    Bool(bool),
    Count(u64),
    Cancel(Option<CancelOutcome>),
    Retry(Option<RetryOutcome>),
    Unit,
}

impl Reply {
    /// If a caller vanished before taking this reply, what to give back so nothing is lost.
    pub(crate) fn orphaned(self) -> Option<Cmd> {
        match self {
            Reply::Claimed(jobs) if !jobs.is_empty() => {
                let token = jobs[0].lease.token.clone();
                let ids = jobs.into_iter().map(|c| c.lease.job_id).collect();
                Some(Cmd::Release { ids, token })
            }
            Reply::Messages(msgs, token) if !msgs.is_empty() => {
                let ids = msgs.into_iter().map(|m| m.id).collect();
                Some(Cmd::Release { ids, token })
            }
            _ => None,
        }
    }
}
