//! Rate limiter throughput, bounded in time (about 10 s in all).
//!
//! ```text
//! cargo run --release -p cistern-cache --example ratelimit_bench
//! CISTERN_TEST_REDIS_URL=redis://127.0.0.1:6379 cargo run --release -p cistern-cache --example ratelimit_bench
//! ```
//!
//! In process: one thread, checks back to back, on a working set of hot keys and on a spray of
//! distinct keys that keeps the bounded map evicting. Redis: one connection shared by many
//! tasks (the connection pipelines their commands), then one task alone (round-trip bound).
// Tests and benchmarks own their tasks' lives: they may spawn directly.
#![allow(clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use cistern_cache::{
    InProcessConfig, OnRedisError, Quota, RateLimiter, RedisConfig, RedisConnection,
    RedisLimiterOptions,
};

const PHASE: Duration = Duration::from_secs(2);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quota = Quota::per_second(1_000)?;
    let one_core = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    one_core.block_on(async {
        let limiter = RateLimiter::in_process(InProcessConfig::default());
        // Keys made up front so the loop measures the limiter, not string formatting.
        let hot: Vec<String> = (0..10_000).map(|i| format!("user:{i}")).collect();
        let rate = run_serial(&limiter, quota, &hot).await;
        println!("in-process, 1 thread, 10k hot keys:          {rate:>10.0} checks/s");
        // 1M distinct keys against the default bound of 100k: every new key may evict.
        let spray: Vec<String> = (0..1_000_000).map(|i| format!("spray:{i}")).collect();
        let rate = run_serial(&limiter, quota, &spray).await;
        println!("in-process, 1 thread, 1M keys (evicting):    {rate:>10.0} checks/s");
    });

    let Some(url) = std::env::var("CISTERN_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("redis: skipped (set CISTERN_TEST_REDIS_URL to measure it)");
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let connection = RedisConnection::connect(&RedisConfig::new(url)).await?;
        let options = RedisLimiterOptions {
            on_error: OnRedisError::Deny, // measure Redis, never the fallback
            timeout: Duration::from_secs(5),
            ..RedisLimiterOptions::default()
        };
        let limiter = RateLimiter::redis(connection, options);
        for tasks in [64, 1] {
            let rate = run_concurrent(&limiter, quota, tasks).await?;
            println!("redis, 1 connection, {tasks:>2} concurrent tasks: {rate:>10.0} checks/s");
        }
        Ok::<_, cistern_cache::Error>(())
    })?;
    Ok(())
}

async fn run_serial(limiter: &RateLimiter, quota: Quota, keys: &[String]) -> f64 {
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < PHASE {
        // Read the clock every 1024 calls so the loop measures the limiter, not Instant.
        for _ in 0..1024 {
            // Only the time spent deciding is measured; the decision itself is not needed.
            std::hint::black_box(limiter.check(&keys[n % keys.len()], quota, 1).await).ok();
            n += 1;
        }
    }
    n as f64 / start.elapsed().as_secs_f64()
}

async fn run_concurrent(
    limiter: &RateLimiter,
    quota: Quota,
    tasks: u64,
) -> Result<f64, cistern_cache::Error> {
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                while start.elapsed() < PHASE {
                    limiter
                        .check(&format!("bench:{t}:{}", n % 1_000), quota, 1)
                        .await?;
                    n += 1;
                }
                Ok::<_, cistern_cache::Error>(n)
            })
        })
        .collect();
    let mut total = 0;
    for handle in handles {
        total += handle
            .await
            .map_err(|e| cistern_cache::Error::Protocol(e.to_string()))??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}
