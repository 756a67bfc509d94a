//! `/api/v1/jobs…`: the caller's jobs — list, one, cancel, retry. Thin: parse, call
//! [`cistern_jobs::Jobs`] with `Scope::Owner(caller)`, map. Another user's job is a 404.

use axum::Json;
use axum::extract::{Path, State};
use cistern_jobs::{CancelOutcome, JobFilter, JobId, JobStatus, Jobs, RetryOutcome, Scope};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::api_error;
use super::view::{JobView, Status};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::platform::auth::Principal;

/// Query of `GET /api/v1/jobs`. Every field is text here and parsed by hand, so a bad value is
/// a 422 naming its field rather than the framework's anonymous 400.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only jobs in this status: `queued`, `running`, `succeeded`, `failed`, `dead`, `cancelled`.
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    /// Only jobs of this queue.
    pub queue: Option<String>,
    /// Only jobs of this handler kind.
    pub name: Option<String>,
}

/// The answer to a cancel or a retry: what happened, and the job now.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobActionView {
    /// `cancelled` (it was queued), `cancel_requested` (it is running: its handler was told
    /// and it ends `cancelled`), or `requeued`.
    pub outcome: String,
    /// The job after the action.
    pub job: JobView,
}

/// Parses a job id from a path; malformed is a 422 naming `id`.
pub(crate) fn parse_id(id: &str) -> Result<JobId, ApiError> {
    JobId::parse(id).map_err(|_| ApiError::validation("id", "id must be a job id (a UUID)"))
}

fn not_found() -> ApiError {
    ApiError::not_found("no such job")
}

impl ListQuery {
    fn filter(self, page: &PageRequest) -> Result<JobFilter, ApiError> {
        let status = self
            .status
            .map(|s| {
                JobStatus::parse(&s).map_err(|_| {
                    ApiError::validation(
                        "status",
                        "status must be one of queued, running, succeeded, failed, dead, cancelled",
                    )
                })
            })
            .transpose()?;
        if let Some(queue) = &self.queue {
            cistern_jobs::validate_queue(queue).map_err(|_| {
                ApiError::validation("queue", "queue must be 1 to 64 of [A-Za-z0-9_-]")
            })?;
        }
        Ok(JobFilter {
            status,
            queue: self.queue,
            name: self.name,
            before: page.cursor_as(|c| JobId::parse(c).ok())?,
            limit: page.limit,
        })
    }
}

/// `GET /api/v1/jobs`: your jobs, newest first, filtered, a page at a time.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs", params(ListQuery, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<JobView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_jobs(
    State(jobs): State<Jobs>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListQuery>,
    page: PageRequest,
) -> Result<Json<Page<JobView>>, ApiError> {
    let filter = query.filter(&page)?;
    let found = jobs
        .list(Scope::Owner(&principal.user_id), &filter)
        .await
        .map_err(api_error)?;
    let next_cursor = found.next_cursor.map(|c| c.to_string());
    Ok(Json(Page::new(found.jobs, next_cursor).map(JobView::from)))
}

/// `GET /api/v1/jobs/{id}`: one of your jobs — status, attempts, progress, result or errors.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    security(("bearer" = [])),
    responses((status = 200, body = JobView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn get_job(
    State(jobs): State<Jobs>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    let id = parse_id(&id)?;
    Ok(Json(current(&jobs, &principal.user_id, &id).await?))
}

/// The caller's job `id` as it is now; someone else's is a 404.
async fn current(jobs: &Jobs, owner: &str, id: &JobId) -> Result<JobView, ApiError> {
    let job = jobs
        .get(Scope::Owner(owner), id)
        .await
        .map_err(api_error)?
        .ok_or_else(not_found)?;
    Ok(job.into())
}

/// `POST /api/v1/jobs/{id}/cancel`: cancels a queued job at once, or tells a running job's
/// handler to stop (it then ends `cancelled`). A finished job is a 409.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    security(("bearer" = [])),
    responses((status = 200, body = JobActionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "The job has already finished"), (status = 422, body = ErrorBody)))]
pub async fn cancel_job(
    State(jobs): State<Jobs>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<JobActionView>, ApiError> {
    let id = parse_id(&id)?;
    let owner = principal.user_id.as_str();
    let outcome = jobs
        .cancel(Scope::Owner(owner), &id)
        .await
        .map_err(api_error)?
        .ok_or_else(not_found)?;
    let outcome = match outcome {
        CancelOutcome::Cancelled => "cancelled",
        CancelOutcome::Requested => "cancel_requested",
        CancelOutcome::AlreadyFinished(status) => {
            return Err(ApiError::conflict(format!(
                "the job has already finished ({})",
                status.as_str()
            ))
            .with_details(json!({ "status": Status::from(status) })));
        }
    };
    let job = current(&jobs, owner, &id).await?;
    Ok(Json(JobActionView {
        outcome: outcome.to_owned(),
        job,
    }))
}

/// `POST /api/v1/jobs/{id}/retry`: queues a `failed` or `dead` (or `cancelled`) job again with
/// a fresh attempt budget. Any other status is a 409 whose `details.status` says which.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    security(("bearer" = [])),
    responses((status = 200, body = JobActionView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "Not failed, dead or cancelled; or a live duplicate exists"),
              (status = 422, body = ErrorBody)))]
pub async fn retry_job(
    State(jobs): State<Jobs>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<JobActionView>, ApiError> {
    let id = parse_id(&id)?;
    let owner = principal.user_id.as_str();
    let outcome = jobs
        .retry(Scope::Owner(owner), &id)
        .await
        .map_err(api_error)?
        .ok_or_else(not_found)?;
    match outcome {
        RetryOutcome::Requeued => {}
        RetryOutcome::NotRetryable(status) => {
            return Err(ApiError::conflict(format!(
                "only failed, dead or cancelled jobs can be retried; this one is {}",
                status.as_str()
            ))
            .with_details(json!({ "status": Status::from(status) })));
        }
        RetryOutcome::Duplicate(other) => {
            return Err(ApiError::conflict(
                "a live job with the same dedup key exists; retry it once that one has finished",
            )
            .with_details(json!({ "duplicate_of": other.to_string() })));
        }
    }
    let job = current(&jobs, owner, &id).await?;
    Ok(Json(JobActionView {
        outcome: "requeued".to_owned(),
        job,
    }))
}
