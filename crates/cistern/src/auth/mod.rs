//! Identity: who is calling, proven by an access token (JWT) or an API key.
//!
//! Architecture invariant: handlers get the caller only through the [`Principal`] extractor
//! (or [`Admin`]); a route without one is public, and the route-walk test in
//! `tests/api/auth_walk.rs` checks that exactly the routes documented as public are.
//! Store methods that touch owned data take the owner's id as a parameter.

pub mod credentials;
pub mod jwt;
pub mod keys;
pub mod oidc;
pub mod routes;
pub mod session;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use cistern_store::sql::now_ms;
use cistern_store::{ApiKeyStore, Db, SessionStore, UserStore};

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
        let key = db.api_key_by_prefix(prefix).await?.ok_or_else(invalid)?;
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
        let user = db.user_by_id(&key.user_id).await?.ok_or_else(invalid)?;
        if key.last_used_at.is_none_or(|at| at < now - 60_000) {
            db.touch_api_key(&key.id, now).await?;
        }
        return Ok(Principal {
            user_id: user.id,
            role: Role::parse(&user.role),
            via: Via::ApiKey { key_id: key.id },
        });
    }
    let claims = jwt::verify(&auth.keys, token).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
            ApiError::unauthorized("access token expired: refresh it at /api/v1/auth/refresh")
        }
        _ => ApiError::unauthorized("invalid access token"),
    })?;
    if db.family_revoked(&claims.sid).await? {
        return Err(ApiError::unauthorized("this session was signed out"));
    }
    Ok(Principal {
        user_id: claims.sub,
        role: Role::parse(&claims.role),
        via: Via::Session { sid: claims.sid },
    })
}
