//! A decorator over any backend that timestamps each recorded completion, so the bench measures
//! "completion recorded" (the `finish` write committed), not "handler returned".

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cistern_jobs::{
    Backend, CancelOutcome, Claimed, Enqueued, Job, JobEvent, JobFilter, JobId, JobPage, JobStatus,
    Lease, LeaseState, LeasedMessage, NewJob, Outcome, OutgoingMessage, QueueDepth, Report, Result,
    RetryOutcome, Scope,
};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// Completion times by job id, and a count.
#[derive(Debug, Default)]
pub struct Completions {
    pub done: AtomicU64,
    pub notify: Notify,
    pub times: std::sync::Mutex<Vec<(JobId, Instant)>>,
}

#[derive(Debug)]
pub struct Counting {
    pub inner: Arc<dyn Backend>,
    pub completions: Arc<Completions>,
}

#[async_trait]
impl Backend for Counting {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>> {
        self.inner.enqueue(jobs).await
    }
    async fn claim(&self, queue: &str, max: usize, lease: Duration) -> Result<Vec<Claimed>> {
        self.inner.claim(queue, max, lease).await
    }
    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<LeaseState> {
        self.inner.heartbeat(lease, extend).await
    }
    async fn report(&self, lease: &Lease, report: Report) -> Result<bool> {
        self.inner.report(lease, report).await
    }
    async fn finish(&self, lease: &Lease, outcome: Outcome) -> Result<Option<JobStatus>> {
        let status = self.inner.finish(lease, outcome).await?;
        if status == Some(JobStatus::Succeeded) {
            let now = Instant::now();
            if let Ok(mut times) = self.completions.times.lock() {
                times.push((lease.job_id.clone(), now));
            }
            self.completions.done.fetch_add(1, Ordering::SeqCst);
            self.completions.notify.notify_waiters();
        }
        Ok(status)
    }
    fn write_signal(&self) -> watch::Receiver<u64> {
        self.inner.write_signal()
    }
    fn work_signal(&self) -> watch::Receiver<u64> {
        self.inner.work_signal()
    }
    async fn get(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<Job>> {
        self.inner.get(scope, id).await
    }
    async fn list(&self, scope: Scope<'_>, filter: &JobFilter) -> Result<JobPage> {
        self.inner.list(scope, filter).await
    }
    async fn events(
        &self,
        scope: Scope<'_>,
        id: &JobId,
        after: i64,
        limit: u32,
    ) -> Result<Option<Vec<JobEvent>>> {
        self.inner.events(scope, id, after, limit).await
    }
    async fn cancel(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<CancelOutcome>> {
        self.inner.cancel(scope, id).await
    }
    async fn retry(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<RetryOutcome>> {
        self.inner.retry(scope, id).await
    }
    async fn depths(&self, messages_of: Option<&str>) -> Result<Vec<QueueDepth>> {
        self.inner.depths(messages_of).await
    }
    async fn set_queue_limit(&self, queue: &str, max_running: Option<u32>) -> Result<()> {
        self.inner.set_queue_limit(queue, max_running).await
    }
    async fn reap_expired(&self) -> Result<u64> {
        self.inner.reap_expired().await
    }
    async fn prune_finished(&self, before: i64) -> Result<u64> {
        self.inner.prune_finished(before).await
    }
    async fn send_messages(
        &self,
        owner: &str,
        queue: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<JobId>> {
        self.inner.send_messages(owner, queue, messages).await
    }
    async fn lease_messages(
        &self,
        owner: &str,
        queue: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<LeasedMessage>> {
        self.inner
            .lease_messages(owner, queue, max, visibility)
            .await
    }
    async fn ack_messages(&self, owner: &str, queue: &str, ids: &[JobId]) -> Result<u64> {
        self.inner.ack_messages(owner, queue, ids).await
    }
    async fn nack_messages(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
        delay: Duration,
    ) -> Result<u64> {
        self.inner.nack_messages(owner, queue, ids, delay).await
    }
    async fn close(&self) {
        self.inner.close().await;
    }
}
