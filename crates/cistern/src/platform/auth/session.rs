//! Sign-in flows: register, log in, refresh (with rotation and replay detection), log out.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use cistern_store::sql::now_ms;
use cistern_store::{Db, NewUser, RefreshToken, SessionStore, User, UserStore};
use serde::Serialize;
use utoipa::ToSchema;

use super::credentials::{Email, Password, random_token};
use super::keys::sha256_hex;
use super::{Auth, jwt};
use crate::time::rfc3339;

/// Why a sign-in flow did not complete. Mapped to HTTP once, in `auth::routes`; the CLI
/// (`cistern user create`) shows it as it is.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Registration with an email that has an account.
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Login with a wrong email or password (the same error for either).
    #[error("email or password is wrong")]
    WrongCredentials,
    /// A refresh token that is unknown, expired or revoked.
    #[error("refresh token is invalid or expired: sign in again")]
    RefreshInvalid,
    /// A rotated refresh token was presented again: the whole session is revoked.
    #[error("this refresh token was already used: the session is signed out")]
    Replayed {
        /// Owner of the stolen session.
        user_id: String,
        /// The revoked family.
        family_id: String,
    },
    /// Logout with an API key and no refresh token: there is no session to end.
    #[error("an API key has no session: send the session's refresh_token")]
    NoSession,
    /// The SQL store failed.
    #[error("database: {0}")]
    Store(#[from] cistern_store::sql::Error),
    /// Hashing or signing failed (never the user's fault).
    #[error("{0}")]
    Internal(String),
}

/// A user as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// User id.
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// What they may do.
    pub role: super::Role,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.clone(),
            email: u.email.clone(),
            role: super::Role::parse(&u.role),
            created_at: rfc3339(u.created_at),
        }
    }
}

/// What a successful sign-in returns.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque, single-use; exchange it at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    /// The signed-in user.
    pub user: UserView,
}

/// Hashes a password with argon2id (on a blocking thread: it takes tens of milliseconds by design).
pub async fn hash_password(password: &Password) -> Result<String, Error> {
    let secret = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(secret.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| Error::Internal(format!("password hashing task: {e}")))?
    .map_err(|e| Error::Internal(format!("password hashing: {e}")))
}

