//! The OpenAI-compatible API: `POST /v1/chat/completions` (plain and streaming), `GET /v1/models`,
//! `POST /v1/embeddings`. Bodies go straight into the gateway's canonical types (which are in
//! OpenAI's wire shape) and answers are rendered by its OpenAI writer, so what an SDK sends and
//! expects is what the providers' own APIs do. Errors use OpenAI's shape (see [`error_body`]).

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use cistern_llm::provider::openai::output::{
    ChunkWriter, DONE_FRAME, completion_body, embeddings_body,
};
use cistern_llm::{ChatRequest, ChatStream, EmbedRequest, Gateway};
use futures::StreamExt;
use serde::Serialize;
use serde_json::json;

use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::platform::auth::Principal;
use crate::state::AppState;

/// A chat completion, OpenAI-compatible: `stream`, `stream_options.include_usage`, `tools`,
/// `tool_choice`, `response_format` (`json_schema`), `n = 1`, `stop`, `max_tokens` /
/// `max_completion_tokens`. The model is a name from `[llm.models]` or, with passthrough, any
/// model of a provider configured in the environment. Headers: `X-Cistern-App` labels the
/// call, `X-Cistern-Cache: bypass | force` or `Cache-Control: no-cache` steer the cache.
#[utoipa::path(post, path = "/v1/chat/completions", tag = "llm", security(("bearer" = [])),
    request_body(content = Object, description = "An OpenAI Chat Completions request", content_type = "application/json"),
    responses(
        (status = 200, description = "A `chat.completion` object, or with `stream: true` a `text/event-stream` of `chat.completion.chunk` objects ending in `data: [DONE]`", content_type = "application/json"),
        (status = 400, body = ErrorBody, description = "Invalid request (OpenAI error shape)"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "Unknown model"),
        (status = 429, body = ErrorBody, description = "Quota, rate limit or provider rate limit"),
        (status = 502, body = ErrorBody, description = "Every provider attempt failed"),
        (status = 503, body = ErrorBody, description = "No LLM provider configured"),
        (status = 504, body = ErrorBody, description = "No answer in time")))]
pub async fn chat_completions(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<Response, ApiError> {
    let estimate = state.llm.estimate_cost(&request)?;
    let tokens = estimate
        .input_tokens
        .saturating_add(request.max_tokens.unwrap_or(0));
    let ctx = super::admit(&state, &principal, &headers, tokens).await?;
    let created = unix_now();
    if request.stream {
        let include_usage = request
            .stream_options
            .as_ref()
            .is_some_and(|o| o.include_usage);
        let writer = ChunkWriter::new(
            format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
            request.model.clone(),
            created,
            include_usage,
        );
        // Fails before the first byte when every attempt failed: a proper HTTP error then.
        let stream = state.llm.chat_stream(request, ctx).await?;
        return Ok(sse_response(Body::from_stream(chunks(stream, writer))));
    }
    let response = state.llm.chat(request, ctx).await?;
    Ok(json_response(completion_body(&response, created)))
}

/// The streamed body: the opening chunk, one chunk per event, then `[DONE]` — or, when the
/// provider fails mid-way, an error event in OpenAI's shape and no `[DONE]`, so an SDK raises
/// instead of returning a silently short answer.
fn chunks(
    stream: ChatStream,
    writer: ChunkWriter,
) -> impl futures::Stream<Item = Result<Bytes, Infallible>> {
    let opening = Bytes::from(writer.start());
    let events = futures::stream::unfold(Some((stream, writer)), |state| async move {
        let (mut stream, writer) = state?;
        loop {
            match stream.next().await {
                Some(Ok(event)) => {
                    if let Some(frame) = writer.event(&event) {
                        return Some((Bytes::from(frame), Some((stream, writer))));
                    }
                }
                Some(Err(error)) => {
                    let api = ApiError::from(error);
                    let body = error_body(api.status(), api.code(), api.message(), None);
                    let frame = format!("data: {body}\n\n");
                    return Some((Bytes::from(frame), None));
                }
                None => return Some((Bytes::from_static(DONE_FRAME), None)),
            }
        }
    });
    // Frames already waiting go out in one write: a provider that sends a burst of chunks costs
    // one syscall, not one per token; a lone frame is never held back.
    futures::stream::once(async { opening })
        .chain(events)
        .ready_chunks(64)
        .map(|frames| {
            Ok(match <[Bytes; 1]>::try_from(frames) {
                Ok([frame]) => frame,
                Err(frames) => Bytes::from(frames.concat()),
            })
        })
}

/// Embeddings, OpenAI-compatible (`input` a string or an array of strings).
#[utoipa::path(post, path = "/v1/embeddings", tag = "llm", security(("bearer" = [])),
    request_body(content = Object, description = "An OpenAI Embeddings request", content_type = "application/json"),
    responses(
        (status = 200, description = "A `list` of `embedding` objects", content_type = "application/json"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 502, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn embeddings(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    ApiJson(request): ApiJson<EmbedRequest>,
) -> Result<Response, ApiError> {
    if request.input.is_empty() {
        return Err(ApiError::validation("input", "input must not be empty"));
    }
    // About four bytes a token: the rate limiter only needs the order of magnitude.
    let bytes: usize = request.input.iter().map(String::len).sum();
    let tokens = u32::try_from(bytes / 4 + 1).unwrap_or(u32::MAX);
    let ctx = super::admit(&state, &principal, &headers, tokens).await?;
    let response = state.llm.embed(request, ctx).await?;
    Ok(json_response(embeddings_body(&response)))
}

/// One entry of `GET /v1/models`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelEntry {
    /// The name to send as `model`.
    pub id: String,
    /// Always `model`.
    pub object: &'static str,
    /// Unix seconds (the server's start: models have no creation date here).
    pub created: u64,
    /// `cistern` for configured models, else the provider behind a passthrough name.
    pub owned_by: String,
}

/// `GET /v1/models` body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    /// Always `list`.
    pub object: &'static str,
    /// Configured models. Passthrough providers take any other name; they are not listed.
    pub data: Vec<ModelEntry>,
}

/// The configured models, OpenAI-compatible.
#[utoipa::path(get, path = "/v1/models", tag = "llm", security(("bearer" = [])),
    responses((status = 200, body = ModelList), (status = 401, body = ErrorBody)))]
pub async fn models(
    State(gateway): State<Gateway>,
    State(started): State<SystemTime>,
    _principal: Principal,
) -> axum::Json<ModelList> {
    let created = started
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let info = gateway.models();
    let data = info
        .models
        .into_iter()
        .map(|m| m.name)
        .chain(info.local.map(|l| l.name))
        .map(|id| ModelEntry {
            id,
            object: "model",
            created,
            owned_by: "cistern".to_owned(),
        })
        .collect();
    axum::Json(ModelList {
        object: "list",
        data,
    })
}

/// OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. `type` follows
/// OpenAI's vocabulary by status; `code` is Cistern's stable code; `param` the offending field.
pub fn error_body(
    status: axum::http::StatusCode,
    code: &str,
    message: &str,
    param: Option<&str>,
) -> String {
    let kind = match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 if code == "quota_exceeded" => "insufficient_quota",
        429 => "rate_limit_error",
        s if s >= 500 => "server_error",
        _ => "invalid_request_error",
    };
    json!({ "error": { "message": message, "type": kind, "param": param, "code": code } })
        .to_string()
}

fn json_response(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn sse_response(body: Body) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            // Tells nginx & co. not to buffer the stream.
            (
                header::HeaderName::from_static("x-accel-buffering"),
                HeaderValue::from_static("no"),
            ),
        ],
        body,
    )
        .into_response()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
