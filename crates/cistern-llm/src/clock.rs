//! Time for the circuit breakers and the in-process cache: monotonic, or manual in tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A clock that only moves when told to; pass it in [`crate::GatewayOptions`] so breaker
/// cooldowns and cache expiry can be tested without waiting. Clones share the time.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(nanos(by), Ordering::SeqCst);
    }
}

/// Nanoseconds since an arbitrary origin. A closed set, so an enum.
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    Monotonic(Instant),
    Manual(ManualClock),
}

impl Clock {
    pub(crate) fn new(manual: Option<ManualClock>) -> Self {
        match manual {
            Some(m) => Clock::Manual(m),
            None => Clock::Monotonic(Instant::now()),
        }
    }

    pub(crate) fn now_ns(&self) -> u64 {
        match self {
            Clock::Monotonic(origin) => nanos(origin.elapsed()),
            Clock::Manual(m) => m.0.load(Ordering::SeqCst),
        }
    }
}

pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
