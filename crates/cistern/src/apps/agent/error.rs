//! Why a coding-agent operation did not happen: one error for workspaces and tasks, mapped to
//! the API's envelope in `mod.rs`.

use serde::Serialize;

/// A conflicting hunk of an accept whose file changed since the task read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MergeConflict {
    /// The file.
    pub path: String,
    /// First line of the task's base the two sides both changed (1-based).
    pub base_start: usize,
    /// How many base lines.
    pub base_lines: usize,
    /// Those lines as the workspace has them now.
    pub current: String,
    /// Those lines as the agent proposed them.
    pub proposed: String,
}

/// Why a workspace or task operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such workspace, file, snapshot or task for this owner.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// An input breaks a rule; `field` names it.
    #[error("{message}")]
    Invalid {
        /// The input.
        field: &'static str,
        /// What is wrong, in words a user can act on.
        message: String,
    },
    /// A limit of `[agent]` (files, bytes) would be exceeded.
    #[error("{0}")]
    TooLarge(String),
    /// The state changed under the request (a file saved meanwhile, a task already reviewed or
    /// not finished); nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// An accept's three-way merge failed; nothing was changed.
    #[error("the workspace changed since the task read it and the changes overlap")]
    MergeConflicts(Vec<MergeConflict>),
    /// Too many tasks of this user are queued or running.
    #[error("{active} tasks are already queued or running; wait for one to finish")]
    Busy {
        /// How many.
        active: i64,
    },
    /// The gateway refused the model (unknown name, …).
    #[error("model: {0}")]
    Model(#[from] cistern_llm::Error),
    /// The owner's monthly token budget is spent.
    #[error("quota: {0}")]
    Quota(#[from] crate::platform::quota::Error),
    /// The SQL store failed.
    #[error("database: {0}")]
    Store(#[from] cistern_store::sql::Error),
    /// The blob store failed.
    #[error("blob store: {0}")]
    Blobs(#[from] object_store::Error),
    /// The job engine refused or failed.
    #[error("jobs: {0}")]
    Jobs(#[from] cistern_jobs::Error),
    /// Stored data could not be read back (a blob missing, JSON unreadable).
    #[error("stored workspace data unreadable: {0}")]
    Corrupt(String),
}

/// The result of coding-agent operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An [`Error::Invalid`].
pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> Error {
    Error::Invalid {
        field,
        message: message.into(),
    }
}
