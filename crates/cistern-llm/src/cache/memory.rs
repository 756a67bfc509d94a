//! The in-process store: quick_cache's bounded concurrent map (S3-FIFO eviction, sharded,
//! no lock held beyond one shard operation), entries expiring on the gateway's clock.

use std::sync::Arc;
use std::time::Duration;

use super::CacheKey;
use crate::clock::{Clock, nanos};
use crate::types::ChatResponse;

#[derive(Debug)]
struct Entry {
    expires_ns: u64,
    response: ChatResponse,
}

pub(crate) struct MemoryStore {
    map: quick_cache::sync::Cache<CacheKey, Arc<Entry>>,
    clock: Clock,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.map.len())
            .finish()
    }
}

impl MemoryStore {
    pub(crate) fn new(capacity: u64, clock: Clock) -> Self {
        let capacity = usize::try_from(capacity.max(1)).unwrap_or(usize::MAX);
        Self {
            map: quick_cache::sync::Cache::new(capacity),
            clock,
        }
    }

    pub(crate) fn get(&self, key: &CacheKey) -> Option<ChatResponse> {
        let entry = self.map.get(key)?;
        if entry.expires_ns <= self.clock.now_ns() {
            self.map.remove(key);
            return None;
        }
        Some(entry.response.clone())
    }

    pub(crate) fn put(&self, key: CacheKey, response: ChatResponse, ttl: Duration) {
        let expires_ns = self.clock.now_ns().saturating_add(nanos(ttl));
        self.map.insert(
            key,
            Arc::new(Entry {
                expires_ns,
                response,
            }),
        );
    }
}
