//! The call-log writer: every [`CallRecord`] the gateway produces — from `/v1`, the chat agent,
//! the extension builder — arrives here through a bounded channel and is written in batches: one
//! `llm_calls` insert per batch and one usage upsert per (user, model, app) in it. Charging the
//! monthly quota here, rather than in each route, means no caller of the gateway can forget it.
//!
//! Nothing on the request path waits for the database: the gateway's `record` is a `try_send`.
//! When the writer falls behind by more than [`CAPACITY`] records, new ones are dropped and
//! logged (accounting must never slow calls down); a crash loses at most the records in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cistern_llm::{CallKind, CallRecord, CallStatus};
use cistern_store::sql::now_ms;
use cistern_store::{
    Db, LlmCall, LlmCallStatus, LlmCallStore, LlmCallSummary, UsageRow, UsageStore,
};
use regex::Regex;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::CallLogConfig;
use crate::platform::quota::QuotaCache;
use crate::time::month_and_reset;

/// Records that may wait for the writer before new ones are dropped.
pub const CAPACITY: usize = 16_384;
/// Records written per transaction at most.
const BATCH: usize = 512;
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The channel the gateway records into (its `CallSink`) and the writer drains.
pub fn channel() -> (mpsc::Sender<CallRecord>, mpsc::Receiver<CallRecord>) {
    mpsc::channel(CAPACITY)
}

/// Writes records to the SQL store and charges usage.
pub struct CallLogWriter {
    db: Db,
    quotas: Arc<QuotaCache>,
    redact: Redactor,
    retention: Option<Duration>,
}

impl CallLogWriter {
    /// A writer with `config`'s redaction and retention (patterns were checked at config load;
    /// one that still fails to compile is skipped with a warning).
    pub fn new(db: Db, quotas: Arc<QuotaCache>, config: &CallLogConfig) -> Self {
        Self {
            db,
            quotas,
            redact: Redactor::new(&config.redact),
            retention: (config.retention_days > 0)
                .then(|| Duration::from_secs(config.retention_days * 86_400)),
        }
    }

    /// Writes until `shutdown`, then writes what is still queued and returns.
    pub async fn run(self, mut records: mpsc::Receiver<CallRecord>, shutdown: CancellationToken) {
        let mut batch = Vec::with_capacity(BATCH);
        let mut prune = tokio::time::interval(PRUNE_EVERY);
        loop {
            tokio::select! {
                n = records.recv_many(&mut batch, BATCH) => {
                    if n == 0 {
                        return;
                    }
                    self.write(&mut batch).await;
                }
                _ = prune.tick() => self.prune().await,
                () = shutdown.cancelled() => break,
            }
        }
        records.close();
        while records.recv_many(&mut batch, BATCH).await > 0 {
            self.write(&mut batch).await;
        }
    }

    async fn write(&self, batch: &mut Vec<CallRecord>) {
        let month = month_and_reset(now_ms()).0;
        let mut usage: HashMap<(&str, &str, &str), UsageRow> = HashMap::new();
        for r in batch.iter() {
            let Some(user) = r.user_id.as_deref() else {
                continue;
            };
            let app = r.app.as_deref().unwrap_or("api");
            let row = usage
                .entry((user, r.model.as_str(), app))
                .or_insert_with(|| UsageRow {
                    month: month.clone(),
                    model: r.model.clone(),
                    app: app.to_owned(),
                    requests: 0,
                    tokens_in: 0,
                    tokens_out: 0,
                    cost_micros: 0,
                });
            row.requests += 1;
            // A cached answer cost nobody anything upstream: it is counted as a request only.
            if !r.cache_hit {
                row.tokens_in += i64::from(r.input_tokens);
                row.tokens_out += i64::from(r.output_tokens);
                row.cost_micros += micros(r.cost_usd);
            }
        }
        let calls: Vec<LlmCall> = batch.iter().map(|r| self.to_row(r)).collect();
        if let Err(error) = self.db.insert_llm_calls(&calls).await {
            tracing::error!(%error, calls = calls.len(), "LLM call records lost: cannot write the call log");
        }
        for ((user, _, _), row) in &usage {
            // This instance's budget check sees the spending at once, even before it is stored.
            self.quotas.spent(user, row.tokens_in + row.tokens_out);
            if let Err(error) = self.db.add_usage(user, row).await {
                tracing::error!(%error, user, model = %row.model, "usage not charged: cannot write it");
            }
        }
        drop(usage);
        batch.clear();
    }

