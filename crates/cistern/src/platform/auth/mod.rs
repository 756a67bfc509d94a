//! Identity: who is calling, proven by an access token (JWT) or an API key.
//!
//! Architecture invariant: handlers get the caller only through the [`Principal`] extractor
//! (or [`Admin`]); a route without one is public, and the route-walk test in
//! `tests/api/auth_walk.rs` checks that exactly the routes documented as public are.
//! Store methods that touch owned data take the owner's id as a parameter.

pub mod cache;
pub mod credentials;
pub mod jwt;
pub mod keys;
pub mod oidc;
pub mod routes;
pub mod session;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use cistern_store::sql::now_ms;
use cistern_store::{ApiKey, ApiKeyStore, Db, SessionStore, User, UserStore};

use crate::config::AuthConfig;
use crate::http::error::ApiError;
use crate::state::AppState;
use credentials::api_key_prefix;
use keys::AuthKeys;

/// Everything authentication needs besides the database.
pub struct Auth {
    /// Signing and hashing keys.
    pub keys: AuthKeys,
    /// `[auth]` settings.
    pub config: AuthConfig,
    /// External ID-token verifier, when `[auth.oidc]` is configured.
    pub oidc: Option<oidc::Verifier>,
    /// Recently checked sessions, keys and users.
    pub cache: cache::CredentialCache,
}

impl Auth {
    /// Authentication with these keys and `[auth]` settings.
    pub fn new(keys: AuthKeys, config: &AuthConfig) -> Self {
        Self {
            keys,
            config: config.clone(),
            oidc: (!config.oidc.issuer.is_empty())
                .then(|| oidc::Verifier::new(config.oidc.clone())),
            cache: cache::CredentialCache::new(std::time::Duration::from_millis(
                config.credential_cache_ms,
            )),
        }
    }

    /// The user with this id, from the credential cache or the database.
    pub async fn user(
        &self,
        db: &Db,
        id: &str,
    ) -> Result<Option<Arc<User>>, cistern_store::sql::Error> {
        if let Some(user) = self.cache.user(id) {
            return Ok(Some(user));
        }
        let Some(user) = db.user_by_id(id).await? else {
            return Ok(None);
        };
        let user = Arc::new(user);
        self.cache.remember_user(user.clone());
        Ok(Some(user))
    }

    async fn api_key(
        &self,
        db: &Db,
        prefix: &str,
    ) -> Result<Option<Arc<ApiKey>>, cistern_store::sql::Error> {
        if let Some(key) = self.cache.key(prefix) {
            return Ok(Some(key));
        }
        let Some(key) = db.api_key_by_prefix(prefix).await? else {
            return Ok(None);
        };
        let key = Arc::new(key);
        self.cache.remember_key(prefix, key.clone());
        Ok(Some(key))
    }

    async fn session_live(&self, db: &Db, sid: &str) -> Result<bool, cistern_store::sql::Error> {
        if self.cache.session_live(sid) {
            return Ok(true);
        }
        let live = !db.family_revoked(sid).await?;
        if live {
            self.cache.remember_session(sid);
        }
        Ok(live)
    }

    /// Revokes login session `sid` everywhere; this instance forgets it at once.
    pub async fn revoke_session(
        &self,
        db: &Db,
        sid: &str,
    ) -> Result<(), cistern_store::sql::Error> {
        db.revoke_family(sid, now_ms()).await?;
        self.cache.forget_session(sid);
        Ok(())
    }
}

/// What a user may do beyond their own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Owns their data, nothing more.
    User,
    /// May also list everyone's audit events and change quotas.
    Admin,
}

impl Role {
    /// From the stored / claimed text; anything unknown is the least privilege.
    pub fn parse(text: &str) -> Self {
        if text == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// An access token of login session `sid`.
    Session {
        /// The session (refresh-token family).
        sid: String,
    },
    /// An API key.
    ApiKey {
        /// The key's id.
        key_id: String,
    },
}

/// The authenticated caller. Extracting it is what makes a route require credentials.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user's id: the owner of everything they create.
    pub user_id: String,
    /// Their role.
    pub role: Role,
    /// The credential used.
    pub via: Via,
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        let principal = authenticate(&state.db, &state.auth, token).await?;
        state.limits.check_user(&principal.user_id).await?;
        Ok(principal)
    }
}

/// An authenticated administrator; other users get 403.
#[derive(Debug, Clone)]
pub struct Admin(pub Principal);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        if principal.role == Role::Admin {
            Ok(Admin(principal))
        } else {
            Err(ApiError::forbidden("this action needs an administrator"))
        }
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("missing Authorization: Bearer <token or API key>")
    })?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "Authorization must be `Bearer <token or API key>`",
        ));
    }
    Ok(token.trim())
}

/// Checks a bearer credential: an API key (`cst_…`) or an access token.
pub async fn authenticate(db: &Db, auth: &Auth, token: &str) -> Result<Principal, ApiError> {
    if let Some(prefix) = api_key_prefix(token) {
        let invalid = || ApiError::unauthorized("invalid API key");
        let key = auth.api_key(db, prefix).await?.ok_or_else(invalid)?;
        if !auth.keys.verify_api_key(token, &key.key_hash) {
            return Err(invalid());
        }
        let now = now_ms();
        if key.revoked_at.is_some() {
            return Err(ApiError::unauthorized("this API key was revoked"));
        }
        if key.expires_at.is_some_and(|at| at <= now) {
            return Err(ApiError::unauthorized("this API key has expired"));
        }
        let user = auth.user(db, &key.user_id).await?.ok_or_else(invalid)?;
        // `last_used_at` has minute precision: at most one write per key per minute.
        if key.last_used_at.is_none_or(|at| at < now - 60_000) {
            db.touch_api_key(&key.id, now).await?;
            let touched = ApiKey {
                last_used_at: Some(now),
                ..ApiKey::clone(&key)
            };
            auth.cache.remember_key(prefix, Arc::new(touched));
        }
        return Ok(Principal {
            user_id: user.id.clone(),
            role: Role::parse(&user.role),
            via: Via::ApiKey {
                key_id: key.id.clone(),
            },
        });
    }
    let expired =
        || ApiError::unauthorized("access token expired: refresh it at /api/v1/auth/refresh");
    let claims = match auth.cache.verified_token(token) {
        Some(claims) => {
            if claims.exp <= u64::try_from(now_ms() / 1000).unwrap_or(0) {
                return Err(expired());
            }
            claims
        }
        None => {
            let claims = jwt::verify(&auth.keys, token).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => expired(),
                _ => ApiError::unauthorized("invalid access token"),
            })?;
            let claims = Arc::new(claims);
            auth.cache.remember_token(token, claims.clone());
            claims
        }
    };
    if !auth.session_live(db, &claims.sid).await? {
        return Err(ApiError::unauthorized("this session was signed out"));
    }
    Ok(Principal {
        user_id: claims.sub.clone(),
        role: Role::parse(&claims.role),
        via: Via::Session {
            sid: claims.sid.clone(),
        },
    })
}
