//! Test support shared by every crate's integration tests (feature `testing`).
//!
//! The real PostgreSQL and S3-compatible servers are started by `scripts/test.sh`, which exports
//! `CISTERN_TEST_POSTGRES_URL` and `CISTERN_TEST_S3_ENDPOINT`. Without them a test that needs one
//! is skipped with a note — except under CI (`CI` set), where a missing server is a failure, so a
//! broken script can never turn the Postgres and S3 suites into silent passes.

use crate::blob::BlobConfig;
use crate::blob::S3Config;

/// Which engine a test runs on, from `CISTERN_TEST_SQL` (`sqlite` | `postgres`).
pub fn sql_from_env() -> &'static str {
    match std::env::var("CISTERN_TEST_SQL").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// Which blob backend a test runs on, from `CISTERN_TEST_BLOBS` (`local` | `s3`).
pub fn blobs_from_env() -> &'static str {
    match std::env::var("CISTERN_TEST_BLOBS").as_deref() {
        Ok("s3") => "s3",
        _ => "local",
    }
}

fn required(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Some(value),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "{var} is not set: CI must run the {what} tests (scripts/test.sh starts the server)"
            )
        }
        _ => {
            eprintln!(
                "note: {var} not set; skipping the {what} part of this test (run scripts/test.sh)"
            );
            None
        }
    }
}

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}{}x{nanos:x}x{n}", std::process::id())
}

/// A URL to a fresh, empty schema on the test PostgreSQL server (its `search_path` points at
/// it), or `None` when no server is configured outside CI.
pub async fn fresh_postgres_url() -> Option<String> {
    let base = required("CISTERN_TEST_POSTGRES_URL", "PostgreSQL")?;
    let schema = unique_name("t");
    let pool = sqlx::PgPool::connect(&base)
        .await
        .expect("connect to the test PostgreSQL server");
    // Identifiers cannot be bound as parameters; `schema` is generated above from [a-z0-9].
    let ddl = ["CREATE SCHEMA ", &schema].concat();
    sqlx::query(sqlx::AssertSqlSafe(ddl))
        .execute(&pool)
        .await
        .expect("create test schema");
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// The test Redis server's URL, or `None` when none is configured outside CI.
pub fn redis_url() -> Option<String> {
    required("CISTERN_TEST_REDIS_URL", "Redis")
}

/// A fresh bucket on the test S3-compatible server, or `None` when none is configured outside CI.
pub async fn fresh_s3_bucket() -> Option<BlobConfig> {
    let endpoint = required("CISTERN_TEST_S3_ENDPOINT", "S3")?;
    let bucket = unique_name("b");
    // moto's server creates a bucket on an unsigned PUT; real S3 would need a signed request.
    let client = reqwest::Client::new();
    let response = client
        .put(format!("{}/{bucket}", endpoint.trim_end_matches('/')))
        .send()
        .await
        .expect("reach the test S3 server");
    assert!(
        response.status().is_success(),
        "create bucket: {}",
        response.status()
    );
    Some(BlobConfig::S3(S3Config {
        endpoint: Some(endpoint),
        bucket,
        region: "us-east-1".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
        path_style: true,
    }))
}
