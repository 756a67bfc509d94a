//! `/api/v1/queues…`: users' pull queues (like Cloudflare Queues' HTTP pull consumers) over
//! [`cistern_jobs::UserQueues`], namespaced per caller: a queue name only ever means the
//! caller's own queue.
//!
//! An enqueue is answered only once the messages are committed (on SQLite: fsynced), so an
//! acknowledged enqueue survives a SIGKILL of the server a moment later. A lease may long-poll
//! up to 30 s (the request timeout makes room for it, see `crate::http::timeout`); a client
//! that goes away mid-poll loses nothing, and a lease neither acked nor nacked before its
//! visibility timeout is delivered again.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use cistern_jobs::{
    JobId, Jobs, LeaseRequest, MAX_BATCH, MAX_VISIBILITY, MAX_WAIT, OutgoingMessage,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;

use super::api_error;
use super::view::QueueDepthView;
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::platform::auth::Principal;

/// One message to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutgoingMessageBody {
    /// Any JSON value — object, array, string, number, boolean or null — at most 256 KiB
    /// serialized; delivered exactly as sent.
    pub body: serde_json::Value,
    /// Invisible for this many seconds (at most 43200, 12 hours).
    pub delay_s: Option<u64>,
}

/// `POST /api/v1/queues/{queue}/messages` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// 1 to 100 messages.
    pub messages: Vec<OutgoingMessageBody>,
}

/// The ids of sent messages, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentView {
    /// Message ids.
    pub ids: Vec<String>,
}

/// `POST /api/v1/queues/{queue}/lease` body; every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseBody {
    /// Most messages to return, 1–100 (default 10).
    pub batch_size: Option<u64>,
    /// Seconds the messages stay invisible to other consumers, 1–43200 (default 30). Ack or
    /// nack them before; otherwise they are delivered again.
    pub visibility_timeout_s: Option<u64>,
    /// Seconds to wait for a first message when the queue is empty, 0–30 (default 0).
    pub wait_s: Option<u64>,
}

/// A leased message.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeasedMessageView {
    /// Ack or nack by this id.
    pub id: String,
    /// The body as sent: any JSON value.
    pub body: serde_json::Value,
    /// Deliveries so far, this one included.
    pub attempts: u32,
}

/// Leased messages (empty when none arrived in time).
#[derive(Debug, Serialize, ToSchema)]
pub struct LeasedView {
    /// The messages.
    pub messages: Vec<LeasedMessageView>,
}

/// `POST /api/v1/queues/{queue}/ack` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    /// 1 to 100 leased message ids.
    pub ids: Vec<String>,
}

/// `POST /api/v1/queues/{queue}/nack` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NackBody {
    /// 1 to 100 leased message ids.
    pub ids: Vec<String>,
    /// Seconds before they are visible again, 0–43200 (default 0).
    pub delay_s: Option<u64>,
}

/// How many of the ids were still leased by you (and are now acked or returned).
#[derive(Debug, Serialize, ToSchema)]
pub struct AckedView {
    /// Messages acted on; ids whose lease had expired (or that were never leased) do not count.
    pub count: u64,
}

/// Your queues and their depths.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuesView {
    /// One entry per queue with live or dead messages.
    pub queues: Vec<QueueDepthView>,
}

fn queue_name(queue: &str) -> Result<(), ApiError> {
    cistern_jobs::validate_queue(queue)
        .map_err(|_| ApiError::validation("queue", "queue must be 1 to 64 of [A-Za-z0-9_-]"))
}

fn seconds(
    value: Option<u64>,
    default: u64,
    range: (u64, u64),
    field: &str,
) -> Result<Duration, ApiError> {
    let v = value.unwrap_or(default);
    if v < range.0 || v > range.1 {
        return Err(ApiError::validation(
            field,
            format!("{field} must be between {} and {}", range.0, range.1),
        ));
    }
    Ok(Duration::from_secs(v))
}

fn ids(ids: &[String]) -> Result<Vec<JobId>, ApiError> {
    if ids.is_empty() || ids.len() > MAX_BATCH {
        return Err(ApiError::validation(
            "ids",
            "ids must hold 1 to 100 message ids",
        ));
    }
    ids.iter()
        .map(|id| {
            JobId::parse(id)
                .map_err(|_| ApiError::validation("ids", format!("{id:?} is not a message id")))
        })
        .collect()
}

const MAX_DELAY_S: u64 = MAX_VISIBILITY.as_secs();

