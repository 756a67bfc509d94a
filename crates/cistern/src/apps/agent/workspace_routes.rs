//! `/api/v1/workspaces…`: a workspace and its working tree — thin handlers over
//! [`Workspaces`] (extract, one call, map). Another user's workspace is a 404. Snapshots,
//! diffs and ZIPs are in `snapshot_routes`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::Workspaces;
use super::workspace_views::{
    ContentView, CreateWorkspace, RenameWorkspace, WorkspaceFile, WorkspaceFileView,
    WorkspaceFromGeneration, WorkspaceView, WriteWorkspaceFile,
};
use crate::apps::codegen::Codegen;
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::page::{Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;
use cistern_store::TimeCursor;

/// `POST /api/v1/workspaces`: a new, empty workspace.
#[utoipa::path(post, path = "/api/v1/workspaces", operation_id = "create_workspace", tag = "workspaces",
    request_body = CreateWorkspace, security(("bearer" = [])),
    responses((status = 201, body = WorkspaceView), (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Bad name; `details.field` names it")))]
pub async fn create_workspace(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    ApiJson(body): ApiJson<CreateWorkspace>,
) -> Result<(StatusCode, Json<WorkspaceView>), ApiError> {
    let workspace = workspaces.create(&principal.user_id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(workspace.into())))
}

/// `GET /api/v1/workspaces`: your workspaces, newest first.
#[utoipa::path(get, path = "/api/v1/workspaces", operation_id = "list_workspaces", tag = "workspaces",
    params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<WorkspaceView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_workspaces(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    page: PageRequest,
) -> Result<Json<Page<WorkspaceView>>, ApiError> {
    let found = workspaces
        .list(
            &principal.user_id,
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    Ok(Json(
        page.page(found, |w| w.cursor().to_string()).map(Into::into),
    ))
}

/// `POST /api/v1/workspaces/from_generation`: a workspace holding a ready code generation's
/// files, with a first snapshot.
#[utoipa::path(post, path = "/api/v1/workspaces/from_generation", operation_id = "create_workspace_from_generation", tag = "workspaces",
    request_body = WorkspaceFromGeneration, security(("bearer" = [])),
    responses((status = 201, body = WorkspaceView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such generation of yours"),
              (status = 409, body = ErrorBody, description = "The generation is pending or failed"),
              (status = 413, body = ErrorBody, description = "Its files exceed an `agent.max_*` limit"),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it")))]
pub async fn create_workspace_from_generation(
    State(workspaces): State<Workspaces>,
    State(codegen): State<Codegen>,
    principal: Principal,
    ApiJson(body): ApiJson<WorkspaceFromGeneration>,
) -> Result<(StatusCode, Json<WorkspaceView>), ApiError> {
    let generation = ResourceId::parse_as("generation_id", &body.generation_id)?;
    let (workspace, _) = workspaces
        .from_generation(
            &codegen,
            &principal.user_id,
            generation.as_str(),
            body.name.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(workspace.into())))
}

/// `GET /api/v1/workspaces/{id}`: one workspace.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}", operation_id = "get_workspace", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id")), security(("bearer" = [])),
    responses((status = 200, body = WorkspaceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_workspace(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<WorkspaceView>, ApiError> {
    let workspace = workspaces.get(&principal.user_id, id.as_str()).await?;
    Ok(Json(workspace.into()))
}

/// `PATCH /api/v1/workspaces/{id}`: renames a workspace.
#[utoipa::path(patch, path = "/api/v1/workspaces/{id}", operation_id = "rename_workspace", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id")), request_body = RenameWorkspace,
    security(("bearer" = [])),
    responses((status = 200, body = WorkspaceView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Bad name; `details.field` names it")))]
pub async fn rename_workspace(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    ApiJson(body): ApiJson<RenameWorkspace>,
) -> Result<Json<WorkspaceView>, ApiError> {
    let workspace = workspaces
        .rename(&principal.user_id, id.as_str(), &body.name)
        .await?;
    Ok(Json(workspace.into()))
}

/// `DELETE /api/v1/workspaces/{id}`: the workspace, its snapshots, tasks and stored contents.
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}", operation_id = "delete_workspace", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_workspace(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
) -> Result<StatusCode, ApiError> {
    workspaces.delete(&principal.user_id, id.as_str()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/workspaces/{id}/files`: the working tree, by path, with each file's hash.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/files", operation_id = "list_workspace_files", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id")), security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkspaceFile>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_workspace_files(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<Vec<WorkspaceFile>>, ApiError> {
    let files = workspaces.files(&principal.user_id, id.as_str()).await?;
    Ok(Json(files.into_iter().map(Into::into).collect()))
}

/// `GET /api/v1/workspaces/{id}/files/{path}`: one file with its text and hash.
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/files/{path}", operation_id = "get_workspace_file", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"),
           ("path" = String, Path, description = "The file's path in the tree, e.g. `src/app.py` (may contain `/`)")), security(("bearer" = [])),
    responses((status = 200, body = WorkspaceFileView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "An unsafe path; `details.field` is `path`")))]
pub async fn get_workspace_file(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, path)): Path<(String, String)>,
) -> Result<Json<WorkspaceFileView>, ApiError> {
    let (row, content) = workspaces
        .read_file(&principal.user_id, id.as_str(), &path)
        .await?;
    Ok(Json(WorkspaceFileView::new(row, content)))
}

/// `PUT /api/v1/workspaces/{id}/files/{path}`: creates or replaces a file; with `base_hash`,
/// only if nobody saved over that version meanwhile.
#[utoipa::path(put, path = "/api/v1/workspaces/{id}/files/{path}", operation_id = "put_workspace_file", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"),
           ("path" = String, Path, description = "The file's path in the tree, e.g. `src/app.py` (may contain `/`)")),
    request_body = WriteWorkspaceFile, security(("bearer" = [])),
    responses((status = 200, body = WorkspaceFile, description = "The file as saved"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`base_hash` is no longer the file's hash: read it again"),
              (status = 413, body = ErrorBody, description = "Beyond `agent.max_file_bytes`, `agent.max_files` or `agent.max_workspace_bytes`"),
              (status = 422, body = ErrorBody, description = "An unsafe path, NUL bytes in `content`, or a malformed `base_hash`; `details.field` names it")))]
pub async fn put_workspace_file(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, path)): Path<(String, String)>,
    ApiJson(body): ApiJson<WriteWorkspaceFile>,
) -> Result<Json<WorkspaceFile>, ApiError> {
    let base_hash = body.base_hash()?;
    let row = workspaces
        .write_file(
            &principal.user_id,
            id.as_str(),
            &path,
            body.content,
            base_hash,
        )
        .await?;
    Ok(Json(row.into()))
}

/// `DELETE /api/v1/workspaces/{id}/files/{path}`: removes a file from the working tree
/// (snapshots keep it).
#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/files/{path}", operation_id = "delete_workspace_file", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"),
           ("path" = String, Path, description = "The file's path in the tree, e.g. `src/app.py` (may contain `/`)")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "The file changed while it was being deleted"),
              (status = 422, body = ErrorBody, description = "An unsafe path; `details.field` is `path`")))]
pub async fn delete_workspace_file(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, path)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    workspaces
        .delete_file(&principal.user_id, id.as_str(), &path)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/workspaces/{id}/contents/{hash}`: a file content by its SHA-256 — any version a
/// file of the workspace has held (the tree's, a snapshot's, a task's base or proposal).
#[utoipa::path(get, path = "/api/v1/workspaces/{id}/contents/{hash}", operation_id = "get_workspace_content", tag = "workspaces",
    params(("id" = String, Path, description = "Workspace id"),
           ("hash" = String, Path, description = "Hex SHA-256 of the content, as the API's `hash` fields give it")),
    security(("bearer" = [])),
    responses((status = 200, body = ContentView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such workspace, or it never held this content"),
              (status = 422, body = ErrorBody, description = "Not a SHA-256; `details.field` is `hash`")))]
pub async fn get_workspace_content(
    State(workspaces): State<Workspaces>,
    principal: Principal,
    id: ResourceId,
    Path((_id, hash)): Path<(String, String)>,
) -> Result<Json<ContentView>, ApiError> {
    let content = workspaces
        .content(&principal.user_id, id.as_str(), &hash)
        .await?;
    Ok(Json(ContentView { hash, content }))
}
