//! The LLM call log: one row per gateway call, written in batches by the server's call-log
//! writer, browsed per owner newest first, pruned by age.
//!
//! Writes are the hot path (the gateway aims at 10,000 calls/s), so a batch is one transaction:
//! on PostgreSQL a single `INSERT … SELECT FROM UNNEST` of one array per column (one round trip),
//! on SQLite one cached prepared statement executed per row (no network, one commit).

use std::str::FromStr;

use super::{Db, Result, TimeCursor, with_pool};

/// How a call ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmCallStatus {
    /// The caller got a complete answer.
    #[default]
    Ok,
    /// Every attempt failed, or the stream died mid-way.
    Error,
}

impl LlmCallStatus {
    /// The stored text: `ok` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            LlmCallStatus::Ok => "ok",
            LlmCallStatus::Error => "error",
        }
    }
}

impl FromStr for LlmCallStatus {
    type Err = LlmCallParseError;

    fn from_str(s: &str) -> Result<Self, LlmCallParseError> {
        match s {
            "ok" => Ok(LlmCallStatus::Ok),
            "error" => Ok(LlmCallStatus::Error),
            _ => Err(LlmCallParseError::Status(s.to_owned())),
        }
    }
}

// Decoding a row: the CHECK constraint keeps the column to the two values.
impl TryFrom<String> for LlmCallStatus {
    type Error = LlmCallParseError;

    fn try_from(s: String) -> Result<Self, LlmCallParseError> {
        s.parse()
    }
}

/// A malformed status from outside (a query string).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmCallParseError {
    /// Not `ok` or `error`.
    #[error("unknown LLM call status {0:?}: expected \"ok\" or \"error\"")]
    Status(String),
}

/// A call as listed: everything but the bodies.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LlmCallSummary {
    /// UUIDv7, chosen by the caller.
    pub id: String,
    /// Who made the call; `None` for calls made by the server itself.
    pub user_id: Option<String>,
    /// The API key used, if the call came through one.
    pub api_key_id: Option<String>,
    /// Which app or API made it: `api`, `chat`, `extensions`, …
    pub app: String,
    /// The model as requested (a routing name such as `fast`).
    pub model: String,
    /// The provider that answered (or last failed).
    pub provider: Option<String>,
    /// The deployment that answered (or last failed).
    pub deployment: Option<String>,
    /// The provider's model name.
    pub upstream_model: Option<String>,
    /// How it ended.
    #[sqlx(try_from = "String")]
    pub status: LlmCallStatus,
    /// A short machine-readable error class (`timeout`, `rate_limited`, …) when it failed.
    pub error_kind: Option<String>,
    /// The error shown to the caller when it failed.
    pub error_message: Option<String>,
    /// Whether the answer was streamed.
    pub stream: bool,
    /// Whether the response cache answered.
    pub cache_hit: bool,
    /// Upstream attempts, retries included.
    pub attempts: i64,
    /// How many times routing fell back to a later deployment.
    pub fallbacks: i64,
    /// Prompt tokens.
    pub tokens_in: i64,
    /// Completion tokens.
    pub tokens_out: i64,
    /// Whether the tokens were estimated locally because the provider reported none.
    pub tokens_estimated: bool,
    /// Cost in millionths of a US dollar.
    pub cost_micros: i64,
    /// Milliseconds to the first token (streams), if one came.
    pub first_token_ms: Option<i64>,
    /// Milliseconds for the whole call.
    pub total_ms: i64,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl LlmCallSummary {
    /// The cursor that continues a listing after this row.
    pub fn cursor(&self) -> LlmCallCursor {
        TimeCursor {
            at: self.created_at,
            id: self.id.clone(),
        }
    }
}

/// One call with its bodies, as read by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LlmCall {
    /// Every column but the bodies.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub summary: LlmCallSummary,
    /// The request as sent by the caller, when config keeps bodies (possibly redacted).
    pub request_body: Option<String>,
    /// The response as returned, when config keeps bodies (possibly redacted).
    pub response_body: Option<String>,
}

/// A call to record. The caller supplies every column (id, times and bodies included), so it is
/// the stored row's shape; leave the bodies `None` unless config keeps them.
pub type NewLlmCall = LlmCall;

/// Where a page of calls ends (see [`TimeCursor`]).
pub type LlmCallCursor = TimeCursor;

/// Which of an owner's calls to list.
#[derive(Debug, Clone, Default)]
pub struct LlmCallFilter {
    /// Only this requested model.
    pub model: Option<String>,
    /// Only calls that ended this way.
    pub status: Option<LlmCallStatus>,
    /// Only this app.
    pub app: Option<String>,
    /// Only calls after this cursor (the previous page's last row).
    pub before: Option<LlmCallCursor>,
    /// Page size, clamped to 0..=[`MAX_LLM_CALL_PAGE`].
    pub limit: i64,
}

