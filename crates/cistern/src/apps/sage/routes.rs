//! `/api/v1/sage/projects…`: thin handlers over [`Sage`] — extract, one call, map. Another
//! user's project is a 404 on every route.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use cistern_store::TimeCursor;

use super::Sage;
use super::ingest::{BodyFormat, Source};
use super::views::{
    Alerts, CreateProject, FalseAlarmBody, FeedbackBody, ForecastView, IngestOutcome, IngestView,
    Mutes, PastedLogs, ProjectView, RiskHistory, RiskQuery, Templates, TemplatesQuery,
    UpdateProject,
};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::header_essence;
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;
use cistern_logs::ingest::{Encoding, Framing};

/// `POST /api/v1/sage/projects`: a new log project.
#[utoipa::path(post, path = "/api/v1/sage/projects", operation_id = "create_sage_project", tag = "sage",
    request_body = CreateProject, security(("bearer" = [])),
    responses((status = 201, body = ProjectView), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "You have `sage.max_projects` projects already"),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it")))]
pub async fn create_project(
    State(sage): State<Sage>,
    principal: Principal,
    ApiJson(body): ApiJson<CreateProject>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let project = sage.create(&principal.user_id, body.into()).await?;
    let learning = sage.config().learning_ingests;
    Ok((
        StatusCode::CREATED,
        Json(ProjectView::new(project, learning)),
    ))
}

