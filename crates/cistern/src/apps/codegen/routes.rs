//! `/api/v1/generate_code` and `/api/v1/generations…`: thin handlers over [`Codegen`] —
//! extract, one call, map. Another user's generation is a 404.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::Codegen;
use super::views::{
    DetectFramework, DetectedFramework, FrameworkList, GenerateCode, GenerationStarted,
    GenerationSummary, GenerationView,
};
use super::wait::Generated;
use crate::http::download;
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::page::{Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;
use cistern_store::TimeCursor;

/// `POST /api/v1/generate_code`: a project from a prompt. Always a job; `async: true` answers
/// 202 at once, otherwise the request waits for the job (up to `codegen.sync_timeout_secs`).
#[utoipa::path(post, path = "/api/v1/generate_code", operation_id = "generate_code", tag = "codegen",
    request_body = GenerateCode, security(("bearer" = [])),
    responses((status = 200, body = GenerationView, description = "The finished generation: sync, or a cache hit (also with `async: true`: a hit has nothing to wait for)"),
              (status = 202, body = GenerationStarted, description = "Started (async)"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "Unknown model"),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it"),
              (status = 429, body = ErrorBody, description = "Rate limit or monthly quota"),
              (status = 502, body = ErrorBody, description = "The generation failed (`details`: generation_id, job_id, kind)"),
              (status = 504, body = ErrorBody, description = "Still running after the sync wait (`details`: generation_id, job_id)")))]
pub async fn generate_code(
    State(codegen): State<Codegen>,
    principal: Principal,
    ApiJson(body): ApiJson<GenerateCode>,
) -> Result<Response, ApiError> {
    let run_async = body.run_async;
    let generated = codegen
        .generate(&principal.user_id, body.into(), run_async)
        .await?;
    Ok(match generated {
        Generated::Accepted(started) => {
            (StatusCode::ACCEPTED, Json(GenerationStarted::from(started))).into_response()
        }
        Generated::Finished { generation, cached } => {
            Json(GenerationView::new(generation, cached)).into_response()
        }
    })
}

/// `GET /api/v1/codegen/frameworks`: the frameworks a request may name.
#[utoipa::path(get, path = "/api/v1/codegen/frameworks", operation_id = "list_frameworks", tag = "codegen",
    security(("bearer" = [])),
    responses((status = 200, body = FrameworkList), (status = 401, body = ErrorBody)))]
pub async fn list_frameworks(_principal: Principal) -> Json<FrameworkList> {
    Json(FrameworkList::all())
}

/// `POST /api/v1/codegen/detect`: the framework a generation of this prompt would use, how
/// sure, and why — without calling a model.
#[utoipa::path(post, path = "/api/v1/codegen/detect", operation_id = "detect_framework", tag = "codegen",
    request_body = DetectFramework, security(("bearer" = [])),
    responses((status = 200, body = DetectedFramework), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it")))]
pub async fn detect_framework(
    State(codegen): State<Codegen>,
    _principal: Principal,
    ApiJson(body): ApiJson<DetectFramework>,
) -> Result<Json<DetectedFramework>, ApiError> {
    let (detection, language) = codegen.detect(
        &body.prompt,
        body.framework.as_deref(),
        body.language.as_deref(),
    )?;
    Ok(Json(DetectedFramework {
        framework: detection.into(),
        language,
    }))
}

/// `GET /api/v1/generations`: your generations, newest first.
#[utoipa::path(get, path = "/api/v1/generations", operation_id = "list_generations", tag = "codegen",
    params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<GenerationSummary>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_generations(
    State(codegen): State<Codegen>,
    principal: Principal,
    page: PageRequest,
) -> Result<Json<Page<GenerationSummary>>, ApiError> {
    let found = codegen
        .list(
            &principal.user_id,
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    Ok(Json(
        page.page(found, |g| g.cursor().to_string()).map(Into::into),
    ))
}

/// `GET /api/v1/generations/{id}`: one generation — framework, files with syntax, warnings.
#[utoipa::path(get, path = "/api/v1/generations/{id}", operation_id = "get_generation", tag = "codegen",
    params(("id" = String, Path, description = "Generation id")), security(("bearer" = [])),
    responses((status = 200, body = GenerationView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_generation(
    State(codegen): State<Codegen>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<GenerationView>, ApiError> {
    let generation = codegen.get(&principal.user_id, id.as_str()).await?;
    Ok(Json(GenerationView::new(generation, false)))
}

/// `DELETE /api/v1/generations/{id}`: the generation and its files.
#[utoipa::path(delete, path = "/api/v1/generations/{id}", operation_id = "delete_generation", tag = "codegen",
    params(("id" = String, Path, description = "Generation id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_generation(
    State(codegen): State<Codegen>,
    principal: Principal,
    id: ResourceId,
) -> Result<StatusCode, ApiError> {
    codegen.delete(&principal.user_id, id.as_str()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/generations/{id}/download`: the project as a ZIP.
#[utoipa::path(get, path = "/api/v1/generations/{id}/download", operation_id = "download_generation", tag = "codegen",
    params(("id" = String, Path, description = "Generation id")), security(("bearer" = [])),
    responses((status = 200, description = "The ZIP", content_type = "application/zip"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_generation(
    State(codegen): State<Codegen>,
    principal: Principal,
    id: ResourceId,
) -> Result<Response, ApiError> {
    let (name, zip) = codegen.package(&principal.user_id, id.as_str()).await?;
    Ok(download::zip(&name, zip))
}