/// `POST /api/v1/queues/{queue}/messages`: sends 1–100 messages; answered once they are durable.
#[utoipa::path(post, path = "/api/v1/queues/{queue}/messages", tag = "queues",
    params(("queue" = String, Path, description = "Queue name, [A-Za-z0-9_-]{1,64}")), request_body = SendBody,
    security(("bearer" = [])),
    responses((status = 201, body = SentView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_messages(
    State(jobs): State<Jobs>,
    principal: Principal,
    Path(queue): Path<String>,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<(StatusCode, Json<SentView>), ApiError> {
    queue_name(&queue)?;
    if body.messages.is_empty() || body.messages.len() > MAX_BATCH {
        return Err(ApiError::validation(
            "messages",
            "messages must hold 1 to 100 messages",
        ));
    }
    let mut messages = Vec::with_capacity(body.messages.len());
    for (i, m) in body.messages.into_iter().enumerate() {
        let delay = seconds(m.delay_s, 0, (0, MAX_DELAY_S), "delay_s").map_err(|_| {
            ApiError::validation(
                &format!("messages[{i}].delay_s"),
                "delay_s must be between 0 and 43200",
            )
        })?;
        if m.body.to_string().len() > cistern_jobs::MAX_BODY_BYTES {
            return Err(ApiError::validation(
                &format!("messages[{i}].body"),
                "a message body must be at most 256 KiB of JSON",
            ));
        }
        messages.push(OutgoingMessage {
            body: m.body,
            delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        });
    }
    let ids = jobs
        .queues()
        .send(&principal.user_id, &queue, messages)
        .await
        .map_err(api_error)?;
    Ok((
        StatusCode::CREATED,
        Json(SentView {
            ids: ids.into_iter().map(|id| id.to_string()).collect(),
        }),
    ))
}

/// `POST /api/v1/queues/{queue}/lease`: leases up to `batch_size` messages, waiting up to
/// `wait_s` for the first. Messages not acked or nacked within `visibility_timeout_s` are
/// delivered again.
#[utoipa::path(post, path = "/api/v1/queues/{queue}/lease", tag = "queues",
    params(("queue" = String, Path, description = "Queue name")), request_body = LeaseBody,
    security(("bearer" = [])),
    responses((status = 200, body = LeasedView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lease_messages(
    State(jobs): State<Jobs>,
    State(shutdown): State<CancellationToken>,
    principal: Principal,
    Path(queue): Path<String>,
    ApiJson(body): ApiJson<LeaseBody>,
) -> Result<Json<LeasedView>, ApiError> {
    queue_name(&queue)?;
    let batch_size = body.batch_size.unwrap_or(10);
    if batch_size == 0 || batch_size > MAX_BATCH as u64 {
        return Err(ApiError::validation(
            "batch_size",
            "batch_size must be between 1 and 100",
        ));
    }
    let request = LeaseRequest {
        batch_size: usize::try_from(batch_size).unwrap_or(MAX_BATCH),
        visibility_timeout: seconds(
            body.visibility_timeout_s,
            30,
            (1, MAX_DELAY_S),
            "visibility_timeout_s",
        )?,
        wait: seconds(body.wait_s, 0, (0, MAX_WAIT.as_secs()), "wait_s")?,
    };
    let queues = jobs.queues();
    // A shutdown ends the wait with what there is (nothing): dropping the lease future is
    // cancel-safe, a lease taken at that instant is handed back.
    let leased = tokio::select! {
        leased = queues.lease(&principal.user_id, &queue, request) => leased.map_err(api_error)?,
        () = shutdown.cancelled() => Vec::new(),
    };
    Ok(Json(LeasedView {
        messages: leased
            .into_iter()
            .map(|m| LeasedMessageView {
                id: m.id.to_string(),
                body: m.body,
                attempts: m.attempts,
            })
            .collect(),
    }))
}

/// `POST /api/v1/queues/{queue}/ack`: done with these leased messages (they are deleted).
#[utoipa::path(post, path = "/api/v1/queues/{queue}/ack", tag = "queues",
    params(("queue" = String, Path, description = "Queue name")), request_body = AckBody,
    security(("bearer" = [])),
    responses((status = 200, body = AckedView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ack_messages(
    State(jobs): State<Jobs>,
    principal: Principal,
    Path(queue): Path<String>,
    ApiJson(body): ApiJson<AckBody>,
) -> Result<Json<AckedView>, ApiError> {
    queue_name(&queue)?;
    let ids = ids(&body.ids)?;
    let count = jobs
        .queues()
        .ack(&principal.user_id, &queue, &ids)
        .await
        .map_err(api_error)?;
    Ok(Json(AckedView { count }))
}

/// `POST /api/v1/queues/{queue}/nack`: gives leased messages back, visible again after
/// `delay_s`; a message past its 5 deliveries goes dead.
#[utoipa::path(post, path = "/api/v1/queues/{queue}/nack", tag = "queues",
    params(("queue" = String, Path, description = "Queue name")), request_body = NackBody,
    security(("bearer" = [])),
    responses((status = 200, body = AckedView), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn nack_messages(
    State(jobs): State<Jobs>,
    principal: Principal,
    Path(queue): Path<String>,
    ApiJson(body): ApiJson<NackBody>,
) -> Result<Json<AckedView>, ApiError> {
    queue_name(&queue)?;
    let ids = ids(&body.ids)?;
    let delay = seconds(body.delay_s, 0, (0, MAX_DELAY_S), "delay_s")?;
    let count = jobs
        .queues()
        .nack(&principal.user_id, &queue, &ids, delay)
        .await
        .map_err(api_error)?;
    Ok(Json(AckedView { count }))
}

/// `GET /api/v1/queues`: your queues with how many messages are ready, delayed, leased and dead.
#[utoipa::path(get, path = "/api/v1/queues", tag = "queues", security(("bearer" = [])),
    responses((status = 200, body = QueuesView), (status = 401, body = ErrorBody)))]
pub async fn list_queues(
    State(jobs): State<Jobs>,
    principal: Principal,
) -> Result<Json<QueuesView>, ApiError> {
    let depths = jobs
        .queues()
        .depths(&principal.user_id)
        .await
        .map_err(api_error)?;
    Ok(Json(QueuesView {
        queues: depths.into_iter().map(QueueDepthView::from).collect(),
    }))
}
