//! The gateway's error type and the kinds the server maps to HTTP statuses.

use std::time::Duration;

/// What went wrong, coarsely: the server maps it to an HTTP status with [`ErrorKind::http_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request is invalid (also when a provider rejected it as such). 400.
    BadRequest,
    /// No configured model and no passthrough provider for the name. 404.
    ModelNotFound,
    /// No provider is configured at all. 503.
    NotConfigured,
    /// The provider rate limited every attempt. 429.
    RateLimited,
    /// The provider failed, refused our credentials, answered garbage or broke off. 502.
    Unavailable,
    /// No answer within the per-attempt timeout or the overall deadline. 504.
    Timeout,
    /// The model's output broke its contract (tool arguments not JSON or not matching the
    /// schema after the repair round). 502.
    InvalidOutput,
    /// The gateway configuration is invalid (only from [`crate::Gateway::new`]). 500.
    Config,
    /// The built-in local model is busy: every sequence is generating and its wait queue is
    /// full. 503 with `Retry-After`.
    Overloaded,
}

impl ErrorKind {
    /// The HTTP status the server should answer with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::ModelNotFound => 404,
            ErrorKind::NotConfigured | ErrorKind::Overloaded => 503,
            ErrorKind::RateLimited => 429,
            ErrorKind::Unavailable | ErrorKind::InvalidOutput => 502,
            ErrorKind::Timeout => 504,
            ErrorKind::Config => 500,
        }
    }

    /// A stable snake_case name, for metrics labels and call records.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::ModelNotFound => "model_not_found",
            ErrorKind::NotConfigured => "not_configured",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Timeout => "timeout",
            ErrorKind::InvalidOutput => "invalid_output",
            ErrorKind::Config => "config",
            ErrorKind::Overloaded => "overloaded",
        }
    }
}

/// The message of [`Error::NotConfigured`], also for the health report.
pub const NOT_CONFIGURED: &str = "no LLM provider configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for \
     any OpenAI-compatible server), ANTHROPIC_API_KEY, GEMINI_API_KEY, CEREBRAS_API_KEY or OLLAMA_HOST, \
     or add models under [llm] in the config; or fetch the built-in local model with scripts/fetch-model.sh \
     (a build with the `local-model` feature serves it with no key and no network)";

/// Errors of the gateway. Messages are safe to show to the API caller: they never hold keys,
/// and a provider's own error text is included only truncated.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request is invalid.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The model name is neither configured nor routable to a passthrough provider.
    #[error("model {0:?} is not configured and no provider is set up to pass it through")]
    ModelNotFound(String),
    /// No provider is configured.
    #[error("{NOT_CONFIGURED}")]
    NotConfigured,
    /// Rate limited upstream on every attempt.
    #[error("rate limited by the provider: {message}")]
    RateLimited {
        /// The provider's words.
        message: String,
        /// How long the provider asked us to wait, if it said.
        retry_after: Option<Duration>,
    },
    /// The provider failed or is unreachable.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// Timed out.
    #[error("no answer from the provider within {0:?}")]
    Timeout(Duration),
    /// The model's output broke its contract.
    #[error("invalid model output: {0}")]
    InvalidOutput(String),
    /// The configuration is invalid.
    #[error("invalid [llm] config: {0}")]
    Config(String),
    /// The local model is at capacity: every sequence busy and the wait queue full.
    #[error("{message}")]
    Overloaded {
        /// What is full, in words.
        message: String,
        /// A guess at when a slot frees up.
        retry_after: Option<Duration>,
    },
}

impl Error {
    /// The coarse kind, for the HTTP status and metrics.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::BadRequest(_) => ErrorKind::BadRequest,
            Error::ModelNotFound(_) => ErrorKind::ModelNotFound,
            Error::NotConfigured => ErrorKind::NotConfigured,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Unavailable(_) => ErrorKind::Unavailable,
            Error::Timeout(_) => ErrorKind::Timeout,
            Error::InvalidOutput(_) => ErrorKind::InvalidOutput,
            Error::Config(_) => ErrorKind::Config,
            Error::Overloaded { .. } => ErrorKind::Overloaded,
        }
    }

    /// For 429 and overload answers: how long the caller should wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } | Error::Overloaded { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// The gateway's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Cuts a provider's error text to a size fit for a log line or an API error, on a char
/// boundary.
#[allow(dead_code)]
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}
