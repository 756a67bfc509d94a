//! Accounting: one [`CallRecord`] per call, delivered to the server's [`CallSink`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::error::ErrorKind;
use crate::provider::ProviderKind;
use crate::types::{ChatRequest, ChatResponse};

/// Who is calling, passed in by the server with each call; copied into the record.
#[derive(Debug, Clone, Default)]
pub struct CallContext {
    /// The authenticated user.
    pub user_id: Option<String>,
    /// The API key used, if any.
    pub api_key_id: Option<String>,
    /// The app calling (`chat`, `agents`, …) or the client's name.
    pub app: Option<String>,
    /// Do not read or write the response cache for this call (e.g. `Cache-Control: no-cache`).
    pub cache_bypass: bool,
    /// Cache this call even when `temperature > 0`.
    pub cache_force: bool,
}

/// What kind of call a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// `chat`.
    Chat,
    /// `chat_stream`.
    ChatStream,
    /// `embed`.
    Embed,
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// Answered completely.
    Ok,
    /// Failed; the kind says how.
    Error(ErrorKind),
    /// The caller dropped a stream before its end.
    Cancelled,
}

impl CallStatus {
    /// `ok`, `cancelled` or the error kind's name, for metrics and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Ok => "ok",
            CallStatus::Cancelled => "cancelled",
            CallStatus::Error(kind) => kind.as_str(),
        }
    }
}

/// The account of one call: every `chat`, `chat_stream` and `embed` yields exactly one.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    /// When the call started (wall clock).
    pub started_at: SystemTime,
    /// Chat, stream or embeddings.
    pub kind: CallKind,
    /// The model name the caller asked for.
    pub model: String,
    /// The deployment that answered (or the last one tried); `None` if none was reached.
    pub deployment: Option<Arc<str>>,
    /// Its protocol.
    pub provider: Option<ProviderKind>,
    /// The upstream model name sent.
    pub upstream_model: Option<String>,
    /// Time to the first token (streams; for other calls the whole latency).
    pub latency_first_token: Option<Duration>,
    /// Time to the end of the call.
    pub latency_total: Duration,
    /// Prompt tokens.
    pub input_tokens: u32,
    /// Completion tokens.
    pub output_tokens: u32,
    /// True when the provider gave no usage and the gateway counted with a tokenizer.
    pub tokens_estimated: bool,
    /// USD from the deployment's prices (0 for a cache hit or unpriced deployments).
    pub cost_usd: f64,
    /// How it ended.
    pub status: CallStatus,
    /// The error in words, when it failed.
    pub error: Option<String>,
    /// HTTP attempts made upstream (0 for a cache hit), repair round included.
    pub attempts: u32,
    /// Times the call moved to another deployment after a failure.
    pub fallbacks: u32,
    /// Tool-call repair rounds (0 or 1).
    pub repairs: u32,
    /// Served from the response cache.
    pub cache_hit: bool,
    /// From the [`CallContext`].
    pub user_id: Option<String>,
    /// From the [`CallContext`].
    pub api_key_id: Option<String>,
    /// From the [`CallContext`].
    pub app: Option<String>,
    /// The request, when `llm.record_bodies` is on (chat calls only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Arc<ChatRequest>>,
    /// The response, when `llm.record_bodies` is on and the call succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ChatResponse>,
}

/// Where records go. The server implements it (typically a bounded channel to a batch
/// writer); `record` is called on the request path, so it must not block.
pub trait CallSink: Send + Sync + 'static {
    /// Takes one record.
    fn record(&self, record: CallRecord);
}

/// A Tokio unbounded channel is a sink.
impl CallSink for tokio::sync::mpsc::UnboundedSender<CallRecord> {
    fn record(&self, record: CallRecord) {
        if self.send(record).is_err() {
            tracing::warn!("the call-log writer has stopped; an LLM call record is lost");
        }
    }
}

/// A bounded channel is a sink that drops records when the writer falls behind (and logs
/// it), rather than slowing calls down.
impl CallSink for tokio::sync::mpsc::Sender<CallRecord> {
    fn record(&self, record: CallRecord) {
        if let Err(tokio::sync::mpsc::error::TrySendError::Full(r)) = self.try_send(record) {
            tracing::warn!(model = %r.model, "LLM call record dropped: the record writer is behind");
        }
    }
}

/// A cost estimate for the server's quota check before a call.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostEstimate {
    /// Prompt tokens, counted with the tokenizer.
    pub input_tokens: u32,
    /// `max_tokens` of the request, else the model's context window less the prompt, else
    /// 4 096.
    pub max_output_tokens: u32,
    /// The most the call can cost at the priciest deployment of the model (USD).
    pub max_cost_usd: f64,
}
