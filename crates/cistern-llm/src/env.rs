//! Zero-config providers from the environment variables users already set for their SDKs.
//!
//! Read through a lookup closure, so it is a pure function (tests pass a map). Precedence,
//! which decides where an unconfigured model name goes when it does not say:
//! 1. `OPENAI_API_KEY` and/or `OPENAI_BASE_URL` — any OpenAI-compatible server (a base URL
//!    alone is a keyless local server);
//! 2. `ANTHROPIC_API_KEY` (+ `ANTHROPIC_BASE_URL`);
//! 3. `GEMINI_API_KEY`, else `GOOGLE_API_KEY` (+ `GEMINI_BASE_URL`);
//! 4. `CEREBRAS_API_KEY` — OpenAI-compatible at `https://api.cerebras.ai/v1`;
//! 5. `OLLAMA_HOST` — OpenAI-compatible at `{host}/v1`, no key.
//!
//! Explicit keys outrank a local server. A name can pick its provider: `anthropic/claude-…`,
//! `ollama/llama3.2` (the prefix is removed); otherwise `claude-…` goes to Anthropic and
//! `gemini-…` to Gemini when those are set up; anything else to the first in the list.

use crate::config::Secret;
use crate::provider::ProviderKind;

/// A provider configured by the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvProvider {
    /// `openai`, `anthropic`, `gemini`, `cerebras` or `ollama`: the deployment name is
    /// `env:NAME`, and `NAME/model` routes to it.
    pub name: &'static str,
    /// Wire protocol.
    pub kind: ProviderKind,
    /// Base URL, without a trailing slash.
    pub base_url: String,
    /// The key, if the provider needs one.
    pub api_key: Option<Secret>,
}

/// The providers the environment configures, in precedence order.
pub fn providers_from_env(lookup: impl Fn(&str) -> Option<String>) -> Vec<EnvProvider> {
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut out = Vec::new();
    let mut push = |name, kind: ProviderKind, base: Option<String>, key: Option<String>| {
        let base = base.unwrap_or_else(|| kind.default_base_url().to_owned());
        out.push(EnvProvider {
            name,
            kind,
            base_url: base.trim_end_matches('/').to_owned(),
            api_key: key.map(Secret::new),
        });
    };
    let openai_key = get("OPENAI_API_KEY");
    let openai_base = get("OPENAI_BASE_URL");
    if openai_key.is_some() || openai_base.is_some() {
        push("openai", ProviderKind::OpenAi, openai_base, openai_key);
    }
    if let Some(key) = get("ANTHROPIC_API_KEY") {
        push(
            "anthropic",
            ProviderKind::Anthropic,
            get("ANTHROPIC_BASE_URL"),
            Some(key),
        );
    }
    if let Some(key) = get("GEMINI_API_KEY").or_else(|| get("GOOGLE_API_KEY")) {
        push(
            "gemini",
            ProviderKind::Gemini,
            get("GEMINI_BASE_URL"),
            Some(key),
        );
    }
    if let Some(key) = get("CEREBRAS_API_KEY") {
        push(
            "cerebras",
            ProviderKind::OpenAi,
            Some("https://api.cerebras.ai/v1".into()),
            Some(key),
        );
    }
    if let Some(host) = get("OLLAMA_HOST") {
        push(
            "ollama",
            ProviderKind::OpenAi,
            Some(format!("{}/v1", ollama_url(&host))),
            None,
        );
    }
    out
}

/// `OLLAMA_HOST` is often the server's bind address (`0.0.0.0`, `:11434`, `host:port`);
/// turn it into a URL a client can use.
fn ollama_url(host: &str) -> String {
    let (scheme, rest) = match host.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("http", host),
    };
    let rest = rest.trim_end_matches('/');
    let (h, port) = match rest.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => (h, p),
        _ => (rest, "11434"),
    };
    let h = if h.is_empty() || h == "0.0.0.0" {
        "127.0.0.1"
    } else {
        h
    };
    format!("{scheme}://{h}:{port}")
}

/// Which env provider serves an unconfigured `model`, and the upstream name to send.
pub(crate) fn pick<'m>(providers: &[EnvProvider], model: &'m str) -> Option<(usize, &'m str)> {
    if let Some((prefix, rest)) = model.split_once('/')
        && let Some(i) = providers.iter().position(|p| p.name == prefix)
    {
        return Some((i, rest));
    }
    let by_kind = |kind| providers.iter().position(|p| p.kind == kind);
    let sniffed = if model.starts_with("claude") {
        by_kind(ProviderKind::Anthropic)
    } else if model.starts_with("gemini") {
        by_kind(ProviderKind::Gemini)
    } else {
        None
    };
    match sniffed {
        Some(i) => Some((i, model)),
        None if providers.is_empty() => None,
        None => Some((0, model)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn nothing_set_means_no_provider() {
        assert!(providers_from_env(env(&[("OPENAI_API_KEY", "  ")])).is_empty());
    }

    #[test]
    fn precedence_and_urls() {
        let p = providers_from_env(env(&[
            ("OLLAMA_HOST", "0.0.0.0"),
            ("CEREBRAS_API_KEY", "csk"),
            ("GEMINI_API_KEY", "g"),
            ("ANTHROPIC_API_KEY", "a"),
            ("OPENAI_API_KEY", "o"),
            ("OPENAI_BASE_URL", "https://api.groq.com/openai/v1/"),
        ]));
        let names: Vec<_> = p.iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["openai", "anthropic", "gemini", "cerebras", "ollama"]
        );
        assert_eq!(p[0].base_url, "https://api.groq.com/openai/v1");
        assert_eq!(p[3].base_url, "https://api.cerebras.ai/v1");
        assert_eq!(p[4].base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(p[4].api_key, None);
        assert_eq!(p[1].api_key.as_ref().map(Secret::expose), Some("a"));
    }

    #[test]
    fn ollama_host_forms() {
        assert_eq!(ollama_url("localhost"), "http://localhost:11434");
        assert_eq!(ollama_url("gpu-box:8080"), "http://gpu-box:8080");
        assert_eq!(
            ollama_url("https://ollama.example.com/"),
            "https://ollama.example.com:11434"
        );
        assert_eq!(ollama_url(":11434"), "http://127.0.0.1:11434");
    }

    #[test]
    fn routing_of_unconfigured_names() {
        let p = providers_from_env(env(&[("OLLAMA_HOST", "x"), ("ANTHROPIC_API_KEY", "a")]));
        assert_eq!(
            pick(&p, "claude-sonnet-4-5"),
            Some((0, "claude-sonnet-4-5"))
        );
        assert_eq!(pick(&p, "llama3.2"), Some((0, "llama3.2")));
        assert_eq!(pick(&p, "ollama/llama3.2"), Some((1, "llama3.2")));
        assert_eq!(
            pick(&p, "meta-llama/Llama-3"),
            Some((0, "meta-llama/Llama-3"))
        );
        assert_eq!(pick(&p, "gemini-2.5-flash"), Some((0, "gemini-2.5-flash")));
        assert_eq!(pick(&[], "x"), None);
    }
}
