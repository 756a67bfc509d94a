//! Accounts.

use super::{Db, Error, Result, now_ms, with_pool};

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    /// UUID (v7, so ids sort by creation).
    pub id: String,
    /// Normalised (trimmed, lower-case) email; unique.
    pub email: String,
    /// Argon2id PHC string; `None` for users who only sign in through OIDC.
    pub password_hash: Option<String>,
    /// `user` or `admin`.
    pub role: String,
    /// `<issuer>|<sub>` of the external identity that created the account, if any.
    pub oidc_subject: Option<String>,
    /// Monthly token budget override; `None` uses the configured default.
    pub monthly_token_quota: Option<i64>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What creating a user takes.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// Argon2id PHC string, if the user has a password.
    pub password_hash: Option<&'a str>,
    /// `user` or `admin`.
    pub role: &'a str,
    /// External identity, if any.
    pub oidc_subject: Option<&'a str>,
}

/// Accounts: create, look up, set quotas.
pub trait UserStore {
    /// Creates a user; [`Error::Conflict`] when the email (or external subject) is taken.
    fn create_user(&self, new: NewUser<'_>) -> impl Future<Output = Result<User>> + Send;
    /// The user with `id`.
    fn user_by_id(&self, id: &str) -> impl Future<Output = Result<Option<User>>> + Send;
    /// The user with this normalised email.
    fn user_by_email(&self, email: &str) -> impl Future<Output = Result<Option<User>>> + Send;
    /// The user created from this external identity.
    fn user_by_oidc_subject(
        &self,
        subject: &str,
    ) -> impl Future<Output = Result<Option<User>>> + Send;
    /// Sets (or clears, with `None`) a user's monthly token budget; `false` if no such user.
    fn set_user_quota(
        &self,
        id: &str,
        quota: Option<i64>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// How many accounts exist.
    fn count_users(&self) -> impl Future<Output = Result<i64>> + Send;
}

const INSERT: &str = "INSERT INTO users (id, email, password_hash, role, oidc_subject, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, email, password_hash, role, oidc_subject, monthly_token_quota, created_at";
const BY_ID: &str =
    "SELECT id, email, password_hash, role, oidc_subject, monthly_token_quota, created_at
     FROM users WHERE id = $1";
const BY_EMAIL: &str =
    "SELECT id, email, password_hash, role, oidc_subject, monthly_token_quota, created_at
     FROM users WHERE email = $1";
const BY_SUBJECT: &str =
    "SELECT id, email, password_hash, role, oidc_subject, monthly_token_quota, created_at
     FROM users WHERE oidc_subject = $1";
const SET_QUOTA: &str = "UPDATE users SET monthly_token_quota = $2 WHERE id = $1";
const COUNT: &str = "SELECT COUNT(*) FROM users";

impl UserStore for Db {
    async fn create_user(&self, new: NewUser<'_>) -> Result<User> {
        let id = uuid::Uuid::now_v7().to_string();
        let user = with_pool!(self, pool => sqlx::query_as(INSERT)
            .bind(&id).bind(new.email).bind(new.password_hash).bind(new.role).bind(new.oidc_subject).bind(now_ms())
            .fetch_one(pool).await)
        .map_err(Error::conflict_on_unique("a user with this email"))?;
        Ok(user)
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<User>> {
        Ok(with_pool!(self, pool => sqlx::query_as(BY_ID).bind(id).fetch_optional(pool).await)?)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(BY_EMAIL).bind(email).fetch_optional(pool).await)?,
        )
    }

    async fn user_by_oidc_subject(&self, subject: &str) -> Result<Option<User>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(BY_SUBJECT).bind(subject).fetch_optional(pool).await)?,
        )
    }

    async fn set_user_quota(&self, id: &str, quota: Option<i64>) -> Result<bool> {
        let done = with_pool!(self, pool => sqlx::query(SET_QUOTA).bind(id).bind(quota).execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(done > 0)
    }

    async fn count_users(&self) -> Result<i64> {
        Ok(with_pool!(self, pool => sqlx::query_scalar(COUNT).fetch_one(pool).await)?)
    }
}
