//! The audit log: who did what, to what, when, from where — append-only, browsable per user.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use cistern_store::sql::now_ms;
use cistern_store::{AuditFilter, AuditStore, Db, NewAuditEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::time::rfc3339;

/// Where a request came from, for audit events.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// `x-request-id` (set by the middleware when the client sent none).
    pub request_id: Option<String>,
    /// Client address; `X-Forwarded-For`'s first hop when `server.trust_forwarded_for` is on.
    pub ip: Option<String>,
}

impl FromRequestParts<AppState> for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let forwarded = state
            .config
            .server
            .trust_forwarded_for
            .then(|| header("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.split(',').next().map(|ip| ip.trim().to_owned()));
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(Self {
            request_id: header("x-request-id"),
            ip: forwarded.or(peer),
        })
    }
}

/// An event about to be recorded.
pub struct Event<'a> {
    /// Who acted (`None`: nobody authenticated).
    pub actor: Option<&'a str>,
    /// Dotted action name: `auth.login`, `api_key.revoke`, …
    pub action: &'static str,
    /// What it was done to.
    pub target: Option<&'a str>,
    /// Whether it succeeded.
    pub success: bool,
    /// Extra facts (never secrets).
    pub metadata: serde_json::Value,
}

/// Appends `event`. Auditing must not be skippable by a failing store, so errors propagate.
pub async fn record(db: &Db, ctx: &RequestContext, event: Event<'_>) -> Result<(), ApiError> {
    let row = NewAuditEvent {
        actor_id: event.actor.map(str::to_owned),
        action: event.action.to_owned(),
        target: event.target.map(str::to_owned),
        success: event.success,
        request_id: ctx.request_id.clone(),
        ip: ctx.ip.clone(),
        metadata: event.metadata,
        created_at: now_ms(),
    };
    db.append_audit(&row).await?;
    Ok(())
}

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this action, e.g. `auth.login`.
    pub action: Option<String>,
    /// Cursor: the `next` of the previous page.
    pub before: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Admins only: everyone's events instead of their own.
    #[serde(default)]
    pub all: bool,
}

/// One audit event as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    /// Event id (cursor).
    pub id: i64,
    /// Who acted.
    pub actor_id: Option<String>,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub target: Option<String>,
    /// `success` or `failure`.
    pub outcome: String,
    /// The request that caused it.
    pub request_id: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// Extra facts.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
    /// RFC 3339 time.
    pub created_at: String,
}

/// A page of audit events.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub events: Vec<AuditEventView>,
    /// Pass as `before` for the next page; null on the last page.
    pub next: Option<i64>,
}

/// `GET /api/v1/audit`: your own events (admins: everyone's with `all=true`), newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "identity", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 401, body = crate::http::error::ErrorBody),
              (status = 403, body = crate::http::error::ErrorBody), (status = 422, body = crate::http::error::ErrorBody)))]
pub async fn list(
    State(db): State<Db>,
    principal: Principal,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "limit must be between 1 and 200",
        ));
    }
    if query.all && principal.role != Role::Admin {
        return Err(ApiError::forbidden(
            "only administrators can list everyone's events",
        ));
    }
    let filter = AuditFilter {
        actor_id: (!query.all).then(|| principal.user_id.clone()),
        action: query.action,
        before: query.before,
        limit,
    };
    let events = db.list_audit(&filter).await?;
    let next = (events.len() as i64 == limit)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    let events = events
        .into_iter()
        .map(|e| AuditEventView {
            id: e.id,
            actor_id: e.actor_id,
            action: e.action,
            target: e.target,
            outcome: e.outcome,
            request_id: e.request_id,
            ip: e.ip,
            metadata: serde_json::from_str(&e.metadata).unwrap_or(serde_json::Value::Null),
            created_at: rfc3339(e.created_at),
        })
        .collect();
    Ok(Json(AuditPage { events, next }))
}
