//! The job engine's error type.

/// Errors of the job engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that cannot be a job, queue or message (empty name, bad queue name, …).
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The field at fault.
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// The SQL store failed.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// The SQL store failed.
    #[error(transparent)]
    Store(#[from] cistern_store::sql::Error),
    /// NATS JetStream failed.
    #[error("nats: {0}")]
    Nats(String),
    /// Stored JSON could not be read back.
    #[error("corrupt stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The backend is shut down (its writer task has stopped).
    #[error("the job backend is closed")]
    Closed,
}

impl Error {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn nats(e: impl std::fmt::Display) -> Self {
        Error::Nats(e.to_string())
    }
}

/// Result alias of the job engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;
