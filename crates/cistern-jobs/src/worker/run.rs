//! The worker's loops: one claim loop per queue, one task per job, one heartbeat per job.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{Handler, JobContext, JobError, WorkerConfig};
use crate::backend::{Claimed, Lease, LeaseState, Outcome};
use crate::jobs::Jobs;
use crate::metrics::HandlerMetrics;
use crate::model::{JobStatus, duration_ms, now_ms};

/// A job whose handler is not registered here is offered to other workers after this long.
const NO_HANDLER_DELAY: Duration = Duration::from_secs(30);

pub(super) struct Shared {
    pub jobs: Jobs,
    pub handlers: HashMap<String, Handler>,
    pub config: WorkerConfig,
    pub tracker: TaskTracker,
    pub shutdown: CancellationToken,
}

pub(super) async fn queue_loop(shared: Arc<Shared>, queue: String, concurrency: usize) {
    let backend = shared.jobs.backend().clone();
    let cfg = &shared.config;
    let slots = Arc::new(Semaphore::new(concurrency));
    // Completions being recorded still hold their lease; bound them too.
    let pending = Arc::new(Semaphore::new(concurrency * 4 + cfg.prefetch));
    let mut buffer: VecDeque<(Claimed, Instant)> = VecDeque::new();
    let mut signal = backend.work_signal();
    let metrics: Arc<HashMap<String, HandlerMetrics>> = Arc::new(
        shared
            .handlers
            .keys()
            .map(|name| (name.clone(), shared.jobs.metrics().handler(&queue, name)))
            .collect(),
    );
    'run: loop {
        let permits = async {
            let slot = slots.clone().acquire_owned().await.ok()?;
            let pend = pending.clone().acquire_owned().await.ok()?;
            Some((slot, pend))
        };
        let Some((slot, pend)) = (tokio::select! {
            biased;
            () = shared.shutdown.cancelled() => break 'run,
            p = permits => p,
        }) else {
            break 'run;
        };
        while buffer.is_empty() {
            if shared.shutdown.is_cancelled() {
                break 'run;
            }
            signal.borrow_and_update();
            let want = slots.available_permits() + 1 + cfg.prefetch;
            match backend.claim(&queue, want, cfg.lease).await {
                Ok(jobs) if !jobs.is_empty() => {
                    let now = Instant::now();
                    buffer.extend(jobs.into_iter().map(|j| (j, now)));
                }
                result => {
                    if let Err(e) = result {
                        tracing::warn!(error = %e, queue, "claiming jobs failed");
                    }
                    tokio::select! {
                        () = shared.shutdown.cancelled() => break 'run,
                        _ = signal.changed() => {}
                        () = tokio::time::sleep(cfg.poll_interval) => {}
                    }
                }
            }
        }
        if let Some((job, claimed_at)) = buffer.pop_front() {
            shared.tracker.spawn(run_job(
                shared.clone(),
                metrics.clone(),
                job,
                claimed_at,
                slot,
                pend,
            ));
        }
    }
    // Claimed but never started: give them back at once, attempt not counted.
    for (job, _) in buffer {
        let release = Outcome::Release { at: now_ms() };
        if let Err(e) = backend.finish(&job.lease, release).await {
            tracing::warn!(error = %e, job.id = %job.lease.job_id, "releasing an unstarted job failed; its lease will expire");
        }
    }
}

