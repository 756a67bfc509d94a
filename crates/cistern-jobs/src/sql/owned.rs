//! The owner's commands: cancel and retry, scoped so another owner's job is not found.

use serde_json::json;

use super::cmd::{KIND_JOB, Reply};
use super::conn::{Tx, exec_tx, on_tx};
use super::exec::event;
use super::stmts as q;
use crate::error::Result;
use crate::model::{EventKind, JobId, JobStatus};
use crate::query::{CancelOutcome, RetryOutcome};

type ScopeRow = (String, Option<String>, Option<String>);

async fn in_scope(
    tx: &mut Tx<'_>,
    mode: i32,
    owner: Option<&str>,
    id: &JobId,
) -> Result<Option<ScopeRow>> {
    let sql = tx.pick(q::STATUS_IN_SCOPE, q::STATUS_IN_SCOPE_PG);
    Ok(on_tx!(tx, t => sqlx::query_as(sql)
        .bind(id.as_str()).bind(mode).bind(owner).fetch_optional(&mut **t).await)?)
}

pub(crate) async fn cancel(
    tx: &mut Tx<'_>,
    mode: i32,
    owner: Option<&str>,
    id: &JobId,
    now: i64,
) -> Result<Reply> {
    let Some((status, _, _)) = in_scope(tx, mode, owner, id).await? else {
        return Ok(Reply::Cancel(None));
    };
    let outcome = match JobStatus::parse(&status)? {
        JobStatus::Queued => {
            exec_tx!(tx, t => sqlx::query(q::CANCEL_QUEUED).bind(id.as_str()).bind(now))?;
            event(tx, id, EventKind::Cancelled, &json!({}), now).await?;
            CancelOutcome::Cancelled
        }
        JobStatus::Running => {
            exec_tx!(tx, t => sqlx::query(q::REQUEST_CANCEL).bind(id.as_str()))?;
            CancelOutcome::Requested
        }
        other => CancelOutcome::AlreadyFinished(other),
    };
    Ok(Reply::Cancel(Some(outcome)))
}

pub(crate) async fn retry(
    tx: &mut Tx<'_>,
    mode: i32,
    owner: Option<&str>,
    id: &JobId,
    now: i64,
) -> Result<Reply> {
    let Some((status, dedup_key, job_owner)) = in_scope(tx, mode, owner, id).await? else {
        return Ok(Reply::Retry(None));
    };
    let status = JobStatus::parse(&status)?;
    if !matches!(
        status,
        JobStatus::Failed | JobStatus::Dead | JobStatus::Cancelled
    ) {
        return Ok(Reply::Retry(Some(RetryOutcome::NotRetryable(status))));
    }
    if let Some(key) = dedup_key {
        let live: Option<String> = on_tx!(tx, t => sqlx::query_scalar(q::DEDUP_LOOKUP)
            .bind(KIND_JOB).bind(job_owner.unwrap_or_default()).bind(key).fetch_optional(&mut **t).await)?;
        if let Some(live) = live {
            return Ok(Reply::Retry(Some(RetryOutcome::Duplicate(JobId::from_db(
                live,
            )))));
        }
    }
    exec_tx!(tx, t => sqlx::query(q::REQUEUE).bind(id.as_str()).bind(now))?;
    event(tx, id, EventKind::Retried, &json!({}), now).await?;
    Ok(Reply::Retry(Some(RetryOutcome::Requeued)))
}
