//! The call log's API: `GET /api/v1/llm/calls` (filter by model, status, app; cursor pages) and
//! `GET /api/v1/llm/calls/{id}` (with the request and response when they were kept). Owner-scoped:
//! another user's call is 404.

use axum::Json;
use axum::extract::State;
use cistern_store::{
    Db, LlmCallCursor, LlmCallFilter, LlmCallStatus, LlmCallStore, LlmCallSummary,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::{ApiError, ErrorBody};
use crate::http::page::{ApiQuery, Page, PageParams, PageRequest};
use crate::http::path::ResourceId;
use crate::platform::auth::Principal;
use crate::time::rfc3339;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CallOutcome {
    /// Answered completely.
    Ok,
    /// Failed or was cut off; `error_kind` says how.
    Error,
}

/// Query of `GET /api/v1/llm/calls`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// Only this model (as requested, e.g. `fast`).
    pub model: Option<String>,
    /// Only calls that ended this way.
    pub status: Option<CallOutcome>,
    /// Only this app (`api`, `chat`, …).
    pub app: Option<String>,
}

/// One call as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallView {
    /// Call id.
    pub id: String,
    /// The app or API that made it.
    pub app: String,
    /// The model as requested.
    pub model: String,
    /// The provider that answered (or last failed).
    pub provider: Option<String>,
    /// The deployment that answered (or last failed).
    pub deployment: Option<String>,
    /// The provider's model name.
    pub upstream_model: Option<String>,
    /// How it ended.
    pub status: CallOutcome,
    /// `timeout`, `rate_limited`, `unavailable`, `cancelled`, … when it failed.
    pub error_kind: Option<String>,
    /// The error in words.
    pub error_message: Option<String>,
    /// Streamed.
    pub stream: bool,
    /// Answered from the response cache.
    pub cache_hit: bool,
    /// Upstream attempts (retries and the repair round included).
    pub attempts: i64,
    /// Moves to a later deployment.
    pub fallbacks: i64,
    /// Prompt tokens.
    pub tokens_in: i64,
    /// Completion tokens.
    pub tokens_out: i64,
    /// True when counted locally because the provider reported no usage.
    pub tokens_estimated: bool,
    /// US dollars.
    pub cost_usd: f64,
    /// Milliseconds to the first token.
    pub first_token_ms: Option<i64>,
    /// Milliseconds in all.
    pub total_ms: i64,
    /// The API key used, if any.
    pub api_key_id: Option<String>,
    /// RFC 3339 start time.
    pub created_at: String,
}

/// One call with its bodies.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallDetail {
    /// The call.
    #[serde(flatten)]
    pub call: CallView,
    /// The request as the gateway received it (redacted), or null when `llm.record_bodies` is
    /// off or the call was an embedding.
    #[schema(value_type = Option<Object>)]
    pub request: Option<serde_json::Value>,
    /// The canonical response (redacted), or null when not kept or the call failed.
    #[schema(value_type = Option<Object>)]
    pub response: Option<serde_json::Value>,
}

/// `GET /api/v1/llm/calls`: your LLM calls, newest first.
#[utoipa::path(get, path = "/api/v1/llm/calls", operation_id = "list_llm_calls", tag = "llm", params(CallQuery, PageParams), security(("bearer" = [])),
    responses((status = 200, body = Page<CallView>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(db): State<Db>,
    principal: Principal,
    ApiQuery(query): ApiQuery<CallQuery>,
    page: PageRequest,
) -> Result<Json<Page<CallView>>, ApiError> {
    let before = page.parsed_cursor::<LlmCallCursor>()?;
    let limit = page.limit_i64();
    let filter = LlmCallFilter {
        model: query.model,
        status: query.status.map(|s| match s {
            CallOutcome::Ok => LlmCallStatus::Ok,
            CallOutcome::Error => LlmCallStatus::Error,
        }),
        app: query.app,
        before,
        limit,
    };
    let rows = db.list_llm_calls(&principal.user_id, &filter).await?;
    Ok(Json(page.page(rows, |r| r.cursor().to_string()).map(view)))
}

/// `GET /api/v1/llm/calls/{id}`: one of your calls with its request and response.
#[utoipa::path(get, path = "/api/v1/llm/calls/{id}", operation_id = "get_llm_call", tag = "llm", security(("bearer" = [])),
    params(("id" = String, Path, description = "Call id")),
    responses((status = 200, body = CallDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(db): State<Db>,
    principal: Principal,
    id: ResourceId,
) -> Result<Json<CallDetail>, ApiError> {
    let call = db
        .llm_call(&principal.user_id, id.as_str())
        .await?
        .ok_or_else(|| ApiError::not_found("no such LLM call"))?;
    let parse = |body: Option<String>| body.and_then(|b| serde_json::from_str(&b).ok());
    Ok(Json(CallDetail {
        request: parse(call.request_body),
        response: parse(call.response_body),
        call: view(call.summary),
    }))
}

fn view(r: LlmCallSummary) -> CallView {
    CallView {
        status: match r.status {
            LlmCallStatus::Ok => CallOutcome::Ok,
            LlmCallStatus::Error => CallOutcome::Error,
        },
        cost_usd: r.cost_micros as f64 / 1_000_000.0,
        created_at: rfc3339(r.created_at),
        id: r.id,
        app: r.app,
        model: r.model,
        provider: r.provider,
        deployment: r.deployment,
        upstream_model: r.upstream_model,
        error_kind: r.error_kind,
        error_message: r.error_message,
        stream: r.stream,
        cache_hit: r.cache_hit,
        attempts: r.attempts,
        fallbacks: r.fallbacks,
        tokens_in: r.tokens_in,
        tokens_out: r.tokens_out,
        tokens_estimated: r.tokens_estimated,
        first_token_ms: r.first_token_ms,
        total_ms: r.total_ms,
        api_key_id: r.api_key_id,
    }
}
