//! Retry policy: exponential backoff with full jitter, `Retry-After` honoured up to a cap.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::config::RetryConfig;

#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    pub(crate) max_attempts: u32,
    base: Duration,
    max: Duration,
    retry_after_max: Duration,
}

impl RetryPolicy {
    pub(crate) fn new(c: &RetryConfig) -> Self {
        Self {
            max_attempts: c.max_attempts.max(1),
            base: Duration::from_millis(c.backoff_base_ms),
            max: Duration::from_millis(c.backoff_max_ms.max(c.backoff_base_ms)),
            retry_after_max: Duration::from_millis(c.retry_after_max_ms),
        }
    }

    /// The pause before retrying a deployment that has failed `failures` times in this
    /// call: uniform in `[0, min(max, base·2^(failures-1))]` ("full jitter", so retrying
    /// clients spread out), but at least the provider's `Retry-After` (capped).
    pub(crate) fn backoff(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let exp = failures.saturating_sub(1).min(20);
        let ceiling = self.base.saturating_mul(1 << exp).min(self.max);
        let jittered = Duration::from_nanos(fastrand::u64(..=crate::clock::nanos(ceiling)));
        match retry_after {
            Some(wait) => jittered.max(wait.min(self.retry_after_max)),
            None => jittered,
        }
    }
}

/// `Retry-After` in seconds (OpenAI's `retry-after-ms` preferred when present). The HTTP-date
/// form is not used by these providers and is ignored.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    if let Some(ms) = value("retry-after-ms").filter(|v| v.is_finite() && *v >= 0.0) {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    value("retry-after")
        .filter(|v| v.is_finite() && *v >= 0.0 && *v < 1e9)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::new(&RetryConfig {
            max_attempts: 3,
            backoff_base_ms: 100,
            backoff_max_ms: 1_000,
            retry_after_max_ms: 5_000,
        })
    }

    #[test]
    fn backoff_stays_under_the_doubling_ceiling() {
        let p = policy();
        for _ in 0..200 {
            assert!(p.backoff(1, None) <= Duration::from_millis(100));
            assert!(p.backoff(3, None) <= Duration::from_millis(400));
            assert!(p.backoff(30, None) <= Duration::from_millis(1_000));
        }
        // Full jitter actually spreads: not every draw is the ceiling.
        assert!((0..50).any(|_| p.backoff(3, None) < Duration::from_millis(300)));
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = policy();
        assert!(p.backoff(1, Some(Duration::from_secs(2))) >= Duration::from_secs(2));
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(60))),
            Duration::from_secs(5)
        );
        let mut h = HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert("retry-after-ms", "1500".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
