//! The LLM gateway: OpenAI-compatible servers, Anthropic and Gemini behind one canonical,
//! fault-tolerant, accounted API. No web framework is linked here (only reqwest as a client):
//! the server's `/v1/chat/completions`, call log, UI and CLI are built on this crate.
//!
//! ```no_run
//! # async fn demo() -> cistern_llm::Result<()> {
//! use cistern_llm::{CallContext, ChatRequest, Gateway, GatewayOptions, LlmConfig, Message};
//!
//! let gateway = Gateway::new(LlmConfig::default(), GatewayOptions::default())?; // env: OPENAI_API_KEY…
//! let req = ChatRequest::new("gpt-4.1-mini", vec![Message::user("Hello")]);
//! let resp = gateway.chat(req, CallContext::default()).await?;
//! println!("{}", resp.message.text());
//! # Ok(()) }
//! ```
//!
//! # Architecture
//!
//! A call flows `Gateway` → route → cache → attempt loop → provider adapter → HTTP, and back
//! through the same layers; every call ends in one [`CallRecord`].
//!
//! - `types` — the canonical request/response/stream types, in OpenAI's wire shape so the
//!   server deserializes request bodies straight into them and the OpenAI adapter is close
//!   to a pass-through.
//! - `provider` — [`ProviderKind`], a closed enum; one module per protocol (`openai`,
//!   `anthropic`, `gemini`) with its wire types, conversions both ways, streaming parser,
//!   embeddings and tests on recorded wire JSON. [`provider::openai::output`] renders
//!   canonical answers back to OpenAI's wire format for the server. `provider::local` is the
//!   built-in local model (feature `local-model`): a GGUF file run in process through
//!   llama.cpp on dedicated worker threads, constrained decoding for JSON and tool calls, a
//!   bounded admission queue ([`Error::Overloaded`] beyond it).
//! - `sse` — a small allocation-free Server-Sent Events decoder over reqwest's byte stream.
//! - `config` — the `[llm]` config section ([`LlmConfig`], serde, unknown keys rejected,
//!   secrets masked); `env` — zero-config providers from `OPENAI_API_KEY` & co, as a pure
//!   function of a lookup closure, and where unconfigured model names go.
//! - `router` — deployments at run time (one reqwest client each, key pool, prices,
//!   breaker, health counters) and the weighted pick among healthy ones with list-order
//!   fallback; `breaker` — a lock-free circuit breaker per deployment; `retry` — backoff with
//!   full jitter and `Retry-After`; `clock` — monotonic or manual time for tests.
//! - `gateway` — the entry point: `attempt` (the retry/fallback/timeout loop shared by
//!   chat, streams and embeddings, and HTTP status classification), `chat` (cache, tool
//!   repair round or, per [`InvalidToolCalls`], the invalid call handed back), `stream` and `upstream` (retry until the first event, then error items,
//!   normalised Finish/Usage ending, recording on end or drop), `embed`, `info` (models and
//!   health), `record` (per-call bookkeeping into metrics and the record).
//! - `tools` — tool-call checks (JSON, known tool, JSON Schema via `jsonschema`) and the
//!   repair request; `tokens` — tiktoken `o200k_base` counts when a provider reports no usage,
//!   and a cheap estimate for quota pre-checks.
//! - `cache` — the exact-match response cache keyed by SHA-256 of the normalised request,
//!   in process (quick_cache) or in Redis, with hit/miss counters.
//! - `accounting` — [`CallContext`] in, [`CallRecord`] out through the server's [`CallSink`];
//!   `metrics` — prometheus-client families registered by [`Gateway::register_metrics`].
//!
//! Invariants: inference never runs on the async runtime; no lock is held across an await (breakers and counters are atomics, the
//! cache is a sharded map); a request is serialized once per attempt, straight from the
//! canonical type into the wire body; retries and fallbacks never happen after the caller
//! received a byte of a stream.

mod accounting;
mod breaker;
mod cache;
mod clock;
mod config;
mod env;
mod error;
mod gateway;
mod metrics;
pub mod provider;
mod retry;
mod router;
mod sse;
mod tokens;
mod tools;
pub mod types;

pub use accounting::{CallContext, CallKind, CallRecord, CallSink, CallStatus, CostEstimate};
pub use breaker::BreakerState;
pub use cache::CacheStats;
pub use clock::ManualClock;
pub use config::{
    BreakerConfig, CacheConfig, DeploymentConfig, LlmConfig, LocalConfig, ModelConfig, RetryConfig,
    Secret,
};
pub use env::{EnvProvider, providers_from_env};
pub use error::{Error, ErrorKind, NOT_CONFIGURED, Result};
pub use gateway::{
    ChatStream, DeploymentInfo, EnvLookup, Gateway, GatewayOptions, HealthReport, ModelInfo,
    ModelsInfo,
};
pub use provider::ProviderKind;
pub use provider::local::{
    AVAILABLE as LOCAL_MODEL_AVAILABLE, DEFAULT_MODEL_FILE, LOCAL_ONLY, LocalInfo,
    check_local_model,
};
pub use sse::SseDecoder;
pub use types::*;
