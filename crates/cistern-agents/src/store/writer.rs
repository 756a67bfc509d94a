//! Where turn writes go. On SQLite, one task owns a dedicated write connection and group-commits:
//! it takes whatever writes have queued (up to `max_batch`), applies them in one transaction,
//! commits once — one WAL fsync under `synchronous = FULL` — and only then answers each caller,
//! so a reply is durable before its turn returns and the fsync is shared by every turn in the
//! batch. If a batch fails, its writes are retried one by one so one bad write cannot fail its
//! neighbours. On PostgreSQL each write is one statement in autocommit on the pool
//! (`write_pg.rs`): the server runs them in parallel and group-commits by itself, and its row
//! locks serialize them.

use cistern_store::Db;
use cistern_store::sql::{spawn_write_loop, sqlite_write_connection};
use sqlx::sqlite::{SqliteConnection, SqliteSynchronous};
use sqlx::{Connection, PgPool};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::Tx;
use super::write::{Op, Outcome, apply};
use crate::config::Durability;
use crate::error::{Error, Result};

type Item = (Op, oneshot::Sender<Result<Outcome, sqlx::Error>>);

/// A cheap handle to submit writes.
#[derive(Clone)]
pub(crate) enum Writer {
    /// The SQLite group-commit task's queue.
    Queue(mpsc::Sender<Item>),
    /// PostgreSQL: single statements straight on the pool.
    Pool(PgPool),
}

impl Writer {
    /// Opens the writer; on SQLite it starts the group-commit loop on a thread of its own,
    /// tracked by `tracker`. The loop ends on `cancel` (after writing what was queued) or when
    /// every handle is dropped.
    pub(crate) async fn open(
        db: &Db,
        durability: Durability,
        max_batch: usize,
        tracker: &TaskTracker,
        cancel: &CancellationToken,
    ) -> Result<Self> {
        match db {
            Db::Sqlite(pool) => {
                let sync = match durability {
                    Durability::Full => SqliteSynchronous::Full,
                    Durability::Normal => SqliteSynchronous::Normal,
                };
                let conn = sqlite_write_connection(pool, sync).await?;
                let (tx, rx) = mpsc::channel(max_batch.max(1) * 4);
                let task = group_commit(conn, rx, max_batch.max(1), cancel.clone());
                let handle = spawn_write_loop(task)?;
                tracker.spawn(handle);
                Ok(Writer::Queue(tx))
            }
            Db::Postgres(pool) => Ok(Writer::Pool(pool.clone())),
        }
    }

    /// Queues `op` and returns without waiting for its commit: writes queued later (by this
    /// instance) are applied after it. On PostgreSQL it is applied before this returns.
    pub(crate) async fn enqueue(&self, op: Op) -> Result<Pending> {
        match self {
            Writer::Queue(queue) => {
                let (tx, rx) = oneshot::channel();
                queue.send((op, tx)).await.map_err(|_| Error::Closed)?;
                Ok(Pending::Queued(rx))
            }
            Writer::Pool(_) => Ok(Pending::Ready(self.submit(op).await)),
        }
    }

    /// Applies `op` durably and answers what it found.
    pub(crate) async fn submit(&self, op: Op) -> Result<Outcome> {
        match self {
            Writer::Queue(queue) => {
                let (tx, rx) = oneshot::channel();
                queue.send((op, tx)).await.map_err(|_| Error::Closed)?;
                Ok(rx.await.map_err(|_| Error::Closed)??)
            }
            Writer::Pool(pool) => Ok(super::write_pg::apply(pool, &op).await?),
        }
    }
}

/// A queued write's outcome, once committed.
pub(crate) enum Pending {
    Queued(oneshot::Receiver<Result<Outcome, sqlx::Error>>),
    Ready(Result<Outcome>),
}

impl Pending {
    /// Waits for the commit.
    pub(crate) async fn wait(self) -> Result<Outcome> {
        match self {
            Pending::Queued(rx) => Ok(rx.await.map_err(|_| Error::Closed)??),
            Pending::Ready(r) => r,
        }
    }
}

async fn finish(tx: Tx<'_>, outcome: Result<Outcome, sqlx::Error>) -> Result<Outcome, sqlx::Error> {
    match outcome {
        Ok(o) => {
            tx.commit().await?;
            Ok(o)
        }
        Err(e) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

async fn group_commit(
    mut conn: SqliteConnection,
    mut rx: mpsc::Receiver<Item>,
    max_batch: usize,
    cancel: CancellationToken,
) {
    let mut batch = Vec::with_capacity(max_batch);
    loop {
        let n = tokio::select! {
            n = rx.recv_many(&mut batch, max_batch) => n,
            () = cancel.cancelled() => {
                rx.close();
                rx.recv_many(&mut batch, max_batch).await
            }
        };
        if n == 0 {
            break;
        }
        process(&mut conn, std::mem::take(&mut batch)).await;
    }
}

async fn process(conn: &mut SqliteConnection, items: Vec<Item>) {
    match run(conn, items.iter().map(|(op, _)| op)).await {
        Ok(outcomes) => {
            for ((_, reply), outcome) in items.into_iter().zip(outcomes) {
                // A caller that gave up no longer waits for its outcome; the write stands.
                reply.send(Ok(outcome)).ok();
            }
        }
        Err(e) if items.len() == 1 => {
            if let Some((_, reply)) = items.into_iter().next() {
                reply.send(Err(e)).ok();
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size = items.len(), "chat write batch failed; retrying its writes one by one");
            for (op, reply) in items {
                let result = run(conn, std::iter::once(&op))
                    .await
                    .and_then(|mut o| o.pop().ok_or(sqlx::Error::RowNotFound));
                reply.send(result).ok();
            }
        }
    }
}

/// One transaction over `ops`; IMMEDIATE takes the write lock up front, waiting out other
/// processes' writers (busy timeout) instead of failing on a lock upgrade mid-batch.
async fn run<'a>(
    conn: &mut SqliteConnection,
    ops: impl Iterator<Item = &'a Op>,
) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = Tx(conn.begin_with("BEGIN IMMEDIATE").await?);
    let mut outcomes = Vec::new();
    for op in ops {
        match apply(&mut tx, op).await {
            Ok(o) => outcomes.push(o),
            Err(e) => return finish(tx, Err(e)).await.map(|_| Vec::new()),
        }
    }
    finish(tx, Ok(Outcome::Renewed)).await?;
    Ok(outcomes)
}
