//! Request rate limits: per client IP for every API route (strict for sign-in routes), per user
//! once authenticated. In process by default, shared through Redis when configured.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cistern_cache::{
    Decision, InProcessConfig, Quota, RateLimiter, RedisConfig, RedisConnection,
    RedisLimiterOptions,
};
use serde_json::json;

use crate::config::{Rate, RateLimitConfig};
use crate::http::error::ApiError;

/// The limiter and the quota of each route class.
pub struct Limits {
    limiter: RateLimiter,
    enabled: bool,
    trust_forwarded_for: bool,
    auth: Quota,
    api_per_ip: Quota,
    api_per_user: Quota,
    llm_tokens_per_user: Quota,
}

fn quota(rate: Rate) -> anyhow::Result<Quota> {
    Ok(Quota::new(rate.burst, Duration::from_secs(rate.per_secs))?)
}

impl Limits {
    /// Builds the limiter: Redis when `redis_url` is set (connected lazily: a Redis outage falls
    /// back to per-instance limits, it never takes the API down), in process otherwise.
    pub fn new(config: &RateLimitConfig, trust_forwarded_for: bool) -> anyhow::Result<Self> {
        let limiter = if config.redis_url.is_empty() {
            RateLimiter::in_process(InProcessConfig::default())
        } else {
            let connection = RedisConnection::lazy(&RedisConfig::new(config.redis_url.expose()))?;
            RateLimiter::redis(connection, RedisLimiterOptions::default())
        };
        Ok(Self {
            limiter,
            enabled: config.enabled,
            trust_forwarded_for,
            auth: quota(config.auth)?,
            api_per_ip: quota(config.api_per_ip)?,
            api_per_user: quota(config.api_per_user)?,
            llm_tokens_per_user: quota(config.llm_tokens_per_user)?,
        })
    }

    /// `in-process` or `redis`.
    pub fn backend_name(&self) -> &'static str {
        self.limiter.backend_name()
    }

    /// Charges one request of `user_id`; a 429 error when over the per-user rate.
    pub async fn check_user(&self, user_id: &str) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let decision = self
            .check(&format!("user:{user_id}"), self.api_per_user, 1)
            .await;
        reject_if_limited(decision, self.api_per_user, "per_user").map(|_| ())
    }

    /// Spends `tokens` (a call's estimated cost) from `user_id`'s LLM budget per minute; a 429
    /// error when it is spent. A call larger than the whole burst is charged the burst, so it is
    /// slowed, never refused forever.
    pub async fn check_llm_tokens(&self, user_id: &str, tokens: u32) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let quota = self.llm_tokens_per_user;
        let cost = tokens.clamp(1, quota.burst());
        let decision = self.check(&format!("llm:{user_id}"), quota, cost).await;
        reject_if_limited(decision, quota, "llm_tokens_per_user").map(|_| ())
    }

    async fn check(&self, key: &str, quota: Quota, cost: u32) -> Option<Decision> {
        match self.limiter.check(key, quota, cost).await {
            Ok(decision) => Some(decision),
            Err(error) => {
                // Only a fail-closed Redis policy gets here; answer rather than fail the request.
                tracing::warn!(%error, "rate limiter unavailable; request allowed");
                None
            }
        }
    }

    fn client_key(&self, request: &Request) -> String {
        let forwarded = self
            .trust_forwarded_for
            .then(|| {
                request
                    .headers()
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
            })
            .flatten()
            .and_then(|v| v.split(',').next())
            .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok());
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        match forwarded.or(peer) {
            // One IPv6 client usually owns a whole /64: key by it so address spraying does not help.
            Some(std::net::IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Some(ip) => ip.to_string(),
            None => "unknown".to_owned(),
        }
    }
}

fn reject_if_limited(
    decision: Option<Decision>,
    quota: Quota,
    class: &str,
) -> Result<Option<Decision>, ApiError> {
    match decision {
        Some(Decision::Limited { retry_after, .. }) => {
            let seconds = retry_after.as_secs_f64().ceil().max(1.0);
            let mut error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; retry in {seconds:.0} s"),
            )
            .with_details(json!({ "limit": class, "retry_after_secs": seconds }));
            for (name, value) in decision.iter().flat_map(|d| d.headers(quota)) {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    error = error.with_header(HeaderName::from_static(name), value);
                }
            }
            Err(error)
        }
        other => Ok(other),
    }
}

/// Middleware: per-IP limits on API routes (the strict `auth` class on sign-in routes).
pub async fn per_ip(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !limits.enabled || !(path.starts_with("/api/v1/") || path.starts_with("/v1/")) {
        return next.run(request).await;
    }
    let (class, quota) = if path.starts_with("/api/v1/auth/") && path != "/api/v1/auth/logout" {
        ("auth", limits.auth)
    } else {
        ("api", limits.api_per_ip)
    };
    let key = format!("{class}:ip:{}", limits.client_key(&request));
    let decision = match reject_if_limited(limits.check(&key, quota, 1).await, quota, class) {
        Ok(decision) => decision,
        Err(limited) => return limited.into_response(),
    };
    let mut response = next.run(request).await;
    for (name, value) in decision.iter().flat_map(|d| d.headers(quota)) {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    response
}