/// `GET /api/v1/sage/projects`: your projects, newest first, each with its latest score.
#[utoipa::path(get, path = "/api/v1/sage/projects", operation_id = "list_sage_projects", tag = "sage",
    params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<ProjectView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_projects(
    State(sage): State<Sage>,
    principal: Principal,
    page: PageRequest,
) -> Result<Json<Page<ProjectView>>, ApiError> {
    let found = sage
        .list(
            &principal.user_id,
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    let learning = sage.config().learning_ingests;
    Ok(Json(
        page.page(found, |p| p.cursor().to_string())
            .map(|p| ProjectView::new(p, learning)),
    ))
}

/// `GET /api/v1/sage/projects/{id}`.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}", operation_id = "get_sage_project", tag = "sage",
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = ProjectView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_project(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<ProjectView>, ApiError> {
    let project = sage.get(&principal.user_id, id.as_str()).await?;
    Ok(Json(ProjectView::new(
        project,
        sage.config().learning_ingests,
    )))
}

/// `PATCH /api/v1/sage/projects/{id}`: name, description, alert settings.
#[utoipa::path(patch, path = "/api/v1/sage/projects/{id}", operation_id = "update_sage_project", tag = "sage",
    params(("id" = String, Path, description = "Project id")), request_body = UpdateProject,
    security(("bearer" = [])),
    responses((status = 200, body = ProjectView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it")))]
pub async fn update_project(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    ApiJson(body): ApiJson<UpdateProject>,
) -> Result<Json<ProjectView>, ApiError> {
    let project = sage
        .update(&principal.user_id, id.as_str(), body.into())
        .await?;
    Ok(Json(ProjectView::new(
        project,
        sage.config().learning_ingests,
    )))
}

/// `DELETE /api/v1/sage/projects/{id}`: the project, its ingests, templates and raw logs.
#[utoipa::path(delete, path = "/api/v1/sage/projects/{id}", operation_id = "delete_sage_project", tag = "sage",
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_project(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
) -> Result<StatusCode, ApiError> {
    sage.delete(&principal.user_id, id.as_str()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/sage/projects/{id}/ingest`: logs as `text/plain`, NDJSON
/// (`application/x-ndjson`, as Vector and Fluent Bit send), a gzip file (`application/gzip`),
/// a multipart file upload (field `file`), or JSON `{logs}`; `Content-Encoding: gzip` on any
/// of them. Read as it arrives (never buffered whole), kept gzipped, scored with the project's
/// memory, answered with the score. API keys work, so a shipper can send continuously.
#[utoipa::path(post, path = "/api/v1/sage/projects/{id}/ingest", operation_id = "ingest_sage_logs", tag = "sage",
    params(("id" = String, Path, description = "Project id"),
           ("Content-Encoding" = Option<String>, Header, description = "`gzip`, or absent")),
    request_body(content(
        (String = "text/plain"),
        (String = "application/x-ndjson"),
        (Vec<u8> = "application/gzip"),
        (Vec<u8> = "multipart/form-data"),
        (PastedLogs = "application/json"),
    )),
    security(("bearer" = [])),
    responses((status = 200, body = IngestOutcome, description = "Stored and scored"),
              (status = 400, body = ErrorBody, description = "The body is not what its headers say: bad gzip, an NDJSON line that is not an object or has no message, malformed JSON or multipart"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413, body = ErrorBody, description = "More than `sage.max_ingest_bytes` received or decoded; nothing stored"),
              (status = 415, body = ErrorBody, description = "Another content type or content encoding"),
              (status = 422, body = ErrorBody, description = "No non-blank line; `details.field` is `logs`"),
              (status = 503, body = ErrorBody, description = "The remote scorer is unavailable; the ingest is kept as failed")))]
pub async fn ingest(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    request: axum::extract::Request,
) -> Result<Json<IngestOutcome>, ApiError> {
    let headers = request.headers();
    let encoding = match header_essence(headers, header::CONTENT_ENCODING).as_str() {
        "" | "identity" => Encoding::Identity,
        "gzip" | "x-gzip" => Encoding::Gzip,
        other => {
            return Err(ApiError::unsupported_media_type(format!(
                "Content-Encoding {other:?}; send gzip or none"
            )));
        }
    };
    let kind = header_essence(headers, header::CONTENT_TYPE);
    let owner = &principal.user_id;
    let format = |source, framing, encoding| BodyFormat {
        source,
        framing,
        encoding,
    };
    let done = match kind.as_str() {
        "text/plain" => {
            let body = request.into_body().into_data_stream();
            sage.ingest_stream(
                owner,
                id.as_str(),
                format(Source::Text, Framing::Text, encoding),
                body,
            )
            .await?
        }
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/json-lines"
        | "application/x-jsonlines" => {
            let body = request.into_body().into_data_stream();
            let f = format(Source::Ndjson, Framing::Ndjson, encoding);
            sage.ingest_stream(owner, id.as_str(), f, body).await?
        }
        "application/gzip" | "application/x-gzip" => {
            let body = request.into_body().into_data_stream();
            let f = format(Source::File, Framing::Text, Encoding::Gzip);
            sage.ingest_stream(owner, id.as_str(), f, body).await?
        }
        "multipart/form-data" => {
            use axum::extract::FromRequest;
            let mut form = axum::extract::Multipart::from_request(request, &())
                .await
                .map_err(|e| {
                    ApiError::bad_request(format!("the multipart body is malformed: {e}"))
                })?;
            let field = loop {
                let field = form
                    .next_field()
                    .await
                    .map_err(|e| {
                        ApiError::bad_request(format!("the multipart body is malformed: {e}"))
                    })?
                    .ok_or_else(|| ApiError::validation("file", "the form has no `file` field"))?;
                if field.name() == Some("file") {
                    break field;
                }
            };
            let f = upload_format(
                field.file_name().unwrap_or(""),
                field.content_type().unwrap_or(""),
            );
            sage.ingest_stream(owner, id.as_str(), f, field).await?
        }
        "application/json" => {
            let limit = usize::try_from(sage.config().max_ingest_bytes).unwrap_or(usize::MAX);
            let body = axum::body::to_bytes(request.into_body(), limit)
                .await
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        format!("the logs are larger than {limit} bytes (sage.max_ingest_bytes)"),
                    )
                })?;
            let pasted: PastedLogs = serde_json::from_slice(&body).map_err(|e| {
                ApiError::bad_request(format!("the body is not `{{\"logs\": \"…\"}}`: {e}"))
            })?;
            let raw = body.len() as u64;
            sage.ingest(owner, id.as_str(), Source::Paste, pasted.logs, raw)
                .await?
        }
        other => {
            return Err(ApiError::unsupported_media_type(format!(
                "Content-Type {:?}; send text/plain, application/x-ndjson, application/gzip, \
                 multipart/form-data (field `file`) or application/json {{\"logs\": \"…\"}}",
                if other.is_empty() { "(none)" } else { other }
            )));
        }
    };
    Ok(Json(done.into()))
}

/// An uploaded file's framing and encoding, from its name and type: `.gz` is gzip, `.ndjson`
/// and `.jsonl` are NDJSON, anything else is text.
fn upload_format(name: &str, content_type: &str) -> BodyFormat {
    let name = name.to_ascii_lowercase();
    let gzip =
        name.ends_with(".gz") || matches!(content_type, "application/gzip" | "application/x-gzip");
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    let ndjson = stem.ends_with(".ndjson")
        || stem.ends_with(".jsonl")
        || content_type == "application/x-ndjson";
    BodyFormat {
        source: Source::File,
        framing: if ndjson {
            Framing::Ndjson
        } else {
            Framing::Text
        },
        encoding: if gzip {
            Encoding::Gzip
        } else {
            Encoding::Identity
        },
    }
}

/// `GET /api/v1/sage/projects/{id}/ingests`: the project's ingests, newest first.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/ingests", operation_id = "list_sage_ingests", tag = "sage",
    params(("id" = String, Path, description = "Project id"), PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<IngestView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_ingests(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    page: PageRequest,
) -> Result<Json<Page<IngestView>>, ApiError> {
    let found = sage
        .ingests(
            &principal.user_id,
            id.as_str(),
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    Ok(Json(
        page.page(found, |i| i.cursor().to_string()).map(Into::into),
    ))
}

/// `GET /api/v1/sage/projects/{id}/risk-history?days=30`: the scored ingests of the period,
/// oldest first — the points of the risk chart.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/risk-history", operation_id = "sage_risk_history", tag = "sage",
    params(("id" = String, Path, description = "Project id"), RiskQuery), security(("bearer" = [])),
    responses((status = 200, body = RiskHistory), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`days` outside 1–365")))]
pub async fn risk_history(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    ApiQuery(query): ApiQuery<RiskQuery>,
) -> Result<Json<RiskHistory>, ApiError> {
    let days = query.days.unwrap_or(30);
    if !(1..=365).contains(&days) {
        return Err(ApiError::validation("days", "days must be 1–365"));
    }
    let points = sage
        .risk_history(&principal.user_id, id.as_str(), days)
        .await?;
    Ok(Json(RiskHistory {
        points: points.into_iter().map(Into::into).collect(),
    }))
}

/// `GET /api/v1/sage/projects/{id}/templates?since=`: the most frequent templates, and those
/// first seen since `since` (default: the last 24 hours), with counts and an example line.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/templates", operation_id = "sage_templates", tag = "sage",
    params(("id" = String, Path, description = "Project id"), TemplatesQuery), security(("bearer" = [])),
    responses((status = 200, body = Templates), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "`since` not RFC 3339, or `limit` outside 1–500")))]
pub async fn templates(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    ApiQuery(query): ApiQuery<TemplatesQuery>,
) -> Result<Json<Templates>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "limit must be 1–500"));
    }
    let since = match query.since.as_deref() {
        Some(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
            .map_err(|e| ApiError::validation("since", format!("since must be RFC 3339: {e}")))?,
        None => cistern_store::sql::now_ms() - 86_400_000,
    };
    let owner = &principal.user_id;
    let top = sage.templates(owner, id.as_str(), None, limit).await?;
    let new = sage
        .templates(owner, id.as_str(), Some(since), limit)
        .await?;
    Ok(Json(Templates {
        top: top.into_iter().map(Into::into).collect(),
        new: new.into_iter().map(Into::into).collect(),
        since: crate::time::rfc3339(since),
    }))
}

