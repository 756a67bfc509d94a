//! `POST /api/v1/chat/stream`: a turn as Server-Sent Events.
//!
//! Events: `started` (`{conversation_id, user_seq}`: the user's message is stored), `token`
//! (`{text}`, reply text to append), `tool_call` (`{name}`), then either `done` (a
//! [`ChatReply`] with usage — tokens and `cost_usd` — the reply is stored) or `error` (`{code, message}`: the model
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
use utoipa::ToSchema;

use super::{ChatBody, ChatReply, api_error, check_turn};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::platform::auth::Principal;

/// The `data:` of a `started` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartedEvent {
    /// The conversation (new or continued).
    pub conversation_id: String,
    /// The `seq` of the user message being answered.
    pub user_seq: i64,
}

/// The `data:` of a `token` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenEvent {
    /// Reply text to append.
    pub text: String,
}

/// The `data:` of a `tool_call` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToolCallEvent {
    /// The memory tool the model called (`remember`, `recall`).
    pub name: String,
}

/// The `data:` of an `error` event.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamErrorEvent {
    /// The stable code, as in error responses (`upstream_error`, `timeout`, …).
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// Every event of a streamed turn. On the wire the SSE `event:` is `event` here and the SSE
/// `data:` is `data`: `started`, then `token`… and `tool_call`…, then `done` or `error`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ChatStreamEvent {
    /// The user's message is stored; the model is called.
    Started(StartedEvent),
    /// Reply text to append.
    Token(TokenEvent),
    /// The model called a memory tool.
    ToolCall(ToolCallEvent),
    /// The reply is stored: the whole reply with its usage (tokens and `cost_usd`, as the
    /// stored reply's `usage` has them).
    Done(ChatReply),
    /// The model failed mid-way; what came is stored with status `error`.
    Error(StreamErrorEvent),
}

impl ChatStreamEvent {
    /// The SSE event: `event:` the variant's name, `data:` its content as JSON.
    fn into_sse(self) -> Event {
        let mut value = serde_json::to_value(&self).unwrap_or_default();
        let name = value["event"].as_str().unwrap_or("error").to_owned();
        let data = value
            .get_mut("data")
            .map(serde_json::Value::take)
            .unwrap_or_default();
        Event::default().event(name).data(data.to_string())
    }
}

/// `POST /api/v1/chat/stream`: one turn, streamed (`text/event-stream`; see the module docs
/// for the events).
#[utoipa::path(post, path = "/api/v1/chat/stream", tag = "chat", operation_id = "stream_chat",
    request_body = ChatBody, security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = ChatStreamEvent,
               description = "Server-Sent Events: `started`, `token`… and `tool_call`…, then `done` (a ChatReply) or `error`; each SSE `event:`/`data:` pair is one ChatStreamEvent"),
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
    let event = match item {
        Ok(TurnEvent::Started {
            conversation_id,
            user_seq,
        }) => ChatStreamEvent::Started(StartedEvent {
            conversation_id,
            user_seq,
        }),
        Ok(TurnEvent::Delta { text }) => ChatStreamEvent::Token(TokenEvent { text }),
        Ok(TurnEvent::ToolCall { name }) => ChatStreamEvent::ToolCall(ToolCallEvent { name }),
        Ok(TurnEvent::Done(result)) => ChatStreamEvent::Done(ChatReply::from(result)),
        Err(e) => {
            let error = api_error(e, "message");
            ChatStreamEvent::Error(StreamErrorEvent {
                code: error.code().to_owned(),
                message: error.message().to_owned(),
            })
        }
    };
    event.into_sse()
}
