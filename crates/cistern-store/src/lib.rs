//! Cistern's storage layer.
//!
//! Two stores, each with an embedded default and a scale-out engine:
//!
//! * [`sql::Db`] — the SQL store: SQLite (WAL) in the data dir, or PostgreSQL when the URL says
//!   `postgres://`. Capabilities are traits ([`sql::MetaStore`], …) implemented for [`sql::Db`]
//!   by dispatching to one query module per backend, so both backends answer to one test suite.
//! * [`blob`] — the blob store: an `Arc<dyn ObjectStore>` on a local directory or on any
//!   S3-compatible service (R2, B2, MinIO, Vultr).
//!
//! Boundary: this crate knows nothing of HTTP, users or apps; callers pass owners explicitly.

pub mod blob;
pub mod sql;
#[cfg(feature = "testing")]
pub mod testing;

pub use blob::{BlobConfig, BlobStore, S3Config};
pub use sql::{
    AgentStore, AlertStore, ApiKey, ApiKeyStore, AuditEvent, AuditFilter, AuditStore, Backend,
    CodegenStore, Db, Extension, ExtensionStore, ExtensionVersion, FalseAlarmStore, ForecastStore,
    Generation, ListedExtension, LlmCall, LlmCallCursor, LlmCallFilter, LlmCallStatus,
    LlmCallStore, LlmCallSummary, MetaStore, NewAuditEvent, NewLlmCall, NewUser, RefreshToken,
    SageStore, SessionStore, TimeCursor, UsageRow, UsageStore, User, UserStore, VersionOutcome,
    VersionStatus,
};
