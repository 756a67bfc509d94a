//! HTTP handlers of identity: sign-in flows, the caller's profile, API keys. Thin: parse, call
//! the flow in [`super::session`] or the store, audit, map.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use cistern_store::sql::now_ms;
use cistern_store::{ApiKey, ApiKeyStore, Db, NewUser, UserStore};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::credentials::{Email, NewApiKey, Password};
use super::session::{self, TokenPair, UserView};
use super::{Auth, Principal, Via};
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::http::path::ResourceId;
use crate::platform::audit::{self, Action, Event, RequestContext};
use crate::time::rfc3339;

/// `POST /api/v1/auth/register` and `/login` body.
// No `Debug`: the password must not be printable by accident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Email address (case-insensitive).
    pub email: String,
    /// 10 to 128 characters.
    pub password: String,
}

/// Create an account and sign in. Closed when `auth.open_registration = false`.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "identity", request_body = Credentials,
    responses((status = 201, body = TokenPair), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn register(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    ctx: RequestContext,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<(StatusCode, Json<TokenPair>), ApiError> {
    if !auth.config.open_registration {
        return Err(ApiError::forbidden(
            "registration is invite-only on this server: ask an administrator",
        ));
    }
    let email = Email::parse(&body.email)?;
    let password = Password::parse(body.password)?;
    let user = session::register(&db, &email, &password, false).await?;
    audit::record(
        &db,
        &ctx,
        Event {
            actor: Some(&user.id),
            action: Action::AuthRegister,
            target: Some(&user.id),
            success: true,
            metadata: json!({ "role": user.role }),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(session::start_session(&db, &auth, &user).await?),
    ))
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "identity", request_body = Credentials,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    ctx: RequestContext,
    ApiJson(body): ApiJson<Credentials>,
) -> Result<Json<TokenPair>, ApiError> {
    match session::login(&db, &body.email, &body.password).await {
        Ok(user) => {
            audit::record(
                &db,
                &ctx,
                Event {
                    actor: Some(&user.id),
                    action: Action::AuthLogin,
                    target: Some(&user.id),
                    success: true,
                    metadata: json!({}),
                },
            )
            .await?;
            Ok(Json(session::start_session(&db, &auth, &user).await?))
        }
        Err(error) => {
            let email = body.email.trim().to_lowercase();
            audit::record(
                &db,
                &ctx,
                Event {
                    actor: None,
                    action: Action::AuthLogin,
                    target: Some(&email),
                    success: false,
                    metadata: json!({}),
                },
            )
            .await?;
            Err(error.into())
        }
    }
}

/// `POST /api/v1/auth/refresh` and `/logout` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    /// The refresh token of the last pair.
    pub refresh_token: String,
}

/// Exchange a refresh token for a new pair. Each refresh token works once; presenting a used one
/// again signs the whole session out (it was probably stolen).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "identity", request_body = RefreshBody,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    ctx: RequestContext,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenPair>, ApiError> {
    match session::refresh(&db, &auth, &body.refresh_token).await {
        Ok(pair) => Ok(Json(pair)),
        Err(session::Error::Replayed { user_id, family_id }) => {
            audit::record(
                &db,
                &ctx,
                Event {
                    actor: Some(&user_id),
                    action: Action::AuthRefreshReplay,
                    target: Some(&family_id),
                    success: false,
                    metadata: json!({ "session_revoked": true }),
                },
            )
            .await?;
            Err(ApiError::unauthorized(
                "this refresh token was already used; the session is signed out for safety",
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /api/v1/auth/logout` body: which session to end (defaults to the access token's).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutBody {
    /// The session's refresh token (required when calling with an API key).
    pub refresh_token: Option<String>,
}

/// Sign out: revokes the session's refresh tokens and its access tokens.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "identity", request_body = LogoutBody, security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    principal: Principal,
    ctx: RequestContext,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    // The body is optional: an empty one ends the access token's own session.
    let body: LogoutBody = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                e.to_string(),
            )
        })?
    };
    let sid = match &principal.via {
        Via::Session { sid } => Some(sid.as_str()),
        Via::ApiKey { .. } => None,
    };
    session::logout(
        &db,
        &auth,
        &principal.user_id,
        sid,
        body.refresh_token.as_deref(),
    )
    .await?;
    audit::record(
        &db,
        &ctx,
        Event {
            actor: Some(&principal.user_id),
            action: Action::AuthLogout,
            target: Some(&principal.user_id),
            success: true,
            metadata: json!({}),
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/oidc` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcBody {
    /// An ID token from the configured provider.
    pub id_token: String,
}

/// Sign in with an ID token from the configured OpenID Connect provider; the first valid token of
/// a person creates their account.
#[utoipa::path(post, path = "/api/v1/auth/oidc", tag = "identity", request_body = OidcBody,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn oidc(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    ctx: RequestContext,
    ApiJson(body): ApiJson<OidcBody>,
) -> Result<Json<TokenPair>, ApiError> {
    let verifier = auth
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::not_found("OIDC sign-in is not configured on this server"))?;
    let claims = verifier.verify(&body.id_token).await.map_err(|e| match e {
        super::oidc::Error::Fetch(detail) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "provider_unreachable",
            "cannot reach the identity provider",
        )
        .with_details(json!({ "detail": detail })),
        other => ApiError::unauthorized(other.to_string()),
    })?;
    let subject = format!("{}|{}", claims.iss, claims.sub);
    let user = match db.user_by_oidc_subject(&subject).await? {
        Some(user) => user,
        None => {
            let email = claims.email.as_deref().filter(|_| claims.email_verified).ok_or_else(|| {
                ApiError::unauthorized("the ID token carries no verified email, which Cistern needs to create the account")
            })?;
            let email = Email::parse(email)?;
            let first = db.count_users().await? == 0;
            let role = if first { "admin" } else { "user" };
            let user = db
                .create_user(NewUser {
                    email: email.as_str(),
                    password_hash: None,
                    role,
                    oidc_subject: Some(&subject),
                })
                .await
                .map_err(|e| match e {
                    cistern_store::sql::Error::Conflict(_) => ApiError::conflict(
                        "an account with this email already exists: sign in with its password",
                    ),
                    other => other.into(),
                })?;
            audit::record(
                &db,
                &ctx,
                Event {
                    actor: Some(&user.id),
                    action: Action::AuthRegister,
                    target: Some(&user.id),
                    success: true,
                    metadata: json!({ "via": "oidc", "issuer": claims.iss }),
                },
            )
            .await?;
            user
        }
    };
    audit::record(
        &db,
        &ctx,
        Event {
            actor: Some(&user.id),
            action: Action::AuthLogin,
            target: Some(&user.id),
            success: true,
            metadata: json!({ "via": "oidc" }),
        },
    )
    .await?;
    Ok(Json(session::start_session(&db, &auth, &user).await?))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    principal: Principal,
) -> Result<Json<UserView>, ApiError> {
    let user = auth
        .user(&db, &principal.user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this account no longer exists"))?;
    Ok(Json(UserView::from(user.as_ref())))
}

/// `POST /api/v1/api-keys` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyBody {
    /// A name to recognise the key by (1–100 characters).
    pub name: String,
    /// Days until the key stops working (1–3650); omit for no expiry.
    pub expires_in_days: Option<u32>,
}

/// An API key as listed (never the key itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// Key id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The public start of the key (`cst_<prefix>_…`).
    pub prefix: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, to the minute.
    pub last_used_at: Option<String>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    /// RFC 3339; a revoked key no longer works.
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name,
            prefix: format!("cst_{}", k.prefix),
            created_at: rfc3339(k.created_at),
            last_used_at: k.last_used_at.map(rfc3339),
            expires_at: k.expires_at.map(rfc3339),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}

/// A new key: `key` is shown this once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    /// The whole key, for `Authorization: Bearer`.
    pub key: String,
    /// Its listing.
    #[serde(flatten)]
    pub info: ApiKeyView,
}

