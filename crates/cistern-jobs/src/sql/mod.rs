//! The embedded backend: jobs in the SQL store (SQLite or PostgreSQL).
//!
//! Claims are one statement: `UPDATE … WHERE id IN (SELECT … ORDER BY priority DESC, run_at
//! LIMIT n) RETURNING …`, which SQLite runs atomically (one writer) and PostgreSQL runs with
//! `FOR UPDATE SKIP LOCKED` in the subquery, so concurrent workers on many machines never take
//! the same job. All writes go through one group-committing writer task per process
//! ([`writer`]); reads use the pool.

mod calls;
mod cmd;
mod conn;
mod exec;
mod ops;
mod owned;
mod rows;
mod stmts;
mod store;
mod writer;

use std::time::Duration;

use async_trait::async_trait;
use cistern_store::Db;
use tokio::sync::watch;

pub use conn::SqliteDurability;
pub use store::SqlConfig;
pub(crate) use store::Store;

use crate::backend::{Backend, Claimed, Lease, LeaseState, Outcome, Report};
use crate::error::Result;
use crate::model::{Enqueued, Job, JobEvent, JobId, JobStatus, NewJob};
use crate::query::{
    CancelOutcome, JobFilter, JobPage, LeasedMessage, OutgoingMessage, QueueDepth, RetryOutcome,
    Scope,
};

/// Jobs in the SQL store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqlBackend {
    store: Store,
    kind: &'static str,
}

impl SqlBackend {
    /// Starts the backend on a migrated store: opens the writer connection, starts the writer
    /// and the maintenance task (lease reaper, retention). Call [`Backend::close`] to stop them.
    pub async fn open(db: Db, config: SqlConfig) -> Result<Self> {
        let kind = db.backend().as_str();
        let store = Store::open(db, &config).await?;
        Ok(SqlBackend { store, kind })
    }
}

#[async_trait]
impl Backend for SqlBackend {
    fn kind(&self) -> &'static str {
        self.kind
    }
    async fn enqueue(&self, jobs: Vec<NewJob>) -> Result<Vec<Enqueued>> {
        self.store.enqueue(jobs).await
    }
    async fn claim(&self, queue: &str, max: usize, lease: Duration) -> Result<Vec<Claimed>> {
        self.store.claim(queue, max, lease).await
    }
    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<LeaseState> {
        self.store.heartbeat(lease, extend).await
    }
    async fn report(&self, lease: &Lease, report: Report) -> Result<bool> {
        self.store.report(lease, report).await
    }
    async fn finish(&self, lease: &Lease, outcome: Outcome) -> Result<Option<JobStatus>> {
        self.store.finish(lease, outcome).await
    }
    fn work_signal(&self) -> watch::Receiver<u64> {
        self.store.signal()
    }
    fn write_signal(&self) -> watch::Receiver<u64> {
        self.store.written()
    }
    async fn get(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<Job>> {
        self.store.get(scope, id).await
    }
    async fn list(&self, scope: Scope<'_>, filter: &JobFilter) -> Result<JobPage> {
        self.store.list(scope, filter).await
    }
    async fn events(
        &self,
        scope: Scope<'_>,
        id: &JobId,
        after: i64,
        limit: u32,
    ) -> Result<Option<Vec<JobEvent>>> {
        self.store.events(scope, id, after, limit).await
    }
    async fn cancel(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<CancelOutcome>> {
        self.store.cancel(scope, id).await
    }
    async fn retry(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<RetryOutcome>> {
        self.store.retry(scope, id).await
    }
    async fn depths(&self, messages_of: Option<&str>) -> Result<Vec<QueueDepth>> {
        match messages_of {
            Some(owner) => self.store.message_depths(owner).await,
            None => self.store.job_depths().await,
        }
    }
    async fn set_queue_limit(&self, queue: &str, max_running: Option<u32>) -> Result<()> {
        self.store.set_queue_limit(queue, max_running).await
    }
    async fn reap_expired(&self) -> Result<u64> {
        self.store.reap().await
    }
    async fn prune_finished(&self, before: i64) -> Result<u64> {
        self.store.prune(before).await
    }
    async fn send_messages(
        &self,
        owner: &str,
        queue: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<Vec<JobId>> {
        self.store.send_messages(owner, queue, messages).await
    }
    async fn lease_messages(
        &self,
        owner: &str,
        queue: &str,
        max: usize,
        visibility: Duration,
    ) -> Result<Vec<LeasedMessage>> {
        self.store
            .lease_messages(owner, queue, max, visibility)
            .await
    }
    async fn ack_messages(&self, owner: &str, queue: &str, ids: &[JobId]) -> Result<u64> {
        self.store.ack_messages(owner, queue, ids).await
    }
    async fn nack_messages(
        &self,
        owner: &str,
        queue: &str,
        ids: &[JobId],
        delay: Duration,
    ) -> Result<u64> {
        self.store.nack_messages(owner, queue, ids, delay).await
    }
    async fn close(&self) {
        self.store.close().await;
    }
}
