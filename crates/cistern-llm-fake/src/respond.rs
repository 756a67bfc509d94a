//! Turning rendered bytes into HTTP responses: JSON, SSE, and bodies that end badly.

use std::io;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::call::{Call, Protocol};
use crate::ids::id;
use crate::render::{ErrorKind, Resolved};
use crate::{anthropic, gemini, openai};

/// How a body ends after its last frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// Normally (the client sees a complete body, whatever it contains).
    Clean,
    /// With an error: the connection is aborted.
    Abort,
    /// Not at all until the fake shuts down, then aborted.
    Stall,
}

/// The non-streaming body for `call`'s protocol.
pub(crate) fn body(call: &Call, r: &Resolved) -> Vec<u8> {
    match call.protocol {
        Protocol::OpenAi => openai::response(r, &call.ctx),
        Protocol::Anthropic => anthropic::response(r, &call.ctx),
        Protocol::Gemini => gemini::response(r, &call.ctx),
    }
}

/// The stream frames for `call`'s protocol, cut after `cut` content chunks if asked.
pub(crate) fn stream_frames(call: &Call, r: &Resolved, cut: Option<usize>) -> Vec<Bytes> {
    match call.protocol {
        Protocol::OpenAi => openai::stream(r, &call.ctx, cut),
        Protocol::Anthropic => anthropic::stream(r, &call.ctx, cut),
        Protocol::Gemini => gemini::stream(r, &call.ctx, cut, call.sse),
    }
}

fn with_status(status: StatusCode, content_type: &'static str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// Adds the request-id header the provider sends (clients log it).
fn request_id(protocol: Protocol, r: &mut Response) {
    let (name, value) = match protocol {
        Protocol::OpenAi => ("x-request-id", id("req_", 32)),
        Protocol::Anthropic => ("request-id", id("req_011", 21)),
        Protocol::Gemini => return,
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(name, v);
    }
}

/// A complete JSON response.
pub(crate) fn json(protocol: Protocol, status: StatusCode, bytes: impl Into<Bytes>) -> Response {
    let mut r = with_status(status, "application/json", Body::from(bytes.into()));
    request_id(protocol, &mut r);
    r
}

/// An error in the provider's shape.
pub(crate) fn error(protocol: Protocol, kind: &ErrorKind) -> Response {
    let (status, body) = match protocol {
        Protocol::OpenAi => openai::error(kind),
        Protocol::Anthropic => anthropic::error(kind),
        Protocol::Gemini => gemini::error(kind),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(protocol, status, body.to_string().into_bytes())
}

/// Frames as a chunked body, each frame its own chunk, then `end`.
fn frames_body(frames: Vec<Bytes>, end: End, cancel: &CancellationToken) -> Body {
    let frames = stream::iter(frames.into_iter().map(Ok::<_, io::Error>));
    let tail: BoxStream<'static, Result<Bytes, io::Error>> = match end {
        End::Clean => stream::empty().boxed(),
        End::Abort => stream::once(async {
            // Yield once first: hyper flushes what it has buffered (headers, frames) when the
            // body is pending, so the client really receives the part before the abort.
            tokio::task::yield_now().await;
            Err(io::Error::other("fake-llm: connection aborted"))
        })
        .boxed(),
        End::Stall => {
            let cancel = cancel.clone();
            stream::once(async move {
                cancel.cancelled_owned().await;
                Err(io::Error::other("fake-llm: shut down while stalled"))
            })
            .boxed()
        }
    };
    Body::from_stream(frames.chain(tail))
}

/// A 200 stream: SSE, or for Gemini without `alt=sse` a JSON array.
pub(crate) fn streaming(
    call: &Call,
    frames: Vec<Bytes>,
    end: End,
    cancel: &CancellationToken,
) -> Response {
    let content_type = if call.sse {
        "text/event-stream"
    } else {
        "application/json"
    };
    let mut r = with_status(
        StatusCode::OK,
        content_type,
        frames_body(frames, end, cancel),
    );
    if call.sse {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    request_id(call.protocol, &mut r);
    r
}

/// A 200 JSON response that promises `full.len()` bytes, sends the first half, then ends as
/// `end` says; the client sees a body shorter than its Content-Length.
pub(crate) fn partial_json(
    protocol: Protocol,
    mut full: Vec<u8>,
    end: End,
    cancel: &CancellationToken,
) -> Response {
    let len = full.len();
    full.truncate(len / 2);
    // Ending "cleanly" short of Content-Length is an abort as far as HTTP is concerned.
    let end = if end == End::Clean { End::Abort } else { end };
    let mut r = with_status(
        StatusCode::OK,
        "application/json",
        frames_body(vec![full.into()], end, cancel),
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    request_id(protocol, &mut r);
    r
}
