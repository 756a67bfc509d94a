//! Serving a scripted [`Fault`]: provider error statuses, hangs, and bodies that go wrong.
//!
//! Partial streams use the echo reply of the request as their content, so a test knows what
//! the chunks before the failure say.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::call::{Call, Protocol};
use crate::render::{ErrorKind, Resolved};
use crate::respond::{self, End};
use crate::script::{Fault, Reply};
use crate::server::Shared;
use crate::{anthropic, gemini, openai};

/// Answers `call` with `fault` instead of a reply.
pub(crate) async fn serve(shared: &Shared, call: &Call, fault: &Fault) -> Response {
    let p = call.protocol;
    let echo = Resolved::new(
        &Reply::text(format!("echo: {}", call.last_user)),
        call.prompt_words,
    );
    let cut = |n: usize, end: End| {
        if call.stream {
            respond::streaming(
                call,
                respond::stream_frames(call, &echo, Some(n)),
                end,
                &shared.cancel,
            )
        } else {
            respond::partial_json(p, respond::body(call, &echo), end, &shared.cancel)
        }
    };
    match fault {
        Fault::RateLimited { retry_after_secs } => {
            let mut r = respond::error(p, &ErrorKind::RateLimited(*retry_after_secs));
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Fault::ServerError => respond::error(p, &ErrorKind::Server),
        Fault::Overloaded => respond::error(p, &ErrorKind::Overloaded),
        Fault::Status { status, message } => {
            respond::error(p, &ErrorKind::Status(*status, message.clone()))
        }
        Fault::Hang => {
            shared.cancel.cancelled().await;
            respond::error(p, &ErrorKind::Overloaded)
        }
        Fault::MalformedBody if call.stream => {
            let frames = match p {
                Protocol::OpenAi => openai::malformed_stream(&call.ctx),
                Protocol::Anthropic => anthropic::malformed_stream(&call.ctx),
                Protocol::Gemini => gemini::malformed_stream(call.sse),
            };
            respond::streaming(call, frames, End::Clean, &shared.cancel)
        }
        Fault::MalformedBody => {
            let mut body = respond::body(call, &echo);
            body.truncate(body.len() / 2);
            respond::json(p, StatusCode::OK, body)
        }
        Fault::CutStream { after_chunks } => cut(*after_chunks, End::Clean),
        Fault::AbortStream { after_chunks } => cut(*after_chunks, End::Abort),
        Fault::StallStream { after_chunks } => cut(*after_chunks, End::Stall),
        Fault::StreamError { after_chunks } if call.stream => {
            let frames = match p {
                Protocol::Gemini => {
                    gemini::stream_then_error(&echo, &call.ctx, *after_chunks, call.sse)
                }
                Protocol::OpenAi | Protocol::Anthropic => {
                    let mut frames = respond::stream_frames(call, &echo, Some(*after_chunks));
                    frames.push(if p == Protocol::OpenAi {
                        openai::stream_error()
                    } else {
                        anthropic::stream_error()
                    });
                    frames
                }
            };
            respond::streaming(call, frames, End::Clean, &shared.cancel)
        }
        Fault::StreamError { .. } => respond::error(p, &ErrorKind::Server),
    }
}
