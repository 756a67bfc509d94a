//! The conformance suite on the in-process backend, with a manual clock.

use std::time::Duration;

use cistern_cache::{InProcessConfig, InProcessLimiter, ManualClock, RateLimiter};

use crate::conformance::Harness;

async fn harness(name: &str) -> Option<Harness> {
    let clock = ManualClock::new();
    // Start away from zero so nothing depends on a fresh clock.
    clock.advance(Duration::from_secs(1_000));
    let limiter = InProcessLimiter::with_manual_clock(InProcessConfig::default(), clock.clone());
    let limiter = RateLimiter::InProcess(limiter);
    Some(Harness {
        other: limiter.clone(),
        limiter,
        clock: Some(clock),
        slack: Duration::ZERO,
        prefix: name.to_owned(),
    })
}

crate::all_conformance_cases!(harness);
