//! [`Store`]: the job tables of the SQL store. Writes go through the group-committing writer
//! task; reads go straight to the pool (SQLite's WAL lets them run beside the writer).

use std::sync::Arc;
use std::time::Duration;

use cistern_store::Db;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::cmd::{Cmd, Reply};
use super::conn::{SqliteDurability, WriterConn};
use super::rows::{DepthRow, EventRow, JobRow};
use super::stmts as q;
use super::writer::{Item, Pending, Writer};
use crate::error::{Error, Result};
use crate::model::{Job, JobEvent, JobId, now_ms};
use crate::query::{JobFilter, JobPage, QueueDepth, Scope};

/// Settings of the SQL job store.
#[derive(Debug, Clone)]
pub struct SqlConfig {
    /// SQLite only: how commits reach the disk. Default [`SqliteDurability::Full`].
    pub durability: SqliteDurability,
    /// Most commands one transaction (one fsync) carries.
    pub max_batch: usize,
    /// How often expired leases are returned to their queues.
    pub reap_interval: Duration,
    /// Finished jobs older than this are deleted; `None` keeps them forever.
    pub retention: Option<Duration>,
    /// How often retention runs.
    pub prune_interval: Duration,
}

impl Default for SqlConfig {
    fn default() -> Self {
        SqlConfig {
            durability: SqliteDurability::Full,
            max_batch: 4096,
            reap_interval: Duration::from_secs(1),
            retention: Some(Duration::from_secs(7 * 24 * 3600)),
            prune_interval: Duration::from_secs(60),
        }
    }
}

/// Runs `$body` with `$pool` bound to either pool of `$db` (reads).
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

#[derive(Debug)]
struct Inner {
    db: Db,
    tx: mpsc::Sender<Item>,
    orphans: mpsc::UnboundedSender<Cmd>,
    signal: watch::Sender<u64>,
    written: watch::Sender<u64>,
    tracker: TaskTracker,
    cancel: CancellationToken,
}

/// A cheap handle to the job tables.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    inner: Arc<Inner>,
}

impl Store {
    /// Opens the writer connection and starts the writer and maintenance tasks. The schema must
    /// be migrated (`Db::migrate`).
    pub(crate) async fn open(db: Db, config: &SqlConfig) -> Result<Self> {
        let conn = WriterConn::open(&db, config.durability).await?;
        let (tx, rx) = mpsc::channel(config.max_batch.max(1) * 4);
        let (orphans, orphans_rx) = mpsc::unbounded_channel();
        let (signal, _) = watch::channel(0);
        let (written, _) = watch::channel(0);
        let tracker = TaskTracker::new();
        let cancel = CancellationToken::new();
        let writer = Writer {
            conn,
            rx,
            orphans: orphans_rx,
            signal: signal.clone(),
            written: written.clone(),
            max_batch: config.max_batch.max(1),
        };
        if matches!(db, Db::Sqlite(_)) {
            // SQLite's single writer gets a thread of its own (see `spawn_write_loop`);
            // PostgreSQL's batches run on pooled connections that belong to this runtime.
            let handle = cistern_store::sql::spawn_write_loop(writer.run(cancel.clone()))?;
            tracker.spawn(handle);
        } else {
            tracker.spawn(writer.run(cancel.clone()));
        }
        let store = Store {
            inner: Arc::new(Inner {
                db,
                tx,
                orphans,
                signal,
                written,
                tracker,
                cancel,
            }),
        };
        store
            .inner
            .tracker
            .spawn(store.clone().maintain(config.clone()));
        Ok(store)
    }

