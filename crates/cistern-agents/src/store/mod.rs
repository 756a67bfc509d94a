//! SQL of conversations and messages: owner-scoped reads on the pool, and the turn writes
//! (begin/end/renew a turn) that go through [`writer`].
//!
//! SQL text is a constant (never `format!`); both drivers accept `$N` placeholders, so one text
//! serves both unless a comment says otherwise. [`on_db!`] compiles a body once per driver;
//! [`on_tx!`] binds the SQLite group commit's transaction (PostgreSQL's turn writes are single
//! statements, `write_pg.rs`).

pub(crate) mod read;
pub(crate) mod write;
mod write_pg;
pub(crate) mod writer;

use sqlx::{Sqlite, Transaction};

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

/// Runs `$body` with `$t` bound to the open SQLite transaction (use `&mut **$t`).
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {{
        let $t = &mut $tx.0;
        $body
    }};
}
pub(crate) use on_tx;

/// An open write transaction of the SQLite group commit (PostgreSQL writes are single
/// statements, `write_pg.rs`).
pub(crate) struct Tx<'c>(pub Transaction<'c, Sqlite>);

impl Tx<'_> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await
    }

    pub(crate) async fn rollback(self) -> Result<(), sqlx::Error> {
        self.0.rollback().await
    }
}
