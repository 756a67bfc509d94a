//! Scheduling: priorities, per-queue limits, delays and dedup.

use std::time::Duration;

use cistern_jobs::{JobStatus, Outcome, Scope};
use serde_json::json;

use crate::{Harness, claim_n, eventually, job, suite};

const LEASE: Duration = Duration::from_secs(30);

suite!(
    priorities_order_claims,
    queue_limit_caps_running_jobs,
    delayed_jobs_wait,
    dedup_returns_the_live_job,
);

async fn priorities_order_claims(h: &Harness) {
    let low = h
        .jobs
        .enqueue(job("low", "q1", "u1").priority(-5))
        .await
        .expect("enqueue");
    let normal = h
        .jobs
        .enqueue(job("normal", "q1", "u1"))
        .await
        .expect("enqueue");
    let high = h
        .jobs
        .enqueue(job("high", "q1", "u1").priority(5))
        .await
        .expect("enqueue");
    let normal2 = h
        .jobs
        .enqueue(job("normal2", "q1", "u1"))
        .await
        .expect("enqueue");
    let mut order = Vec::new();
    for _ in 0..4 {
        let c = h.backend.claim("q1", 1, LEASE).await.expect("claim");
        order.push(c[0].lease.job_id.clone());
    }
    assert_eq!(order, [high.id, normal.id, normal2.id, low.id]);
}

async fn queue_limit_caps_running_jobs(h: &Harness) {
    h.jobs.set_queue_limit("q1", Some(2)).await.expect("limit");
    for i in 0..5 {
        h.jobs
            .enqueue(job(&format!("j{i}"), "q1", "u1"))
            .await
            .expect("enqueue");
    }
    let first = h.backend.claim("q1", 10, LEASE).await.expect("claim");
    assert_eq!(first.len(), 2, "the limit caps the claim");
    assert!(
        h.backend
            .claim("q1", 10, LEASE)
            .await
            .expect("claim")
            .is_empty()
    );
    h.backend
        .finish(&first[0].lease, Outcome::Succeeded(json!(null)))
        .await
        .expect("finish");
    assert_eq!(claim_n(h, "q1", 1).await.len(), 1);
    assert!(
        h.backend
            .claim("q1", 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "at the limit again"
    );
    h.jobs.set_queue_limit("q1", None).await.expect("lift");
    assert_eq!(claim_n(h, "q1", 2).await.len(), 2);
}

async fn delayed_jobs_wait(h: &Harness) {
    let later = h
        .jobs
        .enqueue(job("later", "q1", "u1").delay(Duration::from_secs(3600)))
        .await
        .expect("enqueue");
    let soon = h
        .jobs
        .enqueue(job("soon", "q1", "u1").delay(Duration::from_millis(300)))
        .await
        .expect("enqueue");
    assert!(
        h.backend
            .claim("q1", 10, LEASE)
            .await
            .expect("claim")
            .is_empty(),
        "nothing is due yet"
    );
    let d = h.jobs.depths().await.expect("depths");
    assert_eq!(
        d.iter()
            .find(|d| d.queue == "q1")
            .map(|d| (d.ready, d.delayed)),
        Some((0, 2))
    );
    let got = eventually("the short delay passes", || {
        let backend = h.backend.clone();
        async move {
            let got = backend.claim("q1", 10, LEASE).await.expect("claim");
            (!got.is_empty()).then_some(got)
        }
    })
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].lease.job_id, soon.id);
    let l = h
        .jobs
        .get(Scope::Owner("u1"), &later.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(l.status, JobStatus::Queued);
}

async fn dedup_returns_the_live_job(h: &Harness) {
    let a = h
        .jobs
        .enqueue(job("a", "q1", "u1").dedup_key("k"))
        .await
        .expect("enqueue");
    let b = h
        .jobs
        .enqueue(job("a", "q1", "u1").dedup_key("k"))
        .await
        .expect("enqueue");
    assert!(!a.deduplicated);
    assert!(b.deduplicated);
    assert_eq!(a.id, b.id);
    let other_owner = h
        .jobs
        .enqueue(job("a", "q1", "u2").dedup_key("k"))
        .await
        .expect("enqueue");
    assert!(!other_owner.deduplicated, "keys are per owner");
    let batch = h
        .jobs
        .enqueue_many(vec![
            job("x", "q1", "u3").dedup_key("same"),
            job("x", "q1", "u3").dedup_key("same"),
        ])
        .await
        .expect("enqueue");
    assert_eq!(
        batch[0].id, batch[1].id,
        "duplicates within one batch collapse too"
    );
    let c = h.backend.claim("q1", 10, LEASE).await.expect("claim");
    assert_eq!(c.len(), 3);
    for c in &c {
        h.backend
            .finish(&c.lease, Outcome::Succeeded(json!(null)))
            .await
            .expect("finish");
    }
    let after = h
        .jobs
        .enqueue(job("a", "q1", "u1").dedup_key("k"))
        .await
        .expect("enqueue");
    assert!(!after.deduplicated, "a finished job frees its key");
}
