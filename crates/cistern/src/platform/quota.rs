//! Monthly token budgets: the check-and-charge interface the LLM gateway calls around each model
//! call, `GET /api/v1/usage`, and the admin override.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use cistern_store::sql::now_ms;
use cistern_store::{Db, UsageRow, UsageStore, UserStore};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::config::QuotaConfig;
use crate::http::error::{ApiError, ApiJson, ErrorBody};
use crate::platform::audit::{self, Action, Event, RequestContext};
use crate::platform::auth::{Admin, Principal};
use crate::time::month_and_reset;

/// A user's budget for the current month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Budget {
    /// `YYYY-MM` (UTC).
    pub month: String,
    /// Tokens allowed this month; null means unlimited.
    pub limit: Option<i64>,
    /// Tokens (in + out) used this month.
    pub used: i64,
    /// Tokens left; null means unlimited.
    pub remaining: Option<i64>,
    /// RFC 3339 start of the next month, when `used` starts again from 0.
    pub resets_at: String,
}

/// Why a quota operation did not happen. Mapped to HTTP once, below.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such user.
    #[error("no such user")]
    NoSuchUser,
    /// The month's budget is spent.
    #[error("the monthly token quota of {} tokens is used up; it resets at {}", .0.limit.unwrap_or_default(), .0.resets_at)]
    Exceeded(Budget),
    /// The SQL store failed.
    #[error("database: {0}")]
    Store(#[from] cistern_store::sql::Error),
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        match error {
            Error::NoSuchUser => ApiError::not_found(error.to_string()),
            Error::Exceeded(ref budget) => {
                let limit = budget.limit.unwrap_or_default();
                let details = json!({ "quota": "monthly_tokens", "limit": limit, "used": budget.used, "resets_at": budget.resets_at });
                let retry = retry_after(&budget.resets_at);
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "quota_exceeded",
                    error.to_string(),
                )
                .with_details(details)
                .with_header(header::RETRY_AFTER, retry)
            }
            Error::Store(e) => ApiError::from(e),
        }
    }
}

/// Computes `user_id`'s budget now.
pub async fn budget(db: &Db, config: &QuotaConfig, user_id: &str) -> Result<Budget, Error> {
    let (month, resets_at) = month_and_reset(now_ms());
    let user = db.user_by_id(user_id).await?.ok_or(Error::NoSuchUser)?;
    let limit = user
        .monthly_token_quota
        .unwrap_or(config.default_monthly_tokens);
    let limit = (limit > 0).then_some(limit);
    let used = db.tokens_used(user_id, &month).await?;
    Ok(Budget {
        month,
        limit,
        used,
        remaining: limit.map(|l| (l - used).max(0)),
        resets_at,
    })
}

/// Before a model call: refuses with 429 (saying which quota and when it resets) once the month's
/// budget is spent. Calls in flight may overshoot by their own size; the next call is refused.
pub async fn check(db: &Db, config: &QuotaConfig, user_id: &str) -> Result<Budget, Error> {
    refuse_if_spent(budget(db, config, user_id).await?)
}

fn refuse_if_spent(budget: Budget) -> Result<Budget, Error> {
    if budget.remaining == Some(0) {
        return Err(Error::Exceeded(budget));
    }
    Ok(budget)
}

/// Budgets recently read, so the check before every model call does not cost two queries.
///
/// An entry is trusted for `ttl`; the call-log writer adds what each call spent as soon as it
/// is recorded ([`QuotaCache::spent`]), so this instance sees its own spending at once and other
/// instances' within `ttl`. An admin's change on this instance applies at once
/// ([`QuotaCache::forget`]).
pub struct QuotaCache {
    entries: quick_cache::sync::Cache<String, (Budget, Instant)>,
    ttl: Duration,
}

impl QuotaCache {
    /// A cache trusting what it read for `ttl` (zero: always read).
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: quick_cache::sync::Cache::new(10_000),
            ttl,
        }
    }

    /// [`check`] through the cache.
    pub async fn check(
        &self,
        db: &Db,
        config: &QuotaConfig,
        user_id: &str,
    ) -> Result<Budget, Error> {
        let fresh = self
            .entries
            .get(user_id)
            .filter(|(b, at)| at.elapsed() < self.ttl && b.month == month_and_reset(now_ms()).0);
        let budget = match fresh {
            Some((budget, _)) => budget,
            None => {
                let budget = budget(db, config, user_id).await?;
                if !self.ttl.is_zero() {
                    self.entries
                        .insert(user_id.to_owned(), (budget.clone(), Instant::now()));
                }
                budget
            }
        };
        refuse_if_spent(budget)
    }

    /// Counts `tokens` just recorded for `user_id` in its cached budget, if any.
    pub fn spent(&self, user_id: &str, tokens: i64) {
        if let Some((mut budget, at)) = self.entries.get(user_id) {
            budget.used += tokens;
            budget.remaining = budget.limit.map(|l| (l - budget.used).max(0));
            self.entries.insert(user_id.to_owned(), (budget, at));
        }
    }

    /// Drops what is cached for `user_id` (after an admin changed its quota).
    pub fn forget(&self, user_id: &str) {
        self.entries.remove(user_id);
    }
}

