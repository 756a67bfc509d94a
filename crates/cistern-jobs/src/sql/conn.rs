//! The writer's connection and transaction over either driver.
//!
//! SQLite gets one dedicated connection (SQLite has one writer at a time anyway, and a single
//! connection keeps its prepared statements hot) opened with `synchronous = FULL`: in WAL mode
//! that fsyncs the WAL on every commit, so an acknowledged write survives power loss, and group
//! commit amortises that fsync over every operation of the batch. PostgreSQL takes a pooled
//! connection per batch (its own commits are durable with its default `fsync = on`).

use cistern_store::Db;
use sqlx::sqlite::{SqliteConnection, SqliteSynchronous};
use sqlx::{Connection, PgPool, Postgres, Sqlite, Transaction};

use crate::error::Result;

/// Runs `$body` with `$t` bound to the driver's transaction; the body compiles once per driver.
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::sql::conn::Tx::Sqlite($t) => $body,
            $crate::sql::conn::Tx::Postgres($t) => $body,
        }
    };
}
pub(crate) use on_tx;

/// Executes the query built by `$q` (with `$t` bound to the transaction) and answers the
/// number of rows it changed.
macro_rules! exec_tx {
    ($tx:expr, $t:ident => $q:expr) => {
        match $tx {
            $crate::sql::conn::Tx::Sqlite($t) => {
                $q.execute(&mut **$t).await.map(|r| r.rows_affected())
            }
            $crate::sql::conn::Tx::Postgres($t) => {
                $q.execute(&mut **$t).await.map(|r| r.rows_affected())
            }
        }
    };
}
pub(crate) use exec_tx;

/// An open write transaction.
pub(crate) enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl Tx<'_> {
    /// Picks the dialect's text of a statement.
    pub(crate) fn pick(&self, sqlite: &'static str, pg: &'static str) -> &'static str {
        match self {
            Tx::Sqlite(_) => sqlite,
            Tx::Postgres(_) => pg,
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        on_tx!(self, t => t.commit().await)?;
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        on_tx!(self, t => t.rollback().await)?;
        Ok(())
    }
}

/// What the writer writes through.
pub(crate) enum WriterConn {
    Sqlite(Box<SqliteConnection>),
    Postgres(PgPool),
}

/// SQLite durability of the job writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteDurability {
    /// `synchronous = FULL`: every commit fsyncs the WAL; an acknowledged write survives power
    /// loss. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: commits reach the OS (they survive a process crash) but are
    /// fsynced only at checkpoints; a power loss can lose the last acknowledged writes.
    Normal,
}

impl WriterConn {
    pub(crate) async fn open(db: &Db, durability: SqliteDurability) -> Result<Self> {
        Ok(match db {
            Db::Sqlite(pool) => {
                let sync = match durability {
                    SqliteDurability::Full => SqliteSynchronous::Full,
                    SqliteDurability::Normal => SqliteSynchronous::Normal,
                };
                WriterConn::Sqlite(Box::new(
                    cistern_store::sql::sqlite_write_connection(pool, sync).await?,
                ))
            }
            Db::Postgres(pool) => WriterConn::Postgres(pool.clone()),
        })
    }

    pub(crate) async fn begin(&mut self) -> Result<Tx<'_>> {
        Ok(match self {
            // IMMEDIATE takes the write lock up front, waiting out other writers (busy timeout)
            // instead of failing on a lock upgrade mid-batch.
            WriterConn::Sqlite(conn) => Tx::Sqlite(conn.begin_with("BEGIN IMMEDIATE").await?),
            WriterConn::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}
