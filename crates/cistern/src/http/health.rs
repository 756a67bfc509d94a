//! Liveness and readiness: `GET /health` and `GET /health/detailed`.

use std::future::Future;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::jobs::QueueDepthView;
use crate::state::AppState;

/// How long one dependency may take to answer before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// `GET /health` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Liveness {
    /// Always `ok`: the process is up and serving.
    pub status: &'static str,
}

/// Overall readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overall {
    /// Every dependency answered.
    Ok,
    /// At least one dependency failed.
    Degraded,
}

/// The state of one dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The probe succeeded.
    Ok,
    /// The probe failed or timed out.
    Error,
}

/// `GET /health/detailed` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` when every check passed, `degraded` otherwise.
    pub status: Overall,
    /// Cistern's version.
    pub version: &'static str,
    /// Seconds since this process started serving.
    pub uptime_seconds: f64,
    /// One entry per dependency: `sql`, `blobs`, `jobs` (the job engine's backend).
    pub checks: Vec<Check>,
    /// How many jobs wait, run and died in each job queue (every owner's; empty when the job
    /// engine did not answer).
    pub queues: Vec<QueueDepthView>,
    /// The LLM gateway's providers. Informational: an unconfigured gateway or an open circuit
    /// does not make the server unready (only LLM routes are affected).
    pub llm: LlmHealth,
}

/// The LLM gateway's part of the readiness report.
#[derive(Debug, Serialize, ToSchema)]
pub struct LlmHealth {
    /// False: no provider is configured and no local model is loaded; LLM routes answer 503.
    pub configured: bool,
    /// How to configure a provider, when none is; or, when only the built-in local model
    /// answers, that a configured provider gives far better results.
    pub message: Option<&'static str>,
    /// The model that answers every call when no provider is configured (the built-in local
    /// model, `local/smollm2-135m`); `null` when providers answer.
    pub default_model: Option<String>,
    /// Every deployment, configured ones first, then the environment's passthrough providers,
    /// then the local model.
    pub deployments: Vec<DeploymentHealth>,
    /// The built-in local model, when one is loaded.
    pub local: Option<LocalModelHealth>,
}

/// The built-in local model: what it is and how busy.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalModelHealth {
    /// The name callers use (`local/smollm2-135m`).
    pub name: String,
    /// The GGUF file.
    pub path: String,
    /// True when no provider is configured and it answers every model name.
    pub default: bool,
    /// True when it backs up every configured model (`[llm.local] fallback`).
    pub fallback: bool,
    /// Parameters of the model.
    pub parameters: u64,
    /// Context window per sequence, in tokens.
    pub context: u32,
    /// CPU threads per sequence.
    pub threads: u32,
    /// Requests generated at once.
    pub sequences: u32,
    /// Requests that may wait for a sequence before calls get 503.
    pub queue: u32,
    /// Requests generating now.
    pub busy: u32,
    /// Requests waiting now.
    pub queued: u32,
}

/// One deployment's circuit.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeploymentHealth {
    /// `fast/0`, `env:openai`, …
    pub name: String,
    /// `openai`, `anthropic`, `gemini` or `local`.
    pub provider: &'static str,
    /// False while its circuit breaker is open.
    pub healthy: bool,
    /// `closed`, `open` or `half_open`.
    pub breaker: String,
    /// Failures in a row.
    pub consecutive_failures: u32,
}

/// The state of one dependency.
#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    /// `sql`, `blobs`, `jobs`
    pub name: &'static str,
    /// `ok` or `error`.
    pub status: CheckStatus,
    /// Round-trip time of the probe.
    pub latency_ms: f64,
    /// The backend (`sqlite`, `postgres`, `local`, `s3`, `sql`, `nats`) and, on error, what
    /// failed.
    pub detail: String,
}

/// Liveness: answers as long as the process serves HTTP; touches no dependency.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Liveness)))]
pub async fn health() -> Json<Liveness> {
    Json(Liveness { status: "ok" })
}

/// Readiness: probes every dependency concurrently; 503 when any of them fails.
#[utoipa::path(get, path = "/health/detailed", tag = "operations",
    responses(
        (status = 200, description = "Every dependency answered", body = Readiness),
        (status = 503, description = "At least one dependency failed", body = Readiness),
    ))]
pub async fn health_detailed(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let db = state.db.clone();
    let blobs = state.blobs.clone();
    let jobs = state.jobs.clone();
    let mut queues = Vec::new();
    let (sql, blob, engine) = tokio::join!(
        probe("sql", db.backend().as_str(), async move {
            db.ping().await.map_err(|e| e.to_string())
        }),
        probe("blobs", state.blob_backend, async move {
            cistern_store::blob::ping(blobs.as_ref())
                .await
                .map_err(|e| e.to_string())
        }),
        probe("jobs", state.jobs.backend().kind(), async {
            queues = jobs.depths().await.map_err(|e| e.to_string())?;
            Ok(())
        }),
    );
    let checks = vec![sql, blob, engine];
    let healthy = checks.iter().all(|c| c.status == CheckStatus::Ok);
    let body = Readiness {
        status: if healthy {
            Overall::Ok
        } else {
            Overall::Degraded
        },
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.started.elapsed().as_secs_f64(),
        checks,
        queues: queues.into_iter().map(QueueDepthView::from).collect(),
        llm: llm_health(&state.llm),
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

fn llm_health(gateway: &cistern_llm::Gateway) -> LlmHealth {
    let report = gateway.health();
    LlmHealth {
        configured: report.configured,
        message: report.message,
        default_model: gateway.local_default().map(str::to_owned),
        local: report.local.map(|l| LocalModelHealth {
            name: l.name,
            path: l.path,
            default: l.default,
            fallback: l.fallback,
            parameters: l.parameters,
            context: l.context,
            threads: l.threads,
            sequences: l.sequences,
            queue: l.queue,
            busy: l.busy,
            queued: l.queued,
        }),
        deployments: report
            .deployments
            .into_iter()
            .map(|d| DeploymentHealth {
                name: d.name,
                provider: d.provider.as_str(),
                healthy: d.healthy,
                breaker: serde_json::to_value(d.breaker)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                consecutive_failures: d.consecutive_failures,
            })
            .collect(),
    }
}

async fn probe(
    name: &'static str,
    backend: &'static str,
    check: impl Future<Output = Result<(), String>>,
) -> Check {
    let started = Instant::now();
    let outcome = tokio::time::timeout(CHECK_TIMEOUT, check).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, detail) = match outcome {
        Ok(Ok(())) => (CheckStatus::Ok, backend.to_owned()),
        Ok(Err(error)) => {
            tracing::warn!(check = name, %error, "health check failed");
            (CheckStatus::Error, format!("{backend}: unreachable"))
        }
        Err(_) => (
            CheckStatus::Error,
            format!("{backend}: no answer within {}s", CHECK_TIMEOUT.as_secs()),
        ),
    };
    Check {
        name,
        status,
        latency_ms,
        detail,
    }
}