/// `GET /api/v1/sage/projects/{id}/forecast`: today's forecast — written on the day's first
/// read (by the model, or statistically when there is none), then served as stored.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/forecast", operation_id = "sage_forecast", tag = "sage",
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = ForecastView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "`no_history`: the project has no scored ingest yet"),
              (status = 422, body = ErrorBody)))]
pub async fn get_forecast(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<ForecastView>, ApiError> {
    let row = sage.forecast(&principal.user_id, id.as_str()).await?;
    Ok(Json(ForecastView::try_from(row)?))
}

/// `GET /api/v1/sage/projects/{id}/forecasts`: past forecasts with their feedback, newest first.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/forecasts", operation_id = "list_sage_forecasts", tag = "sage",
    params(("id" = String, Path, description = "Project id"), PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<ForecastView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_forecasts(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    page: PageRequest,
) -> Result<Json<Page<ForecastView>>, ApiError> {
    let found = sage
        .forecasts(
            &principal.user_id,
            id.as_str(),
            page.parsed_cursor::<TimeCursor>()?.as_ref(),
            page.limit_i64(),
        )
        .await?;
    let page = page.page(found, |f| f.cursor().to_string());
    let items = page
        .items
        .into_iter()
        .map(ForecastView::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Page {
        items,
        next_cursor: page.next_cursor,
    }))
}

/// `POST /api/v1/sage/projects/{id}/forecasts/{forecast_id}/feedback`: was it accurate? Kept
/// with the forecast and given to the next ones.
#[utoipa::path(post, path = "/api/v1/sage/projects/{id}/forecasts/{forecast_id}/feedback", operation_id = "sage_forecast_feedback", tag = "sage",
    params(("id" = String, Path, description = "Project id"), ("forecast_id" = String, Path, description = "Forecast id")),
    request_body = FeedbackBody, security(("bearer" = [])),
    responses((status = 200, body = ForecastView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "Bad input; `details.field` names it")))]