    async fn prune(&self) {
        let Some(retention) = self.retention else {
            return;
        };
        let cutoff = now_ms() - i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        match self.db.prune_llm_calls(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "pruned the LLM call log"),
            Err(error) => tracing::warn!(%error, "cannot prune the LLM call log"),
        }
    }

    fn to_row(&self, r: &CallRecord) -> LlmCall {
        let (status, error_kind) = match r.status {
            CallStatus::Ok => (LlmCallStatus::Ok, None),
            CallStatus::Cancelled => (LlmCallStatus::Error, Some("cancelled".to_owned())),
            CallStatus::Error(kind) => (LlmCallStatus::Error, Some(kind.as_str().to_owned())),
        };
        let created_at = r
            .started_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or_else(
                |_| now_ms(),
                |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            );
        LlmCall {
            summary: LlmCallSummary {
                id: uuid::Uuid::now_v7().to_string(),
                user_id: r.user_id.clone(),
                api_key_id: r.api_key_id.clone(),
                app: r.app.clone().unwrap_or_else(|| "api".to_owned()),
                model: r.model.clone(),
                provider: r.provider.map(|p| p.as_str().to_owned()),
                deployment: r.deployment.as_deref().map(str::to_owned),
                upstream_model: r.upstream_model.clone(),
                status,
                error_kind,
                error_message: r.error.as_deref().map(|e| self.redact.text(e)),
                stream: r.kind == CallKind::ChatStream,
                cache_hit: r.cache_hit,
                attempts: i64::from(r.attempts),
                fallbacks: i64::from(r.fallbacks),
                tokens_in: i64::from(r.input_tokens),
                tokens_out: i64::from(r.output_tokens),
                tokens_estimated: r.tokens_estimated,
                cost_micros: micros(r.cost_usd),
                first_token_ms: r.latency_first_token.map(millis),
                total_ms: millis(r.latency_total),
                created_at,
            },
            request_body: r.request.as_ref().map(|b| self.redact.json(&**b)),
            response_body: r.response.as_ref().map(|b| self.redact.json(b)),
        }
    }
}

/// Replaces matches of the `call_log.redact` patterns with `[REDACTED]`.
struct Redactor {
    patterns: Vec<Regex>,
}

impl Redactor {
    /// Patterns were checked at config load; one that still fails to compile is skipped, loudly.
    fn new(patterns: &[String]) -> Self {
        let patterns = patterns
            .iter()
            .filter_map(|p| {
                Regex::new(p)
                    .inspect_err(|e| tracing::warn!(pattern = %p, error = %e, "call_log.redact pattern skipped"))
                    .ok()
            })
            .collect();
        Self { patterns }
    }

    fn json(&self, body: &impl serde::Serialize) -> String {
        self.text(&serde_json::to_string(body).unwrap_or_default())
    }

    /// `text` with every match replaced. The default patterns never match a JSON quote, so a
    /// redacted body stays valid JSON.
    fn text(&self, text: &str) -> String {
        let mut text = std::borrow::Cow::Borrowed(text);
        for pattern in &self.patterns {
            if let std::borrow::Cow::Owned(replaced) = pattern.replace_all(&text, "[REDACTED]") {
                text = std::borrow::Cow::Owned(replaced);
            }
        }
        text.into_owned()
    }
}

fn micros(usd: f64) -> i64 {
    // Saturating float-to-int cast: a NaN or absurd price cannot wrap around.
    (usd * 1_000_000.0).round() as i64
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_patterns_redact_keys_and_keep_json_valid() {
        let defaults = CallLogConfig::default().redact;
        let redactor = Redactor::new(&defaults);
        assert_eq!(
            redactor.patterns.len(),
            defaults.len(),
            "every default compiles"
        );
        let body = serde_json::json!({
            "messages": [{"role": "user", "content": "my key is sk-proj-abcdefghijklmnopqrstuv and cst_ab12_0123456789abcdef0123 ok"}],
            "note": "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature"
        });
        let out = redactor.json(&body);
        assert!(!out.contains("sk-proj-abc"), "{out}");
        assert!(!out.contains("cst_ab12"), "{out}");
        assert!(!out.contains("eyJhbGci"), "{out}");
        assert!(
            out.contains("my key is [REDACTED] and [REDACTED] ok"),
            "{out}"
        );
        serde_json::from_str::<serde_json::Value>(&out).expect("still JSON");
    }
}
