//! Prometheus metrics: a registry per application (so tests can run many apps in one process),
//! request counters and latency histograms by route and status, and build info.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::http::error::ApiError;

/// Labels of the HTTP request metrics. `route` is the route template (`/api/v1/jobs/{id}`),
/// never the raw path, so cardinality stays bounded.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

/// The metrics of one application instance.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms .. ~33 s in 16 doubling buckets.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

impl Metrics {
    /// A fresh registry with the HTTP metrics and `cistern_build_info` registered.
    pub fn new() -> Arc<Self> {
        Self::with_collectors(|_| {})
    }

    /// Like [`Metrics::new`], letting other parts (the LLM gateway, the job engine) register
    /// their own metrics in the same registry, so one scrape of `/metrics` shows everything.
    pub fn with_collectors(register: impl FnOnce(&mut Registry)) -> Arc<Self> {
        let mut registry = Registry::default();
        register(&mut registry);
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response headers",
            latency.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            })
            .set(1);
        registry.register(
            "cistern_build_info",
            "Build information; the value is always 1",
            build,
        );
        Arc::new(Self {
            registry,
            requests,
            latency,
        })
    }

    fn observe(&self, labels: RequestLabels, seconds: f64) {
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }

    /// The registry in the OpenMetrics text format.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Middleware: counts every request and times it to the response head.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let labels = RequestLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    metrics.observe(labels, started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: Prometheus scrape endpoint.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Metrics in the OpenMetrics text format", content_type = "application/openmetrics-text")))]
pub async fn metrics(State(metrics): State<Arc<Metrics>>) -> Result<Response, ApiError> {
    let body = metrics.render().map_err(ApiError::internal)?;
    let content_type =
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}
