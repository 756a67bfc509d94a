//! Chat at the server: the HTTP API over [`cistern_agents::Agents`] — turns (plain and
//! streamed), conversations, the system prompt and remembered facts.
//!
//! * [`routes`](mod@routes): `POST /api/v1/chat`, conversations (list, messages, rename, delete).
//! * [`stream`]: `POST /api/v1/chat/stream`, a turn as Server-Sent Events.
//! * [`retry`]: `POST /api/v1/conversations/{id}/retry[/stream]`, the last reply again.
//! * [`memory`]: the system prompt, `/api/v1/memory/facts` and `/api/v1/memory/episodes`.
//! * [`cli`]: `cistern chat`, in process or against a running server (`remote`).
//!
//! Every call passes the caller's user id as the owner, so another user's conversation or fact
//! is a 404, never a 403. Inputs are checked here first so a bad one is a 422 naming its field.
//! Boundary: the agents crate knows no HTTP and no identity; this module knows no SQL.

pub mod cli;
mod config;
pub mod memory;
mod remote;
pub mod retry;
pub mod routes;
pub mod stream;
mod view;

use axum::http::StatusCode;
use cistern_agents::{Error, MAX_MESSAGE_BYTES};
pub use config::ChatConfig;
use futures::FutureExt;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
pub use view::*;

use crate::apps::App;
use crate::http::error::ApiError;
use crate::http::timeout::{self, Allowance};
use crate::platform::jobs::Handlers;
use crate::state::AppState;

/// The chat app: its routes, no jobs, and a shutdown hook that lets running turns store their
/// replies.
pub const APP: App = App {
    name: "chat",
    routes,
    jobs: |_| Handlers::new(),
    shutdown: Some(|state| state.agents.shutdown().boxed()),
};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "chat", description = "Chat with your durable agent: turns (plain and streamed), conversations, standing instructions"),
    (name = "memory", description = "What your agent remembers: facts (searchable) and summaries of long conversations"),
))]
struct Doc;

/// The chat and memory API. The turn routes (plain, streamed, retried) wait on a model, which
/// the gateway bounds by its own deadline: no request timeout on top.
fn routes() -> OpenApiRouter<AppState> {
    let turns = OpenApiRouter::new()
        .routes(routes!(routes::send_chat))
        .routes(routes!(stream::stream_chat))
        .routes(routes!(retry::retry_reply))
        .routes(routes!(retry::stream_retry_reply))
        .route_layer(timeout::allow(Allowance::Unbounded));
    OpenApiRouter::with_openapi(Doc::openapi())
        .routes(routes!(routes::list_conversations))
        .routes(routes!(
            routes::get_conversation,
            routes::rename_conversation,
            routes::delete_conversation
        ))
        .routes(routes!(routes::list_messages))
        .routes(routes!(
            memory::get_system_prompt,
            memory::set_system_prompt
        ))
        .routes(routes!(memory::add_fact, memory::list_facts))
        .routes(routes!(memory::delete_fact))
        .routes(routes!(memory::list_episodes))
        .merge(turns)
}

/// Maps an agents error to the envelope; `field` names the input an `Invalid` is about.
pub(crate) fn api_error(error: Error, field: &str) -> ApiError {
    match error {
        Error::NotFound(what) => ApiError::not_found(format!("no such {what}")),
        Error::Invalid(message) => ApiError::validation(field, message),
        Error::Busy => ApiError::new(StatusCode::CONFLICT, "busy", Error::Busy.to_string()),
        Error::TurnLost => ApiError::new(
            StatusCode::CONFLICT,
            "turn_lost",
            Error::TurnLost.to_string(),
        ),
        Error::NothingToRetry => ApiError::new(
            StatusCode::CONFLICT,
            "nothing_to_retry",
            Error::NothingToRetry.to_string(),
        ),
        Error::Model(e) => ApiError::from(e),
        Error::Closed => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down; try again",
        ),
        Error::Store(e) => ApiError::internal(e),
    }
}

/// Checks a turn's input before anything is stored; a bad field is a 422 naming it.
pub(crate) fn check_turn(body: &ChatBody, llm: &cistern_llm::Gateway) -> Result<(), ApiError> {
    if body.message.trim().is_empty() {
        return Err(ApiError::validation("message", "message must not be empty"));
    }
    if body.message.len() > MAX_MESSAGE_BYTES {
        return Err(ApiError::validation(
            "message",
            format!("message must be at most {MAX_MESSAGE_BYTES} bytes"),
        ));
    }
    if body.model.as_deref().is_some_and(|m| m.trim().is_empty()) {
        return Err(ApiError::validation("model", "model must not be empty"));
    }
    if body
        .conversation_id
        .as_deref()
        .is_some_and(|c| c.trim().is_empty() || c.len() > 64)
    {
        return Err(ApiError::validation(
            "conversation_id",
            "conversation_id must be the id of one of your conversations",
        ));
    }
    // Without a provider every turn would fail after storing the message: say so up front.
    if !llm.is_configured() {
        return Err(ApiError::from(cistern_llm::Error::NotConfigured));
    }
    Ok(())
}
