//! `/api/v1/workspaces/{id}/snapshots…` and `…/import`: a workspace's history and its ZIPs —
//! thin handlers over [`Workspaces`]. Another user's workspace, or a snapshot of another
//! workspace, is a 404.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;

use super::Workspaces;
use super::workspace_views::{
    CreateSnapshot, DiffParams, SnapshotDetail, SnapshotDiff, SnapshotView, WorkspaceImport,
    WorkspaceZip,
};
use crate::http::download;
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;
use cistern_store::TimeCursor;

/// `POST /api/v1/workspaces/{id}/snapshots`: saves the working tree as a snapshot (rows only:
/// contents are shared with the tree).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/snapshots", operation_id = "create_snapshot", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id")), request_body = CreateSnapshot,
    security(("bearer" = [])),
    responses((status = 201, body = SnapshotView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`message` longer than 500 characters")))]
pub async fn create_snapshot(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    ApiJson(body): ApiJson<CreateSnapshot>,
) -> Result<(StatusCode, Json<SnapshotView>), ApiError> {
    let message = body.message.unwrap_or_default();
    let snapshot = workspaces
        .snapshot(&principal.user_id, id.as_str(), &message)
        .await?;
    Ok((StatusCode::CREATED, Json(snapshot.into())))
}

/// `GET /api/v1/workspaces/{id}/snapshots`: the workspace's snapshots, newest first.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/snapshots", operation_id = "list_snapshots", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"), PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<SnapshotView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn list_snapshots(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    page: PageRequest,
) -> Result<Json<Page<SnapshotView>>, ApiError> {
    let found = workspaces
        .snapshots(
            &principal.user_id,
            id.as_str(),
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    Ok(Json(
        page.page(found, |s| s.cursor().to_string()).map(Into::into),
    ))
}

/// `GET /api/v1/workspaces/{id}/snapshots/{sid}`: one snapshot with its files.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/snapshots/{sid}", operation_id = "get_snapshot", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"), ("sid" = String, Path, description = "Snapshot id")),
    security(("bearer" = [])),
    responses((status = 200, body = SnapshotDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_snapshot(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, sid)): Path<(String, String)>,
) -> Result<Json<SnapshotDetail>, ApiError> {
    let sid = ResourceId::parse_as("sid", &sid)?;
    let (snapshot, files) = workspaces
        .snapshot_files(&principal.user_id, id.as_str(), sid.as_str())
        .await?;
    Ok(Json(SnapshotDetail {
        snapshot: snapshot.into(),
        files: files.into_iter().map(Into::into).collect(),
    }))
}

/// `GET /api/v1/workspaces/{id}/snapshots/{sid}/diff?to=`: what changed from this snapshot to
/// snapshot `to`, or to the working tree when `to` is absent — per file, a unified diff and
/// its hunks.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/snapshots/{sid}/diff", operation_id = "diff_snapshot", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"), ("sid" = String, Path, description = "Snapshot id to diff from"),
           DiffParams),
    security(("bearer" = [])),
    responses((status = 200, body = SnapshotDiff), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such workspace, or either snapshot is not one of its"),
              (status = 422, body = ErrorBody, description = "A malformed id; `details.field` names it")))]
pub async fn diff_snapshot(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, sid)): Path<(String, String)>,
    ApiQuery(params): ApiQuery<DiffParams>,
) -> Result<Json<SnapshotDiff>, ApiError> {
    let sid = ResourceId::parse_as("sid", &sid)?;
    let to = params
        .to
        .as_deref()
        .map(|to| ResourceId::parse_as("to", to))
        .transpose()?;
    let diff = workspaces
        .diff(
            &principal.user_id,
            id.as_str(),
            sid.as_str(),
            to.as_ref().map(ResourceId::as_str),
        )
        .await?;
    Ok(Json(diff.into()))
}

/// `POST /api/v1/workspaces/{id}/snapshots/{sid}/restore`: makes the working tree equal to
/// the snapshot, recorded as a new snapshot (the one before stays: nothing is lost).
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/snapshots/{sid}/restore", operation_id = "restore_snapshot", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"), ("sid" = String, Path, description = "Snapshot id")),
    security(("bearer" = [])),
    responses((status = 201, body = SnapshotView, description = "The new snapshot: the tree as restored"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn restore_snapshot(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, sid)): Path<(String, String)>,
) -> Result<(StatusCode, Json<SnapshotView>), ApiError> {
    let sid = ResourceId::parse_as("sid", &sid)?;
    let snapshot = workspaces
        .restore(&principal.user_id, id.as_str(), sid.as_str())
        .await?;
    Ok((StatusCode::CREATED, Json(snapshot.into())))
}

/// `GET /api/v1/workspaces/{id}/snapshots/{sid}/zip`: the snapshot's files as a ZIP.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/snapshots/{sid}/zip", operation_id = "download_snapshot", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"), ("sid" = String, Path, description = "Snapshot id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The ZIP", content_type = "application/zip"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_snapshot(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, sid)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let sid = ResourceId::parse_as("sid", &sid)?;
    let (name, zip) = workspaces
        .snapshot_zip(&principal.user_id, id.as_str(), sid.as_str())
        .await?;
    Ok(download::zip(&name, zip))
}

/// `POST /api/v1/workspaces/{id}/import`: adds the text files of a ZIP (the body,
/// `application/zip`) to the working tree, all or nothing, then takes a snapshot. A single
/// top-level folder shared by every entry is stripped; unsafe paths, symlinks, binary files
/// and files over `agent.max_file_bytes` are skipped and listed.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/import", operation_id = "import_workspace_zip", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id")),
    request_body(content = WorkspaceZip, content_type = "application/zip", description = "A ZIP archive (`application/x-zip-compressed` is accepted too)"),
    security(("bearer" = [])),
    responses((status = 200, body = WorkspaceImport),
              (status = 400, body = ErrorBody, description = "The body could not be read to its end"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody, description = "The ZIP is larger than `agent.max_zip_bytes`, unpacks beyond `agent.max_workspace_bytes`, or the files exceed `agent.max_files`"),
              (status = 415, body = ErrorBody, description = "The body is not `application/zip`"),
              (status = 422, body = ErrorBody, description = "The body is not a readable ZIP; `details.field` is `body`")))]
pub async fn import_workspace_zip(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<WorkspaceImport>, ApiError> {
    let limit = workspaces.config().max_zip_bytes;
    let archive = zip_body(&headers, body, limit).await?;
    let imported = workspaces
        .import_zip(&principal.user_id, id.as_str(), archive)
        .await?;
    Ok(Json(imported.into()))
}

/// A ZIP request body, at most `limit` bytes: 415 for another content type, 413 beyond the
/// limit (refused from `Content-Length` before reading when it is declared).
async fn zip_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let content_type = crate::http::header_essence(headers, header::CONTENT_TYPE);
    if !matches!(
        content_type.as_str(),
        "application/zip" | "application/x-zip-compressed"
    ) {
        return Err(ApiError::unsupported_media_type(
            "send the archive as the body with `Content-Type: application/zip`",
        ));
    }
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("an imported ZIP is at most {limit} bytes (agent.max_zip_bytes)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut bytes = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("the body could not be read"))?;
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}
