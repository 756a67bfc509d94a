//! The Chrome extension builder in the server (issue 7; the library half is `cistern-extension`).
//!
//! - `routes`: `/api/v1/extensions…` — create, iterate, list, read, download, diff, delete.
//! - `files`: one file of a version (the UI's code view), typed and `nosniff`.
//!   Owner-scoped: another user's extension is a 404.
//! - `job`: the `extension.generate` job — the forced `submit_extension` call through the
//!   gateway, bounded repair rounds, version bump, ZIP, blobs and SQL, the browser check.
//! - `blobs`: where a version's files and ZIP live in the blob store.

pub mod blobs;
mod config;
mod domain;
pub mod files;
pub mod job;
pub mod routes;
pub mod views;

pub use config::ExtensionsConfig;
pub use domain::{Error, Extensions, Started, VersionOf};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::apps::App;
use crate::http::error::ApiError;
use crate::http::openapi::RestOfPath;
use crate::platform::jobs::Handlers;
use crate::state::AppState;

/// The extension builder: its routes and the `extension.generate` job.
pub const APP: App = App {
    name: "extensions",
    routes,
    jobs,
    shutdown: None,
};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "extensions", description = "The Chrome extension builder: generate, iterate, download, diff"),
))]
struct Doc;

/// The extension builder's API.
fn routes() -> OpenApiRouter<AppState> {
    use routes as r;
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(r::create_extension, r::list_extensions))
        .routes(routes!(r::get_extension, r::delete_extension))
        .routes(routes!(r::iterate_extension))
        .routes(routes!(r::get_extension_version))
        .routes(routes!(r::download_extension_version))
        .routes(routes!(r::diff_extension_version))
        .rest_of_path(routes!(files::get_extension_file), "path")
}

/// `extension.generate`, over the domain handle.
fn jobs(state: &AppState) -> Handlers {
    use axum::extract::FromRef;
    let extensions = Extensions::from_ref(state);
    Handlers::new().handle(JOB_NAME, move |ctx, payload: GeneratePayload| {
        job::run(extensions.clone(), ctx, payload)
    })
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound(what) => ApiError::not_found(format!("no such {what}")),
            Error::Invalid { field, message } => ApiError::validation(field, message),
            Error::NothingToIterate => ApiError::conflict(error.to_string()),
            Error::Jobs(e) => crate::platform::jobs::api_error(e),
            Error::Store(e) => ApiError::from(e),
            other @ (Error::Blobs(_) | Error::Corrupt(_)) => ApiError::internal(other),
        }
    }
}

/// The job handler name.
pub const JOB_NAME: &str = "extension.generate";
/// The `app` of the extension builder's LLM calls (usage and the call log group by it).
pub const LLM_APP: &str = "extensions";

/// The payload of an `extension.generate` job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeneratePayload {
    /// The extension.
    pub extension_id: String,
    /// The version row (`seq`) this job fills in.
    pub seq: i64,
    /// The user's prompt.
    pub prompt: String,
    /// The gateway model.
    pub model: String,
    /// For an iteration: the version whose files are the starting point.
    pub base_version: Option<String>,
}

/// The highest of `versions` (dot-separated integers compared numerically), if any.
pub fn max_version<'a>(versions: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    versions.into_iter().max_by_key(|v| version_key(v))
}

fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_version_compares_numerically() {
        assert_eq!(max_version(["1.9.0", "1.10.0", "1.2.0"]), Some("1.10.0"));
        assert_eq!(max_version(Vec::<&str>::new()), None);
    }
}
