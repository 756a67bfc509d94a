//! The request timeout: a request whose response head is not ready in
//! `server.request_timeout_secs` is answered 503 (in the error envelope).
//!
//! Long polls get room on top: a queue lease may wait up to [`cistern_jobs::MAX_WAIT`] by
//! design, so its route's limit is the configured timeout plus that wait — a 30 s long poll is
//! never cut short, whatever the timeout is. Streams (SSE) are unaffected either way: the
//! timeout covers the response head, which a stream sends at once. Under `/v1/` (the LLM
//! gateway) there is no limit here: the gateway bounds each call by its own `llm.deadline_ms`,
//! and a long completion is not a hung request. The same holds for the chat turn routes
//! (`/api/v1/chat`, `/api/v1/chat/stream`, the retries under
//! `/api/v1/conversations/{id}/retry`), which call a model through the gateway.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Routes that may legitimately wait before answering, and how much longer they may take.
const LONG_POLLS: &[(&str, Duration)] =
    &[(crate::jobs::queues::LEASE_ROUTE, cistern_jobs::MAX_WAIT)];

/// Middleware: answers 503 once the route's time is up.
pub async fn limit(State(base): State<Duration>, request: Request, next: Next) -> Response {
    // The chat turn routes call a model too, bounded the same way by the gateway.
    let path = request.uri().path();
    if path.starts_with("/v1/")
        || path == crate::chat::SEND_ROUTE
        || path == crate::chat::STREAM_ROUTE
    {
        return next.run(request).await;
    }
    let matched = request.extensions().get::<MatchedPath>();
    if matched.is_some_and(|p| {
        p.as_str() == crate::chat::retry::RETRY_ROUTE
            || p.as_str() == crate::chat::retry::RETRY_STREAM_ROUTE
    }) {
        return next.run(request).await;
    }
    let extra = matched
        .and_then(|path| LONG_POLLS.iter().find(|(route, _)| *route == path.as_str()))
        .map_or(Duration::ZERO, |(_, extra)| *extra);
    match tokio::time::timeout(base + extra, next.run(request)).await {
        Ok(response) => response,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
