//! `cistern scorer`: the stateless scoring service — `POST /score` behind an API key, `/health`,
//! `/metrics`, the server's error envelope, request id, access log, body limit and timeout, and
//! graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{SHA256, digest};
use axum::extract::{FromRef, FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::{Error, ScoreRequest, ScoreResponse};
use crate::config::{Config, ScorerConfig, ServerConfig};
use crate::http::error::{ApiError, ApiJson};
use crate::http::metrics::{self, Metrics};

/// Shortest API key the service accepts to start with.
pub const MIN_KEY_LEN: usize = 16;

/// What the handlers share.
#[derive(Clone, FromRef)]
struct ScorerState {
    /// SHA-256 of the API key: comparing digests keeps the comparison constant-time whatever
    /// the presented key's length.
    key_digest: Arc<[u8]>,
    metrics: Arc<Metrics>,
}

/// A bound, not yet serving, scoring service.
pub struct ScorerService {
    listener: TcpListener,
    router: Router,
    grace: Duration,
}

impl ScorerService {
    /// Checks `[scorer]`, binds `scorer.host:scorer.port` (0 picks a free port) and builds the router.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let scorer = &config.scorer;
        anyhow::ensure!(
            scorer.api_key.expose().len() >= MIN_KEY_LEN,
            "the scorer needs an API key of at least {MIN_KEY_LEN} characters: \
             set scorer.api_key (or CISTERN_SCORER__API_KEY)"
        );
        let listener = TcpListener::bind((scorer.host, scorer.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", scorer.host, scorer.port))?;
        Ok(Self {
            listener,
            router: router(scorer, Metrics::new()),
            grace: Duration::from_secs(config.server.shutdown_grace_secs),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` is cancelled, then drains in-flight requests.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        crate::http::serve(self.listener, self.router, shutdown, self.grace).await?;
        Ok(())
    }
}

/// The scorer's router, callable without a socket.
fn router(scorer: &ScorerConfig, metrics: Arc<Metrics>) -> Router {
    let state = ScorerState {
        key_digest: digest(&SHA256, scorer.api_key.expose().as_bytes())
            .as_ref()
            .into(),
        metrics: metrics.clone(),
    };
    let limits = ServerConfig {
        body_limit_bytes: scorer.max_request_bytes,
        request_timeout_secs: scorer.timeout_secs,
        ..ServerConfig::default()
    };
    let routes = Router::new()
        .route("/score", post(score))
        .route("/health", get(health))
        .route("/metrics", get(metrics::metrics))
        .fallback(crate::http::error::not_found)
        .with_state(state);
    crate::http::with_middleware(routes, &limits, metrics)
}

/// Proof that the caller sent the scorer's API key (`Authorization: Bearer <key>`).
struct ApiKey;

impl FromRequestParts<ScorerState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ScorerState) -> Result<Self, ApiError> {
        let challenge = |message: &str| {
            ApiError::unauthorized(message)
                .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
        };
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(|| challenge("missing Authorization: Bearer <scorer API key>"))?;
        let presented = digest(&SHA256, presented.trim().as_bytes());
        verify_slices_are_equal(presented.as_ref(), &state.key_digest)
            .map(|()| ApiKey)
            .map_err(|_| challenge("invalid scorer API key"))
    }
}

/// `POST /score`: scores the logs of one project.
async fn score(
    _key: ApiKey,
    ApiJson(request): ApiJson<ScoreRequest>,
) -> Result<Json<ScoreResponse>, ApiError> {
    let response = super::Scorer::InProcess
        .score(request)
        .await
        .map_err(|e| match e {
            Error::Invalid { field, message } => ApiError::validation(field, message),
            other => ApiError::internal(other),
        })?;
    Ok(Json(response))
}

/// `GET /health`: the process is up (it has no stores to check).
async fn health(State(_): State<ScorerState>) -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::OK,
        Json(
            serde_json::json!({ "status": "ok", "role": "scorer", "version": env!("CARGO_PKG_VERSION") }),
        ),
    )
}
