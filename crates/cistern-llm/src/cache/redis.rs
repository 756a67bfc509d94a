//! The Redis store: `SET key json PX ttl` / `GET key` under `cistern:llm:cache:`. Redis being
//! down or slow makes a lookup a miss and a store a no-op (logged), never a failed call.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::CacheKey;
use crate::error::Error;
use crate::types::ChatResponse;

const PREFIX: &str = "cistern:llm:cache:";

pub(crate) struct RedisStore {
    manager: ConnectionManager,
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
            .set_connection_timeout(Some(Duration::from_secs(1)))
            // A cache answer slower than this is worth less than asking the model.
            .set_response_timeout(Some(Duration::from_millis(250)))
            .set_max_delay(Duration::from_secs(2));
        let manager = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::Config(format!("cache.redis_url: {e}")))?;
        Ok(Self { manager })
    }

    pub(crate) async fn get(&self, key: &CacheKey) -> Option<ChatResponse> {
        let mut conn = self.manager.clone();
        match conn
            .get::<_, Option<Vec<u8>>>(format!("{PREFIX}{}", key.hex()))
            .await
        {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).ok(),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "LLM cache lookup in Redis failed; treating as a miss");
                None
            }
        }
    }

    pub(crate) async fn put(&self, key: &CacheKey, resp: &ChatResponse, ttl: Duration) {
        let Ok(bytes) = serde_json::to_vec(resp) else {
            return;
        };
        let mut conn = self.manager.clone();
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let options = redis::SetOptions::default().with_expiration(redis::SetExpiry::PX(ms));
        if let Err(e) = conn
            .set_options::<_, _, ()>(format!("{PREFIX}{}", key.hex()), bytes, options)
            .await
        {
            tracing::warn!(error = %e, "LLM cache store in Redis failed");
        }
    }
}
