//! Turning `[llm]` and the environment into deployments.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::{GatewayOptions, Inner, LocalRoute, ModelRoute, env_providers};
use crate::breaker::Breaker;
use crate::cache::ResponseCache;
use crate::clock::Clock;
use crate::config::{DeploymentConfig, LlmConfig};
use crate::error::Error;
use crate::metrics::{Label, Metrics};
use crate::provider::ProviderKind;
use crate::provider::local::{FETCH_HINT, LocalModel};
use crate::retry::RetryPolicy;
use crate::router::{Deployment, DeploymentSpec};

pub(super) fn build(config: LlmConfig, options: GatewayOptions) -> Result<Inner, Error> {
    let clock = Clock::new(options.clock.clone());
    let breaker = || {
        let cooldown = Duration::from_millis(config.breaker.cooldown_ms);
        Breaker::new(
            config.breaker.failure_threshold,
            crate::clock::nanos(cooldown),
            clock.clone(),
        )
    };
    let default_timeout = Duration::from_millis(config.timeout_ms.max(1));
    let local_model = LocalModel::load(&config.local)?;
    let local_timeout = Duration::from_millis(config.local.timeout_ms.max(1));
    let local_deployment = match &local_model {
        Some(m) => Some(Arc::new(Deployment::local(
            m.name.clone(),
            m.clone(),
            0,
            local_timeout,
            breaker(),
        )?)),
        None => None,
    };
    let mut models = HashMap::with_capacity(config.models.len());
    for (name, model) in &config.models {
        if model.deployments.is_empty() {
            return Err(Error::Config(format!("models.{name} has no deployments")));
        }
        let mut deployments = Vec::with_capacity(model.deployments.len() + 1);
        for (i, d) in model.deployments.iter().enumerate() {
            if d.provider == ProviderKind::Local {
                let Some(m) = &local_model else {
                    return Err(Error::Config(format!(
                        "models.{name}: a \"local\" deployment needs the local model, and none is loaded: {FETCH_HINT}"
                    )));
                };
                let dname = d.name.clone().unwrap_or_else(|| format!("{name}/{i}"));
                let timeout = d.timeout_ms.map_or(local_timeout, Duration::from_millis);
                deployments.push(Arc::new(Deployment::local(
                    dname,
                    m.clone(),
                    d.weight,
                    timeout,
                    breaker(),
                )?));
                continue;
            }
            let spec = spec(name, i, d, &options, default_timeout)?;
            deployments.push(Arc::new(Deployment::new(spec, breaker())?));
        }
        if let Some(local) = local_deployment.as_ref().filter(|_| config.local.fallback)
            && deployments.iter().all(|d| d.kind != ProviderKind::Local)
        {
            deployments.push(local.clone());
        }
        if deployments.iter().all(|d| d.weight == 0) {
            // Nothing to balance: the list order alone decides.
            tracing::debug!(model = %name, "every deployment has weight 0; using list order");
        }
        models.insert(
            name.clone(),
            ModelRoute {
                label: Label(Arc::from(name.as_str())),
                deployments,
            },
        );
    }
    let env = if config.passthrough {
        env_providers(&options)
    } else {
        Vec::new()
    };
    let env_deployments = env
        .iter()
        .map(|p| {
            let keys = p.api_key.iter().map(|k| k.expose().to_owned()).collect();
            let spec = DeploymentSpec {
                name: format!("env:{}", p.name),
                kind: p.kind,
                base_url: &p.base_url,
                keys,
                upstream_model: None,
                weight: 1,
                timeout: default_timeout,
                input_price_per_mtok: 0.0,
                output_price_per_mtok: 0.0,
                context_window: None,
            };
            Deployment::new(spec, breaker()).map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Each passthrough provider's route: the provider, then the local model if it backs it up.
    let env_routes = env_deployments
        .iter()
        .map(|d| {
            let mut route = vec![d.clone()];
            if let Some(local) = local_deployment.as_ref().filter(|_| config.local.fallback) {
                route.push(local.clone());
            }
            route
        })
        .collect();
    let local = match (local_model, local_deployment) {
        (Some(model), Some(deployment)) => Some(LocalRoute {
            label: Label(Arc::from(model.name.as_str())),
            // The default model only when nothing else can answer.
            default: models.is_empty() && env.is_empty(),
            fallback: config.local.fallback,
            model,
            deployment,
        }),
        _ => None,
    };
    let metrics = Metrics::default();
    for d in models
        .values()
        .flat_map(|m| &m.deployments)
        .chain(&env_deployments)
        .chain(local.as_ref().map(|l| &l.deployment))
    {
        metrics.breaker(&d.label, d.breaker.state());
    }
    Ok(Inner {
        cache: ResponseCache::new(&config.cache, clock.clone())?,
        models,
        env,
        env_deployments,
        env_routes,
        local,
        passthrough: config.passthrough,
        retry: RetryPolicy::new(&config.retry),
        deadline: Duration::from_millis(config.deadline_ms.max(1)),
        sink: options.sink,
        metrics,
        record_bodies: config.record_bodies,
        passthrough_label: Label(Arc::from("passthrough")),
        no_deployment: Label(Arc::from("")),
        cache_label: Label(Arc::from("cache")),
    })
}

fn spec<'a>(
    model: &str,
    index: usize,
    d: &'a DeploymentConfig,
    options: &GatewayOptions,
    default_timeout: Duration,
) -> Result<DeploymentSpec<'a>, Error> {
    let name = d.name.clone().unwrap_or_else(|| format!("{model}/{index}"));
    let mut keys: Vec<String> = d
        .api_key
        .iter()
        .chain(&d.api_keys)
        .map(|k| k.expose().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    // A key named by an environment variable is read once, here.
    if let Some(var) = &d.api_key_env {
        match (options.env)(var).filter(|v| !v.trim().is_empty()) {
            Some(v) => keys.push(v.trim().to_owned()),
            None => {
                return Err(Error::Config(format!(
                    "models.{model}: {name}: api_key_env {var} is not set"
                )));
            }
        }
    }
    if d.model.trim().is_empty() {
        return Err(Error::Config(format!(
            "models.{model}: {name}: model is empty"
        )));
    }
    if !(d.input_price_per_mtok >= 0.0 && d.output_price_per_mtok >= 0.0) {
        return Err(Error::Config(format!(
            "models.{model}: {name}: prices must be ≥ 0"
        )));
    }
    Ok(DeploymentSpec {
        name,
        kind: d.provider,
        base_url: d
            .base_url
            .as_deref()
            .unwrap_or(d.provider.default_base_url()),
        keys,
        upstream_model: Some(d.model.clone()),
        weight: d.weight,
        timeout: d
            .timeout_ms
            .map(Duration::from_millis)
            .unwrap_or(default_timeout)
            .max(Duration::from_millis(1)),
        input_price_per_mtok: d.input_price_per_mtok,
        output_price_per_mtok: d.output_price_per_mtok,
        context_window: d.context_window,
    })
}
