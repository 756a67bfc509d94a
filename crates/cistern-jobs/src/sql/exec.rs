//! Executes the writer's commands inside one transaction. Enqueues and completions of a whole
//! batch are merged into one statement each (a JSON array parameter); the rest run in order.

use std::collections::HashSet;

use super::cmd::{Cmd, KIND_JOB, NewRow, Reply};
use super::conn::{Tx, exec_tx, on_tx};
use super::ops;
use super::stmts as q;
use crate::error::Result;
use crate::model::{Enqueued, EventKind, JobId, JobStatus, now_ms};

/// Runs `cmds` in `tx`, answering one reply per command, in order.
pub(crate) async fn run_batch(tx: &mut Tx<'_>, cmds: &[Cmd]) -> Result<Vec<Reply>> {
    let now = now_ms();
    let mut replies: Vec<Option<Reply>> = cmds.iter().map(|_| None).collect();

    // 1. Every enqueue of the batch in one INSERT.
    let enqueues: Vec<usize> = (0..cmds.len())
        .filter(|&i| matches!(cmds[i], Cmd::Enqueue(_)))
        .collect();
    if !enqueues.is_empty() {
        let rows: Vec<&NewRow> = enqueues
            .iter()
            .flat_map(|&i| match &cmds[i] {
                Cmd::Enqueue(rows) => rows.as_slice(),
                _ => &[],
            })
            .collect();
        let mut answers = enqueue(tx, &rows, now).await?.into_iter();
        for &i in &enqueues {
            if let Cmd::Enqueue(rows) = &cmds[i] {
                replies[i] = Some(Reply::Enqueued(answers.by_ref().take(rows.len()).collect()));
            }
        }
    }

    // 2. Every successful completion in one UPDATE, then their final events in one INSERT.
    let succeeds: Vec<usize> = (0..cmds.len())
        .filter(|&i| matches!(cmds[i], Cmd::Succeed { .. }))
        .collect();
    if !succeeds.is_empty() {
        let done = succeed(tx, cmds, &succeeds, now).await?;
        for &i in &succeeds {
            if let Cmd::Succeed { lease, .. } = &cmds[i] {
                let ok = done.contains(lease.job_id.as_str());
                replies[i] = Some(Reply::Status(ok.then_some(JobStatus::Succeeded)));
            }
        }
    }

    // 3. Everything else, in arrival order (claims see this batch's enqueues and completions).
    for (i, cmd) in cmds.iter().enumerate() {
        if replies[i].is_none() {
            replies[i] = Some(ops::run(tx, cmd, now).await?);
        }
    }
    Ok(replies
        .into_iter()
        .map(|r| r.unwrap_or(Reply::Unit))
        .collect())
}

async fn enqueue(tx: &mut Tx<'_>, rows: &[&NewRow], now: i64) -> Result<Vec<Enqueued>> {
    let array = serde_json::to_string(rows)?;
    let sql = tx.pick(q::ENQUEUE_SQLITE, q::ENQUEUE_PG);
    let inserted: Vec<String> = on_tx!(tx, t => sqlx::query_scalar(sql)
        .bind(array).bind(now).fetch_all(&mut **t).await)?;
    // Usually nothing collided with a dedup key: skip the lookups.
    let all = inserted.len() == rows.len();
    let inserted: HashSet<String> = if all {
        HashSet::new()
    } else {
        inserted.into_iter().collect()
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if all || inserted.contains(row.id.as_str()) {
            out.push(Enqueued {
                id: row.id.clone(),
                deduplicated: false,
            });
        } else {
            out.push(dedup_existing(tx, row, now).await?);
        }
    }
    Ok(out)
}

/// The live job a refused row collided with; if that job finished meanwhile (PostgreSQL, other
/// instances), the row is inserted after all.
async fn dedup_existing(tx: &mut Tx<'_>, row: &NewRow, now: i64) -> Result<Enqueued> {
    let owner = row.owner.clone().unwrap_or_default();
    for _ in 0..3 {
        let existing: Option<String> = on_tx!(tx, t => sqlx::query_scalar(q::DEDUP_LOOKUP)
            .bind(row.kind).bind(&owner).bind(&row.dedup_key).fetch_optional(&mut **t).await)?;
        if let Some(id) = existing {
            return Ok(Enqueued {
                id: JobId::from_db(id),
                deduplicated: true,
            });
        }
        let sql = tx.pick(q::ENQUEUE_SQLITE, q::ENQUEUE_PG);
        let one = serde_json::to_string(&[row])?;
        let inserted: Vec<String> = on_tx!(tx, t => sqlx::query_scalar(sql)
            .bind(&one).bind(now).fetch_all(&mut **t).await)?;
        if !inserted.is_empty() {
            return Ok(Enqueued {
                id: row.id.clone(),
                deduplicated: false,
            });
        }
    }
    Err(crate::error::Error::invalid(
        "dedup_key",
        "conflicts with a job that keeps changing; try again",
    ))
}

/// One completion in the batch UPDATE's JSON array.
#[derive(serde::Serialize)]
struct Done<'a> {
    id: &'a str,
    token: &'a str,
    result: &'a str,
}

/// One event in the batch INSERT's JSON array.
#[derive(serde::Serialize)]
struct NewEvent<'a> {
    id: &'a str,
    kind: &'a str,
    data: &'a str,
}

async fn succeed(
    tx: &mut Tx<'_>,
    cmds: &[Cmd],
    idx: &[usize],
    now: i64,
) -> Result<HashSet<String>> {
    let items: Vec<Done<'_>> = idx
        .iter()
        .filter_map(|&i| match &cmds[i] {
            Cmd::Succeed { lease, result } => Some(Done {
                id: lease.job_id.as_str(),
                token: &lease.token,
                result,
            }),
            _ => None,
        })
        .collect();
    let sql = tx.pick(q::SUCCEED_SQLITE, q::SUCCEED_PG);
    let array = serde_json::to_string(&items)?;
    let done: Vec<String> = on_tx!(tx, t => sqlx::query_scalar(sql)
        .bind(now).bind(array).fetch_all(&mut **t).await)?;
    let done: HashSet<String> = done.into_iter().collect();
    if !done.is_empty() {
        let events: Vec<NewEvent<'_>> = items
            .iter()
            .filter(|d| done.contains(d.id))
            .map(|d| NewEvent {
                id: d.id,
                kind: EventKind::Succeeded.as_str(),
                data: d.result,
            })
            .collect();
        let sql = tx.pick(q::EVENTS_SQLITE, q::EVENTS_PG);
        let array = serde_json::to_string(&events)?;
        exec_tx!(tx, t => sqlx::query(sql).bind(array).bind(now))?;
    }
    Ok(done)
}

/// Inserts one event.
pub(crate) async fn event(
    tx: &mut Tx<'_>,
    id: &JobId,
    kind: EventKind,
    data: &serde_json::Value,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, t => sqlx::query(q::INSERT_EVENT)
        .bind(id.as_str()).bind(kind.as_str()).bind(data.to_string()).bind(now))?;
    Ok(())
}

/// Only worker jobs keep an event log; user-queue messages have no reader for one.
pub(crate) fn keeps_events(kind: &str) -> bool {
    kind == KIND_JOB
}
