//! The `[llm]` section of the server's config tree (serde, unknown keys are errors).
//!
//! ```toml
//! [llm.models.fast]
//! deployments = [
//!   { provider = "openai", base_url = "https://api.cerebras.ai/v1", api_key_env = "CEREBRAS_API_KEY",
//!     model = "gpt-oss-120b", input_price_per_mtok = 0.25, output_price_per_mtok = 0.69 },
//!   { provider = "anthropic", api_keys = ["sk-ant-…", "sk-ant-…"], model = "claude-haiku-4-5", weight = 0 },
//! ]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::provider::ProviderKind;

/// `[llm]`: named models, resilience, cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LlmConfig {
    /// Named models (`fast`, `smart`, …), each an ordered list of deployments.
    pub models: BTreeMap<String, ModelConfig>,
    /// Send model names that are not configured to the providers found in the environment
    /// (`OPENAI_API_KEY`, …). Default true.
    pub passthrough: bool,
    /// Per-attempt timeout in milliseconds, unless a deployment sets its own. Default 60 000.
    pub timeout_ms: u64,
    /// Bound on a whole call, retries and fallbacks included, in milliseconds. Default 180 000.
    pub deadline_ms: u64,
    /// Retries and backoff.
    pub retry: RetryConfig,
    /// Circuit breaker per deployment.
    pub breaker: BreakerConfig,
    /// Response cache.
    pub cache: CacheConfig,
    /// Put the request and the response in each [`crate::CallRecord`] (for the call log).
    /// Default false: prompts are not kept unless the operator turns this on.
    pub record_bodies: bool,
    /// The built-in local model (`[llm.local]`).
    pub local: LocalConfig,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            models: BTreeMap::new(),
            passthrough: true,
            timeout_ms: 60_000,
            deadline_ms: 180_000,
            retry: RetryConfig::default(),
            breaker: BreakerConfig::default(),
            cache: CacheConfig::default(),
            record_bodies: false,
            local: LocalConfig::default(),
        }
    }
}

/// `[llm.models.NAME]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// In fallback order. Weighted balancing picks the first one to try among the healthy
    /// deployments with `weight > 0`; the rest follow in list order.
    pub deployments: Vec<DeploymentConfig>,
}

/// One upstream that can serve a named model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    /// Name in metrics, health and call records. Default `MODEL/INDEX` (`fast/0`).
    #[serde(default)]
    pub name: Option<String>,
    /// Wire protocol.
    pub provider: ProviderKind,
    /// API base URL; default the provider's public API. OpenAI-compatible servers go here
    /// (`https://api.cerebras.ai/v1`, `http://127.0.0.1:11434/v1`).
    #[serde(default)]
    pub base_url: Option<String>,
    /// One key (merged with `api_keys`).
    #[serde(default)]
    pub api_key: Option<Secret>,
    /// A pool of keys, used in turn.
    #[serde(default)]
    pub api_keys: Vec<Secret>,
    /// Name of an environment variable holding one more key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// The upstream model name.
    pub model: String,
    /// Share of first attempts among healthy deployments; 0 = fallback only. Default 1.
    #[serde(default = "one")]
    pub weight: u32,
    /// Per-attempt timeout in milliseconds (default `llm.timeout_ms`).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// USD per million input tokens.
    #[serde(default)]
    pub input_price_per_mtok: f64,
    /// USD per million output tokens.
    #[serde(default)]
    pub output_price_per_mtok: f64,
    /// Context window in tokens, reported by `models()`.
    #[serde(default)]
    pub context_window: Option<u32>,
}

fn one() -> u32 {
    1
}

