//! The attempt loop shared by chat, streams and embeddings: pick deployments in plan order,
//! retry with backoff, fall back, respect breakers, the per-attempt timeout and the deadline.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::record::Tracker;
use super::{Inner, Route};
use crate::error::Error;
use crate::provider::ProviderKind;
use crate::router::{Deployment, plan};

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Transient (429, 5xx, connect error, timeout): try another deployment, or this one
    /// again after a backoff.
    Retry,
    /// This deployment cannot serve it (401, 403, 404): try another, never this one again.
    OtherDeployment,
    /// Nothing will help (400, malformed answer already billed): return the error.
    Stop,
}

/// A failed attempt.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub next: Next,
    /// Whether it counts against the deployment's circuit breaker.
    pub counts: bool,
}

impl Failure {
    pub(crate) fn retry(error: Error) -> Self {
        Self {
            error,
            next: Next::Retry,
            counts: true,
        }
    }
    pub(crate) fn stop(error: Error, counts: bool) -> Self {
        Self {
            error,
            next: Next::Stop,
            counts,
        }
    }
}

impl Inner {
    /// Runs `attempt` against the route's deployments until one succeeds or the attempts,
    /// deployments or deadline run out. `attempt` gets the deployment and the upstream model.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        route: &Route<'_>,
        model: &str,
        tracker: &mut Tracker,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut(Arc<Deployment>, String) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let order = plan(route.deployments);
        if order.is_empty() {
            return Err(Error::Unavailable(format!(
                "every deployment of {model:?} is failing (circuit open); try again shortly"
            )));
        }
        let deadline = Instant::now() + self.deadline;
        let mut failures = vec![0u32; order.len()];
        let mut retry_after: Vec<Option<Duration>> = vec![None; order.len()];
        let mut excluded = vec![false; order.len()];
        let mut last_error: Option<Error> = None;
        let mut previous: Option<usize> = None;
        let mut pos = 0;
        while tracker.attempts < self.retry.max_attempts {
            let Some(p) = (0..order.len())
                .map(|k| (pos + k) % order.len())
                .find(|&p| !excluded[p])
            else {
                break;
            };
            let d = &route.deployments[order[p]];
            if failures[p] > 0 {
                let pause = self.retry.backoff(failures[p], retry_after[p]);
                if Instant::now() + pause >= deadline {
                    break;
                }
                tokio::time::sleep(pause).await;
            }
            if !d.breaker.try_acquire() {
                excluded[p] = true; // opened meanwhile, or another caller holds the probe
                continue;
            }
            if previous.is_some_and(|q| q != p) {
                tracker.fallbacks += 1;
                self.metrics.fallback(&route.label);
            }
            if tracker.attempts > 0 {
                self.metrics.retry(&route.label, &d.label);
            }
            tracker.attempts += 1;
            let upstream = d
                .upstream_model
                .as_deref()
                .or(route.upstream)
                .unwrap_or(model)
                .to_owned();
            tracker.reached(d, &upstream);
            d.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let remaining = deadline.saturating_duration_since(Instant::now());
            let timeout = d.timeout.min(remaining);
            let outcome = match tokio::time::timeout(timeout, attempt(d.clone(), upstream)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Failure::retry(Error::Timeout(timeout))),
            };
            match outcome {
                Ok(value) => {
                    d.breaker.on_success();
                    self.metrics.breaker(&d.label, d.breaker.state());
                    return Ok(value);
                }
                Err(f) => {
                    tracing::debug!(deployment = %d.name, error = %f.error, "LLM attempt failed");
                    if f.counts {
                        d.breaker.on_failure();
                        self.metrics.breaker(&d.label, d.breaker.state());
                    }
                    d.record_failure(&f.error);
                    match f.next {
                        Next::Stop => return Err(f.error),
                        Next::OtherDeployment => excluded[p] = true,
                        Next::Retry => {
                            failures[p] += 1;
                            retry_after[p] = f.error.retry_after();
                        }
                    }
                    last_error = Some(f.error);
                    previous = Some(p);
                    pos = p + 1;
                }
            }
        }
        Err(match last_error {
            Some(e) => e,
            None if Instant::now() >= deadline => Error::Timeout(self.deadline),
            None => Error::Unavailable(format!("no deployment of {model:?} is available")),
        })
    }
}

/// Sends a request; a non-2xx answer becomes a [`Failure`] classified by status.
pub(crate) async fn send(
    kind: ProviderKind,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, Failure> {
    let resp = request
        .send()
        .await
        .map_err(|e| Failure::retry(Error::Unavailable(describe(&e))))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry_after = crate::retry::retry_after(resp.headers());
    let body = resp.bytes().await.unwrap_or_default();
    let message = kind.error_message(&body);
    let code = status.as_u16();
    Err(match code {
        429 => Failure::retry(Error::RateLimited {
            message,
            retry_after,
        }),
        408 | 500..=599 => Failure::retry(Error::Unavailable(format!("HTTP {code}: {message}"))),
        401 | 403 => Failure {
            error: Error::Unavailable(format!(
                "the provider refused the deployment's key (HTTP {code}): {message}"
            )),
            next: Next::OtherDeployment,
            counts: true,
        },
        404 => Failure {
            error: Error::BadRequest(format!(
                "the provider does not know this model or endpoint (HTTP 404): {message}"
            )),
            next: Next::OtherDeployment,
            counts: false,
        },
        _ => Failure::stop(
            Error::BadRequest(format!(
                "the provider rejected the request (HTTP {code}): {message}"
            )),
            false,
        ),
    })
}

/// How a failure of the local model is handled: a full queue lets another deployment try
/// (and is not the model's fault: the breaker does not count it); a bad request or a timeout
/// is final; anything else is final and counts.
pub(crate) fn local_failure(error: Error) -> Failure {
    match error {
        Error::Overloaded { .. } => Failure {
            error,
            next: Next::OtherDeployment,
            counts: false,
        },
        Error::BadRequest(_) | Error::Timeout(_) => Failure::stop(error, false),
        _ => Failure::stop(error, true),
    }
}

/// A transport error in words: the kind and the innermost cause, no URL query.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_connect() {
        "cannot connect to the provider"
    } else if e.is_timeout() {
        "the provider timed out"
    } else if e.is_body() || e.is_decode() {
        "the provider's answer broke off"
    } else {
        "request to the provider failed"
    };
    let mut source: &dyn std::error::Error = e;
    while let Some(s) = source.source() {
        source = s;
    }
    format!("{what}: {source}")
}
