//! Log risk scoring behind one interface: in process, or over HTTP on a `cistern scorer`.
//!
//! [`Scorer`] is what the rest of the server calls (`cistern logs score`, and Sage's ingest). With `scorer.url`
//! empty it runs `cistern_logs::score` on a blocking thread of this process; with a URL it posts
//! the same [`ScoreRequest`] to a `cistern scorer` service ([`service`]), which is stateless so
//! any number can run behind a load balancer. Both paths validate with the same rules and answer
//! the same [`ScoreResponse`], and `tests/api/scorer.rs` runs one suite through each.

pub mod cli;
mod config;
mod remote;
pub mod service;

use cistern_logs::{Baseline, ScoreInput, ScoreReport};
use serde::{Deserialize, Serialize};

pub use config::ScorerConfig;
pub use remote::RemoteScorer;
use utoipa_axum::router::OpenApiRouter;

use crate::apps::App;
use crate::platform::jobs::Handlers;

/// Sage: so far its scorer (in process or `cistern scorer`) and `cistern logs`; its dashboard
/// routes and jobs arrive with the Sage app.
pub const APP: App = App {
    name: "sage",
    routes: OpenApiRouter::new,
    jobs: |_| Handlers::new(),
    shutdown: None,
};

/// Longest accepted project id.
const MAX_PROJECT_ID: usize = 200;
/// Most known templates a request may carry.
const MAX_KNOWN_TEMPLATES: usize = 100_000;

/// `POST /score` body: some logs of one project, with what the caller knows of its history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// The project the logs belong to (1–200 characters); echoed back.
    pub project_id: String,
    /// Raw log text, any format, headers included.
    pub logs: String,
    /// Free-form facts about the logs (source, host, release…); echoed back, not interpreted.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The project's baseline, so its normal error rate is not a risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// Templates already seen for the project (new ones are a signal).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub known_templates: Vec<String>,
    /// Window length for bursts, in seconds (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u64>,
}

/// The answer: the project, the metadata sent, and the score report (`score`, `labels`,
/// `factors`, `templates`, `records`, `timestamp`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreResponse {
    /// As sent.
    pub project_id: String,
    /// As sent.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// The score and its explanation.
    #[serde(flatten)]
    pub report: ScoreReport,
}

/// Why scoring did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request breaks a rule; `field` names the culprit.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The remote scorer refused the request (bad key, too large, …).
    #[error("the scorer refused the request ({status}): {message}")]
    Refused {
        /// Its HTTP status.
        status: u16,
        /// Its error message.
        message: String,
    },
    /// The remote scorer could not be reached or failed.
    #[error("the scorer is unavailable: {0}")]
    Unavailable(String),
}

impl ScoreRequest {
    /// Checks the rules both paths enforce (the body size is the transport's business).
    pub fn validate(&self) -> Result<(), Error> {
        let invalid = |field, message: &str| {
            Err(Error::Invalid {
                field,
                message: message.to_owned(),
            })
        };
        let id = self.project_id.trim();
        if id.is_empty() || id.chars().count() > MAX_PROJECT_ID {
            return invalid("project_id", "project_id must be 1–200 characters");
        }
        if self.logs.trim().is_empty() {
            return invalid("logs", "logs must contain at least one non-blank line");
        }
        if self.known_templates.len() > MAX_KNOWN_TEMPLATES {
            return invalid("known_templates", "at most 100000 known templates");
        }
        if self.window_seconds.is_some_and(|w| w == 0 || w > 86_400) {
            return invalid("window_seconds", "window_seconds must be 1–86400");
        }
        Ok(())
    }

    /// Scores on the current thread (CPU-bound: call from a blocking thread).
    pub fn score_here(self) -> ScoreResponse {
        let input = ScoreInput {
            logs: self.logs,
            baseline: self.baseline,
            known_templates: self.known_templates,
            window_seconds: self.window_seconds,
        };
        ScoreResponse {
            project_id: self.project_id,
            metadata: self.metadata,
            report: cistern_logs::score(&input),
        }
    }
}

/// The one way the server scores logs.
#[derive(Debug, Clone)]
pub enum Scorer {
    /// In this process, on a blocking thread.
    InProcess,
    /// On a `cistern scorer` service.
    Remote(RemoteScorer),
}

impl Scorer {
    /// In process when `scorer.url` is empty, remote otherwise.
    pub fn from_config(config: &ScorerConfig) -> Result<Self, Error> {
        if config.url.is_empty() {
            Ok(Scorer::InProcess)
        } else {
            RemoteScorer::new(config).map(Scorer::Remote)
        }
    }

    /// Scores `request`, validating it first.
    pub async fn score(&self, request: ScoreRequest) -> Result<ScoreResponse, Error> {
        request.validate()?;
        match self {
            Scorer::InProcess => tokio::task::spawn_blocking(move || request.score_here())
                .await
                .map_err(|e| Error::Unavailable(format!("scoring task failed: {e}"))),
            Scorer::Remote(remote) => remote.score(&request).await,
        }
    }
}