pub async fn forecast_feedback(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    axum::extract::Path((_id, forecast_id)): axum::extract::Path<(String, String)>,
    ApiJson(body): ApiJson<FeedbackBody>,
) -> Result<Json<ForecastView>, ApiError> {
    let row = sage
        .feedback(
            &principal.user_id,
            id.as_str(),
            &forecast_id,
            body.accurate,
            body.comment,
            body.false_alarms
                .into_iter()
                .map(|f| (f.label, f.template))
                .collect(),
        )
        .await?;
    Ok(Json(ForecastView::try_from(row)?))
}

/// `GET /api/v1/sage/projects/{id}/alerts`: the project's latest alerts with their delivery
/// log (attempts, the webhook's last status or error), newest first.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/alerts", operation_id = "list_sage_alerts", tag = "sage",
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = Alerts), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_alerts(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<Alerts>, ApiError> {
    let found = sage.alerts(&principal.user_id, id.as_str()).await?;
    Ok(Json(Alerts {
        items: found.into_iter().map(Into::into).collect(),
    }))
}

/// `GET /api/v1/sage/projects/{id}/mutes`: labels marked as false alarms (in forecast
/// feedback), with their marks; those marked on three forecasts are muted.
#[utoipa::path(get, path = "/api/v1/sage/projects/{id}/mutes", operation_id = "list_sage_mutes", tag = "sage",
    params(("id" = String, Path, description = "Project id")), security(("bearer" = [])),
    responses((status = 200, body = Mutes), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_mutes(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<Mutes>, ApiError> {
    let found = sage.mutes(&principal.user_id, id.as_str()).await?;
    Ok(Json(Mutes {
        items: found.into_iter().map(Into::into).collect(),
    }))
}

/// `DELETE /api/v1/sage/projects/{id}/mutes?label=&template=`: forgets a label's marks for a
/// template — the mute is lifted and the label counts again.
#[utoipa::path(delete, path = "/api/v1/sage/projects/{id}/mutes", operation_id = "delete_sage_mute", tag = "sage",
    params(("id" = String, Path, description = "Project id"), FalseAlarmBody), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "No such project, or no marks for that label and template"),
              (status = 422, body = ErrorBody)))]
pub async fn delete_mute(
    State(sage): State<Sage>,
    principal: Principal,
    id: ResourceId,
    ApiQuery(query): ApiQuery<FalseAlarmBody>,
) -> Result<StatusCode, ApiError> {
    let alarm = super::mutes::FalseAlarm {
        label: query.label,
        template: query.template.unwrap_or_default(),
    };
    sage.unmute(&principal.user_id, id.as_str(), &alarm).await?;
    Ok(StatusCode::NO_CONTENT)
}