/// Checks a password against a stored hash; a missing hash still costs one verification so the
/// response time does not reveal whether the account exists.
async fn verify_password(password: &str, stored: Option<String>) -> bool {
    // A real argon2id hash (of a random password) to verify against when the account has none.
    static DECOY: OnceLock<String> = OnceLock::new();
    let secret = password.to_owned();
    let real = stored.is_some();
    let ok = tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| {
            DECOY
                .get_or_init(|| {
                    let random = random_token::<16>();
                    Argon2::default()
                        .hash_password(random.as_bytes())
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone()
        });
        PasswordHash::new(&stored).is_ok_and(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false);
    ok && real
}

/// Creates an account; the very first account of an installation is its administrator.
pub async fn register(
    db: &Db,
    email: &Email,
    password: &Password,
    admin: bool,
) -> Result<User, Error> {
    let hash = hash_password(password).await?;
    let role = if admin || db.count_users().await? == 0 {
        "admin"
    } else {
        "user"
    };
    let user = db
        .create_user(NewUser {
            email: email.as_str(),
            password_hash: Some(&hash),
            role,
            oidc_subject: None,
        })
        .await
        .map_err(|e| match e {
            cistern_store::sql::Error::Conflict(_) => Error::EmailTaken,
            other => other.into(),
        })?;
    Ok(user)
}

/// Checks email and password; the same error whichever was wrong.
pub async fn login(db: &Db, email: &str, password: &str) -> Result<User, Error> {
    let email = email.trim().to_lowercase();
    let user = db.user_by_email(&email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if verify_password(password, stored).await {
        user.ok_or(Error::WrongCredentials)
    } else {
        Err(Error::WrongCredentials)
    }
}

/// Starts a session (a new refresh-token family) for `user` and returns its first token pair.
pub async fn start_session(db: &Db, auth: &Auth, user: &User) -> Result<TokenPair, Error> {
    let family = uuid::Uuid::now_v7().to_string();
    issue_pair(db, auth, user, &family).await
}

async fn issue_pair(db: &Db, auth: &Auth, user: &User, family: &str) -> Result<TokenPair, Error> {
    let now = now_ms();
    let now_s = u64::try_from(now / 1000).unwrap_or(0);
    let claims = jwt::Claims {
        sub: user.id.clone(),
        role: user.role.clone(),
        sid: family.to_owned(),
        iss: jwt::ISSUER.to_owned(),
        iat: now_s,
        exp: now_s + auth.config.access_token_ttl_secs,
    };
    let access_token = jwt::issue(&auth.keys, &claims)
        .map_err(|e| Error::Internal(format!("signing an access token: {e}")))?;
    let refresh_token = format!("rt_{}", random_token::<32>());
    let ttl_ms =
        i64::try_from(auth.config.refresh_token_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let row = RefreshToken {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user.id.clone(),
        family_id: family.to_owned(),
        expires_at: now.saturating_add(ttl_ms),
        used_at: None,
        revoked_at: None,
    };
    db.insert_refresh_token(&row, &sha256_hex(&refresh_token), now)
        .await?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer",
        expires_in: auth.config.access_token_ttl_secs,
        refresh_token,
        user: UserView::from(user),
    })
}

/// Rotates a refresh token: the presented one is spent, a new pair of the same session is issued.
/// Presenting a spent token again is treated as theft and revokes the session — unless it was
/// spent less than `refresh_reuse_grace_secs` ago (two tabs refreshing at once, a reload
/// mid-refresh), when it earns one more pair of the same session.
pub async fn refresh(db: &Db, auth: &Auth, token: &str) -> Result<TokenPair, Error> {
    let now = now_ms();
    let row = db
        .refresh_token_by_hash(&sha256_hex(token))
        .await?
        .ok_or(Error::RefreshInvalid)?;
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(Error::RefreshInvalid);
    }
    let fresh = row.used_at.is_none() && db.use_refresh_token(&row.id, now).await?;
    if !fresh && !within_grace(db, auth, &row, now).await? {
        auth.revoke_session(db, &row.family_id).await?;
        return Err(Error::Replayed {
            user_id: row.user_id,
            family_id: row.family_id,
        });
    }
    let user = db
        .user_by_id(&row.user_id)
        .await?
        .ok_or(Error::RefreshInvalid)?;
    issue_pair(db, auth, &user, &row.family_id).await
}

/// Whether a spent token was spent so recently that presenting it again is a race, not a replay.
async fn within_grace(db: &Db, auth: &Auth, row: &RefreshToken, now: i64) -> Result<bool, Error> {
    let grace_ms =
        i64::try_from(auth.config.refresh_reuse_grace_secs.saturating_mul(1000)).unwrap_or(0);
    if grace_ms == 0 {
        return Ok(false);
    }
    // Re-read: when two requests race, the loser's row predates the winner's `used_at`.
    let used_at = match row.used_at {
        Some(at) => Some(at),
        None => db.refresh_token_used_at(&row.id).await?,
    };
    Ok(used_at.is_some_and(|at| now - at <= grace_ms) && row.revoked_at.is_none())
}

/// Ends the session the refresh token belongs to (owner-checked); its access tokens stop working.
pub async fn logout(
    db: &Db,
    auth: &Auth,
    user_id: &str,
    sid: Option<&str>,
    refresh_token: Option<&str>,
) -> Result<(), Error> {
    let mut family = sid.map(str::to_owned);
    if let Some(token) = refresh_token
        && let Some(row) = db.refresh_token_by_hash(&sha256_hex(token)).await?
        && row.user_id == user_id
    {
        family = Some(row.family_id);
    }
    let family = family.ok_or(Error::NoSession)?;
    Ok(auth.revoke_session(db, &family).await?)
}
