//! Redis going away and coming back: the limiter degrades, then shares limits again.
//!
//! Needs its own `redis-server` to stop and start, so it runs where the Redis tests run
//! (`CISTERN_TEST_REDIS_URL` set, which means the test script installed `redis-server`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cistern_cache::redis::KEY_PREFIX;
use cistern_cache::{
    OnRedisError, Quota, RateLimiter, RedisConfig, RedisConnection, RedisLimiterOptions,
};

/// A `redis-server` child, killed (by its own PID) when dropped, even if the test panics.
struct Server(Child);

impl Server {
    async fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed wherever CISTERN_TEST_REDIS_URL is set");
        let server = Server(child);
        for _ in 0..100 {
            if ping(port).await {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server on port {port} did not answer within 5 s");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Best effort in Drop: the server may have exited already.
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn url(port: u16) -> String {
    format!("redis://127.0.0.1:{port}")
}

async fn ping(port: u16) -> bool {
    let Ok(client) = redis::Client::open(url(port)) else {
        return false;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return false;
    };
    redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .is_ok()
}

async fn key_exists(port: u16, key: &str) -> bool {
    let client = redis::Client::open(url(port)).expect("url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let n: i64 = redis::cmd("EXISTS")
        .arg(format!("{KEY_PREFIX}{key}"))
        .query_async(&mut conn)
        .await
        .expect("exists");
    n == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limiter_survives_a_redis_restart() {
    if std::env::var_os("CISTERN_TEST_REDIS_URL").is_none() && std::env::var_os("CI").is_none() {
        return; // redis_backend.rs already printed the skip note.
    }
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let server = Server::start(port).await;
    let connection = RedisConnection::connect(&RedisConfig::new(url(port)))
        .await
        .expect("connect");
    let options = RedisLimiterOptions {
        on_error: OnRedisError::FallBackToLocal,
        retry_after_failure: Duration::from_millis(100),
        ..RedisLimiterOptions::default()
    };
    let limiter = RateLimiter::redis(connection, options);
    let quota = Quota::per_minute(100).expect("quota");

    assert!(
        limiter
            .check("before", quota, 1)
            .await
            .expect("check")
            .is_allowed()
    );
    assert!(
        key_exists(port, "before").await,
        "the check did not reach Redis"
    );

    drop(server);
    // Down: the fallback answers, no error reaches the caller.
    for _ in 0..3 {
        assert!(
            limiter
                .check("during", quota, 1)
                .await
                .expect("fallback")
                .is_allowed()
        );
    }

    let _server = Server::start(port).await;
    // Back: within a bounded number of attempts the limiter writes to Redis again. The bound
    // is generous (reconnect backoff is capped at 2 s) so a slow machine does not flake.
    for attempt in 0..200 {
        let key = format!("after:{attempt}");
        limiter.check(&key, quota, 1).await.expect("check");
        if key_exists(port, &key).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the limiter never went back to Redis after it restarted");
}
