//! The result cache: a finished generation answers an identical request of the same owner
//! (never another's) for `codegen.cache_ttl_secs`, in SQL so it survives restarts.
//!
//! The key is the SHA-256 of the normalised request: the prompt trimmed with its whitespace
//! collapsed, the explicit framework, the language, the model and the prompt template's
//! version (a template change is a new key). `cache: false` neither reads nor writes it. The
//! API has no sampling temperature (calls use the model's default), so every request is
//! cacheable unless it says `cache: false`. Hits and misses are counted in `/metrics`
//! (`codegen_cache_requests_total{result="hit"|"miss"}`).

use aws_lc_rs::digest;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use cistern_store::sql::now_ms;
use cistern_store::{CodegenStore, Generation};

use super::Codegen;
use super::domain::{Request, Result};

/// The cache key of `prompt` with `request`, as 64 hex digits.
pub fn key(prompt: &str, request: &Request, template_version: &str) -> String {
    let normalised: Vec<&str> = prompt.split_whitespace().collect();
    let material = serde_json::json!({
        "prompt": normalised.join(" "),
        "framework": request.framework.map(|f| f.name()),
        "language": request.language.map(|l| l.name()),
        "model": request.model,
        "template": template_version,
    });
    let hash = digest::digest(&digest::SHA256, material.to_string().as_bytes());
    hash.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl Codegen {
    /// A ready generation cached for `owner` under the request's key, if any (counted as a
    /// hit or a miss).
    pub async fn cached(&self, owner: &str, request: &Request) -> Result<Option<Generation>> {
        let Some(key) = &request.cache_key else {
            return Ok(None);
        };
        let found = self.db.cached_generation(owner, key, now_ms()).await?;
        self.shared.cache_metrics.record(found.is_some());
        Ok(found)
    }

    /// Remembers a ready generation under its request's cache key, and drops expired
    /// entries. The generation is ready either way: a failure is logged here.
    pub(super) async fn remember(&self, owner: &str, id: &str, request: &Request) {
        let Some(key) = &request.cache_key else {
            return;
        };
        let now = now_ms();
        let ttl_ms =
            i64::try_from(self.config().cache_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        let stored = self
            .db
            .cache_generation(owner, key, id, now.saturating_add(ttl_ms))
            .await;
        if let Err(error) = stored.and(self.db.prune_codegen_cache(now).await.map(|_| ())) {
            tracing::warn!(generation_id = id, %error, "generation not cached");
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Labels {
    result: &'static str,
}

/// Hit and miss counters of the result cache (cheap to clone: one shared family).
#[derive(Clone, Debug, Default)]
pub struct CacheMetrics {
    requests: Family<Labels, Counter>,
}

impl CacheMetrics {
    /// Registers `codegen_cache_requests` in `registry`.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "codegen_cache_requests",
            "Code generation requests looked up in the result cache, by result (hit, miss)",
            self.requests.clone(),
        );
    }

    /// Counts a lookup.
    pub fn record(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.requests.get_or_create(&Labels { result }).inc();
    }
}

#[cfg(test)]
mod tests {
    use cistern_codegen::framework::Framework;

    use super::*;

    fn request(model: &str) -> Request {
        Request {
            framework: Some(Framework::FastApi),
            language: None,
            model: model.to_owned(),
            cache_key: None,
        }
    }

    #[test]
    fn keys_ignore_whitespace_and_change_with_every_input() {
        let a = key("  a  REST\n api ", &request("fast"), "t1");
        assert_eq!(a, key("a REST api", &request("fast"), "t1"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, key("a REST API", &request("fast"), "t1"));
        assert_ne!(a, key("a REST api", &request("smart"), "t1"));
        assert_ne!(a, key("a REST api", &request("fast"), "t2"));
        let mut other = request("fast");
        other.framework = Some(Framework::Flask);
        assert_ne!(a, key("a REST api", &other, "t1"));
    }
}
