//! The request timeout: a request whose response head is not ready in
//! `server.request_timeout_secs` is answered 503 (in the error envelope).
//!
//! The timeout is part of the production stack ([`limit`]), so every route — and every unknown
//! path — has one. A route that may legitimately take longer says so itself, with the
//! [`allow`] layer its module applies to its own routes (`route_layer(timeout::allow(…))`):
//! a queue lease may wait up to [`cistern_jobs::MAX_WAIT`] on top of the timeout
//! ([`Allowance::Extra`]); a model call is bounded by the gateway's own `llm.deadline_ms`, and a
//! long completion is not a hung request ([`Allowance::Unbounded`]). The edge itself names no
//! route. Streams (SSE) are unaffected either way: the timeout covers the response head, which a
//! stream sends at once.
//!
//! How the two meet: [`limit`] runs before routing's inner layers, so it puts a shared
//! `Deadline` in the request's extensions; [`allow`] moves that deadline when the route is
//! entered, and [`limit`] re-reads it whenever its timer fires.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

/// How much longer than the server's request timeout a route may take before its response head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// The timeout plus this much (a long poll's longest wait).
    Extra(Duration),
    /// No limit here: something else bounds the work (the gateway's deadline for a model call).
    Unbounded,
}

/// The deadline of one request; `None` once a route lifted it.
#[derive(Clone, Debug)]
struct Deadline(Arc<Mutex<Option<Instant>>>);

impl Deadline {
    fn get(&self) -> Option<Instant> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, deadline: Option<Instant>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = deadline;
    }
}

/// Middleware (the production stack): answers 503 once the request's deadline has passed.
pub async fn limit(State(base): State<Duration>, mut request: Request, next: Next) -> Response {
    let deadline = Deadline(Arc::new(Mutex::new(Some(Instant::now() + base))));
    request.extensions_mut().insert(deadline.clone());
    let mut response = std::pin::pin!(next.run(request));
    loop {
        let Some(at) = deadline.get() else {
            return response.await;
        };
        match tokio::time::timeout_at(at, &mut response).await {
            Ok(response) => return response,
            // The route moved its deadline while we waited: wait for the new one.
            Err(_) if deadline.get() != Some(at) => {}
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
}

/// A layer for a module's own long-running routes: gives them `allowance` on top of the
/// request timeout (`router.route_layer(timeout::allow(Allowance::Unbounded))`).
pub fn allow(allowance: Allowance) -> Allow {
    Allow(allowance)
}

/// The layer [`allow`] returns.
#[derive(Debug, Clone, Copy)]
pub struct Allow(Allowance);

impl<S> tower::Layer<S> for Allow {
    type Service = AllowService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AllowService {
            inner,
            allowance: self.0,
        }
    }
}

/// The service of [`Allow`]: moves the request's deadline, then calls the route.
#[derive(Debug, Clone)]
pub struct AllowService<S> {
    inner: S,
    allowance: Allowance,
}

impl<S, B> tower::Service<axum::http::Request<B>> for AllowService<S>
where
    S: tower::Service<axum::http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        if let Some(deadline) = request.extensions().get::<Deadline>() {
            let moved = match self.allowance {
                Allowance::Unbounded => None,
                Allowance::Extra(extra) => deadline.get().map(|at| at + extra),
            };
            deadline.set(moved);
        }
        self.inner.call(request)
    }
}
