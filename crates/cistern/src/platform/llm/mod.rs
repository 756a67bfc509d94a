//! The LLM gateway inside the server. The gateway itself (routing, retries, fallbacks, cache,
//! accounting) is the `cistern-llm` crate; this module adds what needs the server:
//!
//! - [`admit`]: before a call — the monthly quota and the per-user token rate — and the
//!   [`CallContext`] (who, which key, which app, cache headers);
//! - `call_log`: after a call — every record written in batches, usage charged;
//! - `openai`: the OpenAI-compatible `/v1` API; `calls`: the call log's API;
//! - `cli`: `cistern llm models | ask`.

pub mod call_log;
pub mod calls;
pub mod cli;
pub mod openai;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use cistern_llm::{CallContext, ErrorKind};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::error::ApiError;
use crate::http::timeout::{self, Allowance};
use crate::platform::auth::{Principal, Via};
use crate::state::AppState;

/// The gateway's routes: `/v1` (no request timeout here: each call is bounded by the gateway's
/// own `llm.deadline_ms`, and a long completion is not a hung request) and the call log.
pub fn routes() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(openai::chat_completions))
        .routes(routes!(openai::embeddings))
        .routes(routes!(openai::models))
        .route_layer(timeout::allow(Allowance::Unbounded));
    OpenApiRouter::new()
        .routes(routes!(calls::list))
        .routes(routes!(calls::get))
        .merge(v1)
}

/// Header naming the app a call is for (`chat`, `my-bot`); it groups usage and the call log.
pub const APP_HEADER: &str = "x-cistern-app";
/// Header choosing the cache: `bypass` (neither read nor write), `force` (cache even when
/// `temperature > 0`). `Cache-Control: no-cache` / `no-store` also bypass.
pub const CACHE_HEADER: &str = "x-cistern-cache";

/// Checks `principal` may spend about `tokens` now, and describes the call for its record.
pub async fn admit(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    tokens: u32,
) -> Result<CallContext, ApiError> {
    let app = app_name(headers)?;
    let (cache_bypass, cache_force) = cache_choice(headers)?;
    state
        .quotas
        .check(&state.db, &state.config.quota, &principal.user_id)
        .await?;
    state
        .limits
        .check_llm_tokens(&principal.user_id, tokens)
        .await?;
    Ok(CallContext {
        user_id: Some(principal.user_id.clone()),
        api_key_id: match &principal.via {
            Via::ApiKey { key_id } => Some(key_id.clone()),
            Via::Session { .. } => None,
        },
        app: Some(app),
        cache_bypass,
        cache_force,
    })
}

fn app_name(headers: &HeaderMap) -> Result<String, ApiError> {
    let Some(value) = headers.get(APP_HEADER) else {
        return Ok("api".to_owned());
    };
    let app = value.to_str().unwrap_or_default();
    let valid = !app.is_empty()
        && app.len() <= 64
        && app
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(app.to_owned())
    } else {
        Err(ApiError::validation(
            APP_HEADER,
            "X-Cistern-App must be 1–64 characters of letters, digits, '-', '_' or '.'",
        ))
    }
}

fn cache_choice(headers: &HeaderMap) -> Result<(bool, bool), ApiError> {
    let no_cache = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| matches!(d.trim(), "no-cache" | "no-store"));
    match headers.get(CACHE_HEADER).map(HeaderValue::to_str) {
        None => Ok((no_cache, false)),
        Some(Ok("bypass")) => Ok((true, false)),
        Some(Ok("force")) => Ok((no_cache, !no_cache)),
        Some(Ok("default")) => Ok((no_cache, false)),
        Some(_) => Err(ApiError::validation(
            CACHE_HEADER,
            "X-Cistern-Cache must be `bypass`, `force` or `default`",
        )),
    }
}

impl From<cistern_llm::Error> for ApiError {
    fn from(error: cistern_llm::Error) -> Self {
        let kind = error.kind();
        if kind == ErrorKind::Config {
            return ApiError::internal(error);
        }
        let status = StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::BAD_GATEWAY);
        let mut api = ApiError::new(status, kind.as_str(), error.to_string());
        if let Some(wait) = error.retry_after() {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            api = api.with_header(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        api
    }
}
