//! The HTTP edge: the error envelope for every kind of bad request, request ids, compression,
//! CORS, security headers and the embedded UI's routing.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use cistern::config::ServerConfig;
use cistern::http::error::ApiJson;
use cistern::http::metrics::Metrics;
use serde::Deserialize;
use tower::ServiceExt;

use crate::helpers::{TestApp, assert_error, assert_openai_error};

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Input {
    name: String,
    count: u32,
}

/// A JSON route and a slow route behind the production middleware stack.
fn probe_router(server: &ServerConfig) -> Router {
    let routes = Router::new()
        .route(
            "/echo",
            post(|ApiJson(input): ApiJson<Input>| async move {
                format!("{} x{}", input.name, input.count)
            }),
        )
        .route(
            "/slow",
            post(|| async { tokio::time::sleep(Duration::from_secs(5)).await }),
        );
    cistern::http::with_middleware(routes, server, Metrics::new())
}

fn small_server() -> ServerConfig {
    ServerConfig {
        body_limit_bytes: 1024,
        request_timeout_secs: 1,
        ..ServerConfig::default()
    }
}

async fn call(router: &Router, request: Request<Body>) -> reqwest::Response {
    // Convert the in-process response into a reqwest one so `assert_error` serves both paths.
    let response = router.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    reqwest::Response::from(http::Response::from_parts(parts, bytes))
}

fn post_json(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::post(path);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder.body(body.into()).expect("request")
}

#[tokio::test]
async fn valid_json_passes_through() {
    let router = probe_router(&small_server());
    let response = call(
        &router,
        post_json(
            "/echo",
            Some("application/json"),
            r#"{"name":"a","count":2}"#,
        ),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("text"), "a x2");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let router = probe_router(&small_server());
    let response = call(
        &router,
        post_json("/echo", Some("application/json"), r#"{"name": "a","#),
    )
    .await;
    let message = assert_error(response, 400, "invalid_json").await;
    assert!(message.contains("line 1"), "says where: {message}");
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let router = probe_router(&small_server());
    let response = call(
        &router,
        post_json("/echo", Some("text/plain"), r#"{"name":"a","count":1}"#),
    )
    .await;
    let message = assert_error(response, 415, "unsupported_media_type").await;
    assert!(message.to_lowercase().contains("content-type"), "{message}");
    let response = call(
        &router,
        post_json("/echo", None, r#"{"name":"a","count":1}"#),
    )
    .await;
    assert_error(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn wrong_shape_is_422_and_names_the_field() {
    let router = probe_router(&small_server());
    let response = call(
        &router,
        post_json("/echo", Some("application/json"), r#"{"name":"a"}"#),
    )
    .await;
    let message = assert_error(response, 422, "invalid_body").await;
    assert!(message.contains("count"), "{message}");
    let response = call(
        &router,
        post_json(
            "/echo",
            Some("application/json"),
            r#"{"name":"a","count":-1}"#,
        ),
    )
    .await;
    assert_error(response, 422, "invalid_body").await;
}

#[tokio::test]
async fn oversized_bodies_are_413_whether_declared_or_streamed() {
    let router = probe_router(&small_server());
    let big = format!(r#"{{"name":"{}","count":1}}"#, "x".repeat(4096));
    let response = call(
        &router,
        post_json("/echo", Some("application/json"), big.clone()),
    )
    .await;
    assert_error(response, 413, "payload_too_large").await;
    // No content-length: the limit must still hold while streaming.
    let stream = futures::stream::iter(
        big.into_bytes()
            .chunks(100)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let response = call(
        &router,
        post_json("/echo", Some("application/json"), Body::from_stream(stream)),
    )
    .await;
    assert_error(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn slow_requests_time_out_with_503() {
    let router = probe_router(&small_server());
    let response = call(&router, post_json("/slow", None, "")).await;
    assert_error(response, 503, "unavailable").await;
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_envelope() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/nope", "/api", "/health/nope"] {
        let message = assert_error(app.get(path).await, 404, "not_found").await;
        assert!(message.contains(path), "{message}");
    }
    // The OpenAI-compatible API answers in OpenAI's error shape, which its SDKs parse.
    let message = assert_openai_error(app.get("/v1/models/x").await, 404, "not_found").await;
    assert!(message.contains("/v1/models/x"), "{message}");
    let response = app
        .client
        .delete(app.url("/health"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .map(|v| v.to_str().expect("ascii")),
        Some("GET,HEAD")
    );
    let message = assert_error(response, 405, "method_not_allowed").await;
    assert!(message.contains("DELETE"), "{message}");
    let response = app.client.post(app.url("/")).send().await.expect("POST /");
    assert_error(response, 404, "not_found").await;
    app.stop().await;
}

#[tokio::test]
async fn request_ids_are_generated_or_echoed() {
    let app = TestApp::spawn().await;
    let generated = app.get("/health").await.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let echoed = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("GET");
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");
    app.stop().await;
}

#[tokio::test]
async fn responses_are_gzipped_and_carry_security_headers() {
    let app = TestApp::spawn().await;
    let raw = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let response = raw
        .get(app.url("/api/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().expect("ascii")),
        Some("gzip")
    );
    for header in [
        "x-content-type-options",
        "x-frame-options",
        "content-security-policy",
        "referrer-policy",
    ] {
        assert!(response.headers().contains_key(header), "{header}");
    }
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(
        csp.contains("default-src 'self'") && !csp.contains("http"),
        "no remote origins: {csp}"
    );
    app.stop().await;
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = TestApp::builder()
        .config(|c| c.server.cors_allowed_origins = vec!["https://app.example.com".into()])
        .spawn()
        .await;
    let allowed = app
        .client
        .get(app.url("/health"))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let other = app
        .client
        .get(app.url("/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("GET");
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/anything"))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("OPTIONS");
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    app.stop().await;
}

#[tokio::test]
async fn ui_routes_fall_back_to_the_app_shell_but_missing_assets_do_not() {
    let app = TestApp::spawn().await;
    for path in ["/", "/status", "/sage", "/chat/some/deep/link"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK.as_u16(), "{path}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/html")
        );
        assert!(
            response.text().await.expect("html").contains("<html"),
            "{path}"
        );
    }
    assert_error(app.get("/assets/missing-1234.js").await, 404, "not_found").await;
    app.stop().await;
}
