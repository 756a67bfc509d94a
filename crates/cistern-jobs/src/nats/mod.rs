//! The scale-out backend: NATS JetStream dispatches jobs to workers; the SQL store keeps their
//! state.
//!
//! Design: the SQL store (PostgreSQL in a scale-out deployment) stays the system of record —
//! status, attempts, results, events, listings, dedup, limits — because JetStream has no query
//! side for "this user's jobs, newest first". JetStream replaces polling: an enqueue commits the
//! row, then publishes the job id to `PREFIX.<queue>.<band>`; workers pull from one durable
//! consumer per (queue, band); a delivery becomes a claim through a conditional SQL update (so a
//! duplicate or stale delivery can never run a job twice at once); heartbeats extend both the SQL
//! lease and the JetStream ack wait; a worker that dies stops acking and JetStream redelivers.
//! Retries and delays are `NAK` with a delay. A reconciler republishes queued jobs that stayed
//! unclaimed (a publish lost after the commit, or JetStream data lost on power failure: the
//! server fsyncs its file store only every `sync_interval`, 2 minutes by default). User-queue
//! messages are leased by the API servers straight from SQL on both backends.

mod config;
mod dispatch;

pub use config::NatsConfig;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::Message;
use async_trait::async_trait;
use cistern_store::Db;
use futures::StreamExt;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::backend::{Backend, Claimed, Lease, LeaseState, Outcome, Report};
use crate::error::{Error, Result};
use crate::model::{Enqueued, Job, JobEvent, JobId, JobStatus, NewJob, now_ms, validate_queue};
use crate::query::{
    CancelOutcome, JobFilter, JobPage, LeasedMessage, OutgoingMessage, QueueDepth, RetryOutcome,
    Scope,
};
use crate::sql::{SqlConfig, Store};
use dispatch::{BANDS, Dispatch, ack, nak, progress};

/// Jobs dispatched through NATS JetStream, state in the SQL store. Cheap to clone.
#[derive(Clone)]
pub struct NatsBackend {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    dispatch: Dispatch,
    /// The delivery behind each lease this process holds.
    held: Mutex<HashMap<JobId, Message>>,
    tracker: TaskTracker,
    cancel: CancellationToken,
}

impl std::fmt::Debug for NatsBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBackend")
            .field("stream", &self.inner.dispatch.config.prefix)
            .finish_non_exhaustive()
    }
}

