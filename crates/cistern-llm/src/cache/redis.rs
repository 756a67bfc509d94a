//! The Redis store: `SET key json PX ttl` / `GET key` under `cistern:llm:cache:`. Redis being
//! down or slow makes a lookup a miss and a store a no-op, never a failed or slow call: every
//! operation is bounded, and after a failure Redis is skipped for a few seconds (logged once
//! per outage).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::CacheKey;
use crate::error::Error;
use crate::types::ChatResponse;

const PREFIX: &str = "cistern:llm:cache:";
/// A cache answer slower than this is worth less than asking the model.
const OP_TIMEOUT: Duration = Duration::from_millis(250);
/// How long to leave Redis alone after a failure.
const BACKOFF: Duration = Duration::from_secs(5);

pub(crate) struct RedisStore {
    manager: ConnectionManager,
    origin: Instant,
    /// Nanoseconds since `origin` until which Redis is skipped (0: not skipped).
    skip_until_ns: AtomicU64,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects lazily (on first use), so the gateway starts while Redis is down.
    pub(crate) fn new(url: &str) -> Result<Self, Error> {
        let client =
            redis::Client::open(url).map_err(|e| Error::Config(format!("cache.redis_url: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(OP_TIMEOUT))
            .set_response_timeout(Some(OP_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        let manager = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::Config(format!("cache.redis_url: {e}")))?;
        Ok(Self {
            manager,
            origin: Instant::now(),
            skip_until_ns: AtomicU64::new(0),
        })
    }

    fn now_ns(&self) -> u64 {
        crate::clock::nanos(self.origin.elapsed())
    }

    fn skipping(&self) -> bool {
        self.now_ns() < self.skip_until_ns.load(Ordering::Relaxed)
    }

    fn failed(&self, what: &str, error: &dyn std::fmt::Display) {
        let until = self.now_ns().saturating_add(crate::clock::nanos(BACKOFF));
        if self.skip_until_ns.swap(until, Ordering::Relaxed) <= self.now_ns() {
            tracing::warn!(%error, "LLM cache: Redis {what} failed; skipping Redis for {BACKOFF:?}");
        }
    }

    pub(crate) async fn get(&self, key: &CacheKey) -> Option<ChatResponse> {
        if self.skipping() {
            return None;
        }
        let mut conn = self.manager.clone();
        let op = conn.get::<_, Option<Vec<u8>>>(format!("{PREFIX}{}", key.hex()));
        match tokio::time::timeout(OP_TIMEOUT, op).await {
            Ok(Ok(Some(bytes))) => serde_json::from_slice(&bytes).ok(),
            Ok(Ok(None)) => None,
            Ok(Err(e)) => {
                self.failed("lookup", &e);
                None
            }
            Err(_) => {
                self.failed("lookup", &"timed out");
                None
            }
        }
    }

    pub(crate) async fn put(&self, key: &CacheKey, resp: &ChatResponse, ttl: Duration) {
        if self.skipping() {
            return;
        }
        let Ok(bytes) = serde_json::to_vec(resp) else {
            return;
        };
        let mut conn = self.manager.clone();
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let options = redis::SetOptions::default().with_expiration(redis::SetExpiry::PX(ms));
        let op = conn.set_options::<_, _, ()>(format!("{PREFIX}{}", key.hex()), bytes, options);
        match tokio::time::timeout(OP_TIMEOUT, op).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.failed("store", &e),
            Err(_) => self.failed("store", &"timed out"),
        }
    }
}
