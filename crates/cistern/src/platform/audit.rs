//! The audit log: who did what, to what, when, from where — append-only, browsable per user.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use cistern_store::sql::now_ms;
use cistern_store::{AuditFilter, AuditStore, Db, NewAuditEvent};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::platform::auth::{Principal, Role};
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

/// What happened. Every action any part of Cistern audits is listed here, so the API document
/// names them all; the stored text is the dotted serde name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Action {
    /// An account was created (sign-up, OIDC first sign-in, `cistern user create`).
    #[serde(rename = "auth.register")]
    AuthRegister,
    /// A sign-in attempt (outcome says whether it worked).
    #[serde(rename = "auth.login")]
    AuthLogin,
    /// A session was ended.
    #[serde(rename = "auth.logout")]
    AuthLogout,
    /// A spent refresh token was presented again; its session was revoked.
    #[serde(rename = "auth.refresh_replay")]
    AuthRefreshReplay,
    /// An API key was created.
    #[serde(rename = "api_key.create")]
    ApiKeyCreate,
    /// An API key was revoked.
    #[serde(rename = "api_key.revoke")]
    ApiKeyRevoke,
    /// An administrator changed a user's quota.
    #[serde(rename = "quota.change")]
    QuotaChange,
    /// A coding-agent task was queued.
    #[serde(rename = "agent.task_created")]
    AgentTaskCreated,
    /// A coding-agent task finished with a proposal or an explanation.
    #[serde(rename = "agent.task_completed")]
    AgentTaskCompleted,
    /// A coding-agent task failed.
    #[serde(rename = "agent.task_failed")]
    AgentTaskFailed,
    /// Hunks of a task were accepted into the workspace.
    #[serde(rename = "agent.patch_accepted")]
    AgentPatchAccepted,
    /// Hunks of a task were rejected.
    #[serde(rename = "agent.patch_rejected")]
    AgentPatchRejected,
}

impl Action {
    /// The stored text (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AuthRegister => "auth.register",
            Action::AuthLogin => "auth.login",
            Action::AuthLogout => "auth.logout",
            Action::AuthRefreshReplay => "auth.refresh_replay",
            Action::ApiKeyCreate => "api_key.create",
            Action::ApiKeyRevoke => "api_key.revoke",
            Action::QuotaChange => "quota.change",
            Action::AgentTaskCreated => "agent.task_created",
            Action::AgentTaskCompleted => "agent.task_completed",
            Action::AgentTaskFailed => "agent.task_failed",
            Action::AgentPatchAccepted => "agent.patch_accepted",
            Action::AgentPatchRejected => "agent.patch_rejected",
        }
    }
}

/// Whether an audited action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It was done.
    Success,
    /// It was refused or failed.
    Failure,
}

/// An event about to be recorded.
pub struct Event<'a> {
    /// Who acted (`None`: nobody authenticated).
    pub actor: Option<&'a str>,
    /// What happened.
    pub action: Action,
    /// What it was done to.
    pub target: Option<&'a str>,
    /// Whether it succeeded.
    pub success: bool,
    /// Extra facts (never secrets).
    pub metadata: serde_json::Value,
}

/// Appends `event`. Auditing must not be skippable by a failing store, so errors propagate.
pub async fn record(
    db: &Db,
    ctx: &RequestContext,
    event: Event<'_>,
) -> Result<(), cistern_store::sql::Error> {
    let row = NewAuditEvent {
        actor_id: event.actor.map(str::to_owned),
        action: event.action.as_str().to_owned(),
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
    pub action: Option<Action>,
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
    /// Their email (null when nobody was signed in, or the account is gone).
    pub actor_email: Option<String>,
    /// What happened (one of [`Action`]'s names).
    #[schema(value_type = Action)]
    pub action: String,
    /// What it happened to.
    pub target: Option<String>,
    /// Whether it worked.
    pub outcome: Outcome,
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

/// `GET /api/v1/audit`: your own events (admins: everyone's with `all=true`), newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "identity", params(AuditQuery, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<AuditEventView>), (status = 401, body = crate::http::error::ErrorBody),
              (status = 403, body = crate::http::error::ErrorBody), (status = 422, body = crate::http::error::ErrorBody)))]
pub async fn list(
    State(db): State<Db>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
    page: PageRequest,
) -> Result<Json<Page<AuditEventView>>, ApiError> {
    let before = page.parsed_cursor::<i64>()?;
    if query.all && principal.role != Role::Admin {
        return Err(ApiError::forbidden(
            "only administrators can list everyone's events",
        ));
    }
    let filter = AuditFilter {
        actor_id: (!query.all).then(|| principal.user_id.clone()),
        action: query.action.map(|a| a.as_str().to_owned()),
        before,
        limit: page.limit_i64(),
    };
    let events = db.list_audit(&filter).await?;
    let page = page
        .page(events, |e| e.id.to_string())
        .map(|e| AuditEventView {
            id: e.id,
            actor_id: e.actor_id,
            actor_email: e.actor_email,
            action: e.action,
            target: e.target,
            outcome: if e.outcome == "success" {
                Outcome::Success
            } else {
                Outcome::Failure
            },
            request_id: e.request_id,
            ip: e.ip,
            metadata: serde_json::from_str(&e.metadata).unwrap_or(serde_json::Value::Null),
            created_at: rfc3339(e.created_at),
        });
    Ok(Json(page))
}
