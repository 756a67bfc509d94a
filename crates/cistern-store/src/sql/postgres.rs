//! PostgreSQL queries. Every statement here has a twin in [`super::sqlite`].

use sqlx::PgPool;
use sqlx::migrate::Migrator;

use super::Result;

/// Migrations for PostgreSQL, embedded at compile time.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub(super) async fn ping(pool: &PgPool) -> Result<()> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

pub(super) async fn meta_get(pool: &PgPool, key: &str) -> Result<Option<String>> {
    let value = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(value)
}

pub(super) async fn meta_put(pool: &PgPool, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value,
             updated_at = now()",
    )
    .bind(key)
    .bind(value)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn meta_insert_if_absent(pool: &PgPool, key: &str, value: &str) -> Result<String> {
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(pool)
        .await?;
    let stored = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(key)
        .fetch_one(pool)
        .await?;
    Ok(stored)
}

pub(super) async fn meta_delete(pool: &PgPool, key: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM meta WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
