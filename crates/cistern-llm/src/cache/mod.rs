//! Exact-match response cache: in process (a bounded map) or in Redis. Requests with
//! `temperature > 0` are not cached unless configured or asked per call; a per-call bypass
//! skips both lookup and store. Hits and misses are counted here and in the metrics.

mod key;
mod memory;
mod redis;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

pub(crate) use key::{CacheKey, cache_key};

use crate::accounting::CallContext;
use crate::clock::Clock;
use crate::config::CacheConfig;
use crate::error::Error;
use crate::types::{ChatRequest, ChatResponse};

/// Cache counters for the health report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CacheStats {
    /// `in-process`, `redis` or `off`.
    pub backend: &'static str,
    /// Responses served from the cache.
    pub hits: u64,
    /// Cacheable calls that were not in the cache.
    pub misses: u64,
}

#[derive(Debug)]
enum Store {
    Memory(memory::MemoryStore),
    Redis(redis::RedisStore),
}

#[derive(Debug)]
pub(crate) struct ResponseCache {
    store: Store,
    ttl: Duration,
    nondeterministic: bool,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl ResponseCache {
    pub(crate) fn new(c: &CacheConfig, clock: Clock) -> Result<Option<Self>, Error> {
        if !c.enabled {
            return Ok(None);
        }
        let ttl = Duration::from_secs(c.ttl_secs.max(1));
        let store = if c.redis_url.is_empty() {
            Store::Memory(memory::MemoryStore::new(c.max_entries, clock))
        } else {
            Store::Redis(redis::RedisStore::new(c.redis_url.expose())?)
        };
        Ok(Some(Self {
            store,
            ttl,
            nondeterministic: c.cache_nondeterministic,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }))
    }

    /// The key to use for this call, or `None` when it must not touch the cache.
    pub(crate) fn key_for(&self, req: &ChatRequest, ctx: &CallContext) -> Option<CacheKey> {
        if ctx.cache_bypass {
            return None;
        }
        let sampled = req.temperature.is_none_or(|t| t > 0.0);
        // No temperature means the provider default (1.0 on most): sampled too.
        if sampled && !(self.nondeterministic || ctx.cache_force) {
            return None;
        }
        Some(cache_key(req))
    }

    pub(crate) async fn get(&self, key: &CacheKey) -> Option<ChatResponse> {
        let found = match &self.store {
            Store::Memory(m) => m.get(key),
            Store::Redis(r) => r.get(key).await,
        };
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub(crate) async fn put(&self, key: CacheKey, resp: &ChatResponse) {
        match &self.store {
            Store::Memory(m) => m.put(key, resp.clone(), self.ttl),
            Store::Redis(r) => r.put(&key, resp, self.ttl).await,
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            backend: match self.store {
                Store::Memory(_) => "in-process",
                Store::Redis(_) => "redis",
            },
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}
