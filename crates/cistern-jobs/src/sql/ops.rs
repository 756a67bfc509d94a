//! The writer's single commands: claims, leases, attempt endings, cancel/retry, maintenance and
//! user-queue acknowledgements. Each runs inside the writer's current transaction.

use serde_json::json;

use super::cmd::{Cmd, Reply};
use super::conn::{Tx, exec_tx, on_tx};
use super::exec::{event, keeps_events};
use super::owned;
use super::rows::{ClaimRow, mismatch, push_error};
use super::stmts as q;
use crate::backend::{Claimed, Lease, LeaseState, Outcome};
use crate::error::Result;
use crate::model::{EventKind, JobId, JobStatus};

/// A fresh lease token.
fn token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn n(max: usize) -> i64 {
    i64::try_from(max).unwrap_or(i64::MAX)
}

pub(crate) async fn run(tx: &mut Tx<'_>, cmd: &Cmd, now: i64) -> Result<Reply> {
    match cmd {
        Cmd::Claim {
            queue,
            max,
            lease_ms,
        } => claim(tx, queue, n(*max), now + lease_ms, now).await,
        Cmd::ClaimOne {
            id,
            queue,
            lease_ms,
        } => {
            if room(tx, queue, 1).await? == 0 {
                return Ok(Reply::Claimed(Vec::new()));
            }
            let token = token();
            let row: Option<ClaimRow> = on_tx!(tx, t => sqlx::query_as(q::CLAIM_ONE)
                .bind(&token).bind(now + lease_ms).bind(now).bind(id.as_str()).bind(queue)
                .fetch_optional(&mut **t).await)?;
            let claimed = row.map(|r| r.into_claimed(&token)).transpose()?;
            Ok(Reply::Claimed(claimed.into_iter().collect()))
        }
        Cmd::LeaseMessages {
            owner,
            queue,
            max,
            lease_ms,
        } => {
            let token = token();
            let sql = tx.pick(q::LEASE_MESSAGES_SQLITE, q::LEASE_MESSAGES_PG);
            let rows: Vec<ClaimRow> = on_tx!(tx, t => sqlx::query_as(sql)
                .bind(&token).bind(now + lease_ms).bind(now).bind(owner).bind(queue).bind(n(*max))
                .fetch_all(&mut **t).await)?;
            let mut msgs = rows
                .into_iter()
                .map(ClaimRow::into_message)
                .collect::<Result<Vec<_>>>()?;
            msgs.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(Reply::Messages(msgs, token))
        }
        Cmd::Heartbeat { lease, lease_ms } => {
            let cancel: Option<i32> = on_tx!(tx, t => sqlx::query_scalar(q::HEARTBEAT)
                .bind(lease.job_id.as_str()).bind(&lease.token).bind(now + lease_ms).fetch_optional(&mut **t).await)?;
            Ok(Reply::Lease(match cancel {
                Some(c) => LeaseState::Held {
                    cancel_requested: c != 0,
                },
                None => LeaseState::Lost,
            }))
        }
        Cmd::Report {
            lease,
            progress,
            kind,
            data,
        } => {
            let progress = progress.map(i32::from);
            let held = exec_tx!(tx, t => sqlx::query(q::PROGRESS)
                .bind(lease.job_id.as_str()).bind(&lease.token).bind(progress))?
                == 1;
            if held {
                event(tx, &lease.job_id, *kind, &serde_json::from_str(data)?, now).await?;
            }
            Ok(Reply::Bool(held))
        }
        Cmd::Finish { lease, outcome } => finish(tx, lease, outcome, now).await.map(Reply::Status),
        Cmd::Release { ids, token } => {
            let mut count = 0;
            for id in ids {
                count += exec_tx!(tx, t => sqlx::query(q::RELEASE)
                    .bind(id.as_str()).bind(token).bind(now))?;
            }
            Ok(Reply::Count(count))
        }
        Cmd::Cancel { mode, owner, id } => {
            owned::cancel(tx, *mode, owner.as_deref(), id, now).await
        }
        Cmd::Retry { mode, owner, id } => owned::retry(tx, *mode, owner.as_deref(), id, now).await,
        Cmd::SetLimit { queue, max } => {
            match max {
                Some(max) => exec_tx!(tx, t => sqlx::query(q::SET_LIMIT)
                    .bind(queue).bind(i32::try_from(*max).unwrap_or(i32::MAX)))?,
                None => exec_tx!(tx, t => sqlx::query(q::DELETE_LIMIT).bind(queue))?,
            };
            Ok(Reply::Unit)
        }
        Cmd::Reap => reap(tx, now).await.map(Reply::Count),
        Cmd::Prune { before } => {
            let done = exec_tx!(tx, t => sqlx::query(q::PRUNE).bind(*before))?;
            Ok(Reply::Count(done))
        }
        Cmd::Ack { owner, queue, ids } => {
            let sql = tx.pick(q::ACK_SQLITE, q::ACK_PG);
            let done = exec_tx!(tx, t => sqlx::query(sql)
                .bind(ids).bind(owner).bind(queue))?;
            Ok(Reply::Count(done))
        }
        Cmd::Nack {
            owner,
            queue,
            ids,
            at,
        } => {
            let sql = tx.pick(q::NACK_SQLITE, q::NACK_PG);
            let done = exec_tx!(tx, t => sqlx::query(sql)
                .bind(ids).bind(owner).bind(queue).bind(*at).bind(now))?;
            Ok(Reply::Count(done))
        }
        Cmd::Enqueue(_) | Cmd::Succeed { .. } => Err(mismatch()),
    }
}