async fn run_job(
    shared: Arc<Shared>,
    metrics: Arc<HashMap<String, HandlerMetrics>>,
    mut job: Claimed,
    claimed_at: Instant,
    slot: OwnedSemaphorePermit,
    pending: OwnedSemaphorePermit,
) {
    let cfg = &shared.config;
    let backend = shared.jobs.backend().clone();
    let lease = job.lease.clone();
    // A prefetched job may have waited for its slot: renew its lease before starting.
    if claimed_at.elapsed() > cfg.lease / 2 {
        match backend.heartbeat(&lease, cfg.lease).await {
            Ok(LeaseState::Held { .. }) => {}
            Ok(LeaseState::Lost) | Err(_) => return,
        }
    }
    let (Some(handler), Some(metrics)) = (
        shared.handlers.get(&job.name).cloned(),
        metrics.get(&job.name),
    ) else {
        tracing::warn!(job.id = %lease.job_id, job.name = %job.name, "no handler registered for this job here");
        let at = now_ms().saturating_add(duration_ms(NO_HANDLER_DELAY));
        if let Err(error) = backend.finish(&lease, Outcome::Release { at }).await {
            // The lease lapses on its own and another worker takes the job.
            tracing::warn!(job.id = %lease.job_id, %error, "cannot release a job this worker has no handler for");
        }
        return;
    };
    metrics.started((now_ms() - job.due_at) as f64 / 1000.0);

    let cancel = CancellationToken::new();
    let owner_cancelled = AtomicBool::new(false);
    let payload = std::mem::take(&mut job.payload);
    let ctx = JobContext::new(job.clone(), backend.clone(), cancel.clone());
    let started = Instant::now();
    let run = AssertUnwindSafe(handler(ctx, payload)).catch_unwind();
    let supervised = supervise(run, &shared.shutdown, cfg.shutdown_grace, &cancel);
    // The heartbeat runs beside the handler in this task (no task of its own) and never ends.
    let result = tokio::select! {
        r = supervised => r,
        () = heartbeat(&shared, &lease, &cancel, &owner_cancelled) => None,
    };
    drop(slot);
    let seconds = started.elapsed().as_secs_f64();
    let by_owner = owner_cancelled.load(Ordering::Relaxed);
    let retry_at = || now_ms().saturating_add(duration_ms(cfg.retry.delay(job.attempt)));
    let outcome = match result {
        None => Outcome::Release { at: now_ms() },
        Some(Err(_panic)) => Outcome::Failed {
            error: "handler panicked".to_owned(),
            retry_at: Some(retry_at()),
        },
        Some(Ok(Ok(value))) => Outcome::Succeeded(value),
        Some(Ok(Err(JobError::Cancelled | JobError::Retryable(_)))) if by_owner => {
            Outcome::Cancelled
        }
        Some(Ok(Err(JobError::Cancelled))) => Outcome::Release { at: now_ms() },
        Some(Ok(Err(JobError::Permanent(error)))) => Outcome::Failed {
            error,
            retry_at: None,
        },
        Some(Ok(Err(JobError::Retryable(error)))) => Outcome::Failed {
            error,
            retry_at: Some(retry_at()),
        },
    };
    let failed = matches!(outcome, Outcome::Failed { .. });
    let status = record(&shared, &lease, outcome).await;
    metrics.ran(seconds, failed, status == Some(JobStatus::Dead));
    drop(pending);
}

/// Runs the handler; once shutdown begins, gives it `grace`, then cancels its context and gives
/// it one more second. `None`: it never returned (the job is released).
async fn supervise<F: std::future::Future>(
    run: F,
    shutdown: &CancellationToken,
    grace: Duration,
    cancel: &CancellationToken,
) -> Option<F::Output> {
    tokio::pin!(run);
    tokio::select! {
        r = &mut run => return Some(r),
        () = shutdown.cancelled() => {}
    }
    if let Ok(r) = tokio::time::timeout(grace, &mut run).await {
        return Some(r);
    }
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(1), &mut run)
        .await
        .ok()
}

/// Records an outcome, retrying transient store errors; if it cannot, the lease expires and
/// the job runs again (at-least-once).
async fn record(shared: &Shared, lease: &Lease, outcome: Outcome) -> Option<JobStatus> {
    let backend = shared.jobs.backend();
    for attempt in 1..=5u32 {
        match backend.finish(lease, outcome.clone()).await {
            Ok(status) => {
                if status.is_none() {
                    tracing::info!(job.id = %lease.job_id, "lease lost before completion was recorded; the job runs again elsewhere");
                }
                return status;
            }
            Err(e) if attempt < 5 => {
                tracing::debug!(error = %e, job.id = %lease.job_id, attempt, "recording a job outcome failed; retrying");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            Err(e) => {
                tracing::error!(error = %e, job.id = %lease.job_id, "could not record a job outcome; its lease will expire");
            }
        }
    }
    None
}

/// Extends the lease every `heartbeat`; fires `cancel` when the owner asks or the lease is lost.
/// Never returns (after a loss it just waits), so it can run beside the handler in a `select!`.
async fn heartbeat(
    shared: &Shared,
    lease: &Lease,
    cancel: &CancellationToken,
    owner_cancelled: &AtomicBool,
) {
    let backend = shared.jobs.backend();
    loop {
        tokio::time::sleep(shared.config.heartbeat).await;
        match backend.heartbeat(lease, shared.config.lease).await {
            Ok(LeaseState::Held { cancel_requested }) => {
                if cancel_requested && !owner_cancelled.swap(true, Ordering::Relaxed) {
                    cancel.cancel();
                }
            }
            Ok(LeaseState::Lost) => {
                cancel.cancel();
                std::future::pending::<()>().await;
            }
            Err(e) => tracing::warn!(error = %e, job.id = %lease.job_id, "heartbeat failed"),
        }
    }
}

pub(super) async fn depth_loop(shared: Arc<Shared>, every: Duration) {
    loop {
        tokio::select! {
            () = shared.shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        match shared.jobs.depths().await {
            Ok(depths) => shared.jobs.metrics().set_depths(&depths),
            Err(e) => tracing::debug!(error = %e, "reading queue depths failed"),
        }
    }
}
