//! The conformance suite on Redis, plus what only Redis has: key layout, script reloading and
//! behaviour while Redis is unreachable.

use std::io::Write;
use std::sync::Once;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cistern_cache::redis::KEY_PREFIX;
use cistern_cache::{
    Decision, Error, OnRedisError, Quota, RateLimiter, RedisConfig, RedisConnection,
    RedisLimiterOptions,
};

use crate::conformance::Harness;

/// The test Redis URL; `None` (with a note) when unset, a failure when running in CI.
fn redis_url() -> Option<String> {
    match std::env::var("CISTERN_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but CISTERN_TEST_REDIS_URL is not: the Redis tests must run in CI")
        }
        _ => {
            // Written to stderr directly: libtest would swallow an eprintln! of a passing test.
            static NOTE: Once = Once::new();
            NOTE.call_once(|| {
                let note =
                    "note: CISTERN_TEST_REDIS_URL is unset; skipping the Redis rate-limit tests\n";
                std::io::stderr().write_all(note.as_bytes()).ok();
            });
            None
        }
    }
}

/// A prefix unique to this test and run, since the Redis server outlives the test process.
fn unique(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("test:{}:{nanos}:{name}", std::process::id())
}

async fn limiter(url: &str) -> RateLimiter {
    let connection = RedisConnection::connect(&RedisConfig::new(url))
        .await
        .expect("connect");
    // Fail closed: a Redis failure must fail the test, not fall back to a local limiter.
    let options = RedisLimiterOptions {
        on_error: OnRedisError::Deny,
        timeout: Duration::from_secs(5),
        ..RedisLimiterOptions::default()
    };
    RateLimiter::redis(connection, options)
}

async fn harness(name: &str) -> Option<Harness> {
    let url = redis_url()?;
    Some(Harness {
        limiter: limiter(&url).await,
        // A separate connection: a second server instance.
        other: limiter(&url).await,
        clock: None,
        // Far more than any stall on a busy 2-core machine, far less than the hour-long
        // periods the exact-count cases use.
        slack: Duration::from_secs(60),
        prefix: unique(name),
    })
}

crate::all_conformance_cases!(harness);

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open(url).expect("url");
    client
        .get_multiplexed_async_connection()
        .await
        .expect("connect")
}

#[tokio::test]
async fn keys_are_prefixed_and_expire_when_the_bucket_is_full() {
    let Some(url) = redis_url() else { return };
    let (limiter, mut conn) = (limiter(&url).await, raw(&url).await);
    let quota = Quota::new(2, Duration::from_secs(10)).expect("quota");
    let key = unique("ttl");
    limiter.check(&key, quota, 1).await.expect("check");
    let ttl_ms: i64 = redis::cmd("PTTL")
        .arg(format!("{KEY_PREFIX}{key}"))
        .query_async(&mut conn)
        .await
        .expect("pttl");
    // One unit spent of 2 per 10 s: full again in 5 s, so the key lives at most that long.
    assert!((1..=5_000).contains(&ttl_ms), "PTTL {ttl_ms}");

    let peeked = unique("peek");
    limiter.check(&peeked, quota, 0).await.expect("check");
    let exists: i64 = redis::cmd("EXISTS")
        .arg(format!("{KEY_PREFIX}{peeked}"))
        .query_async(&mut conn)
        .await
        .expect("exists");
    assert_eq!(exists, 0, "a zero-cost check must not create a key");
}

#[tokio::test]
async fn the_script_is_reloaded_after_script_flush() {
    let Some(url) = redis_url() else { return };
    let (limiter, mut conn) = (limiter(&url).await, raw(&url).await);
    let quota = Quota::per_minute(3).expect("quota");
    let key = unique("flush");
    assert_eq!(
        limiter
            .check(&key, quota, 1)
            .await
            .expect("check")
            .remaining(),
        2
    );
    let () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .expect("flush");
    // EVALSHA now answers NOSCRIPT; the limiter must load the script again, not fail.
    assert_eq!(
        limiter
            .check(&key, quota, 1)
            .await
            .expect("check")
            .remaining(),
        1
    );
}

/// A limiter pointed at a port nothing listens on.
fn unreachable(on_error: OnRedisError) -> RateLimiter {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let config = RedisConfig::new(format!("redis://127.0.0.1:{port}"));
    let connection = RedisConnection::lazy(&config).expect("lazy connection");
    let options = RedisLimiterOptions {
        on_error,
        ..RedisLimiterOptions::default()
    };
    RateLimiter::redis(connection, options)
}

#[tokio::test]
async fn unreachable_redis_falls_back_to_local_limits_by_default() {
    assert_eq!(
        RedisLimiterOptions::default().on_error,
        OnRedisError::FallBackToLocal
    );
    let limiter = unreachable(OnRedisError::FallBackToLocal);
    let quota = Quota::new(2, Duration::from_secs(3600)).expect("quota");
    assert_eq!(
        limiter
            .check("k", quota, 1)
            .await
            .expect("check")
            .remaining(),
        1
    );
    assert_eq!(
        limiter
            .check("k", quota, 1)
            .await
            .expect("check")
            .remaining(),
        0
    );
    assert!(matches!(
        limiter.check("k", quota, 1).await,
        Ok(Decision::Limited { .. })
    ));
}

#[tokio::test]
async fn unreachable_redis_fails_open_when_asked() {
    let limiter = unreachable(OnRedisError::Allow);
    let quota = Quota::new(2, Duration::from_secs(3600)).expect("quota");
    for _ in 0..5 {
        assert!(
            limiter
                .check("k", quota, 1)
                .await
                .expect("check")
                .is_allowed()
        );
    }
}

#[tokio::test]
async fn unreachable_redis_fails_closed_when_asked() {
    let limiter = unreachable(OnRedisError::Deny);
    let quota = Quota::new(2, Duration::from_secs(3600)).expect("quota");
    let first = limiter.check("k", quota, 1).await;
    assert!(
        matches!(first, Err(Error::Redis(_) | Error::Timeout(_))),
        "{first:?}"
    );
    // The circuit breaker now answers at once instead of waiting on the dead connection.
    let second = limiter.check("k", quota, 1).await;
    assert!(matches!(second, Err(Error::Unavailable)), "{second:?}");
}

#[tokio::test]
async fn connect_fails_fast_on_a_dead_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let mut config = RedisConfig::new(format!("redis://127.0.0.1:{port}"));
    config.connect_timeout = Duration::from_millis(300);
    assert!(RedisConnection::connect(&config).await.is_err());
}
