//! `POST /api/v1/conversations/{id}/retry` and `…/retry/stream`: answer the last user message
//! again after a failed, stopped or unwanted reply.
//!
//! The old reply stays in history with its status; the new one is appended after it (seqs
//! stay gapless), under the same turn lease as a turn, and the old one is never fed back to
//! the model. The streamed form is its own route rather than a field on
//! `/api/v1/chat/stream`: a retry has no message, its target is the conversation in the path
//! (so a 404 is about the resource), and `ChatBody` stays one shape with one meaning.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use cistern_agents::Agents;
use futures::{Stream, StreamExt};

use super::stream::{ChatStreamEvent, to_event};
use super::{ChatReply, RetryBody, api_error};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;

fn check(body: &RetryBody, llm: &cistern_llm::Gateway) -> Result<(), ApiError> {
    if body.model.as_deref().is_some_and(|m| m.trim().is_empty()) {
        return Err(ApiError::validation("model", "model must not be empty"));
    }
    if !llm.is_configured() {
        return Err(ApiError::from(cistern_llm::Error::NotConfigured));
    }
    Ok(())
}

/// `POST /api/v1/conversations/{id}/retry`: answers the last user message again; the new
/// reply is appended after the old one, which stays in history.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/retry", tag = "chat",
    operation_id = "retry_reply",
    params(("id" = String, Path, description = "Conversation id")), request_body = RetryBody,
    security(("bearer" = [])),
    responses((status = 200, body = ChatReply), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody,
               description = "`busy` (a turn holds the conversation) or `nothing_to_retry` (its last message is not an assistant reply)"),
              (status = 422, body = ErrorBody), (status = 502, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "No LLM provider is configured")))]
pub async fn retry_reply(
    State(agents): State<Agents>,
    State(llm): State<cistern_llm::Gateway>,
    principal: Principal,
    id: ResourceId,
    ApiJson(body): ApiJson<RetryBody>,
) -> Result<ApiJson<ChatReply>, ApiError> {
    check(&body, &llm)?;
    let result = agents
        .retry(&principal.user_id, id.as_str(), body.model.as_deref())
        .await
        .map_err(|e| api_error(e, "model"))?;
    Ok(ApiJson(result.into()))
}

/// `POST /api/v1/conversations/{id}/retry/stream`: the retry as Server-Sent Events, with the
/// events of `POST /api/v1/chat/stream` (`started` names the user message answered again).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/retry/stream", tag = "chat",
    operation_id = "stream_retry_reply",
    params(("id" = String, Path, description = "Conversation id")), request_body = RetryBody,
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = ChatStreamEvent,
               description = "Server-Sent Events: `started`, `token`… and `tool_call`…, then `done` (a ChatReply) or `error`; each SSE `event:`/`data:` pair is one ChatStreamEvent"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody,
               description = "`busy` or `nothing_to_retry`"),
              (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "No LLM provider is configured")))]
pub async fn stream_retry_reply(
    State(agents): State<Agents>,
    State(llm): State<cistern_llm::Gateway>,
    principal: Principal,
    id: ResourceId,
    ApiJson(body): ApiJson<RetryBody>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    check(&body, &llm)?;
    let mut turn = agents
        .retry_stream(&principal.user_id, id.as_str(), body.model.as_deref())
        .map_err(|e| api_error(e, "model"))?;
    // As for a turn: failing to start (someone else's conversation, nothing to retry, busy)
    // is a plain error response, not a stream holding one error.
    let first = match turn.next().await {
        Some(Ok(event)) => event,
        Some(Err(e)) => return Err(api_error(e, "model")),
        None => return Err(api_error(cistern_agents::Error::Closed, "model")),
    };
    let events = futures::stream::once(async move { Ok(first) })
        .chain(turn)
        .map(|item| Ok(to_event(item)));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