/// How many of `max` jobs `queue` may start under its concurrency limit. On PostgreSQL the
/// limit row is locked, so concurrent claimers of a limited queue take turns.
async fn room(tx: &mut Tx<'_>, queue: &str, max: i64) -> Result<i64> {
    let sql = tx.pick(q::LIMIT_OF, q::LIMIT_OF_PG);
    let limit: Option<i32> =
        on_tx!(tx, t => sqlx::query_scalar(sql).bind(queue).fetch_optional(&mut **t).await)?;
    let Some(limit) = limit else {
        return Ok(max);
    };
    let running: i64 =
        on_tx!(tx, t => sqlx::query_scalar(q::RUNNING_IN).bind(queue).fetch_one(&mut **t).await)?;
    Ok(max.min((i64::from(limit) - running).max(0)))
}

async fn claim(tx: &mut Tx<'_>, queue: &str, max: i64, until: i64, now: i64) -> Result<Reply> {
    let max = room(tx, queue, max).await?;
    if max == 0 {
        return Ok(Reply::Claimed(Vec::new()));
    }
    let token = token();
    let sql = tx.pick(q::CLAIM_SQLITE, q::CLAIM_PG);
    let rows: Vec<ClaimRow> = on_tx!(tx, t => sqlx::query_as(sql)
        .bind(&token).bind(until).bind(now).bind(queue).bind(max).fetch_all(&mut **t).await)?;
    let mut claimed = rows
        .into_iter()
        .map(|r| r.into_claimed(&token))
        .collect::<Result<Vec<Claimed>>>()?;
    // RETURNING has no order: restore the claim order.
    claimed.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.due_at.cmp(&b.due_at)));
    Ok(Reply::Claimed(claimed))
}

/// Ends an attempt that did not succeed; `None` when the lease is not held.
async fn finish(
    tx: &mut Tx<'_>,
    lease: &Lease,
    outcome: &Outcome,
    now: i64,
) -> Result<Option<JobStatus>> {
    let (error, retry_at, cancelled) = match outcome {
        Outcome::Release { at } => {
            let done = exec_tx!(tx, t => sqlx::query(q::RELEASE)
                .bind(lease.job_id.as_str()).bind(&lease.token).bind(*at))?;
            return Ok((done == 1).then_some(JobStatus::Queued));
        }
        Outcome::Succeeded(_) => return Err(mismatch()),
        Outcome::Failed { error, retry_at } => (error.as_str(), *retry_at, false),
        Outcome::Cancelled => ("cancelled", None, true),
    };
    let sql = tx.pick(q::HOLDS, q::HOLDS_PG);
    let held: Option<(i32, i32, String, String)> = on_tx!(tx, t => sqlx::query_as(sql)
        .bind(lease.job_id.as_str()).bind(&lease.token).fetch_optional(&mut **t).await)?;
    let Some((attempts, max_attempts, history, kind)) = held else {
        return Ok(None);
    };
    let attempt = u32::try_from(attempts).unwrap_or(0);
    let (status, event_kind) = match (cancelled, retry_at) {
        (true, _) => (JobStatus::Cancelled, EventKind::Cancelled),
        (false, Some(_)) if attempts < max_attempts => {
            (JobStatus::Queued, EventKind::AttemptFailed)
        }
        (false, Some(_)) => (JobStatus::Dead, EventKind::Dead),
        (false, None) => (JobStatus::Failed, EventKind::Failed),
    };
    let errors = if cancelled {
        history
    } else {
        push_error(&history, attempt, error, now)?
    };
    let (run_at, finished_at) = match status {
        JobStatus::Queued => (retry_at.unwrap_or(now), None),
        _ => (now, Some(now)),
    };
    exec_tx!(tx, t => sqlx::query(q::END_ATTEMPT)
        .bind(lease.job_id.as_str()).bind(&lease.token).bind(status.as_str()).bind(run_at)
        .bind(finished_at).bind(&errors).bind(0_i32))?;
    if keeps_events(&kind) {
        let data = match event_kind {
            EventKind::Cancelled => json!({}),
            EventKind::AttemptFailed => {
                json!({"attempt": attempt, "error": error, "retry_at": run_at})
            }
            _ => json!({"attempt": attempt, "error": error}),
        };
        event(tx, &lease.job_id, event_kind, &data, now).await?;
    }
    Ok(Some(status))
}

/// Jobs whose lease expired: queued again at once, or dead after their last attempt.
async fn reap(tx: &mut Tx<'_>, now: i64) -> Result<u64> {
    let sql = tx.pick(q::EXPIRED, q::EXPIRED_PG);
    let expired: Vec<(String, String)> =
        on_tx!(tx, t => sqlx::query_as(sql).bind(now).fetch_all(&mut **t).await)?;
    let mut count = 0;
    for (id, token) in expired {
        let lease = Lease {
            job_id: JobId::from_db(id),
            token,
        };
        let failed = Outcome::Failed {
            error: "lease expired (worker stopped or stalled)".to_owned(),
            retry_at: Some(now),
        };
        if finish(tx, &lease, &failed, now).await?.is_some() {
            count += 1;
        }
    }
    Ok(count)
}
