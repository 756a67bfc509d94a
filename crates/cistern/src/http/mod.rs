//! The HTTP edge: the router, its middleware stack, and the server loop.
//!
//! Boundary: handlers here are thin — extract typed input, call one domain function, map the
//! result. Domain code never sees axum types.

pub mod body_limit;

/// A header's value without its parameters, lower-cased (`text/plain` of
/// `Text/Plain; charset=utf-8`); `""` when absent or not text.
pub fn header_essence(headers: &axum::http::HeaderMap, name: axum::http::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}
pub mod download;
pub mod error;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod path;
pub mod ratelimit;
pub mod timeout;
mod ui;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::config::ServerConfig;
use crate::state::AppState;

/// The whole application router, callable without a socket (tests drive it in process).
pub fn router(state: AppState) -> Router {
    let (api, _doc) = openapi::api_router().split_for_parts();
    let server = state.config.server.clone();
    let metrics = state.metrics.clone();
    let limits = state.limits.clone();
    let routes = api
        .layer(from_fn_with_state(limits, ratelimit::per_ip))
        .fallback(ui::fallback)
        .with_state(state);
    with_middleware(routes, &server, metrics)
}

/// Wraps `routes` in the production middleware stack (request ids, access log, metrics, CORS,
/// security headers, gzip, the error envelope, timeout, body limit). Public so tests can put
/// their own routes behind exactly the same stack.
pub fn with_middleware(
    routes: Router,
    server: &ServerConfig,
    metrics: Arc<metrics::Metrics>,
) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(access_span)
                .on_response(access_log),
        )
        .layer(PropagateRequestIdLayer::new(request_id))
        .layer(from_fn_with_state(metrics, metrics::track))
        .layer(cors(&server.cors_allowed_origins))
        .layer(from_fn(security_headers))
        .layer(CompressionLayer::new())
        .layer(from_fn(error::envelope_errors))
        .layer(from_fn_with_state(
            Duration::from_secs(server.request_timeout_secs),
            timeout::limit,
        ))
        .layer(from_fn_with_state(
            server.body_limit_bytes,
            body_limit::limit,
        ));
    routes
        .layer(DefaultBodyLimit::max(server.body_limit_bytes))
        .layer(stack)
}

fn access_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path())
}

fn access_log(response: &axum::response::Response, latency: Duration, _span: &tracing::Span) {
    let duration_ms = latency.as_secs_f64() * 1000.0;
    tracing::info!(
        status = response.status().as_u16(),
        duration_ms,
        "request finished"
    );
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        // Validated at config load; an origin that still fails to parse is simply not allowed.
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
            HeaderName::from_static("ratelimit-limit"),
            HeaderName::from_static("ratelimit-remaining"),
            HeaderName::from_static("ratelimit-reset"),
        ])
        .max_age(Duration::from_secs(600))
}

/// The app's Content-Security-Policy: our own origin only. The UI bundles everything (Monaco
/// included); the coding workspace's live preview runs in a frame of our origin
/// (`/preview/shell.html`, which has a policy of its own: [`ui::preview_policy`]).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
    frame-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// Headers every response carries; the live preview's shell and build worker get their own
/// policy (and the shell may be framed by our own pages).
async fn security_headers(request: Request, next: Next) -> Response {
    let special = ui::preview_policy(request.uri().path());
    let (csp, frame_options) = special.map_or((CSP, "DENY"), |p| (p.csp, p.frame_options));
    let headers: [(&str, &str); 5] = [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", frame_options),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("content-security-policy", csp),
    ];
    let mut response = next.run(request).await;
    let response_headers = response.headers_mut();
    for (name, value) in headers {
        response_headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then stops accepting and waits up
/// to `grace` for in-flight requests to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    grace: Duration,
) -> std::io::Result<()> {
    // Without TCP_NODELAY a streamed answer's small writes wait for the client's delayed ACK:
    // ~40 ms per SSE frame group (measured with scripts/bench_gateway.py).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
        }
    });
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.clone().cancelled_owned());
    tokio::select! {
        result = server => result,
        () = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests still running after the grace period; stopping anyway");
            Ok(())
        }
    }
}
