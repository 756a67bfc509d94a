//! Installation-wide key/value settings.

use super::{Db, Result, postgres, sqlite};

/// Installation-wide settings shared by every instance on the same database: the installation
/// id now, signing keys and similar singletons later. Values are opaque strings.
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

impl MetaStore for Db {
    async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        match self {
            Db::Sqlite(pool) => sqlite::meta_get(pool, key).await,
            Db::Postgres(pool) => postgres::meta_get(pool, key).await,
        }
    }

    async fn meta_put(&self, key: &str, value: &str) -> Result<()> {
        match self {
            Db::Sqlite(pool) => sqlite::meta_put(pool, key, value).await,
            Db::Postgres(pool) => postgres::meta_put(pool, key, value).await,
        }
    }

    async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String> {
        match self {
            Db::Sqlite(pool) => sqlite::meta_insert_if_absent(pool, key, value).await,
            Db::Postgres(pool) => postgres::meta_insert_if_absent(pool, key, value).await,
        }
    }

    async fn meta_delete(&self, key: &str) -> Result<bool> {
        match self {
            Db::Sqlite(pool) => sqlite::meta_delete(pool, key).await,
            Db::Postgres(pool) => postgres::meta_delete(pool, key).await,
        }
    }
}
