//! Test support (feature `testing`): the NATS test server started by `scripts/test.sh`.
//!
//! Like `cistern_store::testing`: without `CISTERN_TEST_NATS_URL` a NATS test is skipped with a
//! note — except under CI (`CI` set), where a missing server fails the test, so a broken script
//! cannot turn the NATS suite into silent passes.

use std::sync::atomic::{AtomicU32, Ordering};

/// The test NATS server's URL (`nats://127.0.0.1:PORT`, JetStream enabled), or `None` outside CI
/// when none is configured.
pub fn nats_url() -> Option<String> {
    match std::env::var("CISTERN_TEST_NATS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "CISTERN_TEST_NATS_URL is not set: CI must run the NATS tests (scripts/test.sh starts nats-server)"
        ),
        _ => {
            eprintln!(
                "note: CISTERN_TEST_NATS_URL not set; skipping the NATS part of this test (run scripts/test.sh)"
            );
            None
        }
    }
}

/// A stream name no other test uses (`[A-Z0-9_]`), for [`crate::NatsConfig::prefix`].
pub fn unique_prefix() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("T{}X{nanos:X}X{n}", std::process::id())
}
