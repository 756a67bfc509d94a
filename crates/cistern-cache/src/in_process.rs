//! The in-process backend: GCRA over a sharded, size-bounded map.
//!
//! Why not the governor crate: its keyed limiter fixes one quota per limiter, while callers
//! here pass the quota per call (route classes, cost-weighted LLM endpoints); its key store
//! can be swept (`retain_recent`) but has no size bound, so a key-spraying client could grow
//! it without limit between sweeps; and the Redis backend needs the GCRA arithmetic written
//! out anyway (in Lua). One small [`gcra::decide`] shared by both keeps their answers equal.
//!
//! Memory bound: each of the [`SHARDS`] maps holds at most `max_keys / SHARDS` keys. Keys whose
//! TAT has passed are full buckets and are dropped by a sweep that runs (on insert) at most
//! once per `sweep_interval` per shard, and whenever a shard is full. If a shard is still full
//! of live keys — a spray of distinct keys — the eighth of them closest to full is evicted.
//! An evicted key starts again with a full burst, so under such an attack limits weaken for
//! the least-used keys instead of memory growing or new clients being refused; a warning says
//! so.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::clock::{Clock, ManualClock};
use crate::gcra::{self, Outcome};
use crate::{Decision, Error, Quota};

/// Independent locks, so concurrent checks on different keys rarely contend.
const SHARDS: usize = 16;

/// Limits for [`InProcessLimiter`].
#[derive(Debug, Clone, Copy)]
pub struct InProcessConfig {
    /// The most keys held at once (about 100 bytes each plus the key). Default 100 000.
    pub max_keys: usize,
    /// How often idle (full-bucket) keys are swept out. Default 60 s.
    pub sweep_interval: Duration,
}

impl Default for InProcessConfig {
    fn default() -> Self {
        Self {
            max_keys: 100_000,
            sweep_interval: Duration::from_secs(60),
        }
    }
}

/// GCRA rate limiter for one process. Cheap to clone; clones share state.
#[derive(Debug, Clone)]
pub struct InProcessLimiter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shards: Box<[Mutex<Shard>]>,
    // SipHash with a random key: keys come from clients (IPs, tokens), so a predictable hash
    // would let them aim every key at one shard.
    hasher: RandomState,
    clock: Clock,
    shard_capacity: usize,
    sweep_interval_ns: u64,
    pressure_warned: AtomicBool,
}

#[derive(Debug, Default)]
struct Shard {
    tats: HashMap<Box<str>, u64>,
    last_sweep_ns: u64,
}

impl InProcessLimiter {
    /// A limiter on the monotonic clock.
    pub fn new(config: InProcessConfig) -> Self {
        Self::build(config, Clock::monotonic())
    }

    /// A limiter driven by a [`ManualClock`], for deterministic tests.
    pub fn with_manual_clock(config: InProcessConfig, clock: ManualClock) -> Self {
        Self::build(config, Clock::Manual(clock))
    }

    fn build(config: InProcessConfig, clock: Clock) -> Self {
        let shards = (0..SHARDS).map(|_| Mutex::default()).collect();
        let sweep_interval_ns = u64::try_from(config.sweep_interval.as_nanos()).unwrap_or(u64::MAX);
        Self {
            inner: Arc::new(Inner {
                shards,
                hasher: RandomState::new(),
                clock,
                shard_capacity: (config.max_keys / SHARDS).max(1),
                sweep_interval_ns,
                pressure_warned: AtomicBool::new(false),
            }),
        }
    }

    /// Charges `cost` units to `key` under `quota` if they are available now.
    ///
    /// The key should name the quota's class too (`"login:ip:1.2.3.4"`): one key checked under
    /// two different quotas shares one TAT, which mixes their rates.
    pub fn check(&self, key: &str, quota: Quota, cost: u32) -> Result<Decision, Error> {
        quota.check_cost(cost)?;
        let inner = &*self.inner;
        let now = inner.clock.now_ns();
        let interval = quota.interval_us() * 1_000;
        let index = inner.hasher.hash_one(key) as usize % SHARDS;
        let mut shard = inner.shards[index]
            .lock()
            // The map holds plain integers, valid whatever a panicking holder was doing.
            .unwrap_or_else(PoisonError::into_inner);
        let outcome = if let Some(tat) = shard.tats.get_mut(key) {
            let outcome = gcra::decide(Some(*tat), now, interval, quota.burst(), cost);
            if let Outcome::Allowed { new_tat, .. } = outcome {
                *tat = new_tat;
            }
            outcome
        } else {
            let outcome = gcra::decide(None, now, interval, quota.burst(), cost);
            // A zero cost leaves a fresh key full: nothing worth remembering.
            if let Outcome::Allowed { new_tat, .. } = outcome
                && cost > 0
            {
                inner.make_room(&mut shard, now);
                shard.tats.insert(key.into(), new_tat);
            }
            outcome
        };
        drop(shard);
        Ok(match outcome {
            Outcome::Allowed {
                remaining,
                reset_after,
                ..
            } => Decision::Allowed {
                remaining,
                reset_after: Duration::from_nanos(reset_after),
            },
            Outcome::Limited {
                retry_after,
                reset_after,
            } => Decision::Limited {
                retry_after: Duration::from_nanos(retry_after),
                reset_after: Duration::from_nanos(reset_after),
            },
        })
    }

