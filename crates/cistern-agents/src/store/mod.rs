//! SQL of conversations and messages: owner-scoped reads on the pool, and the turn writes
//! (begin/end/renew a turn) that go through [`writer`].
//!
//! SQL text is a constant (never `format!`); both drivers accept `$N` placeholders, so one text
//! serves both unless a comment says otherwise. [`on_db!`] and [`on_tx!`] compile a body once
//! per driver.

pub(crate) mod read;
pub(crate) mod write;
pub(crate) mod writer;

use sqlx::{Postgres, Sqlite, Transaction};

/// Runs `$body` with `$pool` bound to the SQLite or PostgreSQL pool of a `Db`.
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            cistern_store::Db::Sqlite($pool) => $body,
            cistern_store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_db;

/// Runs `$body` with `$t` bound to the driver's open transaction (use `&mut **$t`).
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite($t) => $body,
            $crate::store::Tx::Postgres($t) => $body,
        }
    };
}
pub(crate) use on_tx;

/// An open write transaction on either driver.
pub(crate) enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl Tx<'_> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        on_tx!(self, t => t.commit().await)
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        on_tx!(self, t => t.rollback().await)
    }
}
