//! What the job API changes: cancel, retry and retention.

use std::time::Duration;

use cistern_jobs::{
    CancelOutcome, EventKind, JobStatus, LeaseState, Outcome, RetryOutcome, Scope, now_ms,
};
use serde_json::json;

use crate::{Harness, fail_now, job, suite};

const LEASE: Duration = Duration::from_secs(30);

suite!(
    cancel_queued_and_running,
    retry_requeues_finished_jobs,
    retention_prunes_finished_jobs,
);

async fn cancel_queued_and_running(h: &Harness) {
    let queued = h.jobs.enqueue(job("a", "q1", "u1")).await.expect("enqueue");
    assert_eq!(
        h.jobs
            .cancel(Scope::Owner("u2"), &queued.id)
            .await
            .expect("cancel"),
        None,
        "not another owner's"
    );
    assert_eq!(
        h.jobs
            .cancel(Scope::Owner("u1"), &queued.id)
            .await
            .expect("cancel"),
        Some(CancelOutcome::Cancelled)
    );
    assert!(
        h.backend
            .claim("q1", 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "cancelled jobs do not run"
    );

    let running = h.jobs.enqueue(job("b", "q1", "u1")).await.expect("enqueue");
    let c = h.backend.claim("q1", 10, LEASE).await.expect("claim");
    assert_eq!(
        h.jobs
            .cancel(Scope::Owner("u1"), &running.id)
            .await
            .expect("cancel"),
        Some(CancelOutcome::Requested)
    );
    let hb = h
        .backend
        .heartbeat(&c[0].lease, LEASE)
        .await
        .expect("heartbeat");
    assert_eq!(
        hb,
        LeaseState::Held {
            cancel_requested: true
        },
        "the worker learns of it"
    );
    let status = h
        .backend
        .finish(&c[0].lease, Outcome::Cancelled)
        .await
        .expect("finish");
    assert_eq!(status, Some(JobStatus::Cancelled));
    let again = h
        .jobs
        .cancel(Scope::Owner("u1"), &running.id)
        .await
        .expect("cancel");
    assert_eq!(
        again,
        Some(CancelOutcome::AlreadyFinished(JobStatus::Cancelled))
    );
    let kinds: Vec<_> = h
        .jobs
        .events(Scope::Owner("u1"), &queued.id, 0, 10)
        .await
        .expect("events")
        .expect("found")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, [EventKind::Cancelled]);
}

async fn retry_requeues_finished_jobs(h: &Harness) {
    let e = h
        .jobs
        .enqueue(job("a", "q1", "u1").max_attempts(1))
        .await
        .expect("enqueue");
    assert_eq!(
        h.jobs
            .retry(Scope::Owner("u1"), &e.id)
            .await
            .expect("retry"),
        Some(RetryOutcome::NotRetryable(JobStatus::Queued))
    );
    assert_eq!(fail_now(h, "q1", "boom").await, Some(JobStatus::Dead));
    assert_eq!(
        h.jobs
            .retry(Scope::Owner("u2"), &e.id)
            .await
            .expect("retry"),
        None,
        "not another owner's"
    );
    assert_eq!(
        h.jobs
            .retry(Scope::Owner("u1"), &e.id)
            .await
            .expect("retry"),
        Some(RetryOutcome::Requeued)
    );
    let c = h.backend.claim("q1", 1, LEASE).await.expect("claim");
    assert_eq!(c[0].attempt, 1, "a retry gets a fresh attempt budget");
    h.backend
        .finish(&c[0].lease, Outcome::Succeeded(json!("ok")))
        .await
        .expect("finish");
    let j = h
        .jobs
        .get(Scope::Owner("u1"), &e.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!((j.status, j.errors.len()), (JobStatus::Succeeded, 1));
    let kinds: Vec<_> = h
        .jobs
        .events(Scope::Owner("u1"), &e.id, 0, 10)
        .await
        .expect("events")
        .expect("found")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [EventKind::Dead, EventKind::Retried, EventKind::Succeeded]
    );
}

async fn retention_prunes_finished_jobs(h: &Harness) {
    let done = h.jobs.enqueue(job("a", "q1", "u1")).await.expect("enqueue");
    let c = h.backend.claim("q1", 1, LEASE).await.expect("claim");
    h.backend
        .finish(&c[0].lease, Outcome::Succeeded(json!(1)))
        .await
        .expect("finish");
    let waiting = h.jobs.enqueue(job("b", "q1", "u1")).await.expect("enqueue");
    let cutoff = now_ms() - 60_000;
    assert_eq!(
        h.backend.prune_finished(cutoff).await.expect("prune"),
        0,
        "younger than the retention"
    );
    assert_eq!(
        h.backend.prune_finished(now_ms() + 1).await.expect("prune"),
        1
    );
    assert!(
        h.jobs
            .get(Scope::All, &done.id)
            .await
            .expect("get")
            .is_none()
    );
    assert!(
        h.jobs
            .events(Scope::All, &done.id, 0, 10)
            .await
            .expect("events")
            .is_none()
    );
    assert!(
        h.jobs
            .get(Scope::All, &waiting.id)
            .await
            .expect("get")
            .is_some(),
        "live jobs stay"
    );
}
