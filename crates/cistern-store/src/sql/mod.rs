//! The SQL store: one [`Db`] handle over SQLite or PostgreSQL.
//!
//! Architecture invariant: SQL text is a constant in the capability's module and is never
//! assembled with `format!`. A capability (a trait such as [`MetaStore`]) is implemented once for
//! [`Db`]; [`with_pool!`] type-checks each statement against both drivers. Both backends accept
//! `$N` placeholders, times are Unix milliseconds and ids are text, so most statements are shared;
//! where the dialects differ, the module holds one constant per backend. Every capability has
//! cases in `tests/conformance.rs`, which runs on SQLite and PostgreSQL.

mod agent;
mod api_keys;
mod audit;
mod codegen;
mod cursor;
mod extensions;
mod llm_calls;
mod meta;
mod sage;
mod sage_alerts;
mod sage_forecasts;
mod sage_mutes;
mod sessions;
mod usage;
mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use agent::{AgentStore, Expect, FileRow, Snapshot, Task, TreeWrite, Workspace};
pub use api_keys::{ApiKey, ApiKeyStore};
pub use audit::{AuditEvent, AuditFilter, AuditStore, NewAuditEvent};
pub use codegen::{CodegenStore, Generation};
pub use cursor::{MalformedCursor, TimeCursor};
pub use extensions::{
    Extension, ExtensionStore, ExtensionVersion, ListedExtension, VersionOutcome, VersionStatus,
};
pub use llm_calls::{
    LlmCall, LlmCallCursor, LlmCallFilter, LlmCallParseError, LlmCallStatus, LlmCallStore,
    LlmCallSummary, MAX_LLM_CALL_PAGE, NewLlmCall,
};
pub use meta::MetaStore;
pub use sage::{Ingest, Project, SageStore, Scored, TemplateRow, TemplateSeen};
pub use sage_alerts::{AlertRow, AlertStore};
pub use sage_forecasts::{ForecastRow, ForecastStore};
pub use sage_mutes::{FalseAlarmRow, FalseAlarmStore};
pub use sessions::{RefreshToken, SessionStore};
pub use usage::{UsageRow, UsageStore};
pub use users::{NewUser, User, UserStore};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Runs `$body` with `$pool` bound to the SQLite or the PostgreSQL pool of `$db`. The body is
/// compiled once per driver, so a statement that one backend cannot type fails to build.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::sql::Db::Sqlite($pool) => $body,
            $crate::sql::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Now, in Unix milliseconds: the time representation of every table.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Errors of the SQL store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL names no backend we support.
    #[error("unsupported database URL scheme {0:?}: use sqlite:// or postgres://")]
    UnsupportedScheme(String),
    /// Connecting or querying failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique constraint refused the write (a duplicate email, prefix, …).
    #[error("{0} already exists")]
    Conflict(&'static str),
}

impl Error {
    /// Maps a unique violation to [`Error::Conflict`] naming `what`; other errors pass through.
    pub(crate) fn conflict_on_unique(what: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(what),
            _ => Error::Sqlx(e),
        }
    }
}

/// Result alias of the SQL store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which engine a [`Db`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded, one file.
    Sqlite,
    /// PostgreSQL, shared by many instances.
    Postgres,
}

impl Backend {
    /// Lower-case name, as shown in health checks and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pool settings common to both backends.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Maximum open connections.
    pub max_connections: u32,
    /// How long to wait for a free connection (and, on SQLite, for a write lock).
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// A handle to the SQL store; cheap to clone (it wraps a connection pool).
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite in WAL mode.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

impl Db {
    /// Connects to `url`: `sqlite://PATH` (the file is created if missing) or `postgres://…`.
    ///
    /// SQLite runs in WAL mode with `synchronous = NORMAL` (durable across process crashes,
    /// group-committed fsyncs), foreign keys on, and a busy timeout equal to the acquire timeout
    /// so concurrent writers wait rather than fail.
    pub async fn connect(url: &str, pool: &PoolOptions) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(pool.acquire_timeout);
            let pool = SqlitePoolOptions::new()
                .max_connections(pool.max_connections)
                .acquire_timeout(pool.acquire_timeout)
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(pool.max_connections)
                .acquire_timeout(pool.acquire_timeout)
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let scheme = url.split(':').next().unwrap_or_default().to_owned();
            Err(Error::UnsupportedScheme(scheme))
        }
    }

    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations embedded in the binary; idempotent, safe to run from many
    /// instances at once (sqlx takes an advisory lock on PostgreSQL).
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        Ok(())
    }

    /// A round trip to the database (`SELECT 1`), for health checks.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    /// Closes every pooled connection, waiting for checked-out ones to come back.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// A dedicated connection for a SQLite write loop (one writer that group-commits): the pool's
/// settings with `synchronous` as asked, and a 64 MiB page cache (filled only as pages are
/// read) so the hot indexes stay in memory instead of being reread from the file every batch —
/// every write of the process goes through this one connection.
pub async fn sqlite_write_connection(
    pool: &SqlitePool,
    synchronous: SqliteSynchronous,
) -> Result<sqlx::SqliteConnection> {
    use sqlx::Connection;
    let options = (*pool.connect_options())
        .clone()
        .synchronous(synchronous)
        .pragma("cache_size", "-65536");
    Ok(sqlx::SqliteConnection::connect_with(&options).await?)
}

/// Runs a SQLite write loop on a thread of its own, with a single-threaded runtime. A batch is
/// several round trips to SQLite's connection thread; on the shared runtime each would wait in
/// the run queue behind every busy request, so the one serial part of the write path would
/// stall on unrelated work. The handle completes when `task` ends.
pub fn spawn_write_loop<F>(task: F) -> Result<tokio::task::JoinHandle<()>>
where
    F: Future<Output = ()> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(sqlx::Error::Io)?;
    Ok(tokio::task::spawn_blocking(move || runtime.block_on(task)))
}
