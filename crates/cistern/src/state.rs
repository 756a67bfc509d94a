//! The state shared by every handler.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::extract::FromRef;
use cistern_store::{BlobStore, Db};

use crate::auth::Auth;
use crate::config::Config;
use crate::http::metrics::Metrics;
use crate::http::ratelimit::Limits;
use crate::quota::QuotaCache;

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
    /// The same moment on the wall clock.
    pub started_at: SystemTime,
    /// Token keys and identity settings.
    pub auth: Arc<Auth>,
    /// Request rate limits.
    pub limits: Arc<Limits>,
    /// The LLM gateway (records go to the call-log writer).
    pub llm: cistern_llm::Gateway,
    /// Recently read monthly budgets.
    pub quotas: Arc<QuotaCache>,
}
