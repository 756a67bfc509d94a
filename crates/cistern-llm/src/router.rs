//! Deployments at run time (client, keys, breaker, prices, health counters) and the choice
//! of which to try first: weighted among the healthy ones, the rest in list order.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::breaker::Breaker;
use crate::error::Error;
use crate::metrics::Label;
use crate::provider::local::LocalModel;
use crate::provider::{ProviderKind, Target};

/// What a deployment is built from (configured, or found in the environment).
pub(crate) struct DeploymentSpec<'a> {
    pub name: String,
    pub kind: ProviderKind,
    pub base_url: &'a str,
    pub keys: Vec<String>,
    /// `None` for passthrough: the request's model name is sent.
    pub upstream_model: Option<String>,
    pub weight: u32,
    pub timeout: Duration,
    pub input_price_per_mtok: f64,
    pub output_price_per_mtok: f64,
    pub context_window: Option<u32>,
}

/// One upstream at run time. Shared by every call through an `Arc`.
#[derive(Debug)]
pub(crate) struct Deployment {
    pub name: Arc<str>,
    pub kind: ProviderKind,
    pub base_url: String,
    pub upstream_model: Option<String>,
    pub weight: u32,
    pub timeout: Duration,
    pub input_price_per_mtok: f64,
    pub output_price_per_mtok: f64,
    pub context_window: Option<u32>,
    /// One client per deployment: its connection pool stays warm for this upstream.
    client: reqwest::Client,
    auth: Vec<(HeaderName, HeaderValue)>,
    next_key: AtomicUsize,
    pub breaker: Breaker,
    /// `name` as a metrics label.
    pub label: Label,
    pub requests: AtomicU64,
    pub failures: AtomicU64,
    /// The last failure in words (never holding a key), for the health report.
    pub last_error: Mutex<Option<String>>,
    /// For [`ProviderKind::Local`]: the model, served in process instead of over HTTP.
    pub local: Option<Arc<LocalModel>>,
}

impl Deployment {
    pub(crate) fn new(spec: DeploymentSpec<'_>, breaker: Breaker) -> Result<Self, Error> {
        let auth = spec
            .keys
            .iter()
            .map(|k| spec.kind.auth_header(k))
            .collect::<Result<Vec<_>, _>>()?;
        let client = reqwest::Client::builder()
            .connect_timeout(spec.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .user_agent(concat!("cistern-llm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("deployment {}: HTTP client: {e}", spec.name)))?;
        let base_url = spec.base_url.trim_end_matches('/').to_owned();
        reqwest::Url::parse(&base_url).map_err(|e| {
            Error::Config(format!(
                "deployment {}: base_url {base_url:?}: {e}",
                spec.name
            ))
        })?;
        let name: Arc<str> = spec.name.into();
        Ok(Self {
            label: Label(name.clone()),
            name,
            kind: spec.kind,
            base_url,
            upstream_model: spec.upstream_model,
            weight: spec.weight,
            timeout: spec.timeout,
            input_price_per_mtok: spec.input_price_per_mtok,
            output_price_per_mtok: spec.output_price_per_mtok,
            context_window: spec.context_window,
            client,
            auth,
            next_key: AtomicUsize::new(0),
            breaker,
            requests: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            last_error: Mutex::new(None),
            local: None,
        })
    }

    /// A deployment of the local model: no HTTP client is used, no key, no price.
    pub(crate) fn local(
        name: String,
        model: Arc<LocalModel>,
        weight: u32,
        timeout: Duration,
        breaker: Breaker,
    ) -> Result<Self, Error> {
        let spec = DeploymentSpec {
            name,
            kind: ProviderKind::Local,
            // Only to build the (unused) client; the model's path is shown instead.
            base_url: "http://127.0.0.1",
            keys: Vec::new(),
            upstream_model: Some(model.upstream.clone()),
            weight,
            timeout,
            input_price_per_mtok: 0.0,
            output_price_per_mtok: 0.0,
            context_window: None,
        };
        let mut d = Self::new(spec, breaker)?;
        d.base_url = model.path().display().to_string();
        d.local = Some(model);
        Ok(d)
    }

    /// Where the next attempt goes; keys of the pool are used in turn.
    pub(crate) fn target<'a>(&'a self, model: &'a str) -> Target<'a> {
        let auth = match self.auth.len() {
            0 => None,
            1 => self.auth.first(),
            n => self
                .auth
                .get(self.next_key.fetch_add(1, Ordering::Relaxed) % n),
        };
        Target {
            client: &self.client,
            base_url: &self.base_url,
            model,
            auth,
        }
    }

    /// Cost in USD of this many tokens at this deployment's prices.
    pub(crate) fn cost(&self, input_tokens: u32, output_tokens: u32) -> f64 {
        (f64::from(input_tokens) * self.input_price_per_mtok
            + f64::from(output_tokens) * self.output_price_per_mtok)
            / 1_000_000.0
    }

    pub(crate) fn record_failure(&self, error: &Error) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error.to_string());
        }
    }
}

/// The order in which to try `deployments`: first a weighted pick among the available ones
/// with weight > 0 (the first available one when none has weight), then the other available
/// ones in list order. Empty when every circuit is open.
pub(crate) fn plan(deployments: &[Arc<Deployment>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..deployments.len())
        .filter(|&i| deployments[i].breaker.available())
        .collect();
    if order.len() > 1 {
        let total: u64 = order
            .iter()
            .map(|&i| u64::from(deployments[i].weight))
            .sum();
        if total > 0 {
            let mut ticket = fastrand::u64(..total);
            let pos = order
                .iter()
                .position(|&i| {
                    let w = u64::from(deployments[i].weight);
                    if ticket < w {
                        return true;
                    }
                    ticket -= w;
                    false
                })
                .unwrap_or(0);
            let first = order.remove(pos);
            order.insert(0, first);
        }
    }
    order
}