impl NatsBackend {
    /// Connects to NATS, creates the stream if needed, and starts the SQL store's tasks and the
    /// reconciler. `db` must be migrated.
    pub async fn open(db: Db, sql: SqlConfig, nats: NatsConfig) -> Result<Self> {
        validate_queue(&nats.prefix)
            .map_err(|_| Error::invalid("prefix", "[A-Za-z0-9_-]{1,64}"))?;
        let store = Store::open(db, &sql).await?;
        let dispatch = Dispatch::connect(nats).await?;
        let backend = NatsBackend {
            inner: Arc::new(Inner {
                store,
                dispatch,
                held: Mutex::new(HashMap::new()),
                tracker: TaskTracker::new(),
                cancel: CancellationToken::new(),
            }),
        };
        backend.inner.tracker.spawn(backend.clone().reconcile());
        Ok(backend)
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    fn held(&self, id: &JobId) -> Option<Message> {
        self.inner.held.lock().ok().and_then(|m| m.get(id).cloned())
    }

    fn take_held(&self, id: &JobId) -> Option<Message> {
        self.inner.held.lock().ok().and_then(|mut m| m.remove(id))
    }

    async fn reconcile(self) {
        let config = &self.inner.dispatch.config;
        loop {
            tokio::select! {
                () = self.inner.cancel.cancelled() => return,
                () = tokio::time::sleep(config.reconcile_interval) => {}
            }
            let before = now_ms().saturating_sub(crate::model::duration_ms(config.stale_after));
            match self.store().stale_queued(before).await {
                Ok(stale) if !stale.is_empty() => {
                    tracing::info!(count = stale.len(), "dispatching unclaimed jobs again");
                    self.inner.dispatch.publish(&stale).await;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reading unclaimed jobs failed"),
            }
        }
    }

    /// Turns one delivery into a claim, or settles it.
    async fn take(&self, msg: Message, queue: &str, lease: Duration) -> Result<Option<Claimed>> {
        let Some(id) = std::str::from_utf8(&msg.payload)
            .ok()
            .and_then(|s| JobId::parse(s).ok())
        else {
            tracing::warn!("dropping a JetStream message that is not a job id");
            ack(&msg).await;
            return Ok(None);
        };
        match self.store().claim_one(&id, queue, lease).await {
            Ok(Some(claimed)) => {
                if let Ok(mut held) = self.inner.held.lock() {
                    held.insert(id, msg);
                }
                Ok(Some(claimed))
            }
            Ok(None) => {
                self.inner.dispatch.settle(self.store(), &id, &msg).await;
                Ok(None)
            }
            Err(e) => {
                nak(&msg, None).await;
                Err(e)
            }
        }
    }
}

#[async_trait]
impl Backend for NatsBackend {
    fn kind(&self) -> &'static str {
        "nats"
    }
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>> {
        let meta: Vec<(String, i32)> = jobs.iter().map(|j| (j.queue.clone(), j.priority)).collect();
        let out = self.store().enqueue(jobs).await?;
        let fresh: Vec<_> = out
            .iter()
            .zip(meta)
            .filter(|(e, _)| !e.deduplicated)
            .map(|(e, (queue, priority))| (e.id.clone(), queue, priority))
            .collect();
        self.inner.dispatch.publish(&fresh).await;
        self.store().wake();
        Ok(out)
    }
    async fn claim(&self, queue: &str, max: usize, lease: Duration) -> Result<Vec<Claimed>> {
        validate_queue(queue)?;
        let mut out = Vec::new();
        for band in BANDS {
            if out.len() >= max {
                break;
            }
            let consumer = self.inner.dispatch.consumer(queue, band, lease).await?;
            let mut batch = consumer
                .fetch()
                .max_messages(max - out.len())
                .messages()
                .await
                .map_err(Error::nats)?;
            let mut msgs = Vec::new();
            while let Some(msg) = batch.next().await {
                match msg {
                    Ok(msg) => msgs.push(msg),
                    Err(e) => {
                        tracing::debug!(error = %e, queue, "JetStream fetch ended");
                        break;
                    }
                }
            }
            // Claim the whole fetch at once: the writer group-commits the claims together.
            let takes = msgs.into_iter().map(|msg| self.take(msg, queue, lease));
            for taken in futures::future::join_all(takes).await {
                out.extend(taken?);
            }
        }
        Ok(out)
    }
    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<LeaseState> {
        let state = self.store().heartbeat(lease, extend).await?;
        if let (LeaseState::Held { .. }, Some(msg)) = (state, self.held(&lease.job_id)) {
            progress(&msg).await;
        }
        Ok(state)
    }
    async fn report(&self, lease: &Lease, report: Report) -> Result<bool> {
        self.store().report(lease, report).await
    }
    async fn finish(&self, lease: &Lease, outcome: Outcome) -> Result<Option<JobStatus>> {
        let again_at = match &outcome {
            Outcome::Failed { retry_at, .. } => *retry_at,
            Outcome::Release { at } => Some(*at),
            _ => None,
        };
        let status = self.store().finish(lease, outcome).await?;
        // Lost: the delivery is someone else's business now (or JetStream redelivers it).
        if let (Some(status), Some(msg)) = (status, self.take_held(&lease.job_id)) {
            if status == JobStatus::Queued {
                let wait = again_at.map_or(0, |at| at - now_ms()).max(0);
                nak(
                    &msg,
                    Some(Duration::from_millis(u64::try_from(wait).unwrap_or(0))),
                )
                .await;
            } else {
                ack(&msg).await;
            }
        }
        Ok(status)
    }
    fn work_signal(&self) -> watch::Receiver<u64> {
        self.store().signal()
    }
    fn write_signal(&self) -> watch::Receiver<u64> {
        self.store().written()
    }
    async fn get(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<Job>> {
        self.store().get(scope, id).await
    }
    async fn list(&self, scope: Scope<'_>, filter: &JobFilter) -> Result<JobPage> {
        self.store().list(scope, filter).await
    }
    async fn events(
        &self,
        scope: Scope<'_>,
        id: &JobId,
        after: i64,
        limit: u32,
    ) -> Result<Option<Vec<JobEvent>>> {
        self.store().events(scope, id, after, limit).await
    }
    async fn cancel(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<CancelOutcome>> {
        // A cancelled job's message is dropped when it is next delivered.
        self.store().cancel(scope, id).await
    }
    async fn retry(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<RetryOutcome>> {
        let outcome = self.store().retry(scope, id).await?;
        if outcome == Some(RetryOutcome::Requeued)
            && let Some(job) = self.store().get(Scope::All, id).await?
        {
            self.inner
                .dispatch
                .publish(&[(job.id, job.queue, job.priority)])
                .await;
        }
        Ok(outcome)
    }
    async fn depths(&self, messages_of: Option<&str>) -> Result<Vec<QueueDepth>> {
        match messages_of {
            Some(owner) => self.store().message_depths(owner).await,
            None => self.store().job_depths().await,
        }
    }
    async fn set_queue_limit(&self, queue: &str, max_running: Option<u32>) -> Result<()> {
        self.store().set_queue_limit(queue, max_running).await
    }
    async fn reap_expired(&self) -> Result<u64> {
        // JetStream redelivers on its own once the ack wait passes.
        self.store().reap().await
    }
    async fn prune_finished(&self, before: i64) -> Result<u64> {
        self.store().prune(before).await
    }
    async fn send_messages(
        &self,
        owner: &str,
        queue: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<JobId>> {
        self.store().send_messages(owner, queue, messages).await
    }
    async fn lease_messages(
        &self,
        owner: &str,
        queue: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<LeasedMessage>> {
        self.store()
            .lease_messages(owner, queue, max, visibility)
            .await
    }
    async fn ack_messages(&self, owner: &str, queue: &str, ids: &[JobId]) -> Result<u64> {
        self.store().ack_messages(owner, queue, ids).await
    }
    async fn nack_messages(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
        delay: Duration,
    ) -> Result<u64> {
        self.store().nack_messages(owner, queue, ids, delay).await
    }
    async fn close(&self) {
        self.inner.cancel.cancel();
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
        self.store().close().await;
    }
}
