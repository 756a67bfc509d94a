//! The coding agent in the server (issue 17; the edit engine is `cistern-edit`, the syntax
//! checks `cistern-syntax`). See docs/agent.md.
//!
//! - `workspaces`: [`Workspaces`], a user's code — a working tree and immutable snapshots,
//!   contents content-addressed in the blob store (`blobs`).
//! - `tasks`: [`Tasks`], the agent's domain handle — start, read, list; `review`: accept and
//!   reject per task, file or hunk, with a three-way merge for files changed since.
//! - `job`: the `agent.task` job — the bounded tool loop (`tools`), its instructions and
//!   context (`prompt`), the syntax checks (`diagnostics`), the proposal.
//! - `model`: what a task stores and serves (request, base, result, metrics, review).
//! - `task_routes`, `task_views`: `/api/v1/agent/tasks…`.
//! - `config`: `[agent]`.
//! - `error`: one [`Error`] for the app, mapped to the API's envelope here.

mod blobs;
pub mod cli;
mod config;
mod diagnostics;
pub mod diff;
mod error;
pub mod generated;
pub mod job;
mod linters;
pub mod model;
mod prompt;
pub mod review;
pub mod snapshot_routes;
pub mod task_routes;
pub mod task_views;
pub mod tasks;
mod tools;
pub mod workspace_routes;
pub mod workspace_views;
pub mod workspaces;
pub mod zip;

pub use config::AgentConfig;
pub use error::{Error, MergeConflict, Result};
use serde::{Deserialize, Serialize};
pub use tasks::{NewTask, Tasks};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
pub use workspaces::Workspaces;

use crate::apps::App;
use crate::http::error::ApiError;
use crate::http::openapi::RestOfPath;
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
    (name = "agent", description = "The coding agent: tasks that read a workspace and propose patches to accept or reject"),
))]
struct Doc;

fn routes() -> OpenApiRouter<AppState> {
    use snapshot_routes as s;
    use task_routes as t;
    use workspace_routes as w;
    // A ZIP import reads its body under `agent.max_zip_bytes`, not the edge's limit.
    let import = OpenApiRouter::new()
        .routes(routes!(s::import_workspace_zip))
        .route_layer(axum::middleware::from_fn(crate::http::body_limit::own));
    OpenApiRouter::with_openapi(Doc::openapi())
        .merge(import)
        .routes(routes!(w::create_workspace, w::list_workspaces))
        .routes(routes!(w::create_workspace_from_generation))
        .routes(routes!(
            w::get_workspace,
            w::rename_workspace,
            w::delete_workspace
        ))
        .routes(routes!(w::list_workspace_files))
        .routes(routes!(w::get_workspace_content))
        .rest_of_path(
            routes!(
                w::get_workspace_file,
                w::put_workspace_file,
                w::delete_workspace_file
            ),
            "path",
        )
        .routes(routes!(s::create_snapshot, s::list_snapshots))
        .routes(routes!(s::get_snapshot))
        .routes(routes!(s::diff_snapshot))
        .routes(routes!(s::restore_snapshot))
        .routes(routes!(s::download_snapshot))
        .routes(routes!(t::create_task, t::list_tasks))
        .routes(routes!(t::get_task))
        .routes(routes!(t::task_events))
        .routes(routes!(t::accept_task))
        .routes(routes!(t::reject_task))
        .routes(routes!(t::preview_merge))
}

/// `agent.task`, over the domain handle.
fn jobs(state: &AppState) -> Handlers {
    use axum::extract::FromRef;
    let tasks = Tasks::from_ref(state);
    Handlers::new().handle(JOB_NAME, move |ctx, payload: TaskPayload| {
        job::run(tasks.clone(), ctx, payload)
    })
}

/// The job handler name.
pub const JOB_NAME: &str = "agent.task";
/// The queue tasks run on (`[jobs.queues]` gives it its concurrency).
pub const QUEUE: &str = "agent";
/// The `app` of the agent's LLM calls (usage and the call log group by it).
pub const LLM_APP: &str = "agent";

/// The payload of an `agent.task` job: the task row it runs (the request is on the row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskPayload {
    /// The task.
    pub task_id: String,
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
            e @ Error::Busy { .. } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_tasks",
                e.to_string(),
            ),
            Error::Model(e) => ApiError::from(e),
            Error::Quota(e) => ApiError::from(e),
            Error::Jobs(e) => crate::platform::jobs::api_error(e),
            Error::Store(e) => ApiError::from(e),
            other @ (Error::Blobs(_) | Error::Corrupt(_)) => ApiError::internal(other),
        }
    }
}
