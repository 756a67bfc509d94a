//! A circuit breaker per deployment, lock-free: closed → open after N consecutive failures
//! → after a cooldown one caller gets a half-open probe → closed on success, open again on
//! failure. A probe whose caller vanished (request dropped) expires after another cooldown,
//! so the breaker never sticks half-open.

use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};

use serde::Serialize;

use crate::clock::Clock;

/// A breaker's state, for health reports and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Traffic flows.
    Closed,
    /// Skipped until the cooldown ends.
    Open,
    /// One probe is (or may be) in flight.
    HalfOpen,
}

const CLOSED: u8 = 0;
const OPEN: u8 = 1;
const HALF_OPEN: u8 = 2;

#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    cooldown_ns: u64,
    clock: Clock,
    failures: AtomicU32,
    state: AtomicU8,
    /// When it opened, or when the current probe was granted.
    since_ns: AtomicU64,
}

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown_ns: u64, clock: Clock) -> Self {
        Self {
            threshold: threshold.max(1),
            cooldown_ns,
            clock,
            failures: AtomicU32::new(0),
            state: AtomicU8::new(CLOSED),
            since_ns: AtomicU64::new(0),
        }
    }

    pub(crate) fn state(&self) -> BreakerState {
        match self.state.load(Ordering::Acquire) {
            CLOSED => BreakerState::Closed,
            OPEN => BreakerState::Open,
            _ => BreakerState::HalfOpen,
        }
    }

    pub(crate) fn consecutive_failures(&self) -> u32 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Whether a call could go through now (without claiming the probe).
    pub(crate) fn available(&self) -> bool {
        self.state.load(Ordering::Acquire) == CLOSED
            || self.cooled_down(self.since_ns.load(Ordering::Acquire))
    }

    fn cooled_down(&self, since: u64) -> bool {
        self.clock.now_ns().saturating_sub(since) >= self.cooldown_ns
    }

    /// Claims the right to send: always when closed; otherwise only the one caller that
    /// wins the probe once the cooldown is over.
    pub(crate) fn try_acquire(&self) -> bool {
        if self.state.load(Ordering::Acquire) == CLOSED {
            return true;
        }
        let since = self.since_ns.load(Ordering::Acquire);
        if !self.cooled_down(since) {
            return false;
        }
        let won = self
            .since_ns
            .compare_exchange(
                since,
                self.clock.now_ns(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok();
        if won {
            self.state.store(HALF_OPEN, Ordering::Release);
        }
        won
    }

    pub(crate) fn on_success(&self) {
        self.failures.store(0, Ordering::Relaxed);
        if self.state.load(Ordering::Acquire) != CLOSED {
            self.state.store(CLOSED, Ordering::Release);
        }
    }

    pub(crate) fn on_failure(&self) {
        let failures = self
            .failures
            .fetch_add(1, Ordering::Relaxed)
            .saturating_add(1);
        let state = self.state.load(Ordering::Acquire);
        if state == HALF_OPEN || (state == CLOSED && failures >= self.threshold) {
            self.since_ns.store(self.clock.now_ns(), Ordering::Release);
            self.state.store(OPEN, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::time::Duration;

    #[test]
    fn opens_after_n_failures_then_lets_one_probe_through() {
        let clock = ManualClock::new();
        let b = Breaker::new(3, 1_000_000_000, Clock::new(Some(clock.clone())));
        b.on_failure();
        b.on_failure();
        assert!(b.try_acquire(), "still closed after 2 of 3");
        b.on_failure();
        assert_eq!(b.state(), BreakerState::Open);
        assert!(!b.available() && !b.try_acquire());
        clock.advance(Duration::from_secs(1));
        assert!(b.available());
        assert!(b.try_acquire(), "the probe");
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(!b.try_acquire(), "only one probe at a time");
        b.on_failure();
        assert_eq!(b.state(), BreakerState::Open, "a failed probe reopens");
        clock.advance(Duration::from_secs(1));
        assert!(b.try_acquire());
        b.on_success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.consecutive_failures(), 0);
    }

    #[test]
    fn an_abandoned_probe_expires() {
        let clock = ManualClock::new();
        let b = Breaker::new(1, 1_000, Clock::new(Some(clock.clone())));
        b.on_failure();
        clock.advance(Duration::from_micros(1));
        assert!(b.try_acquire());
        assert!(!b.try_acquire());
        clock.advance(Duration::from_micros(1));
        assert!(b.try_acquire(), "a new probe after another cooldown");
    }
}