/// The largest page [`LlmCallStore::list_llm_calls`] returns.
pub const MAX_LLM_CALL_PAGE: i64 = 1000;

/// The LLM call log.
pub trait LlmCallStore {
    /// Records a batch of calls in one transaction. An id already stored is skipped (a retried
    /// batch is harmless), and so is a call whose user was deleted meanwhile (its log would be
    /// cascaded away anyway) — neither fails the rest of the batch.
    fn insert_llm_calls(&self, calls: &[NewLlmCall]) -> impl Future<Output = Result<()>> + Send;
    /// `owner`'s calls matching `filter`, newest first, without bodies.
    fn list_llm_calls(
        &self,
        owner: &str,
        filter: &LlmCallFilter,
    ) -> impl Future<Output = Result<Vec<LlmCallSummary>>> + Send;
    /// One of `owner`'s calls with its bodies; `None` if it does not exist or is someone else's.
    fn llm_call(
        &self,
        owner: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<LlmCall>>> + Send;
    /// Deletes calls created before `older_than_ms` (Unix ms) and returns how many. Deletes in
    /// chunks of separate transactions so writers are never locked out for long.
    fn prune_llm_calls(&self, older_than_ms: i64) -> impl Future<Output = Result<u64>> + Send;
}

// A row is skipped when its id exists or its user is gone (see `insert_llm_calls`). SQLite needs
// the WHERE clause anyway: without it `SELECT … ON CONFLICT` is ambiguous to its parser.
const INSERT_SQLITE: &str = "INSERT INTO llm_calls (id, user_id, api_key_id, app, model, provider,
         deployment, upstream_model, status, error_kind, error_message, stream, cache_hit, attempts,
         fallbacks, tokens_in, tokens_out, tokens_estimated, cost_micros, first_token_ms, total_ms,
         request_body, response_body, created_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, $21, $22, $23, $24
     WHERE $2 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $2)
     ON CONFLICT (id) DO NOTHING";
const INSERT_POSTGRES: &str =
    "INSERT INTO llm_calls (id, user_id, api_key_id, app, model, provider,
         deployment, upstream_model, status, error_kind, error_message, stream, cache_hit, attempts,
         fallbacks, tokens_in, tokens_out, tokens_estimated, cost_micros, first_token_ms, total_ms,
         request_body, response_body, created_at)
     SELECT c.* FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
            $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
            $12::boolean[], $13::boolean[], $14::bigint[], $15::bigint[], $16::bigint[],
            $17::bigint[], $18::boolean[], $19::bigint[], $20::bigint[], $21::bigint[],
            $22::text[], $23::text[], $24::bigint[])
         AS c (id, user_id, api_key_id, app, model, provider, deployment, upstream_model, status,
               error_kind, error_message, stream, cache_hit, attempts, fallbacks, tokens_in,
               tokens_out, tokens_estimated, cost_micros, first_token_ms, total_ms, request_body,
               response_body, created_at)
     WHERE c.user_id IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id)
     ON CONFLICT (id) DO NOTHING";
// The cursor is always bound (no cursor = `(i64::MAX, '')`), so `(created_at, id) < (…)` stays a
// plain range on the owner index on both engines.
const LIST: &str =
    "SELECT id, user_id, api_key_id, app, model, provider, deployment, upstream_model,
            status, error_kind, error_message, stream, cache_hit, attempts, fallbacks, tokens_in,
            tokens_out, tokens_estimated, cost_micros, first_token_ms, total_ms, created_at
     FROM llm_calls
     WHERE user_id = $1 AND ($2 IS NULL OR model = $2) AND ($3 IS NULL OR status = $3)
       AND ($4 IS NULL OR app = $4) AND (created_at, id) < ($5, $6)
     ORDER BY created_at DESC, id DESC LIMIT $7";
const ONE: &str =
    "SELECT id, user_id, api_key_id, app, model, provider, deployment, upstream_model,
            status, error_kind, error_message, stream, cache_hit, attempts, fallbacks, tokens_in,
            tokens_out, tokens_estimated, cost_micros, first_token_ms, total_ms, created_at,
            request_body, response_body
     FROM llm_calls WHERE id = $1 AND user_id = $2";
const PRUNE_CHUNK: &str = "DELETE FROM llm_calls
     WHERE id IN (SELECT id FROM llm_calls WHERE created_at < $1 LIMIT $2)";
