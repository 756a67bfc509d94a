//! Jobs and queues at the server: opening the engine (`crates/cistern-jobs`) from `[jobs]`, the
//! registry of job handlers, the process that runs workers, and the HTTP API over both.
//!
//! * [`open`] builds the [`Jobs`] handle every request and worker shares.
//! * [`Handlers`] is where apps register what their jobs do.
//! * [`service`] runs workers — inside `cistern serve`, or alone in `cistern worker` — and
//!   drains them on shutdown.
//! * [`routes`](mod@routes) (`/api/v1/jobs…`), [`events`] (the SSE stream) and [`queues`]
//!   (`/api/v1/queues…`) are thin handlers; everything is owner-checked through
//!   [`cistern_jobs::Scope::Owner`], so another user's job is a 404.
//!
//! Boundary: the engine knows owners only as user id strings; identity stays here.

pub mod events;
mod handlers;
pub mod queues;
pub mod routes;
pub mod service;
mod view;

pub use handlers::Handlers;
pub use view::QueueDepthView;

use std::sync::Arc;

use anyhow::Context;
use cistern_jobs::{Backend, Jobs, Metrics, NatsBackend, SqlBackend};
use cistern_store::Db;

use utoipa_axum::router::OpenApiRouter;

use crate::config::{JobsBackend, JobsConfig};
use crate::http::error::ApiError;
use crate::http::timeout::{self, Allowance};
use crate::state::AppState;

/// The job and queue API. The lease route is a long poll: it may wait up to
/// [`cistern_jobs::MAX_WAIT`] on top of the request timeout.
pub fn routes() -> OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    let long_poll = OpenApiRouter::new()
        .routes(routes!(queues::lease_messages))
        .route_layer(timeout::allow(Allowance::Extra(cistern_jobs::MAX_WAIT)));
    OpenApiRouter::new()
        .routes(routes!(routes::list_jobs))
        .routes(routes!(routes::get_job))
        .routes(routes!(events::job_events))
        .routes(routes!(routes::cancel_job))
        .routes(routes!(routes::retry_job))
        .routes(routes!(queues::list_queues))
        .routes(routes!(queues::send_messages))
        .routes(routes!(queues::ack_messages))
        .routes(routes!(queues::nack_messages))
        .merge(long_poll)
}

/// Opens the engine's backend on the migrated SQL store: the embedded SQL backend, or NATS
/// JetStream dispatch with state in SQL. Close it with `jobs.backend().close()`.
pub async fn open(config: &JobsConfig, db: &Db, metrics: Metrics) -> anyhow::Result<Jobs> {
    let backend: Arc<dyn Backend> = match config.backend {
        JobsBackend::Sql => Arc::new(
            SqlBackend::open(db.clone(), config.sql())
                .await
                .context("cannot start the SQL job backend")?,
        ),
        JobsBackend::Nats => {
            let nats = config.nats();
            let url = crate::config::mask_url_password(&nats.url);
            Arc::new(
                NatsBackend::open(db.clone(), config.sql(), nats)
                    .await
                    .with_context(|| format!("cannot start the NATS job backend at {url}"))?,
            )
        }
    };
    tracing::info!(backend = backend.kind(), "job engine ready");
    Ok(Jobs::with_metrics(backend, metrics))
}

/// Maps an engine error to the API envelope: bad input is a 422 naming the field; a closed
/// engine (shutting down) a 503; anything else is internal.
pub(crate) fn api_error(error: cistern_jobs::Error) -> ApiError {
    match error {
        cistern_jobs::Error::Invalid { what, reason } => {
            ApiError::validation(what, format!("invalid {what}: {reason}"))
        }
        cistern_jobs::Error::Closed => ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the server is shutting down",
        ),
        other => ApiError::internal(other),
    }
}
