//! Why a Sage operation did not happen (domain errors; the HTTP mapping is in `mod.rs`).

/// Why a project or ingest operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such project or ingest for this owner.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// An input breaks a rule; `field` names it.
    #[error("{message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The logs are larger than `sage.max_ingest_bytes`.
    #[error("the logs are larger than {limit} bytes (sage.max_ingest_bytes)")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The body is not what its headers say (bad gzip, a line that is not a JSON object, …).
    #[error("{0}")]
    Unreadable(String),
    /// A forecast needs at least one scored ingest.
    #[error("the project has no scored ingest yet: ingest logs first")]
    NoHistory,
    /// The owner has `sage.max_projects` projects already.
    #[error("you have {0} projects already, the most allowed; delete one first")]
    TooManyProjects(i64),
    /// Scoring failed (the remote scorer refused or is down).
    #[error("scoring failed: {0}")]
    Scoring(#[from] super::Error),
    /// The SQL store failed.
    #[error("database: {0}")]
    Store(#[from] cistern_store::sql::Error),
    /// The blob store failed.
    #[error("blob store: {0}")]
    Blobs(#[from] object_store::Error),
    /// Stored data could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Result of a Sage operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An [`Error::Invalid`] naming `field`.
pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        message: message.into(),
    }
}
