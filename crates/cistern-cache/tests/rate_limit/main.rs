//! Rate limiter tests: one conformance suite, run against every backend.
//!
//! The in-process backend runs on a manual clock, so its answers are checked to the
//! microsecond. The Redis backend runs on real time against the `redis-server` named by
//! `CISTERN_TEST_REDIS_URL` (the test script starts one); its checks use quotas whose periods
//! dwarf any scheduling delay, or wait for the durations the limiter itself announced, so a
//! slow machine cannot make them flake.
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

mod conformance;
mod in_process;
mod redis_backend;
mod redis_restart;

/// Generates one `#[tokio::test]` per conformance case, each built by `$make(name)` (which
/// returns `None` when the backend is unavailable and the test should be skipped).
macro_rules! conformance_suite {
    ($make:path => $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(harness) = $make(stringify!($name)).await {
                    crate::conformance::$name(&harness).await;
                }
            }
        )*
    };
}

/// Every case of the conformance suite, for `conformance_suite!`.
macro_rules! all_conformance_cases {
    ($make:path) => {
        crate::conformance_suite!($make =>
            burst_then_limited,
            retry_after_is_exact_enough,
            cost_above_one,
            keys_are_independent,
            recovers_after_waiting,
            concurrent_callers_never_exceed_the_burst,
        );
    };
}

pub(crate) use all_conformance_cases;
pub(crate) use conformance_suite;
