//! The Redis backend: one atomic Lua script per check, shared by every server instance.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::RedisConnection;
use crate::{Decision, Error, InProcessConfig, InProcessLimiter, Quota};

/// Every rate-limit key in Redis starts with this, so they can be found, counted or flushed
/// apart from other data in a shared database.
pub const KEY_PREFIX: &str = "cistern:rl:";

/// What a check does when Redis cannot answer (down, unreachable, too slow).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnRedisError {
    /// Default. Enforce the same quotas with a per-instance in-process limiter until Redis is
    /// back. Limits stay in force (looser by the number of instances), brute-force protection
    /// on login keeps working, and an outage of the cache does not become an outage of the API.
    #[default]
    FallBackToLocal,
    /// Fail open: allow every request. For deployments where availability beats enforcement.
    Allow,
    /// Fail closed: return the error, which the HTTP layer answers with 503. For deployments
    /// where an unenforced limit is worse than refusing service.
    Deny,
}

/// Options for [`RedisLimiter`].
#[derive(Debug, Clone, Copy)]
pub struct RedisLimiterOptions {
    /// Behaviour when Redis cannot answer.
    pub on_error: OnRedisError,
    /// Bound on one check's round trip before `on_error` applies. Default 250 ms: a healthy
    /// Redis nearby answers in well under a millisecond, and requests must not queue behind a
    /// dead connection.
    pub timeout: Duration,
    /// After a failure, how long checks skip Redis and go straight to `on_error` (a circuit
    /// breaker, so an outage does not add `timeout` to every request). Default 1 s.
    pub retry_after_failure: Duration,
    /// Size bound of the fallback limiter ([`OnRedisError::FallBackToLocal`]).
    pub fallback: InProcessConfig,
}

impl Default for RedisLimiterOptions {
    fn default() -> Self {
        Self {
            on_error: OnRedisError::default(),
            timeout: Duration::from_millis(250),
            retry_after_failure: Duration::from_secs(1),
            fallback: InProcessConfig::default(),
        }
    }
}

/// GCRA rate limiter whose state lives in Redis, so all instances share one limit per key.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct RedisLimiter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    connection: RedisConnection,
    script: ::redis::Script,
    options: RedisLimiterOptions,
    fallback: Option<InProcessLimiter>,
    origin: Instant,
    /// Milliseconds since `origin` before which checks do not try Redis.
    skip_until_ms: AtomicU64,
    /// Set while Redis is failing, so the outage and the recovery are each logged once.
    degraded: AtomicBool,
}

impl RedisLimiter {
    /// A limiter over `connection`. No I/O: the script is loaded on first use.
    pub fn new(connection: RedisConnection, options: RedisLimiterOptions) -> Self {
        let fallback = (options.on_error == OnRedisError::FallBackToLocal)
            .then(|| InProcessLimiter::new(options.fallback));
        Self {
            inner: Arc::new(Inner {
                connection,
                script: ::redis::Script::new(include_str!("gcra.lua")),
                options,
                fallback,
                origin: Instant::now(),
                skip_until_ms: AtomicU64::new(0),
                degraded: AtomicBool::new(false),
            }),
        }
    }

    /// Charges `cost` units to `key` under `quota` if they are available now (see
    /// [`crate::RateLimiter::check`]).
    pub async fn check(&self, key: &str, quota: Quota, cost: u32) -> Result<Decision, Error> {
        quota.check_cost(cost)?;
        let inner = &*self.inner;
        if inner.elapsed_ms() < inner.skip_until_ms.load(Ordering::Relaxed) {
            return inner.degrade(key, quota, cost, Error::Unavailable);
        }
        match inner.eval(key, quota, cost).await {
            Ok(decision) => {
                if inner.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!("redis answers again; rate limits are shared across instances");
                }
                Ok(decision)
            }
            Err(error) => {
                let retry = u64::try_from(inner.options.retry_after_failure.as_millis())
                    .unwrap_or(u64::MAX);
                inner
                    .skip_until_ms
                    .store(inner.elapsed_ms().saturating_add(retry), Ordering::Relaxed);
                if !inner.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        error = %error,
                        on_error = ?inner.options.on_error,
                        "redis rate limiter failed; applying the configured fallback until it answers"
                    );
                }
                inner.degrade(key, quota, cost, error)
            }
        }
    }
}

impl Inner {
    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn eval(&self, key: &str, quota: Quota, cost: u32) -> Result<Decision, Error> {
        let mut manager = self.connection.manager();
        let mut invocation = self.script.key(format!("{KEY_PREFIX}{key}"));
        invocation
            .arg(quota.interval_us())
            .arg(quota.burst())
            .arg(cost);
        // EVALSHA first; on NOSCRIPT (a restarted or flushed server) the redis crate loads the
        // script and retries, so the script text crosses the wire once per server lifetime.
        let call = invocation.invoke_async::<(i64, i64, i64)>(&mut manager);
        let (allowed, a, b) = tokio::time::timeout(self.options.timeout, call)
            .await
            .map_err(|_| Error::Timeout(self.options.timeout))??;
        let micros = |v: i64| {
            u64::try_from(v)
                .map(Duration::from_micros)
                .map_err(|_| Error::Protocol(format!("negative duration {v} from the script")))
        };
        Ok(if allowed == 1 {
            Decision::Allowed {
                remaining: u32::try_from(a)
                    .map_err(|_| Error::Protocol(format!("remaining {a} out of range")))?,
                reset_after: micros(b)?,
            }
        } else {
            Decision::Limited {
                retry_after: micros(a)?,
                reset_after: micros(b)?,
            }
        })
    }

    fn degrade(&self, key: &str, quota: Quota, cost: u32, error: Error) -> Result<Decision, Error> {
        match (&self.options.on_error, &self.fallback) {
            (OnRedisError::FallBackToLocal, Some(local)) => local.check(key, quota, cost),
            (OnRedisError::Allow, _) => Ok(Decision::Allowed {
                remaining: quota.burst() - cost,
                reset_after: Duration::ZERO,
            }),
            (OnRedisError::Deny | OnRedisError::FallBackToLocal, _) => Err(error),
        }
    }
}
