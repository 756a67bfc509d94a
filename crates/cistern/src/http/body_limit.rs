//! The request body limit: `server.body_limit_bytes` on every route, unless the route reads
//! its body itself with a limit of its own from the configuration (a ZIP import, a log ingest)
//! and says so with the [`own`] layer.
//!
//! How the two meet, as for the timeout ([`super::timeout`]): [`limit`] runs before routing, so
//! it puts a shared switch in the request's extensions and wraps the body; [`own`] flips the
//! switch when the route is entered; the body applies the edge's limit (as
//! [`http_body_util::Limited`], so extractors answer 413) unless the switch was flipped by the
//! time it is first read. The edge itself names no route.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::Limited;

/// Set when the route reads its body under a limit of its own.
#[derive(Clone, Debug, Default)]
struct Owned(Arc<AtomicBool>);

/// Middleware (the production stack): every body is limited to `max` bytes unless its route
/// owns the limit.
pub async fn limit(State(max): State<usize>, mut request: Request, next: Next) -> Response {
    let owned = Owned::default();
    request.extensions_mut().insert(owned.clone());
    let request = request.map(|body| {
        Body::new(EdgeLimited::Waiting {
            body: Some(body),
            owned,
            max,
        })
    });
    next.run(request).await
}

/// Route layer: this route reads its body with a limit of its own (and documents it).
pub async fn own(request: Request, next: Next) -> Response {
    if let Some(owned) = request.extensions().get::<Owned>() {
        owned.0.store(true, Ordering::Release);
    }
    next.run(request).await
}

/// A body that learns its limit when it is first read.
enum EdgeLimited {
    Waiting {
        body: Option<Body>,
        owned: Owned,
        max: usize,
    },
    Limited(Limited<Body>),
    Owned(Body),
}

impl http_body::Body for EdgeLimited {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let EdgeLimited::Waiting { body, owned, max } = &mut *self {
            let body = body.take().unwrap_or_default();
            *self = if owned.0.load(Ordering::Acquire) {
                EdgeLimited::Owned(body)
            } else {
                EdgeLimited::Limited(Limited::new(body, *max))
            };
        }
        match &mut *self {
            EdgeLimited::Limited(b) => Pin::new(b).poll_frame(cx),
            EdgeLimited::Owned(b) => Pin::new(b).poll_frame(cx).map_err(Into::into),
            EdgeLimited::Waiting { .. } => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EdgeLimited::Waiting { body, .. } => body.as_ref().is_none_or(|b| b.is_end_stream()),
            EdgeLimited::Limited(b) => b.is_end_stream(),
            EdgeLimited::Owned(b) => b.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            EdgeLimited::Waiting { body, .. } => body
                .as_ref()
                .map_or_else(|| SizeHint::with_exact(0), |b| b.size_hint()),
            EdgeLimited::Limited(b) => b.size_hint(),
            EdgeLimited::Owned(b) => b.size_hint(),
        }
    }
}
