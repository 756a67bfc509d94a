//! Log risk scoring behind one interface: in process, or over HTTP on a `cistern scorer`.
//!
//! [`Scorer`] is what the rest of the server calls (`cistern logs score`, and Sage's ingest). With `scorer.url`
//! empty it runs `cistern_logs::score` on a blocking thread of this process; with a URL it posts
//! the same [`ScoreRequest`] to a `cistern scorer` service ([`service`]), which is stateless so
//! any number can run behind a load balancer. Both paths validate with the same rules and answer
//! the same [`ScoreResponse`], and `tests/api/scorer.rs` runs one suite through each.

pub mod alerts;
pub mod cli;
mod config;
mod error;
mod feedback;
pub mod forecast;
mod forecast_stats;
pub mod ingest;
pub mod mutes;
mod projects;
pub mod push;
mod remote;
pub mod routes;
pub mod service;
pub mod views;

use cistern_logs::{Baseline, ScoreInput, ScoreReport};
use serde::{Deserialize, Serialize};

pub use config::{SageConfig, ScorerConfig};
pub use remote::RemoteScorer;
use utoipa_axum::router::OpenApiRouter;

use crate::apps::App;
use crate::platform::jobs::Handlers;

/// Sage: log projects, ingests scored with each project's memory, the risk history and the
/// templates seen; its scorer (in process or `cistern scorer`) and `cistern logs`.
pub const APP: App = App {
    name: "sage",
    routes,
    jobs,
    shutdown: None,
};

#[derive(utoipa::OpenApi)]
#[openapi(tags(
    (name = "sage", description = "Sage, the log risk dashboard: projects, ingests, risk history, templates"),
))]
struct Doc;

fn routes() -> OpenApiRouter<crate::state::AppState> {
    use routes as r;
    use utoipa::OpenApi;
    use utoipa_axum::routes;
    // The ingest reads its body under `sage.max_ingest_bytes`, not the edge's limit.
    let ingest = OpenApiRouter::new()
        .routes(routes!(r::ingest))
        .route_layer(axum::middleware::from_fn(crate::http::body_limit::own));
    OpenApiRouter::with_openapi(Doc::openapi())
        .merge(ingest)
        .routes(routes!(r::create_project, r::list_projects))
        .routes(routes!(
            r::get_project,
            r::update_project,
            r::delete_project
        ))
        .routes(routes!(r::list_ingests))
        .routes(routes!(r::risk_history))
        .routes(routes!(r::templates))
        .routes(routes!(r::get_forecast))
        .routes(routes!(r::list_forecasts))
        .routes(routes!(r::forecast_feedback))
        .routes(routes!(r::list_alerts))
        .routes(routes!(r::list_mutes, r::delete_mute))
}

/// `sage.alert`, over the domain handle.
fn jobs(state: &crate::state::AppState) -> Handlers {
    use axum::extract::FromRef;
    let sage = Sage::from_ref(state);
    Handlers::new().handle(
        alerts::JOB_NAME,
        move |ctx, payload: alerts::AlertPayload| alerts::deliver(sage.clone(), ctx, payload),
    )
}

pub use error::Error as SageError;
pub use projects::{ProjectSettings, Sage};

impl From<error::Error> for crate::http::error::ApiError {
    fn from(error: error::Error) -> Self {
        use crate::http::error::ApiError;
        use axum::http::StatusCode;
        use error::Error as E;
        match error {
            E::NotFound(what) => ApiError::not_found(format!("no such {what}")),
            E::Invalid { field, message } => ApiError::validation(field, message),
            e @ E::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            e @ E::TooManyProjects(_) => ApiError::conflict(e.to_string()),
            E::Unreadable(message) => ApiError::bad_request(message),
            e @ E::NoHistory => ApiError::new(StatusCode::CONFLICT, "no_history", e.to_string()),
            E::Scoring(Error::Invalid { field, message }) => ApiError::validation(field, message),
            e @ E::Scoring(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "scorer_unavailable",
                e.to_string(),
            ),
            E::Store(e) => ApiError::from(e),
            other @ (E::Blobs(_) | E::Corrupt(_)) => ApiError::internal(other),
        }
    }
}

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
    /// Also answer what the project learns from these logs (`learned`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub learn: bool,
}

/// What a project learns from scored logs: its next baseline, every template with its counts
/// and first line, and the span of the logs' timestamps. The scorer stays stateless: the caller
/// keeps this as the project's memory and sends it back with the next logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    /// The baseline sent, updated with these logs.
    pub baseline: Baseline,
    /// Every template of the logs (not only the report's top 50).
    pub templates: Vec<cistern_logs::TemplateStats>,
    /// First timestamp read, Unix milliseconds.
    pub start_ms: Option<i64>,
    /// Last timestamp read, Unix milliseconds.
    pub end_ms: Option<i64>,
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
    /// What the project learns, when the request asked (`learn: true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned: Option<Learned>,
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
        let (report, analysis) =
            cistern_logs::score_analysed(&input, time::OffsetDateTime::now_utc());
        let learned = self.learn.then(|| {
            let mut baseline = input.baseline.unwrap_or_default();
            baseline.update(&analysis);
            Learned {
                baseline,
                start_ms: analysis.total.start_ms,
                end_ms: analysis.total.end_ms,
                templates: analysis.templates,
            }
        });
        ScoreResponse {
            project_id: self.project_id,
            metadata: self.metadata,
            report,
            learned,
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