/// Rows per prune transaction.
const PRUNE_BATCH: i64 = 5000;

impl LlmCallStore for Db {
    async fn insert_llm_calls(&self, calls: &[NewLlmCall]) -> Result<()> {
        if calls.is_empty() {
            return Ok(());
        }
        match self {
            Db::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for c in calls {
                    let s = &c.summary;
                    sqlx::query(INSERT_SQLITE)
                        .bind(&s.id)
                        .bind(&s.user_id)
                        .bind(&s.api_key_id)
                        .bind(&s.app)
                        .bind(&s.model)
                        .bind(&s.provider)
                        .bind(&s.deployment)
                        .bind(&s.upstream_model)
                        .bind(s.status.as_str())
                        .bind(&s.error_kind)
                        .bind(&s.error_message)
                        .bind(s.stream)
                        .bind(s.cache_hit)
                        .bind(s.attempts)
                        .bind(s.fallbacks)
                        .bind(s.tokens_in)
                        .bind(s.tokens_out)
                        .bind(s.tokens_estimated)
                        .bind(s.cost_micros)
                        .bind(s.first_token_ms)
                        .bind(s.total_ms)
                        .bind(&c.request_body)
                        .bind(&c.response_body)
                        .bind(s.created_at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
            Db::Postgres(pool) => {
                use sqlx::postgres::PgBindIterExt;
                let col = |f: fn(&LlmCall) -> &str| calls.iter().map(f).bind_iter();
                let opt = |f: fn(&LlmCall) -> Option<&str>| calls.iter().map(f).bind_iter();
                let int = |f: fn(&LlmCall) -> i64| calls.iter().map(f).bind_iter();
                let flag = |f: fn(&LlmCall) -> bool| calls.iter().map(f).bind_iter();
                sqlx::query(INSERT_POSTGRES)
                    .bind(col(|c| &c.summary.id))
                    .bind(opt(|c| c.summary.user_id.as_deref()))
                    .bind(opt(|c| c.summary.api_key_id.as_deref()))
                    .bind(col(|c| &c.summary.app))
                    .bind(col(|c| &c.summary.model))
                    .bind(opt(|c| c.summary.provider.as_deref()))
                    .bind(opt(|c| c.summary.deployment.as_deref()))
                    .bind(opt(|c| c.summary.upstream_model.as_deref()))
                    .bind(col(|c| c.summary.status.as_str()))
                    .bind(opt(|c| c.summary.error_kind.as_deref()))
                    .bind(opt(|c| c.summary.error_message.as_deref()))
                    .bind(flag(|c| c.summary.stream))
                    .bind(flag(|c| c.summary.cache_hit))
                    .bind(int(|c| c.summary.attempts))
                    .bind(int(|c| c.summary.fallbacks))
                    .bind(int(|c| c.summary.tokens_in))
                    .bind(int(|c| c.summary.tokens_out))
                    .bind(flag(|c| c.summary.tokens_estimated))
                    .bind(int(|c| c.summary.cost_micros))
                    .bind(calls.iter().map(|c| c.summary.first_token_ms).bind_iter())
                    .bind(int(|c| c.summary.total_ms))
                    .bind(opt(|c| c.request_body.as_deref()))
                    .bind(opt(|c| c.response_body.as_deref()))
                    .bind(int(|c| c.summary.created_at))
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    async fn list_llm_calls(&self, owner: &str, f: &LlmCallFilter) -> Result<Vec<LlmCallSummary>> {
        let (before_at, before_id) = TimeCursor::bounds(f.before.as_ref());
        let status = f.status.map(LlmCallStatus::as_str);
        let limit = f.limit.clamp(0, MAX_LLM_CALL_PAGE);
        Ok(with_pool!(self, pool => sqlx::query_as(LIST)
            .bind(owner).bind(&f.model).bind(status).bind(&f.app).bind(before_at).bind(before_id)
            .bind(limit)
            .fetch_all(pool).await)?)
    }

    async fn llm_call(&self, owner: &str, id: &str) -> Result<Option<LlmCall>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(ONE).bind(id).bind(owner).fetch_optional(pool).await)?,
        )
    }

    async fn prune_llm_calls(&self, older_than_ms: i64) -> Result<u64> {
        let mut total = 0;
        loop {
            let n = with_pool!(self, pool => sqlx::query(PRUNE_CHUNK)
                .bind(older_than_ms).bind(PRUNE_BATCH)
                .execute(pool).await.map(|d| d.rows_affected()))?;
            total += n;
            if n < PRUNE_BATCH.unsigned_abs() {
                return Ok(total);
            }
        }
    }
}