/// After a model call: records what it cost.
pub async fn charge(
    db: &Db,
    user_id: &str,
    model: &str,
    app: &str,
    tokens_in: i64,
    tokens_out: i64,
    cost_micros: i64,
) -> Result<(), cistern_store::sql::Error> {
    let (month, _) = month_and_reset(now_ms());
    let row = UsageRow {
        month,
        model: model.to_owned(),
        app: app.to_owned(),
        requests: 1,
        tokens_in,
        tokens_out,
        cost_micros,
    };
    db.add_usage(user_id, &row).await?;
    Ok(())
}

fn retry_after(resets_at: &str) -> HeaderValue {
    let reset =
        time::OffsetDateTime::parse(resets_at, &time::format_description::well_known::Rfc3339)
            .map(|t| t.unix_timestamp() * 1000)
            .unwrap_or_else(|_| now_ms());
    let seconds = ((reset - now_ms()) / 1000).max(1);
    HeaderValue::from(seconds)
}

/// `GET /api/v1/usage` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Usage {
    /// The month's budget.
    pub budget: Budget,
    /// Prompt tokens this month.
    pub tokens_in: i64,
    /// Completion tokens this month.
    pub tokens_out: i64,
    /// Cost this month in US dollars.
    pub cost_usd: f64,
    /// Per model and app.
    pub breakdown: Vec<UsageLine>,
}

/// Usage of one model through one app.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageLine {
    /// Model name.
    pub model: String,
    /// App or API (`chat`, `gateway`, …).
    pub app: String,
    /// Calls.
    pub requests: i64,
    /// Prompt tokens.
    pub tokens_in: i64,
    /// Completion tokens.
    pub tokens_out: i64,
    /// US dollars.
    pub cost_usd: f64,
}

/// This month's usage and remaining budget.
#[utoipa::path(get, path = "/api/v1/usage", tag = "identity", security(("bearer" = [])),
    responses((status = 200, body = Usage), (status = 401, body = ErrorBody)))]
pub async fn usage(
    State(db): State<Db>,
    State(config): State<Arc<crate::Config>>,
    principal: Principal,
) -> Result<Json<Usage>, ApiError> {
    let budget = budget(&db, &config.quota, &principal.user_id).await?;
    let rows = db.usage_of(&principal.user_id, &budget.month).await?;
    let usd = |micros: i64| micros as f64 / 1_000_000.0;
    let breakdown: Vec<UsageLine> = rows
        .iter()
        .map(|r| UsageLine {
            model: r.model.clone(),
            app: r.app.clone(),
            requests: r.requests,
            tokens_in: r.tokens_in,
            tokens_out: r.tokens_out,
            cost_usd: usd(r.cost_micros),
        })
        .collect();
    Ok(Json(Usage {
        tokens_in: rows.iter().map(|r| r.tokens_in).sum(),
        tokens_out: rows.iter().map(|r| r.tokens_out).sum(),
        cost_usd: usd(rows.iter().map(|r| r.cost_micros).sum()),
        breakdown,
        budget,
    }))
}

/// `PUT /api/v1/admin/users/{id}/quota` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaBody {
    /// Monthly tokens for this user; 0 = unlimited; null = back to the server default.
    pub monthly_tokens: Option<i64>,
}

/// Admins: set a user's monthly token budget.
#[utoipa::path(put, path = "/api/v1/admin/users/{id}/quota", tag = "identity", request_body = QuotaBody, security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = Budget), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_quota(
    State(db): State<Db>,
    State(config): State<Arc<crate::Config>>,
    State(quotas): State<Arc<QuotaCache>>,
    Admin(admin): Admin,
    ctx: RequestContext,
    Path(user_id): Path<String>,
    ApiJson(body): ApiJson<QuotaBody>,
) -> Result<Json<Budget>, ApiError> {
    if body.monthly_tokens.is_some_and(|t| t < 0) {
        return Err(ApiError::validation(
            "monthly_tokens",
            "monthly_tokens must be 0 (unlimited) or more",
        ));
    }
    if !db.set_user_quota(&user_id, body.monthly_tokens).await? {
        return Err(ApiError::not_found("no such user"));
    }
    quotas.forget(&user_id);
    audit::record(
        &db,
        &ctx,
        Event {
            actor: Some(&admin.user_id),
            action: Action::QuotaChange,
            target: Some(&user_id),
            success: true,
            metadata: json!({ "monthly_tokens": body.monthly_tokens }),
        },
    )
    .await?;
    Ok(Json(budget(&db, &config.quota, &user_id).await?))
}
