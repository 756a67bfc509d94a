//! Graceful shutdown: a handler that finishes within the grace period completes; one that does
//! not is released without using up an attempt.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cistern_jobs::{JobContext, JobError, JobStatus, Scope, Worker};
use serde_json::{Value, json};

use crate::worker::{config, start};
use crate::{Harness, eventually, job, suite};

suite!(shutdown_finishes_or_releases_running_jobs);

async fn shutdown_finishes_or_releases_running_jobs(h: &Harness) {
    let started = Arc::new(AtomicUsize::new(0));
    let count = started.clone();
    let worker = Worker::new(h.jobs.clone(), config(&[("s", 4)])).handle(
        "job",
        move |ctx: JobContext, p: Value| {
            let started = count.clone();
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                if p["n"] == "slow" {
                    ctx.cancellation().cancelled().await;
                    return Err(JobError::Cancelled);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(json!("done"))
            }
        },
    );
    let (cancel, handle) = start(worker);
    let slow = h
        .jobs
        .enqueue(job("job", "s", "u1").payload_n("slow"))
        .await
        .expect("enqueue");
    let quick = h
        .jobs
        .enqueue(job("job", "s", "u1").payload_n("quick"))
        .await
        .expect("enqueue");
    eventually("both jobs started", || async {
        (started.load(Ordering::SeqCst) == 2).then_some(())
    })
    .await;
    cancel.cancel();
    handle.await.expect("join");
    let q = h
        .jobs
        .get(Scope::All, &quick.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        q.status,
        JobStatus::Succeeded,
        "a job that finishes within the grace period completes"
    );
    let s = h
        .jobs
        .get(Scope::All, &slow.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (s.status, s.attempts),
        (JobStatus::Queued, 0),
        "an unfinished job is released, attempt not counted"
    );
}

/// Sets the payload's `n`.
trait PayloadN {
    fn payload_n(self, n: &str) -> Self;
}

impl PayloadN for cistern_jobs::NewJob {
    fn payload_n(mut self, n: &str) -> Self {
        self.payload = json!({ "n": n });
        self
    }
}
