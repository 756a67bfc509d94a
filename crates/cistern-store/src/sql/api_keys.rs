//! API keys: stored as a keyed hash, looked up by their public prefix, always owner-scoped.

use super::{Db, Error, Result, with_pool};

/// A stored API key (the key itself is shown once at creation and never stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKey {
    /// Key id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Human name given at creation.
    pub name: String,
    /// The public, unique part of the key that identifies it (`cst_<prefix>_…`).
    pub prefix: String,
    /// Keyed hash of the whole key.
    pub key_hash: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Last successful use, to the minute.
    pub last_used_at: Option<i64>,
    /// When it stops working, if ever.
    pub expires_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

/// API keys of users.
pub trait ApiKeyStore {
    /// Stores a new key; [`Error::Conflict`] if the prefix collides.
    fn insert_api_key(&self, key: &ApiKey) -> impl Future<Output = Result<()>> + Send;
    /// Every key of `user_id`, newest first, revoked ones included.
    fn api_keys_of(&self, user_id: &str) -> impl Future<Output = Result<Vec<ApiKey>>> + Send;
    /// The key with this prefix, whoever owns it (authentication only).
    fn api_key_by_prefix(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Option<ApiKey>>> + Send;
    /// Revokes `user_id`'s key `id`; `false` if they have no such live key.
    fn revoke_api_key(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Records a use, at most once a minute per key (so authentication is not a write per request).
    fn touch_api_key(&self, id: &str, now: i64) -> impl Future<Output = Result<()>> + Send;
}

const INSERT: &str =
    "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const OF_USER: &str =
    "SELECT id, user_id, name, prefix, key_hash, created_at, last_used_at, expires_at, revoked_at
     FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id DESC";
const BY_PREFIX: &str =
    "SELECT id, user_id, name, prefix, key_hash, created_at, last_used_at, expires_at, revoked_at
     FROM api_keys WHERE prefix = $1";
const REVOKE: &str =
    "UPDATE api_keys SET revoked_at = $3 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL";
const TOUCH: &str = "UPDATE api_keys SET last_used_at = $2
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2 - 60000)";

impl ApiKeyStore for Db {
    async fn insert_api_key(&self, k: &ApiKey) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT)
            .bind(&k.id).bind(&k.user_id).bind(&k.name).bind(&k.prefix).bind(&k.key_hash).bind(k.created_at).bind(k.expires_at)
            .execute(pool).await.map(|d| d.rows_affected()))
        .map_err(Error::conflict_on_unique("an API key with this prefix"))?;
        Ok(())
    }

    async fn api_keys_of(&self, user_id: &str) -> Result<Vec<ApiKey>> {
        Ok(with_pool!(self, pool => sqlx::query_as(OF_USER).bind(user_id).fetch_all(pool).await)?)
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKey>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(BY_PREFIX).bind(prefix).fetch_optional(pool).await)?,
        )
    }

    async fn revoke_api_key(&self, user_id: &str, id: &str, now: i64) -> Result<bool> {
        let done = with_pool!(self, pool => sqlx::query(REVOKE).bind(user_id).bind(id).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }

    async fn touch_api_key(&self, id: &str, now: i64) -> Result<()> {
        with_pool!(self, pool => sqlx::query(TOUCH).bind(id).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }
}
