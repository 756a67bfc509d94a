//! The crate's error type.

/// Errors of the agents and memory API. Messages are safe to show to the API caller, except
/// [`Error::Store`]'s, which the HTTP edge logs and replaces.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The conversation (or fact) does not exist or belongs to someone else: both are "not
    /// found", so a caller cannot probe other users' ids.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input is unusable (empty message, message larger than the model's window, …).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Another turn of this conversation held it for longer than the configured wait.
    #[error("the conversation is busy with another turn; try again")]
    Busy,
    /// The conversation was deleted, or this turn's lease expired and another instance took
    /// the conversation over, while the turn waited for the model; its reply was not stored.
    #[error(
        "the conversation changed during the turn (deleted, or taken over after the turn lease expired)"
    )]
    TurnLost,
    /// A retry found no reply to retry: the conversation's last message is not the
    /// assistant's (a turn that failed before the model left only the user's message).
    #[error("the conversation's last message is not an assistant reply: there is nothing to retry")]
    NothingToRetry,
    /// The model failed; the partial reply (if any) was stored with status `error`.
    #[error("model error: {0}")]
    Model(#[from] cistern_llm::Error),
    /// The database failed.
    #[error("store error: {0}")]
    Store(#[from] sqlx::Error),
    /// The agents runtime is shutting down.
    #[error("the agents runtime is shut down")]
    Closed,
}

impl From<cistern_store::sql::Error> for Error {
    fn from(e: cistern_store::sql::Error) -> Self {
        match e {
            cistern_store::sql::Error::Sqlx(e) => Error::Store(e),
            other => Error::Store(sqlx::Error::Protocol(other.to_string())),
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
