//! Refresh tokens: opaque, stored hashed, rotated on use, grouped in families (one per login).

use super::{Db, Result, with_pool};

/// A stored refresh token (its hash only; the token itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefreshToken {
    /// Token id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// The login session this token belongs to.
    pub family_id: String,
    /// Unix milliseconds.
    pub expires_at: i64,
    /// When it was rotated; a second use after that is a replay.
    pub used_at: Option<i64>,
    /// When its family was revoked (logout, replay).
    pub revoked_at: Option<i64>,
}

/// Login sessions and their refresh tokens.
pub trait SessionStore {
    /// Stores a new refresh token of `family_id`.
    fn insert_refresh_token(
        &self,
        token: &RefreshToken,
        token_hash: &str,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The token with this hash, whatever its state.
    fn refresh_token_by_hash(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<RefreshToken>>> + Send;
    /// Marks a live token used; `false` when it was already used or revoked (a lost race or a replay).
    fn use_refresh_token(&self, id: &str, now: i64) -> impl Future<Output = Result<bool>> + Send;
    /// When the token was rotated (`None`: not yet, or no such token).
    fn refresh_token_used_at(&self, id: &str) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Revokes every token of a session; returns how many were live.
    fn revoke_family(&self, family_id: &str, now: i64) -> impl Future<Output = Result<u64>> + Send;
    /// Whether the session was revoked (checked for every access token, so logout is immediate).
    fn family_revoked(&self, family_id: &str) -> impl Future<Output = Result<bool>> + Send;
}

const INSERT: &str =
    "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)";
const BY_HASH: &str = "SELECT id, user_id, family_id, expires_at, used_at, revoked_at
     FROM refresh_tokens WHERE token_hash = $1";
const USE: &str = "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL";
const USED_AT: &str = "SELECT used_at FROM refresh_tokens WHERE id = $1";
const REVOKE: &str =
    "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL";
const REVOKED: &str =
    "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL";

impl SessionStore for Db {
    async fn insert_refresh_token(
        &self,
        t: &RefreshToken,
        token_hash: &str,
        now: i64,
    ) -> Result<()> {
        with_pool!(self, pool => sqlx::query(INSERT)
            .bind(&t.id).bind(&t.user_id).bind(&t.family_id).bind(token_hash).bind(t.expires_at).bind(now)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn refresh_token_by_hash(&self, token_hash: &str) -> Result<Option<RefreshToken>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(BY_HASH).bind(token_hash).fetch_optional(pool).await)?,
        )
    }

    async fn use_refresh_token(&self, id: &str, now: i64) -> Result<bool> {
        let done = with_pool!(self, pool => sqlx::query(USE).bind(id).bind(now).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(done == 1)
    }

    async fn refresh_token_used_at(&self, id: &str) -> Result<Option<i64>> {
        let at: Option<Option<i64>> = with_pool!(self, pool => sqlx::query_scalar(USED_AT).bind(id).fetch_optional(pool).await)?;
        Ok(at.flatten())
    }

    async fn revoke_family(&self, family_id: &str, now: i64) -> Result<u64> {
        Ok(
            with_pool!(self, pool => sqlx::query(REVOKE).bind(family_id).bind(now).execute(pool).await.map(|d| d.rows_affected()))?,
        )
    }

    async fn family_revoked(&self, family_id: &str) -> Result<bool> {
        let n: i64 = with_pool!(self, pool => sqlx::query_scalar(REVOKED).bind(family_id).fetch_one(pool).await)?;
        Ok(n > 0)
    }
}
