//! Delivery: completion recorded once, lease expiry, retries to dead, permanent failures.

use std::time::Duration;

use cistern_jobs::{EventKind, JobStatus, LeaseState, Outcome, Scope};
use serde_json::json;

use crate::{Harness, eventually, fail_now, job, suite};

const LEASE: Duration = Duration::from_secs(30);

suite!(
    completion_is_recorded_once,
    expired_lease_is_redelivered,
    retries_end_dead_with_history,
    permanent_failure_does_not_retry,
);

async fn completion_is_recorded_once(h: &Harness) {
    let e = h.jobs.enqueue(job("a", "q1", "u1")).await.expect("enqueue");
    let claimed = h.backend.claim("q1", 10, LEASE).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    let c = &claimed[0];
    assert_eq!(
        (c.lease.job_id.clone(), c.attempt, c.name.as_str()),
        (e.id.clone(), 1, "a")
    );
    assert_eq!(c.payload, json!({"n": "a"}));
    assert!(
        h.backend
            .claim("q1", 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "leased jobs are invisible"
    );

    let done = h
        .backend
        .finish(&c.lease, Outcome::Succeeded(json!({"ok": 1})))
        .await
        .expect("finish");
    assert_eq!(done, Some(JobStatus::Succeeded));
    let again = h
        .backend
        .finish(&c.lease, Outcome::Succeeded(json!({"ok": 2})))
        .await
        .expect("finish");
    assert_eq!(
        again, None,
        "a second completion with the same lease records nothing"
    );

    let j = h
        .jobs
        .get(Scope::Owner("u1"), &e.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (j.status, j.attempts, j.progress),
        (JobStatus::Succeeded, 1, 100)
    );
    assert_eq!(j.result, Some(json!({"ok": 1})));
    let events = h
        .jobs
        .events(Scope::Owner("u1"), &e.id, 0, 100)
        .await
        .expect("events")
        .expect("found");
    let finals: Vec<_> = events
        .iter()
        .filter(|e| e.kind == EventKind::Succeeded)
        .collect();
    assert_eq!(finals.len(), 1);
    assert_eq!(finals[0].data, json!({"ok": 1}));
}

async fn expired_lease_is_redelivered(h: &Harness) {
    let e = h.jobs.enqueue(job("a", "q1", "u1")).await.expect("enqueue");
    let first = h
        .backend
        .claim("q1", 1, Duration::from_millis(200))
        .await
        .expect("claim");
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = eventually("the expired job is claimable again", || {
        let backend = h.backend.clone();
        async move {
            backend.reap_expired().await.expect("reap");
            let got = backend.claim("q1", 1, LEASE).await.expect("claim");
            (!got.is_empty()).then_some(got)
        }
    })
    .await;
    assert_eq!(second[0].lease.job_id, e.id);
    assert_eq!(second[0].attempt, 2);
    let stale = h
        .backend
        .heartbeat(&first[0].lease, LEASE)
        .await
        .expect("heartbeat");
    assert_eq!(stale, LeaseState::Lost);
    assert_eq!(
        h.backend
            .finish(&first[0].lease, Outcome::Succeeded(json!(1)))
            .await
            .expect("finish"),
        None
    );
    assert_eq!(
        h.backend
            .finish(&second[0].lease, Outcome::Succeeded(json!(2)))
            .await
            .expect("finish"),
        Some(JobStatus::Succeeded)
    );
    let j = h
        .jobs
        .get(Scope::Owner("u1"), &e.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(j.result, Some(json!(2)));
    assert_eq!(j.errors.len(), 1);
    assert!(
        j.errors[0].error.contains("lease expired"),
        "{:?}",
        j.errors
    );
}

async fn retries_end_dead_with_history(h: &Harness) {
    let e = h
        .jobs
        .enqueue(job("poison", "q1", "u1").max_attempts(3))
        .await
        .expect("enqueue");
    let other = h
        .jobs
        .enqueue(job("fine", "q2", "u1"))
        .await
        .expect("enqueue");
    assert_eq!(fail_now(h, "q1", "boom 1").await, Some(JobStatus::Queued));
    assert_eq!(fail_now(h, "q1", "boom 2").await, Some(JobStatus::Queued));
    assert_eq!(fail_now(h, "q1", "boom 3").await, Some(JobStatus::Dead));
    let j = h
        .jobs
        .get(Scope::Owner("u1"), &e.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!((j.status, j.attempts), (JobStatus::Dead, 3));
    let history: Vec<_> = j
        .errors
        .iter()
        .map(|e| (e.attempt, e.error.as_str()))
        .collect();
    assert_eq!(history, [(1, "boom 1"), (2, "boom 2"), (3, "boom 3")]);
    let kinds: Vec<_> = h
        .jobs
        .events(Scope::Owner("u1"), &e.id, 0, 100)
        .await
        .expect("events")
        .expect("found")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::AttemptFailed,
            EventKind::AttemptFailed,
            EventKind::Dead
        ]
    );
    assert!(
        h.backend
            .claim("q1", 1, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "dead jobs do not run"
    );
    let fine = h.backend.claim("q2", 1, LEASE).await.expect("claim");
    assert_eq!(
        fine[0].lease.job_id, other.id,
        "a poisoned job blocks nothing else"
    );
    let depths = h.jobs.depths().await.expect("depths");
    assert_eq!(
        depths.iter().find(|d| d.queue == "q1").map(|d| d.dead),
        Some(1)
    );
}

async fn permanent_failure_does_not_retry(h: &Harness) {
    let e = h
        .jobs
        .enqueue(job("bad", "q1", "u1"))
        .await
        .expect("enqueue");
    let c = h.backend.claim("q1", 1, LEASE).await.expect("claim");
    let outcome = Outcome::Failed {
        error: "bad input".into(),
        retry_at: None,
    };
    assert_eq!(
        h.backend
            .finish(&c[0].lease, outcome)
            .await
            .expect("finish"),
        Some(JobStatus::Failed)
    );
    let j = h
        .jobs
        .get(Scope::Owner("u1"), &e.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (j.status, j.attempts, j.errors.len()),
        (JobStatus::Failed, 1, 1)
    );
}
