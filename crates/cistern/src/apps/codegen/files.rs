//! `GET /api/v1/generations/{id}/files/{path}`: one file of a ready generation, for the UI's
//! code view and scripts.
//!
//! A path is looked up in the generation's stored file list, never joined blindly, so `..` or
//! an absolute path cannot reach another blob. Every file is served as `text/plain` (a
//! generated page must never render on Cistern's own origin), with `nosniff` and a sandboxing
//! CSP.

use axum::extract::{Path, State};
use axum::response::Response;

use super::Codegen;
use crate::http::download;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;

/// `GET /api/v1/generations/{id}/files/{path}`: one file's text.
#[utoipa::path(get, path = "/api/v1/generations/{id}/files/{path}", operation_id = "get_generation_file", tag = "codegen",
    params(("id" = String, Path, description = "Generation id"),
           ("path" = String, Path, description = "The file's path inside the project, e.g. `src/App.jsx` (may contain `/`)")),
    security(("bearer" = [])),
    responses((status = 200, description = "The file's text", content_type = "text/plain"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_generation_file(
    State(codegen): State<Codegen>,
    principal: Principal,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = ResourceId::parse(&id)?;
    let content = codegen.file(&principal.user_id, id.as_str(), &path).await?;
    Ok(download::stored_file("text/plain; charset=utf-8", content))
}
