//! Prometheus metrics (prometheus-client), registered by the server under its registry.
//!
//! Labels are `model` (the name the caller used, or `passthrough` for a failed call to an
//! unconfigured name, which keeps arbitrary names out of the label space), `deployment`
//! (`cache` for a cache hit, empty when none was reached) and a status or direction. Label values are shared `Arc<str>`s: updating a counter allocates
//! nothing.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::breaker::BreakerState;

/// A label value that clones without allocating.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Label(pub Arc<str>);

impl EncodeLabelValue for Label {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, &self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CallLabels {
    model: Label,
    deployment: Label,
    status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct DeploymentLabels {
    model: Label,
    deployment: Label,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct TokenLabels {
    model: Label,
    deployment: Label,
    direction: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ModelLabels {
    model: Label,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct BreakerLabels {
    deployment: Label,
}

#[derive(Clone)]
struct Buckets;

impl MetricConstructor<Histogram> for Buckets {
    fn new_metric(&self) -> Histogram {
        // 5 ms … ~82 s.
        Histogram::new(exponential_buckets(0.005, 2.0, 15))
    }
}

/// The gateway's metric families. Clones share the counters.
#[derive(Clone)]
pub(crate) struct Metrics {
    requests: Family<CallLabels, Counter>,
    retries: Family<DeploymentLabels, Counter>,
    fallbacks: Family<ModelLabels, Counter>,
    breaker: Family<BreakerLabels, Gauge>,
    cache_hits: Family<ModelLabels, Counter>,
    cache_misses: Family<ModelLabels, Counter>,
    tokens: Family<TokenLabels, Counter>,
    cost: Family<DeploymentLabels, Counter<f64, AtomicU64>>,
    duration: Family<ModelLabels, Histogram, Buckets>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            retries: Family::default(),
            fallbacks: Family::default(),
            breaker: Family::default(),
            cache_hits: Family::default(),
            cache_misses: Family::default(),
            tokens: Family::default(),
            cost: Family::default(),
            duration: Family::new_with_constructor(Buckets),
        }
    }
}

impl Metrics {
    pub(crate) fn register(&self, r: &mut Registry) {
        r.register(
            "cistern_llm_requests",
            "LLM calls by model, deployment and status (ok or error kind)",
            self.requests.clone(),
        );
        r.register(
            "cistern_llm_retries",
            "Attempts after the first, by deployment tried",
            self.retries.clone(),
        );
        r.register(
            "cistern_llm_fallbacks",
            "Calls moved to another deployment after a failure",
            self.fallbacks.clone(),
        );
        r.register(
            "cistern_llm_breaker_state",
            "Circuit breaker per deployment: 0 closed, 1 half-open, 2 open",
            self.breaker.clone(),
        );
        r.register(
            "cistern_llm_cache_hits",
            "Chat responses served from the cache",
            self.cache_hits.clone(),
        );
        r.register(
            "cistern_llm_cache_misses",
            "Cacheable chat calls not found in the cache",
            self.cache_misses.clone(),
        );
        r.register(
            "cistern_llm_tokens",
            "Tokens by model, deployment and direction (input, output)",
            self.tokens.clone(),
        );
        r.register(
            "cistern_llm_cost_usd",
            "Cost in USD from the configured prices",
            self.cost.clone(),
        );
        r.register(
            "cistern_llm_request_duration_seconds",
            "Whole-call latency by model",
            self.duration.clone(),
        );
    }

    /// One finished call (`deployment` empty when it never reached one).
    pub(crate) fn call(
        &self,
        model: &Label,
        deployment: &Label,
        status: &'static str,
        seconds: f64,
    ) {
        self.requests
            .get_or_create(&CallLabels {
                model: model.clone(),
                deployment: deployment.clone(),
                status,
            })
            .inc();
        self.duration
            .get_or_create(&ModelLabels {
                model: model.clone(),
            })
            .observe(seconds);
    }

    pub(crate) fn usage(
        &self,
        model: &Label,
        deployment: &Label,
        input: u32,
        output: u32,
        cost: f64,
    ) {
        let labels = |direction| TokenLabels {
            model: model.clone(),
            deployment: deployment.clone(),
            direction,
        };
        self.tokens
            .get_or_create(&labels("input"))
            .inc_by(u64::from(input));
        self.tokens
            .get_or_create(&labels("output"))
            .inc_by(u64::from(output));
        if cost > 0.0 {
            self.cost
                .get_or_create(&DeploymentLabels {
                    model: model.clone(),
                    deployment: deployment.clone(),
                })
                .inc_by(cost);
        }
    }

    pub(crate) fn retry(&self, model: &Label, deployment: &Label) {
        self.retries
            .get_or_create(&DeploymentLabels {
                model: model.clone(),
                deployment: deployment.clone(),
            })
            .inc();
    }

    pub(crate) fn fallback(&self, model: &Label) {
        self.fallbacks
            .get_or_create(&ModelLabels {
                model: model.clone(),
            })
            .inc();
    }

    pub(crate) fn breaker(&self, deployment: &Label, state: BreakerState) {
        let value = match state {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        };
        self.breaker
            .get_or_create(&BreakerLabels {
                deployment: deployment.clone(),
            })
            .set(value);
    }

    pub(crate) fn cache(&self, model: &Label, hit: bool) {
        let family = if hit {
            &self.cache_hits
        } else {
            &self.cache_misses
        };
        family
            .get_or_create(&ModelLabels {
                model: model.clone(),
            })
            .inc();
    }
}
