//! Rate limiting for Cistern, in process or shared across instances through Redis.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cistern_cache::Error> {
//! use cistern_cache::{Decision, InProcessConfig, Quota, RateLimiter};
//!
//! let limiter = RateLimiter::in_process(InProcessConfig::default());
//! let login = Quota::per_minute(5)?;
//! match limiter.check("login:ip:203.0.113.7", login, 1).await? {
//!     Decision::Allowed { .. } => { /* handle the request */ }
//!     Decision::Limited { retry_after, .. } => { /* 429, Retry-After: retry_after */ }
//! }
//! # Ok(()) }
//! ```
//!
//! Both backends run the same GCRA arithmetic (`gcra.rs`; the Redis script transcribes it) and
//! one conformance suite holds them to the same answers. No HTTP types here: this crate is
//! shared by the HTTP server and the LLM gateway, which must not link a web framework.

mod clock;
mod gcra;
mod in_process;
mod quota;
pub mod redis;

use std::time::Duration;

pub use clock::ManualClock;
pub use in_process::{InProcessConfig, InProcessLimiter};
pub use quota::{Decision, Quota};
pub use redis::{OnRedisError, RedisConfig, RedisConnection, RedisLimiter, RedisLimiterOptions};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A quota that cannot be enforced (zero burst or period, or too fine a rate).
    #[error("invalid quota: {0}")]
    InvalidQuota(&'static str),
    /// The cost is larger than the burst, so no amount of waiting would admit it.
    #[error("cost {cost} exceeds the quota's burst of {burst}")]
    CostExceedsBurst {
        /// The cost asked for.
        cost: u32,
        /// The quota's burst.
        burst: u32,
    },
    /// Redis answered with an error, or the connection failed.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// Redis did not answer in time.
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
    /// Redis failed recently and is not being tried again yet (fail-closed mode).
    #[error("redis is unavailable")]
    Unavailable,
    /// Redis answered something this crate did not expect.
    #[error("unexpected reply from redis: {0}")]
    Protocol(String),
}

/// A rate limiter: the in-process backend by default, Redis when configured. Cheap to clone.
#[derive(Debug, Clone)]
pub enum RateLimiter {
    /// State in this process only.
    InProcess(InProcessLimiter),
    /// State in Redis, shared by every instance using the same server.
    Redis(RedisLimiter),
}

impl RateLimiter {
    /// The in-process backend on the monotonic clock.
    pub fn in_process(config: InProcessConfig) -> Self {
        RateLimiter::InProcess(InProcessLimiter::new(config))
    }

    /// The Redis backend over an existing connection.
    pub fn redis(connection: RedisConnection, options: RedisLimiterOptions) -> Self {
        RateLimiter::Redis(RedisLimiter::new(connection, options))
    }

    /// Charges `cost` units to `key` under `quota` if they are available now.
    ///
    /// Allowed: the units are spent. Limited: nothing is spent; retry after `retry_after`.
    /// A `cost` of 0 spends nothing and reports the current state. A `cost` above the quota's
    /// burst is an error ([`Error::CostExceedsBurst`]). Name the quota's class in the key
    /// (`"login:ip:203.0.113.7"`): one key checked under different quotas shares its state.
    /// Errors other than those two come only from Redis, and only in fail-closed mode.
    pub async fn check(&self, key: &str, quota: Quota, cost: u32) -> Result<Decision, Error> {
        match self {
            RateLimiter::InProcess(limiter) => limiter.check(key, quota, cost),
            RateLimiter::Redis(limiter) => limiter.check(key, quota, cost).await,
        }
    }

    /// `"in-process"` or `"redis"`, for logs and the health report.
    pub fn backend_name(&self) -> &'static str {
        match self {
            RateLimiter::InProcess(_) => "in-process",
            RateLimiter::Redis(_) => "redis",
        }
    }
}
