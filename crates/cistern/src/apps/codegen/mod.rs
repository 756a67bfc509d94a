//! The code generator in the server (issue 16; the library half is `cistern-codegen`, the
//! syntax checks `cistern-syntax`). See docs/codegen.md.
//!
//! - `routes`: `POST /api/v1/generate_code` (sync or async, always through a job),
//!   `/api/v1/generations…` — list, read, download, delete; `/api/v1/codegen/frameworks` and
//!   `/api/v1/codegen/detect` (what the UI shows before sending). Owner-scoped: another user's
//!   generation is a 404.
//! - `files`: one file of a generation, as text, `nosniff`.
//! - `job`: the `codegen.generate` job — framework, prompt, the model through the gateway,
//!   continuation rounds, extraction, assembly, a repair round, blobs and the ZIP.
//! - `conversation`: the streamed calls, files announced as they complete, continuation.
//! - `cache`: the per-owner result cache (key, lookups, counters).
//! - `prompt` + `templates/`: the messages of each call, from minijinja templates.
//! - `cli`, `remote`: `cistern codegen extract | generate`.
//! - `blobs`: where a generation's files and ZIP live in the blob store.

pub mod blobs;
pub mod cache;
pub mod cli;
mod config;
mod conversation;
mod domain;
pub mod files;
pub mod job;
pub mod prompt;
pub mod remote;
pub mod routes;
pub mod views;
mod wait;

pub use cache::CacheMetrics;
pub use config::CodegenConfig;
pub use domain::{Codegen, Error, NewGeneration, Request, Started};
pub use prompt::Templates;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
pub use wait::Generated;

use crate::apps::App;
use crate::http::error::ApiError;
use crate::http::openapi::RestOfPath;
use crate::http::timeout::{self, Allowance};
use crate::platform::jobs::Handlers;
use crate::state::AppState;

/// The code generator: its routes and the `codegen.generate` job.
pub const APP: App = App {
    name: "codegen",
    routes,
    jobs,
    shutdown: None,
};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "codegen", description = "The code generator: a prompt in, a checked project out (files, syntax, warnings, ZIP)"),
))]
struct Doc;

/// The code generator's API. A synchronous generation waits for its job: the wait is bounded
/// by `codegen.sync_timeout_secs` (and each model call by the gateway), not the request timeout.
fn routes() -> OpenApiRouter<AppState> {
    use routes as r;
    let generate = OpenApiRouter::new()
        .routes(routes!(r::generate_code))
        .route_layer(timeout::allow(Allowance::Unbounded));
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(r::list_frameworks))
        .routes(routes!(r::detect_framework))
        .routes(routes!(r::list_generations))
        .routes(routes!(r::get_generation, r::delete_generation))
        .routes(routes!(r::download_generation))
        .rest_of_path(routes!(files::get_generation_file), "path")
        .merge(generate)
}

/// `codegen.generate`, over the domain handle.
fn jobs(state: &AppState) -> Handlers {
    use axum::extract::FromRef;
    let codegen = Codegen::from_ref(state);
    Handlers::new().handle(JOB_NAME, move |ctx, payload: GeneratePayload| {
        job::run(codegen.clone(), ctx, payload)
    })
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound(what) => ApiError::not_found(format!("no such {what}")),
            Error::Invalid { field, message } => ApiError::validation(field, message),
            Error::Model(e) => ApiError::from(e),
            Error::Quota(e) => ApiError::from(e),
            Error::Failed {
                generation_id,
                job_id,
                kind,
                reason,
            } => ApiError::new(
                axum::http::StatusCode::BAD_GATEWAY,
                "generation_failed",
                reason,
            )
            .with_details(serde_json::json!({
                "generation_id": generation_id, "job_id": job_id, "kind": kind,
            })),
            Error::StillRunning {
                generation_id,
                job_id,
            } => ApiError::new(
                axum::http::StatusCode::GATEWAY_TIMEOUT,
                "still_running",
                "the generation is still running; follow its job or read it later",
            )
            .with_details(serde_json::json!({"generation_id": generation_id, "job_id": job_id})),
            Error::Jobs(e) => crate::platform::jobs::api_error(e),
            Error::Store(e) => ApiError::from(e),
            other @ (Error::Blobs(_) | Error::Corrupt(_)) => ApiError::internal(other),
        }
    }
}

/// What every request and job of this process shares: the cache counters, the templates, and
/// the signal that a generation ended.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Result-cache hits and misses (registered in `/metrics`).
    pub cache_metrics: CacheMetrics,
    /// The prompt templates, loaded at start.
    pub templates: std::sync::Arc<Templates>,
    /// Bumped each time this process records a generation's end, so a synchronous request
    /// answers as soon as its row is final (not at the job's next write).
    pub finished: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
}

impl Shared {
    /// Loads the templates (`codegen.templates_dir` overrides) with fresh counters.
    pub fn open(config: &CodegenConfig) -> anyhow::Result<Self> {
        Ok(Self {
            cache_metrics: CacheMetrics::default(),
            templates: std::sync::Arc::new(Templates::load(config.templates_dir.as_deref())?),
            finished: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
        })
    }
}

/// The job handler name.
pub const JOB_NAME: &str = "codegen.generate";
/// The `app` of the code generator's LLM calls (usage and the call log group by it).
pub const LLM_APP: &str = "codegen";

/// The payload of a `codegen.generate` job: the generation row it fills in (the request is on
/// the row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratePayload {
    /// The generation.
    pub generation_id: String,
}
