//! The public entry point: [`Gateway`] routes a call to a deployment, retries and falls back,
//! checks tool calls, caches, and accounts for it.

mod attempt;
mod build;
mod chat;
mod embed;
mod info;
mod record;
mod stream;
mod upstream;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub use info::{DeploymentInfo, HealthReport, ModelInfo, ModelsInfo};
pub use stream::ChatStream;

use crate::accounting::{CallSink, CostEstimate};
use crate::cache::ResponseCache;
use crate::clock::ManualClock;
use crate::config::LlmConfig;
use crate::env::{EnvProvider, providers_from_env};
use crate::error::Error;
use crate::metrics::{Label, Metrics};
use crate::provider::local::LocalModel;
use crate::retry::RetryPolicy;
use crate::router::Deployment;
use crate::types::ChatRequest;

/// A function reading an environment variable (`std::env::var` in production, a map in tests).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What the server wires in besides the config.
#[derive(Clone)]
pub struct GatewayOptions {
    /// Where call records go; `None` drops them.
    pub sink: Option<Arc<dyn CallSink>>,
    /// Reads environment variables: the zero-config providers and deployments' `api_key_env`.
    pub env: EnvLookup,
    /// A manual clock for breaker cooldowns and cache expiry in tests.
    pub clock: Option<ManualClock>,
}

impl Default for GatewayOptions {
    /// Reads the process environment; no sink.
    fn default() -> Self {
        Self {
            sink: None,
            env: Arc::new(|k| std::env::var(k).ok()),
            clock: None,
        }
    }
}

impl std::fmt::Debug for GatewayOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayOptions")
            .field("sink", &self.sink.is_some())
            .field("clock", &self.clock)
            .finish()
    }
}

impl GatewayOptions {
    /// No environment at all: only the config counts (tests, or an operator who wants that).
    pub fn without_env() -> Self {
        Self {
            env: Arc::new(|_| None),
            ..Self::default()
        }
    }
}

/// The LLM gateway. Cheap to clone (one `Arc`); share one per process.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("models", &self.inner.models.keys().collect::<Vec<_>>())
            .field(
                "passthrough",
                &self.inner.env.iter().map(|e| e.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

struct ModelRoute {
    label: Label,
    deployments: Vec<Arc<Deployment>>,
}

/// The local model's own route (by its name, or for every name when it is the default).
struct LocalRoute {
    label: Label,
    model: Arc<LocalModel>,
    deployment: Arc<Deployment>,
    /// No provider is configured: it answers every model name.
    default: bool,
    /// It backs up every configured model and passthrough provider.
    fallback: bool,
}

pub(crate) struct Inner {
    models: HashMap<String, ModelRoute>,
    env: Vec<EnvProvider>,
    env_deployments: Vec<Arc<Deployment>>,
    /// Per environment provider: its deployment, then the local model when it is the fallback.
    env_routes: Vec<Vec<Arc<Deployment>>>,
    local: Option<LocalRoute>,
    passthrough: bool,
    retry: RetryPolicy,
    deadline: Duration,
    cache: Option<ResponseCache>,
    sink: Option<Arc<dyn CallSink>>,
    metrics: Metrics,
    record_bodies: bool,
    passthrough_label: Label,
    no_deployment: Label,
    cache_label: Label,
}

/// Where a call goes.
pub(crate) struct Route<'a> {
    pub label: Label,
    pub deployments: &'a [Arc<Deployment>],
    /// For passthrough: the upstream model name (prefix removed).
    pub upstream: Option<&'a str>,
}

impl Gateway {
    /// Builds the gateway: one HTTP client per deployment, keys resolved, cache opened
    /// (lazily for Redis). Fails only on an invalid config. With no models and no provider
    /// in the environment it still builds: [`Gateway::is_configured`] is then false and
    /// every call answers [`Error::NotConfigured`].
    pub fn new(config: LlmConfig, options: GatewayOptions) -> Result<Self, Error> {
        build::build(config, options).map(|inner| Self {
            inner: Arc::new(inner),
        })
    }

    /// Whether any model can be served (configured models, an environment provider, or the
    /// local model).
    pub fn is_configured(&self) -> bool {
        !self.inner.models.is_empty()
            || (self.inner.passthrough && !self.inner.env.is_empty())
            || self.inner.local.is_some()
    }

    /// The local model's name when it answers every call because no provider is configured.
    pub fn local_default(&self) -> Option<&str> {
        self.inner
            .local
            .as_ref()
            .filter(|l| l.default)
            .map(|l| l.model.name.as_str())
    }

    /// Registers the gateway's metrics (`cistern_llm_*`).
    pub fn register_metrics(&self, registry: &mut prometheus_client::registry::Registry) {
        self.inner.metrics.register(registry);
    }

    /// A quota pre-check estimate: prompt tokens by a cheap byte heuristic (no tokenizer on
    /// the request path; it leans high), the output allowance, and the most it can cost.
    pub fn estimate_cost(&self, req: &ChatRequest) -> Result<CostEstimate, Error> {
        let route = self.inner.resolve(&req.model)?;
        let input_tokens = crate::tokens::quick_estimate(req);
        let window = route
            .deployments
            .iter()
            .filter_map(|d| d.context_window)
            .min();
        let max_output_tokens = req
            .max_tokens
            .or_else(|| window.map(|w| w.saturating_sub(input_tokens)))
            .unwrap_or(4096);
        let max_cost_usd = route
            .deployments
            .iter()
            .map(|d| d.cost(input_tokens, max_output_tokens))
            .fold(0.0, f64::max);
        Ok(CostEstimate {
            input_tokens,
            max_output_tokens,
            max_cost_usd,
        })
    }
}

impl Inner {
    pub(crate) fn resolve<'a>(&'a self, model: &'a str) -> Result<Route<'a>, Error> {
        if let Some(r) = self.models.get(model) {
            return Ok(Route {
                label: r.label.clone(),
                deployments: &r.deployments,
                upstream: None,
            });
        }
        let local_route = |l: &'a LocalRoute| Route {
            label: l.label.clone(),
            deployments: std::slice::from_ref(&l.deployment),
            upstream: None,
        };
        if let Some(l) = &self.local
            && (model == l.model.name || model == l.model.upstream)
        {
            return Ok(local_route(l));
        }
        if self.passthrough
            && let Some((i, upstream)) = crate::env::pick(&self.env, model)
        {
            return Ok(Route {
                label: self.passthrough_label.clone(),
                deployments: &self.env_routes[i],
                upstream: Some(upstream),
            });
        }
        if let Some(l) = self.local.as_ref().filter(|l| l.default) {
            return Ok(local_route(l));
        }
        if self.models.is_empty() && (self.env.is_empty() || !self.passthrough) {
            return Err(Error::NotConfigured);
        }
        Err(Error::ModelNotFound(model.to_owned()))
    }
}

/// The environment providers the options' lookup finds.
fn env_providers(options: &GatewayOptions) -> Vec<EnvProvider> {
    let lookup = &options.env;
    providers_from_env(|k| lookup(k))
}