/// Creates an API key (or, from the CLI, for any user): stored as a keyed hash only.
pub async fn create_api_key(
    db: &Db,
    auth: &Auth,
    user_id: &str,
    name: &str,
    expires_in_days: Option<u32>,
) -> Result<CreatedApiKey, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::validation(
            "name",
            "name must be 1 to 100 characters",
        ));
    }
    if expires_in_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(ApiError::validation(
            "expires_in_days",
            "expires_in_days must be between 1 and 3650",
        ));
    }
    let minted = NewApiKey::generate();
    let now = now_ms();
    let row = ApiKey {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user_id.to_owned(),
        name: name.to_owned(),
        prefix: minted.prefix,
        key_hash: auth.keys.hash_api_key(&minted.key),
        created_at: now,
        last_used_at: None,
        expires_at: expires_in_days.map(|d| now + i64::from(d) * 86_400_000),
        revoked_at: None,
    };
    db.insert_api_key(&row).await?;
    Ok(CreatedApiKey {
        key: minted.key,
        info: row.into(),
    })
}

/// Create an API key; the response is the only time the key is shown.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "identity", request_body = NewKeyBody, security(("bearer" = [])),
    responses((status = 201, body = CreatedApiKey), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_key(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    principal: Principal,
    ctx: RequestContext,
    ApiJson(body): ApiJson<NewKeyBody>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let created = create_api_key(
        &db,
        &auth,
        &principal.user_id,
        &body.name,
        body.expires_in_days,
    )
    .await?;
    audit::record(
        &db,
        &ctx,
        Event {
            actor: Some(&principal.user_id),
            action: Action::ApiKeyCreate,
            target: Some(&created.info.id),
            success: true,
            metadata: json!({ "name": created.info.name, "prefix": created.info.prefix }),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Your API keys, newest first (revoked ones included, marked).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiKeyView>), (status = 401, body = ErrorBody)))]
pub async fn list_keys(
    State(db): State<Db>,
    principal: Principal,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    let keys = db.api_keys_of(&principal.user_id).await?;
    Ok(Json(keys.into_iter().map(ApiKeyView::from).collect()))
}

/// Revoke one of your API keys; it stops working at once. Another user's key answers 404.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "identity", security(("bearer" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_key(
    State(db): State<Db>,
    State(auth): State<Arc<Auth>>,
    principal: Principal,
    ctx: RequestContext,
    id: ResourceId,
) -> Result<StatusCode, ApiError> {
    if !db
        .revoke_api_key(&principal.user_id, id.as_str(), now_ms())
        .await?
    {
        return Err(ApiError::not_found("no such API key"));
    }
    auth.cache.forget_keys();
    audit::record(
        &db,
        &ctx,
        Event {
            actor: Some(&principal.user_id),
            action: Action::ApiKeyRevoke,
            target: Some(id.as_str()),
            success: true,
            metadata: json!({}),
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The sign-in flows' errors at the edge: the one place they become statuses.
impl From<session::Error> for ApiError {
    fn from(error: session::Error) -> Self {
        use session::Error as E;
        match error {
            E::EmailTaken => ApiError::conflict(error.to_string()),
            E::WrongCredentials | E::RefreshInvalid | E::Replayed { .. } => {
                ApiError::unauthorized(error.to_string())
            }
            E::NoSession => ApiError::validation("refresh_token", error.to_string()),
            E::Store(e) => ApiError::from(e),
            E::Internal(e) => ApiError::internal(e),
        }
    }
}
