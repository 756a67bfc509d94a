//! Installation-wide key/value settings.

use super::{Db, Result, now_ms, with_pool};

/// Installation-wide settings shared by every instance on the same database: the installation
/// id, signing keys and similar singletons. Values are opaque strings.
pub trait MetaStore {
    /// The value stored under `key`, if any.
    fn meta_get(&self, key: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Stores `value` under `key`, replacing any previous value.
    fn meta_put(&self, key: &str, value: &str) -> impl Future<Output = Result<()>> + Send;
    /// Stores `value` unless `key` already has one, and returns the value that won. Many
    /// instances racing to initialise a singleton all end up with the same value.
    fn meta_get_or_insert(
        &self,
        key: &str,
        value: &str,
    ) -> impl Future<Output = Result<String>> + Send;
    /// Removes `key`; `true` when it existed.
    fn meta_delete(&self, key: &str) -> impl Future<Output = Result<bool>> + Send;
}

const GET: &str = "SELECT value FROM meta WHERE key = $1";
const PUT: &str = "INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
const INSERT_IF_ABSENT: &str =
    "INSERT INTO meta (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING";
const DELETE: &str = "DELETE FROM meta WHERE key = $1";

impl MetaStore for Db {
    async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(GET).bind(key).fetch_optional(pool).await)?)
    }

    async fn meta_put(&self, key: &str, value: &str) -> Result<()> {
        with_pool!(self, pool => sqlx::query(PUT).bind(key).bind(value).bind(now_ms()).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String> {
        with_pool!(self, pool => sqlx::query(INSERT_IF_ABSENT).bind(key).bind(value).bind(now_ms()).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(with_pool!(self, pool => sqlx::query_scalar(GET).bind(key).fetch_one(pool).await)?)
    }

    async fn meta_delete(&self, key: &str) -> Result<bool> {
        let done = with_pool!(self, pool => sqlx::query(DELETE).bind(key).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }
}
