//! The in-process agents: one entry per conversation in use, holding the lock that serializes
//! its turns on this instance and its cached context. Entries are created on first use and
//! evicted when idle. The map is only an optimisation: ordering across instances comes from
//! the turn lease in the database.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::context::AgentState;

const SHARDS: usize = 32;

/// One conversation's agent on this instance.
pub(crate) struct Agent {
    /// Whose conversation the cached state is.
    pub owner: String,
    /// Held for a whole turn.
    pub state: tokio::sync::Mutex<AgentState>,
    /// Milliseconds since the registry started, at the last use.
    last_used: AtomicI64,
}

pub(crate) struct Registry {
    shards: Vec<Mutex<HashMap<String, Arc<Agent>>>>,
    hasher: RandomState,
    epoch: Instant,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
            epoch: Instant::now(),
        }
    }

    fn shard(&self, conversation: &str) -> MutexGuard<'_, HashMap<String, Arc<Agent>>> {
        let i = (self.hasher.hash_one(conversation) as usize) % SHARDS;
        // A poisoned shard only means a panic elsewhere mid-insert; the map itself is intact.
        self.shards[i].lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> i64 {
        i64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    /// The agent of `owner`'s `conversation`, created empty if not loaded. A conversation id
    /// cached for another owner gets a fresh, unshared agent: its turn will find the
    /// conversation missing (the database checks the owner), and nothing cached leaks.
    pub(crate) fn get(&self, owner: &str, conversation: &str) -> Arc<Agent> {
        let now = self.now();
        let mut shard = self.shard(conversation);
        let agent = shard
            .entry(conversation.to_owned())
            .or_insert_with(|| new_agent(owner, now))
            .clone();
        drop(shard);
        if agent.owner != owner {
            return new_agent(owner, now);
        }
        agent.last_used.store(now, Ordering::Relaxed);
        agent
    }

    /// Forgets a conversation (deleted).
    pub(crate) fn remove(&self, conversation: &str) {
        self.shard(conversation).remove(conversation);
    }

    /// Forgets `agent` if it is the one cached for `conversation` (its owner turned out not to
    /// own it: the entry must not shadow the real owner's agent).
    pub(crate) fn remove_if(&self, conversation: &str, agent: &Arc<Agent>) {
        let mut shard = self.shard(conversation);
        if shard
            .get(conversation)
            .is_some_and(|a| Arc::ptr_eq(a, agent))
        {
            shard.remove(conversation);
        }
    }

    /// Drops agents unused for `idle_ms` that no turn holds; returns how many.
    pub(crate) fn evict_idle(&self, idle_ms: i64) -> usize {
        let now = self.now();
        let mut evicted = 0;
        for shard in &self.shards {
            let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
            let before = map.len();
            map.retain(|_, a| {
                Arc::strong_count(a) > 1 || now - a.last_used.load(Ordering::Relaxed) < idle_ms
            });
            evicted += before - map.len();
        }
        evicted
    }

    /// Estimated heap bytes held by the agents in memory: map entries, agents, cached state
    /// (agents busy in a turn are counted without their state).
    pub(crate) fn heap_bytes(&self) -> usize {
        let mut total = 0;
        for shard in &self.shards {
            let map = shard.lock().unwrap_or_else(|p| p.into_inner());
            total += map.capacity() * (std::mem::size_of::<(String, Arc<Agent>)>() + 1);
            for (key, agent) in map.iter() {
                total += key.capacity()
                    + std::mem::size_of::<Agent>()
                    + 2 * std::mem::size_of::<usize>() // the Arc's counts
                    + agent.owner.capacity()
                    + agent.state.try_lock().map_or(0, |s| s.heap_bytes());
            }
        }
        total
    }

    /// Agents in memory.
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).len())
            .sum()
    }
}

fn new_agent(owner: &str, now: i64) -> Arc<Agent> {
    Arc::new(Agent {
        owner: owner.to_owned(),
        state: tokio::sync::Mutex::new(AgentState::default()),
        last_used: AtomicI64::new(now),
    })
}