    /// The number of keys currently remembered (for metrics and tests).
    pub fn len(&self) -> usize {
        self.inner
            .shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).tats.len())
            .sum()
    }

    /// True when no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inner {
    /// Called before inserting a new key: sweeps idle keys when due, and evicts when full.
    fn make_room(&self, shard: &mut Shard, now: u64) {
        let due = now.saturating_sub(shard.last_sweep_ns) >= self.sweep_interval_ns;
        if due || shard.tats.len() >= self.shard_capacity {
            shard.tats.retain(|_, tat| *tat > now);
            shard.last_sweep_ns = now;
            // Give memory back after a burst of keys has gone idle.
            if shard.tats.capacity() > 64 && shard.tats.len() < shard.tats.capacity() / 4 {
                shard.tats.shrink_to_fit();
            }
        }
        if shard.tats.len() < self.shard_capacity {
            return;
        }
        // Full of live keys: evict the eighth with the earliest TATs (the buckets closest to
        // full, so the least state is lost). Batch eviction keeps the O(n) selection amortised.
        let mut tats: Vec<u64> = shard.tats.values().copied().collect();
        let nth = (tats.len() / 8).min(tats.len() - 1);
        let (_, threshold, _) = tats.select_nth_unstable(nth);
        let threshold = *threshold;
        shard.tats.retain(|_, tat| *tat > threshold);
        // Once per process: under a spray this runs constantly, and one line says it all.
        if !self.pressure_warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                max_keys = self.shard_capacity * SHARDS,
                "rate limiter is full of active keys (many distinct clients or a key-spraying \
                 attack); evicting the least-used keys, which resets their limits"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(max_keys: usize) -> (InProcessLimiter, ManualClock) {
        let clock = ManualClock::new();
        let config = InProcessConfig {
            max_keys,
            sweep_interval: Duration::from_secs(10),
        };
        (
            InProcessLimiter::with_manual_clock(config, clock.clone()),
            clock,
        )
    }

    #[test]
    fn a_key_spray_cannot_grow_memory_past_the_bound() {
        let (limiter, _clock) = limiter(160);
        let quota = Quota::per_minute(5).expect("valid");
        for i in 0..10_000 {
            let decision = limiter
                .check(&format!("spray:{i}"), quota, 1)
                .expect("check");
            assert!(decision.is_allowed());
        }
        assert!(limiter.len() <= 160, "{} keys held", limiter.len());
    }

    #[test]
    fn idle_keys_are_swept_without_changing_answers() {
        let (limiter, clock) = limiter(1_000);
        let quota = Quota::new(2, Duration::from_secs(1)).expect("valid");
        for i in 0..100 {
            limiter
                .check(&format!("idle:{i}"), quota, 1)
                .expect("check");
        }
        assert_eq!(limiter.len(), 100);
        clock.advance(Duration::from_secs(11));
        // Any new key triggers the due sweep in its shard; touch every shard.
        for i in 0..200 {
            limiter.check(&format!("new:{i}"), quota, 1).expect("check");
        }
        assert_eq!(limiter.len(), 200, "the 100 idle keys were dropped");
        let again = limiter.check("idle:0", quota, 1).expect("check");
        assert_eq!(
            again.remaining(),
            1,
            "a dropped key answers as a full bucket"
        );
    }

    #[test]
    fn a_spray_into_a_full_shard_evicts_the_oldest_state() {
        let (limiter, clock) = limiter(16);
        let quota = Quota::new(1, Duration::from_secs(3600)).expect("valid");
        // One key per shard at most, so any new key in a full shard forces an eviction.
        limiter.check("victim", quota, 1).expect("check");
        clock.advance(Duration::from_secs(1));
        for i in 0..1_000 {
            limiter
                .check(&format!("spray:{i}"), quota, 1)
                .expect("check");
        }
        // The victim's bucket (the earliest TAT) was evicted, so it is allowed again: the
        // documented cost of bounding memory.
        assert!(
            limiter
                .check("victim", quota, 1)
                .expect("check")
                .is_allowed()
        );
    }
}