    /// Sends a command to the writer and waits for its commit.
    pub(crate) async fn call(&self, cmd: Cmd) -> Result<Reply> {
        let (reply_tx, reply_rx) = oneshot::channel();
        self.inner
            .tx
            .send((cmd, reply_tx))
            .await
            .map_err(|_| Error::Closed)?;
        let mut pending = Pending {
            rx: reply_rx,
            orphans: self.inner.orphans.clone(),
            done: false,
        };
        let reply = (&mut pending.rx).await;
        pending.done = true;
        reply.map_err(|_| Error::Closed)?
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn signal(&self) -> watch::Receiver<u64> {
        self.inner.signal.subscribe()
    }

    /// Ticks after every committed write batch.
    pub(crate) fn written(&self) -> watch::Receiver<u64> {
        self.inner.written.subscribe()
    }

    /// Wakes this process's waiting workers and long polls (the NATS backend, once its
    /// publishes are acknowledged: the commit's own wake-up comes too early for JetStream).
    pub(crate) fn wake(&self) {
        self.inner.signal.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub(crate) async fn close(&self) {
        self.inner.cancel.cancel();
        self.inner.tracker.close();
        self.inner.tracker.wait().await;
    }

    async fn maintain(self, config: SqlConfig) {
        let mut reap = tokio::time::interval(config.reap_interval);
        let mut prune = tokio::time::interval(config.prune_interval);
        reap.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        prune.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = self.inner.cancel.cancelled() => break,
                _ = reap.tick() => {
                    if let Err(e) = self.call(Cmd::Reap).await {
                        tracing::warn!(error = %e, "reaping expired job leases failed");
                    }
                }
                _ = prune.tick(), if config.retention.is_some() => {
                    let age = config.retention.unwrap_or_default();
                    let before = now_ms().saturating_sub(crate::model::duration_ms(age));
                    if let Err(e) = self.prune(before).await {
                        tracing::warn!(error = %e, "pruning finished jobs failed");
                    }
                }
            }
        }
    }

    /// Deletes finished jobs before `before`, a thousand per transaction so the writer never
    /// stalls behind one huge delete.
    pub(crate) async fn prune(&self, before: i64) -> Result<u64> {
        let mut total = 0;
        loop {
            let Reply::Count(n) = self.call(Cmd::Prune { before }).await? else {
                return Err(super::rows::mismatch());
            };
            total += n;
            if n < 1000 {
                return Ok(total);
            }
        }
    }

    pub(crate) async fn get(&self, scope: Scope<'_>, id: &JobId) -> Result<Option<Job>> {
        let (mode, owner) = scope.params();
        let row: Option<JobRow> = on_pool!(self.db(), pool => sqlx::query_as(q::GET)
            .bind(id.as_str()).bind(mode).bind(owner).fetch_optional(pool).await)?;
        row.map(JobRow::into_job).transpose()
    }

    pub(crate) async fn list(&self, scope: Scope<'_>, f: &JobFilter) -> Result<JobPage> {
        let (mode, owner) = scope.params();
        let limit = f.limit.clamp(1, 500);
        let rows: Vec<JobRow> = on_pool!(self.db(), pool => sqlx::query_as(q::LIST)
            .bind(mode).bind(owner).bind(f.status.map(|s| s.as_str())).bind(f.queue.as_deref())
            .bind(f.name.as_deref()).bind(f.before.as_ref().map(JobId::as_str)).bind(i64::from(limit))
            .fetch_all(pool).await)?;
        let jobs = rows
            .into_iter()
            .map(JobRow::into_job)
            .collect::<Result<Vec<_>>>()?;
        let full = jobs.len() == usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = full.then(|| jobs.last().map(|j| j.id.clone())).flatten();
        Ok(JobPage { jobs, next_cursor })
    }

    pub(crate) async fn events(
        &self,
        scope: Scope<'_>,
        id: &JobId,
        after: i64,
        limit: u32,
    ) -> Result<Option<Vec<JobEvent>>> {
        if self.get(scope, id).await?.is_none() {
            return Ok(None);
        }
        let limit = i64::from(limit.clamp(1, 1000));
        let rows: Vec<EventRow> = on_pool!(self.db(), pool => sqlx::query_as(q::EVENTS_AFTER)
            .bind(id.as_str()).bind(after).bind(limit).fetch_all(pool).await)?;
        rows.into_iter()
            .map(EventRow::into_event)
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    pub(crate) async fn depths(&self, kind: &str, owner: Option<&str>) -> Result<Vec<QueueDepth>> {
        let rows: Vec<DepthRow> = on_pool!(self.db(), pool => sqlx::query_as(q::DEPTHS)
            .bind(now_ms()).bind(kind).bind(owner).fetch_all(pool).await)?;
        Ok(rows.into_iter().map(QueueDepth::from).collect())
    }

    /// Queued jobs due before `before`, oldest first (at most 1000): `(id, queue, priority)`.
    pub(crate) async fn stale_queued(&self, before: i64) -> Result<Vec<(JobId, String, i32)>> {
        let rows: Vec<(String, String, i32)> = on_pool!(self.db(), pool => sqlx::query_as(q::STALE_QUEUED)
            .bind(before).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|(id, q, p)| (JobId::from_db(id), q, p))
            .collect())
    }
}
