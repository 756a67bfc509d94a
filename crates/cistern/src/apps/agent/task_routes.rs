//! `/api/v1/agent/tasks…`: thin handlers over [`Tasks`] — extract, one call, map. Another
//! user's task (or workspace) is a 404.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use cistern_store::TimeCursor;
use futures::Stream;
use tokio_util::sync::CancellationToken;

use super::Tasks;
use super::review::ReviewRequest;
use super::task_views::{
    CreateTask, MergePreview, ReviewOutcome, TaskFilter, TaskStarted, TaskView,
};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::audit::RequestContext;
use crate::platform::auth::Principal;
use crate::platform::jobs::events::{self, EventsQuery, JobEventView};

/// `POST /api/v1/agent/tasks`: queues a task; follow it with `GET …/{id}` or `…/{id}/events`.
#[utoipa::path(post, path = "/api/v1/agent/tasks", operation_id = "create_agent_task", tag = "agent",
    request_body = CreateTask, security(("bearer" = [])),
    responses((status = 202, body = TaskStarted),
              (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such workspace, or unknown model"),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it"),
              (status = 429, body = ErrorBody, description = "Too many tasks running, the rate limit, or the monthly quota")))]
pub async fn create_task(
    State(tasks): State<Tasks>,
    principal: Principal,
    ctx: RequestContext,
    ApiJson(body): ApiJson<CreateTask>,
) -> Result<(StatusCode, Json<TaskStarted>), ApiError> {
    let task = tasks.start(&principal.user_id, body.into(), &ctx).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(TaskStarted {
            task_id: task.id,
            status: task.status,
            job_id: task.job_id,
        }),
    ))
}

/// `GET /api/v1/agent/tasks`: your tasks, newest first (in one workspace with `workspace_id`).
#[utoipa::path(get, path = "/api/v1/agent/tasks", operation_id = "list_agent_tasks", tag = "agent",
    params(PageParams, TaskFilter), security(("bearer" = [])),
    responses((status = 200, body = Page<TaskView>), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such workspace"),
              (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(tasks): State<Tasks>,
    principal: Principal,
    page: PageRequest,
    ApiQuery(filter): ApiQuery<TaskFilter>,
) -> Result<Json<Page<TaskView>>, ApiError> {
    let found = tasks
        .list(
            &principal.user_id,
            filter.workspace_id.as_deref(),
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    Ok(Json(
        page.page(found, |t| t.cursor().to_string()).map(Into::into),
    ))
}

/// `GET /api/v1/agent/tasks/{id}`: one task — status, proposal, metrics, review.
#[utoipa::path(get, path = "/api/v1/agent/tasks/{id}", operation_id = "get_agent_task", tag = "agent",
    params(("id" = String, Path, description = "Task id")), security(("bearer" = [])),
    responses((status = 200, body = TaskView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(tasks): State<Tasks>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(
        tasks.get(&principal.user_id, id.as_str()).await?.into(),
    ))
}

/// `GET /api/v1/agent/tasks/{id}/events`: what the agent does, as it does it — its job's event
/// stream (progress names each file read, each search, each proposal and repair round).
#[utoipa::path(get, path = "/api/v1/agent/tasks/{id}/events", operation_id = "agent_task_events", tag = "agent",
    params(("id" = String, Path, description = "Task id"), EventsQuery,
           ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id")),
    security(("bearer" = [])),
    responses((status = 200, description = "Server-Sent Events, as `GET /api/v1/jobs/{id}/events`",
               content_type = "text/event-stream", body = JobEventView),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn task_events(
    State(tasks): State<Tasks>,
    State(shutdown): State<CancellationToken>,
    principal: Principal,
    id: ResourceId,
    ApiQuery(query): ApiQuery<EventsQuery>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>>, ApiError> {
    let task = tasks.get(&principal.user_id, id.as_str()).await?;
    events::stream(
        tasks.jobs.clone(),
        shutdown,
        tasks.settings(),
        principal.user_id,
        &task.job_id,
        query.after.as_deref(),
        &headers,
    )
    .await
}

/// `POST /api/v1/agent/tasks/{id}/accept`: puts the chosen hunks (all undecided ones by
/// default) into the workspace and rejects the rest; a file changed since the task read it is
/// merged three-way.
#[utoipa::path(post, path = "/api/v1/agent/tasks/{id}/accept", operation_id = "accept_agent_task", tag = "agent",
    params(("id" = String, Path, description = "Task id")), request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ReviewOutcome, description = "Written; a snapshot before and after"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not done, already decided, changed meanwhile, or `merge_conflict` (`details.conflicts`); nothing changed"),
              (status = 413, body = ErrorBody, description = "The workspace would exceed its limits"),
              (status = 422, body = ErrorBody, description = "A file or hunk the task does not propose")))]
pub async fn accept_task(
    State(tasks): State<Tasks>,
    principal: Principal,
    ctx: RequestContext,
    id: ResourceId,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<ReviewOutcome>, ApiError> {
    let done = tasks
        .accept(&principal.user_id, id.as_str(), body, &ctx)
        .await?;
    Ok(Json(done.into()))
}

/// `POST /api/v1/agent/tasks/{id}/reject`: rejects the chosen hunks (all undecided ones by
/// default), with an optional reason the next task is told.
#[utoipa::path(post, path = "/api/v1/agent/tasks/{id}/reject", operation_id = "reject_agent_task", tag = "agent",
    params(("id" = String, Path, description = "Task id")), request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ReviewOutcome),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not done, or already decided"),
              (status = 422, body = ErrorBody, description = "A file or hunk the task does not propose, or a reason too long")))]
pub async fn reject_task(
    State(tasks): State<Tasks>,
    principal: Principal,
    ctx: RequestContext,
    id: ResourceId,
    ApiJson(body): ApiJson<ReviewRequest>,
) -> Result<Json<ReviewOutcome>, ApiError> {
    let done = tasks
        .reject(&principal.user_id, id.as_str(), body, &ctx)
        .await?;
    Ok(Json(done.into()))
}

/// `GET /api/v1/agent/tasks/{id}/merge-preview`: for each file changed in the workspace since
/// the task read it, what accepting every undecided hunk would write — the three-way merge, or
/// the regions that conflict. Changes nothing.
#[utoipa::path(get, path = "/api/v1/agent/tasks/{id}/merge-preview", operation_id = "preview_agent_task_merge", tag = "agent",
    params(("id" = String, Path, description = "Task id")), security(("bearer" = [])),
    responses((status = 200, body = MergePreview),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not done, or proposes nothing"),
              (status = 422, body = ErrorBody)))]
pub async fn preview_merge(
    State(tasks): State<Tasks>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<MergePreview>, ApiError> {
    let files = tasks.merge_preview(&principal.user_id, id.as_str()).await?;
    Ok(Json(MergePreview {
        files: files.into_iter().map(Into::into).collect(),
    }))
}
