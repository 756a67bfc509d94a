//! Time for the in-process limiter: the monotonic clock, or a manual one for tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A clock that only moves when told to, for deterministic tests and simulations of the
/// in-process limiter. Clones share the same time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock standing at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(nanos(by), Ordering::SeqCst);
    }
}

/// Nanoseconds since an arbitrary origin. A closed set, so an enum rather than a trait.
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    /// Monotonic: wall-clock jumps (NTP, DST) must not refill or drain buckets.
    Monotonic(Instant),
    Manual(ManualClock),
}

impl Clock {
    pub(crate) fn monotonic() -> Self {
        Clock::Monotonic(Instant::now())
    }

    pub(crate) fn now_ns(&self) -> u64 {
        match self {
            Clock::Monotonic(origin) => nanos(origin.elapsed()),
            Clock::Manual(clock) => clock.0.load(Ordering::SeqCst),
        }
    }
}

/// u64 nanoseconds cover 584 years of uptime; saturate rather than wrap beyond that.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
