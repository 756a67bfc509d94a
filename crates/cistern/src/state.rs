//! The state shared by every handler.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use cistern_jobs::Jobs;
use cistern_store::{BlobStore, Db};
use tokio_util::sync::CancellationToken;

use crate::auth::Auth;
use crate::config::Config;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limits;

/// Handles to everything a request may need; cheap to clone. Handlers extract the narrowest
/// piece they need (`State<Arc<Metrics>>`, …) rather than the whole state where they can.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// The effective configuration.
    pub config: Arc<Config>,
    /// The SQL store.
    pub db: Db,
    /// The blob store.
    pub blobs: BlobStore,
    /// Name of the blob backend (`local`, `s3`), for health reports.
    pub blob_backend: &'static str,
    /// This instance's metrics registry.
    pub metrics: Arc<Metrics>,
    /// When this instance started.
    pub started: Instant,
    /// Token keys and identity settings.
    pub auth: Arc<Auth>,
    /// Request rate limits.
    pub limits: Arc<Limits>,
    /// The job engine: enqueue, the job API, users' queues.
    pub jobs: Jobs,
    /// Cancelled when the server begins shutting down: long polls and event streams end, so
    /// draining does not wait on them.
    pub shutdown: CancellationToken,
}
