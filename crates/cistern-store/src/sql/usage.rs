//! Token and cost accounting per user, month, model and app.

use super::{Db, Result, with_pool};

/// Usage of one (month, model, app) for a user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct UsageRow {
    /// `YYYY-MM`, UTC.
    pub month: String,
    /// Model name as requested.
    pub model: String,
    /// Which app or API made the calls (`chat`, `gateway`, …).
    pub app: String,
    /// Number of calls.
    pub requests: i64,
    /// Prompt tokens.
    pub tokens_in: i64,
    /// Completion tokens.
    pub tokens_out: i64,
    /// Cost in millionths of a US dollar.
    pub cost_micros: i64,
}

/// Monthly usage counters.
pub trait UsageStore {
    /// Adds one call's usage (an upsert that increments).
    fn add_usage(&self, user_id: &str, row: &UsageRow) -> impl Future<Output = Result<()>> + Send;
    /// A user's rows for `month`.
    fn usage_of(
        &self,
        user_id: &str,
        month: &str,
    ) -> impl Future<Output = Result<Vec<UsageRow>>> + Send;
    /// A user's total tokens (in + out) for `month`.
    fn tokens_used(&self, user_id: &str, month: &str) -> impl Future<Output = Result<i64>> + Send;
}

const ADD: &str = "INSERT INTO usage_monthly (user_id, month, model, app, requests, tokens_in, tokens_out, cost_micros)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (user_id, month, model, app) DO UPDATE SET
         requests = usage_monthly.requests + excluded.requests,
         tokens_in = usage_monthly.tokens_in + excluded.tokens_in,
         tokens_out = usage_monthly.tokens_out + excluded.tokens_out,
         cost_micros = usage_monthly.cost_micros + excluded.cost_micros";
const OF_USER: &str = "SELECT month, model, app, requests, tokens_in, tokens_out, cost_micros
     FROM usage_monthly WHERE user_id = $1 AND month = $2 ORDER BY model, app";
// SUM of BIGINT is NUMERIC on PostgreSQL: cast so both drivers decode an i64.
const TOKENS: &str = "SELECT CAST(COALESCE(SUM(tokens_in + tokens_out), 0) AS BIGINT)
     FROM usage_monthly WHERE user_id = $1 AND month = $2";

impl UsageStore for Db {
    async fn add_usage(&self, user_id: &str, r: &UsageRow) -> Result<()> {
        with_pool!(self, pool => sqlx::query(ADD)
            .bind(user_id).bind(&r.month).bind(&r.model).bind(&r.app)
            .bind(r.requests).bind(r.tokens_in).bind(r.tokens_out).bind(r.cost_micros)
            .execute(pool).await.map(|d| d.rows_affected()))?;
        Ok(())
    }

    async fn usage_of(&self, user_id: &str, month: &str) -> Result<Vec<UsageRow>> {
        Ok(
            with_pool!(self, pool => sqlx::query_as(OF_USER).bind(user_id).bind(month).fetch_all(pool).await)?,
        )
    }

    async fn tokens_used(&self, user_id: &str, month: &str) -> Result<i64> {
        Ok(
            with_pool!(self, pool => sqlx::query_scalar(TOKENS).bind(user_id).bind(month).fetch_one(pool).await)?,
        )
    }
}
