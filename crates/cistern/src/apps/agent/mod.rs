//! The coding agent in the server (issue 17; the edit engine is `cistern-edit`, the syntax
//! checks `cistern-syntax`). See docs/agent.md.
//!
//! - `workspaces`: [`Workspaces`], a user's code — a working tree and immutable snapshots,
//!   contents content-addressed in the blob store (`blobs`).
//! - `config`: `[agent]`.
//! - `error`: one [`Error`] for the app, mapped to the API's envelope here.

mod blobs;
mod config;
mod error;
pub mod workspaces;

pub use config::AgentConfig;
pub use error::{Error, MergeConflict, Result};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
pub use workspaces::Workspaces;

use crate::apps::App;
use crate::http::error::ApiError;
use crate::platform::jobs::Handlers;
use crate::state::AppState;

/// The coding agent: workspaces and tasks.
pub const APP: App = App {
    name: "agent",
    routes,
    jobs,
    shutdown: None,
};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "workspaces", description = "Workspaces: a working tree of text files and immutable snapshots of it"),
))]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Doc::openapi())
}

fn jobs(_state: &AppState) -> Handlers {
    Handlers::new()
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        use axum::http::StatusCode;
        match error {
            Error::NotFound(what) => ApiError::not_found(format!("no such {what}")),
            Error::Invalid { field, message } => ApiError::validation(field, message),
            Error::TooLarge(message) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
            }
            Error::Conflict(message) => ApiError::conflict(message),
            e @ Error::MergeConflicts(_) => {
                let message = e.to_string();
                let Error::MergeConflicts(conflicts) = e else {
                    unreachable!("matched above")
                };
                ApiError::new(StatusCode::CONFLICT, "merge_conflict", message)
                    .with_details(serde_json::json!({ "conflicts": conflicts }))
            }
            e @ Error::Busy { .. } => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_tasks", e.to_string())
            }
            Error::Model(e) => ApiError::from(e),
            Error::Quota(e) => ApiError::from(e),
            Error::Jobs(e) => crate::platform::jobs::api_error(e),
            Error::Store(e) => ApiError::from(e),
            other @ (Error::Blobs(_) | Error::Corrupt(_)) => ApiError::internal(other),
        }
    }
}
