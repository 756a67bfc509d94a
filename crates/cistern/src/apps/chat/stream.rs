//! `POST /api/v1/chat/stream`: a turn as Server-Sent Events.
//!
//! Events: `started` (`{conversation_id, user_seq}`: the user's message is stored), `token`
//! (`{text}`, reply text to append), `tool_call` (`{name}`), then either `done` (a
//! [`ChatReply`] with usage: the reply is stored) or `error` (`{code, message}`: the model
//! failed mid-way; what came is stored with status `error`, never as complete). A client that
//! disconnects stops the model: the reply so far is stored with status `partial`.
//!
//! Errors known before the first event (bad input, no provider, someone else's conversation,
//! a busy conversation) are ordinary JSON error responses, not streams.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use cistern_agents::{Agents, TurnEvent};
use futures::{Stream, StreamExt};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{ChatBody, ChatReply, api_error, check_turn};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::platform::auth::Principal;

/// The `data:` of a `token` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenEvent {
    /// Reply text to append.
    pub text: String,
}

/// `POST /api/v1/chat/stream`: one turn, streamed (`text/event-stream`; see the module docs
/// for the events).
#[utoipa::path(post, path = "/api/v1/chat/stream", tag = "chat", operation_id = "stream_chat",
    request_body = ChatBody, security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = TokenEvent,
               description = "Server-Sent Events: `started`, `token`…, then `done` (a ChatReply) or `error`"),
              (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "No LLM provider is configured")))]
pub async fn stream_chat(
    State(agents): State<Agents>,
    State(llm): State<cistern_llm::Gateway>,
    principal: Principal,
    ApiJson(body): ApiJson<ChatBody>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    check_turn(&body, &llm)?;
    let mut turn = agents
        .send_stream(
            &principal.user_id,
            body.conversation_id.as_deref(),
            &body.message,
            body.model.as_deref(),
        )
        .map_err(|e| api_error(e, "message"))?;
    // Wait for the first event, so that failing to start (an unknown conversation, a busy
    // one) is a plain error response rather than a stream holding one error.
    let first = match turn.next().await {
        Some(Ok(event)) => event,
        Some(Err(e)) => return Err(api_error(e, "message")),
        None => return Err(api_error(cistern_agents::Error::Closed, "message")),
    };
    let events = futures::stream::once(async move { Ok(first) })
        .chain(turn)
        .map(|item| Ok(to_event(item)));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

pub(crate) fn to_event(item: cistern_agents::Result<TurnEvent>) -> Event {
    let (name, data) = match item {
        Ok(TurnEvent::Started {
            conversation_id,
            user_seq,
        }) => (
            "started",
            json!({ "conversation_id": conversation_id, "user_seq": user_seq }),
        ),
        Ok(TurnEvent::Delta { text }) => ("token", json!({ "text": text })),
        Ok(TurnEvent::ToolCall { name }) => ("tool_call", json!({ "name": name })),
        Ok(TurnEvent::Done(result)) => (
            "done",
            serde_json::to_value(ChatReply::from(result)).unwrap_or_default(),
        ),
        Err(e) => {
            let error = api_error(e, "message");
            (
                "error",
                json!({ "code": error.code(), "message": error.message() }),
            )
        }
    };
    Event::default().event(name).data(data.to_string())
}
