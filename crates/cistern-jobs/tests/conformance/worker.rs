//! The worker service end to end on every backend: handlers, progress, retries, dead and failed
//! jobs, cancellation seen by a running handler, concurrency limits under load, and graceful
//! shutdown.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cistern_jobs::{
    CancelOutcome, EventKind, JobContext, JobError, JobId, JobStatus, RetryPolicy, Scope, Worker,
    WorkerConfig,
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::{Harness, eventually, job, suite};

suite!(
    handlers_run_retry_and_fail,
    a_running_handler_sees_cancellation,
    concurrency_limits_hold_under_load,
);

pub fn config(queues: &[(&str, usize)]) -> WorkerConfig {
    WorkerConfig {
        queues: queues
            .iter()
            .map(|(q, n)| ((*q).to_owned(), *n))
            .collect::<BTreeMap<_, _>>(),
        lease: Duration::from_secs(5),
        heartbeat: Duration::from_millis(50),
        poll_interval: Duration::from_millis(50),
        prefetch: 2,
        retry: RetryPolicy {
            base: Duration::from_millis(10),
            max: Duration::from_millis(50),
        },
        shutdown_grace: Duration::from_millis(300),
        depth_interval: Some(Duration::from_millis(100)),
    }
}

pub fn start(worker: Worker) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let handle = tokio::spawn(async move { worker.run(token).await.expect("worker run") });
    (cancel, handle)
}

async fn wait_status(h: &Harness, id: &JobId, want: JobStatus) {
    eventually(&format!("job {id} to be {want:?}"), || async {
        let j = h
            .jobs
            .get(Scope::All, id)
            .await
            .expect("get")
            .expect("found");
        (j.status == want).then_some(())
    })
    .await;
}

async fn handlers_run_retry_and_fail(h: &Harness) {
    let worker = Worker::new(h.jobs.clone(), config(&[("w", 4)]))
        .handle("double", |ctx: JobContext, p: Value| async move {
            ctx.progress(50, Some("halfway")).await?;
            ctx.log("doubling").await?;
            Ok(json!(p["n"].as_i64().unwrap_or(0) * 2))
        })
        .handle("flaky", |ctx: JobContext, _: Value| async move {
            if ctx.attempt() < 2 {
                return Err(JobError::retry("first attempt always fails"));
            }
            Ok(json!("second time lucky"))
        })
        .handle("poison", |_: JobContext, _: Value| async {
            Err(JobError::retry("never works"))
        })
        .handle("typed", |_: JobContext, p: Vec<u32>| async move {
            Ok(json!(p.len()))
        })
        .handle("panics", |ctx: JobContext, _: Value| async move {
            assert!(ctx.attempt() > 1, "handler bug on the first attempt");
            Ok(json!("recovered"))
        });
    let (cancel, handle) = start(worker);
    let double = h
        .jobs
        .enqueue(job("double", "w", "u1").dedup_key("d"))
        .await
        .expect("enqueue");
    h.jobs
        .enqueue(job("double", "w", "u1"))
        .await
        .expect("enqueue");
    let flaky = h
        .jobs
        .enqueue(job("flaky", "w", "u1"))
        .await
        .expect("enqueue");
    let poison = h
        .jobs
        .enqueue(job("poison", "w", "u1").max_attempts(3))
        .await
        .expect("enqueue");
    let typed = h
        .jobs
        .enqueue(job("typed", "w", "u1"))
        .await
        .expect("enqueue");
    let panics = h
        .jobs
        .enqueue(job("panics", "w", "u1"))
        .await
        .expect("enqueue");

    wait_status(h, &double.id, JobStatus::Succeeded).await;
    wait_status(h, &flaky.id, JobStatus::Succeeded).await;
    wait_status(h, &poison.id, JobStatus::Dead).await;
    wait_status(h, &typed.id, JobStatus::Failed).await;
    wait_status(h, &panics.id, JobStatus::Succeeded).await;
    cancel.cancel();
    handle.await.expect("join");

    let d = h
        .jobs
        .get(Scope::Owner("u1"), &double.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        d.result,
        Some(json!(0)),
        "payload {{\"n\":\"double\"}} is not a number: 0 * 2"
    );
    let kinds: Vec<_> = h
        .jobs
        .events(Scope::Owner("u1"), &double.id, 0, 10)
        .await
        .expect("events")
        .expect("found")
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [EventKind::Progress, EventKind::Log, EventKind::Succeeded]
    );
    let f = h
        .jobs
        .get(Scope::Owner("u1"), &flaky.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!((f.attempts, f.errors.len()), (2, 1));
    let p = h
        .jobs
        .get(Scope::Owner("u1"), &poison.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!((p.attempts, p.errors.len()), (3, 3));
    let t = h
        .jobs
        .get(Scope::Owner("u1"), &typed.id)
        .await
        .expect("get")
        .expect("found");
    assert!(
        t.errors[0].error.contains("payload does not fit"),
        "{:?}",
        t.errors
    );
    let x = h
        .jobs
        .get(Scope::Owner("u1"), &panics.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(x.errors[0].error, "handler panicked");
}

async fn a_running_handler_sees_cancellation(h: &Harness) {
    let started = Arc::new(tokio::sync::Notify::new());
    let seen = started.clone();
    let worker = Worker::new(h.jobs.clone(), config(&[("c", 1)])).handle(
        "wait",
        move |ctx: JobContext, _: Value| {
            let started = seen.clone();
            async move {
                started.notify_one();
                ctx.cancellation().cancelled().await;
                Err(JobError::Cancelled)
            }
        },
    );
    let (cancel, handle) = start(worker);
    let e = h
        .jobs
        .enqueue(job("wait", "c", "u1"))
        .await
        .expect("enqueue");
    started.notified().await;
    let outcome = h
        .jobs
        .cancel(Scope::Owner("u1"), &e.id)
        .await
        .expect("cancel");
    assert_eq!(outcome, Some(CancelOutcome::Requested));
    wait_status(h, &e.id, JobStatus::Cancelled).await;
    cancel.cancel();
    handle.await.expect("join");
}

async fn concurrency_limits_hold_under_load(h: &Harness) {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let make = |running: Arc<AtomicUsize>, peak: Arc<AtomicUsize>| {
        move |_: JobContext, _: Value| {
            let (running, peak) = (running.clone(), peak.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(Value::Null)
            }
        }
    };
    h.jobs.set_queue_limit("lim", Some(3)).await.expect("limit");
    let mut workers = Vec::new();
    for _ in 0..2 {
        let w = Worker::new(h.jobs.clone(), config(&[("lim", 4)]))
            .handle("j", make(running.clone(), peak.clone()));
        workers.push(start(w));
    }
    let jobs: Vec<_> = (0..40).map(|_| job("j", "lim", "u1")).collect();
    let ids: Vec<_> = h
        .jobs
        .enqueue_many(jobs)
        .await
        .expect("enqueue")
        .into_iter()
        .map(|e| e.id)
        .collect();
    for id in &ids {
        wait_status(h, id, JobStatus::Succeeded).await;
    }
    for (cancel, handle) in workers {
        cancel.cancel();
        handle.await.expect("join");
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        peak <= 3,
        "the queue limit of 3 held across two workers of 4 slots: peak {peak}"
    );
    assert!(peak >= 2, "jobs did run concurrently: peak {peak}");
}