/// `[llm.local]`: a GGUF model run in process on the CPU (cargo feature `local-model`).
///
/// With no provider configured it answers every model name, as the default model; with one,
/// it stays reachable by its name (`local/…`), and is each model's last fallback only when
/// `fallback` is on. See docs/llm-gateway.md, "The local model".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalConfig {
    /// The GGUF file. Unset: the server uses `<data_dir>/models/smollm2-135m-instruct-q4_1.gguf`
    /// when that file exists (`scripts/fetch-model.sh` puts it there). A path that is set
    /// must load, or the server does not start.
    pub model: Option<PathBuf>,
    /// The name callers use; default `local/` and the file's stem (`local/smollm2-135m` for the
    /// default model).
    pub name: Option<String>,
    /// Turn the local model off even when the file is there. Default true.
    pub enabled: bool,
    /// CPU threads per generating sequence; 0 = the machine's cores divided among the
    /// sequences (at least 1). Default 0.
    pub threads: u32,
    /// Context window per sequence in tokens (prompt + answer), at most the model's own.
    /// Default 4 096.
    pub context: u32,
    /// Requests generated at the same time, each on its own thread with its own context.
    /// Default 2.
    pub sequences: u32,
    /// Requests that may wait for a free sequence; beyond that a call is refused at once
    /// (503, `overloaded`). Default 8.
    pub queue: u32,
    /// Append the local model to every configured model's deployments (weight 0, so only
    /// when the others fail) and behind the environment's passthrough providers. Default false.
    pub fallback: bool,
    /// Per-attempt timeout in milliseconds: a whole answer when not streamed, up to the first
    /// token when streamed. Default 300 000 (a CPU writes a long answer slowly); the call is
    /// still bounded by `llm.deadline_ms`.
    pub timeout_ms: u64,
}

impl Default for LocalConfig {
    fn default() -> Self {
        Self {
            model: None,
            name: None,
            enabled: true,
            threads: 0,
            context: 4_096,
            sequences: 2,
            queue: 8,
            fallback: false,
            timeout_ms: 300_000,
        }
    }
}

/// `[llm.retry]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// Attempts per call, across deployments. Default 3.
    pub max_attempts: u32,
    /// First backoff ceiling in ms; doubles per retry of the same deployment, full jitter.
    /// Default 250.
    pub backoff_base_ms: u64,
    /// Largest backoff ceiling in ms. Default 8 000.
    pub backoff_max_ms: u64,
    /// A provider's `Retry-After` is honoured up to this many ms. Default 20 000.
    pub retry_after_max_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            backoff_base_ms: 250,
            backoff_max_ms: 8_000,
            retry_after_max_ms: 20_000,
        }
    }
}

/// `[llm.breaker]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BreakerConfig {
    /// Consecutive failures that open a deployment's circuit. Default 5.
    pub failure_threshold: u32,
    /// How long an open circuit skips the deployment before one probe is let through, in ms.
    /// Default 30 000.
    pub cooldown_ms: u64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cooldown_ms: 30_000,
        }
    }
}

/// `[llm.cache]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Cache chat responses. Default true.
    pub enabled: bool,
    /// Entry lifetime in seconds. Default 3 600.
    pub ttl_secs: u64,
    /// In-process capacity in entries. Default 10 000.
    pub max_entries: u64,
    /// Also cache requests with `temperature > 0` (whose answers vary by design). Default false.
    pub cache_nondeterministic: bool,
    /// `redis://HOST:PORT` to share the cache across instances; empty keeps it in process.
    pub redis_url: Secret,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            ttl_secs: 3_600,
            max_entries: 10_000,
            cache_nondeterministic: false,
            redis_url: Secret::default(),
        }
    }
}

const MASK: &str = "********";

/// A secret string (API key, URL with password): `Debug` and `Serialize` print a mask.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The value; call only where it is handed to the thing that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { MASK })
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { MASK })
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_config_parses_and_unknown_keys_are_errors() {
        let text = r#"
            passthrough = false
            [retry]
            max_attempts = 2
            [models.fast]
            deployments = [
              { provider = "openai", base_url = "https://api.cerebras.ai/v1", api_key = "csk-secret", model = "gpt-oss-120b", input_price_per_mtok = 0.25 },
              { provider = "anthropic", api_keys = ["a", "b"], model = "claude-haiku-4-5", weight = 0 },
            ]
        "#;
        let c: LlmConfig = toml::from_str(text).unwrap();
        assert!(!c.passthrough);
        assert_eq!(c.retry.max_attempts, 2);
        assert_eq!(c.retry.backoff_base_ms, 250);
        let fast = &c.models["fast"].deployments;
        assert_eq!(fast[0].provider, ProviderKind::OpenAi);
        assert_eq!(fast[1].weight, 0);
        assert_eq!(fast[0].weight, 1);
        let shown = format!("{c:?}");
        assert!(!shown.contains("csk-secret"), "{shown}");
        assert!(!serde_json::to_string(&c).unwrap().contains("csk-secret"));
        let err = toml::from_str::<LlmConfig>(
            "[models.x]\ndeployments = [{ provider = \"openai\", model = \"m\", wieght = 2 }]",
        )
        .unwrap_err();
        assert!(err.to_string().contains("wieght"), "{err}");
        assert!(toml::from_str::<LlmConfig>("retries = 3").is_err());
    }
}
