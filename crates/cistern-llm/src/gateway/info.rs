//! What the gateway can serve and how its deployments are doing: for `GET /v1/models`,
//! `cistern llm models` and `/health/detailed`.

use std::sync::atomic::Ordering;

use serde::Serialize;

use super::Gateway;
use crate::breaker::BreakerState;
use crate::cache::CacheStats;
use crate::error::NOT_CONFIGURED;
use crate::provider::ProviderKind;
use crate::provider::local::{LOCAL_ONLY, LocalInfo};
use crate::router::Deployment;

/// The models the gateway serves.
#[derive(Debug, Clone, Serialize)]
pub struct ModelsInfo {
    /// Configured models, by name.
    pub models: Vec<ModelInfo>,
    /// Providers from the environment that take any other model name, in precedence order.
    pub passthrough: Vec<DeploymentInfo>,
    /// The built-in local model, when one is loaded.
    pub local: Option<LocalInfo>,
}

/// A configured model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// The name callers use.
    pub name: String,
    /// The smallest context window among its deployments, if they state one.
    pub context_window: Option<u32>,
    /// Its deployments in fallback order.
    pub deployments: Vec<DeploymentInfo>,
}

/// A deployment and its health.
#[derive(Debug, Clone, Serialize)]
pub struct DeploymentInfo {
    /// Its name (`fast/0`, `env:openai`).
    pub name: String,
    /// Protocol.
    pub provider: ProviderKind,
    /// Base URL (holds no key).
    pub base_url: String,
    /// Upstream model; `None` for passthrough (the caller's name is sent).
    pub upstream_model: Option<String>,
    /// Balancing weight.
    pub weight: u32,
    /// Context window, if configured.
    pub context_window: Option<u32>,
    /// USD per million input tokens.
    pub input_price_per_mtok: f64,
    /// USD per million output tokens.
    pub output_price_per_mtok: f64,
    /// Circuit breaker state.
    pub breaker: BreakerState,
    /// True unless the breaker is open and cooling down.
    pub healthy: bool,
    /// Consecutive failures.
    pub consecutive_failures: u32,
    /// Attempts sent since start.
    pub requests: u64,
    /// Failed attempts since start.
    pub failures: u64,
    /// The last failure in words.
    pub last_error: Option<String>,
}

/// The gateway's part of `/health/detailed`.
#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    /// False: no provider is configured and no local model is loaded; LLM routes answer 503.
    pub configured: bool,
    /// Set when not configured (how to configure a provider), or when only the local model
    /// answers (that a provider gives far better results).
    pub message: Option<&'static str>,
    /// The built-in local model, when one is loaded.
    pub local: Option<LocalInfo>,
    /// Every deployment, configured first, then passthrough.
    pub deployments: Vec<DeploymentInfo>,
    /// Cache counters; `None` when the cache is off.
    pub cache: Option<CacheStats>,
}

fn info(d: &Deployment) -> DeploymentInfo {
    let breaker = d.breaker.state();
    DeploymentInfo {
        name: d.name.to_string(),
        provider: d.kind,
        base_url: d.base_url.clone(),
        upstream_model: d.upstream_model.clone(),
        weight: d.weight,
        context_window: d.context_window,
        input_price_per_mtok: d.input_price_per_mtok,
        output_price_per_mtok: d.output_price_per_mtok,
        breaker,
        healthy: d.breaker.available(),
        consecutive_failures: d.breaker.consecutive_failures(),
        requests: d.requests.load(Ordering::Relaxed),
        failures: d.failures.load(Ordering::Relaxed),
        last_error: d.last_error.lock().ok().and_then(|e| e.clone()),
    }
}

impl Gateway {
    /// Configured models (sorted by name) and passthrough providers.
    pub fn models(&self) -> ModelsInfo {
        let mut models: Vec<ModelInfo> = self
            .inner
            .models
            .iter()
            .map(|(name, route)| ModelInfo {
                name: name.clone(),
                context_window: route
                    .deployments
                    .iter()
                    .filter_map(|d| d.context_window)
                    .min(),
                deployments: route.deployments.iter().map(|d| info(d)).collect(),
            })
            .collect();
        models.sort_by(|a, b| a.name.cmp(&b.name));
        let passthrough = self.inner.env_deployments.iter().map(|d| info(d)).collect();
        ModelsInfo {
            models,
            passthrough,
            local: self.local_info(),
        }
    }

    fn local_info(&self) -> Option<LocalInfo> {
        let l = self.inner.local.as_ref()?;
        Some(l.model.info(l.default, l.fallback))
    }

    /// Deployment health and cache counters.
    pub fn health(&self) -> HealthReport {
        let models = self.models();
        let configured = self.is_configured();
        let message = if !configured {
            Some(NOT_CONFIGURED)
        } else if self.local_default().is_some() {
            Some(LOCAL_ONLY)
        } else {
            None
        };
        let mut deployments: Vec<DeploymentInfo> = models
            .models
            .into_iter()
            .flat_map(|m| m.deployments)
            .chain(models.passthrough)
            .collect();
        if let Some(l) = &self.inner.local
            && !deployments.iter().any(|d| *d.name == *l.deployment.name)
        {
            deployments.push(info(&l.deployment));
        }
        HealthReport {
            configured,
            message,
            local: models.local,
            deployments,
            cache: self.inner.cache.as_ref().map(|c| c.stats()),
        }
    }
}
