//! Typed wrappers over the writer's commands, shared by the SQL and the NATS backend.

use std::time::Duration;

use serde_json::json;

use super::cmd::{Cmd, KIND_MESSAGE, NewRow, Reply};
use super::rows::mismatch;
use super::store::Store;
use crate::backend::{Claimed, Lease, LeaseState, Outcome, Report};
use crate::error::Result;
use crate::model::{Enqueued, EventKind, JobId, JobStatus, NewJob, duration_ms, now_ms};
use crate::query::{CancelOutcome, LeasedMessage, OutgoingMessage, RetryOutcome, Scope};

/// Default attempt budget of a user-queue message (deliveries before it goes dead).
pub(crate) const MESSAGE_MAX_ATTEMPTS: u32 = 5;

fn ms(d: Duration) -> i64 {
    duration_ms(d)
}

fn ids_json(ids: &[JobId]) -> String {
    serde_json::Value::from(ids.iter().map(JobId::as_str).collect::<Vec<_>>()).to_string()
}

impl Store {
    pub(crate) async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>> {
        for job in &jobs {
            job.validate()?;
        }
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let rows = jobs.into_iter().map(NewRow::job).collect();
        match self.call(Cmd::Enqueue(rows)).await? {
            Reply::Enqueued(out) => Ok(out),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn claim(
        &self,
        queue: &str,
        max: usize,
        lease: Duration,
    ) -> Result<Vec<Claimed>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let cmd = Cmd::Claim {
            queue: queue.to_owned(),
            max,
            lease_ms: ms(lease),
        };
        match self.call(cmd).await? {
            Reply::Claimed(jobs) => Ok(jobs),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn claim_one(
        &self,
        id: &JobId,
        queue: &str,
        lease: Duration,
    ) -> Result<Option<Claimed>> {
        let cmd = Cmd::ClaimOne {
            id: id.clone(),
            queue: queue.to_owned(),
            lease_ms: ms(lease),
        };
        match self.call(cmd).await? {
            Reply::Claimed(jobs) => Ok(jobs.into_iter().next()),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<LeaseState> {
        let cmd = Cmd::Heartbeat {
            lease: lease.clone(),
            lease_ms: ms(extend),
        };
        match self.call(cmd).await? {
            Reply::Lease(state) => Ok(state),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn report(&self, lease: &Lease, report: Report) -> Result<bool> {
        let (progress, kind, data) = match report {
            Report::Progress(p, message) => {
                let p = p.min(100);
                (
                    Some(p),
                    EventKind::Progress,
                    json!({"progress": p, "message": message}),
                )
            }
            Report::Log(message) => (None, EventKind::Log, json!({"message": message})),
        };
        let cmd = Cmd::Report {
            lease: lease.clone(),
            progress,
            kind,
            data: data.to_string(),
        };
        match self.call(cmd).await? {
            Reply::Bool(held) => Ok(held),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn finish(
        &self,
        lease: &Lease,
        outcome: Outcome,
    ) -> Result<Option<JobStatus>> {
        let cmd = match outcome {
            Outcome::Succeeded(result) => Cmd::Succeed {
                lease: lease.clone(),
                result: result.to_string(),
            },
            outcome => Cmd::Finish {
                lease: lease.clone(),
                outcome,
            },
        };
        match self.call(cmd).await? {
            Reply::Status(status) => Ok(status),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn cancel(
        &self,
        scope: Scope<'_>,
        id: &JobId,
    ) -> Result<Option<CancelOutcome>> {
        let (mode, owner) = scope.params();
        let cmd = Cmd::Cancel {
            mode,
            owner: owner.map(str::to_owned),
            id: id.clone(),
        };
        match self.call(cmd).await? {
            Reply::Cancel(outcome) => Ok(outcome),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn retry(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<RetryOutcome>> {
        let (mode, owner) = scope.params();
        let cmd = Cmd::Retry {
            mode,
            owner: owner.map(str::to_owned),
            id: id.clone(),
        };
        match self.call(cmd).await? {
            Reply::Retry(outcome) => Ok(outcome),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn set_queue_limit(&self, queue: &str, max: Option<u32>) -> Result<()> {
        crate::model::validate_queue(queue)?;
        self.call(Cmd::SetLimit {
            queue: queue.to_owned(),
            max,
        })
        .await
        .map(drop)
    }

    pub(crate) async fn count(&self, cmd: Cmd) -> Result<u64> {
        match self.call(cmd).await? {
            Reply::Count(n) => Ok(n),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn send_messages(
        &self,
        owner: &str,
        queue: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<JobId>> {
        crate::model::validate_queue(queue)?;
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let rows = messages
            .into_iter()
            .map(|m| NewRow::message(owner, queue, m.body, m.delay_ms, MESSAGE_MAX_ATTEMPTS))
            .collect();
        match self.call(Cmd::Enqueue(rows)).await? {
            Reply::Enqueued(out) => Ok(out.into_iter().map(|e| e.id).collect()),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn lease_messages(
        &self,
        owner: &str,
        queue: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<LeasedMessage>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let cmd = Cmd::LeaseMessages {
            owner: owner.to_owned(),
            queue: queue.to_owned(),
            max,
            lease_ms: ms(visibility),
        };
        match self.call(cmd).await? {
            Reply::Messages(msgs, _) => Ok(msgs),
            _ => Err(mismatch()),
        }
    }

    pub(crate) async fn ack_messages(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
    ) -> Result<u64> {
        self.count(Cmd::Ack {
            owner: owner.to_owned(),
            queue: queue.to_owned(),
            ids: ids_json(ids),
        })
        .await
    }

    pub(crate) async fn nack_messages(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
        delay: Duration,
    ) -> Result<u64> {
        self.count(Cmd::Nack {
            owner: owner.to_owned(),
            queue: queue.to_owned(),
            ids: ids_json(ids),
            at: now_ms().saturating_add(ms(delay)),
        })
        .await
    }

    pub(crate) async fn job_depths(&self) -> Result<Vec<crate::query::QueueDepth>> {
        self.depths(super::cmd::KIND_JOB, None).await
    }

    pub(crate) async fn reap(&self) -> Result<u64> {
        self.count(Cmd::Reap).await
    }

    pub(crate) async fn message_depths(
        &self,
        owner: &str,
    ) -> Result<Vec<crate::query::QueueDepth>> {
        self.depths(KIND_MESSAGE, Some(owner)).await
    }
}
