//! The closed set of provider protocols. Each module owns its wire types, the conversions
//! to and from the canonical types, its streaming parser and its tests on recorded wire JSON;
//! this file only dispatches on [`ProviderKind`].

pub(crate) mod anthropic;
pub(crate) mod gemini;
pub(crate) mod local;
pub mod openai;

use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::error::{Error, truncate};
use crate::types::{ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, StreamEvent};

/// A provider protocol. OpenAI covers every OpenAI-compatible server (Cerebras, Groq,
/// Together, DeepSeek, vLLM, Ollama, llama.cpp, LM Studio, …) through its base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI Chat Completions and Embeddings.
    #[serde(alias = "openai-compatible", alias = "openai_compatible")]
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
    /// Google Gemini generateContent.
    Gemini,
    /// The built-in local model, run in process (`[llm.local]`); no HTTP.
    Local,
}

impl ProviderKind {
    /// `openai`, `anthropic` or `gemini`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Gemini => "gemini",
            ProviderKind::Local => "local",
        }
    }

    /// The public API's base URL, used when a deployment names none.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "https://api.openai.com/v1",
            ProviderKind::Anthropic => "https://api.anthropic.com",
            ProviderKind::Gemini => "https://generativelanguage.googleapis.com/v1beta",
            ProviderKind::Local => "local:",
        }
    }

    /// The header carrying the API key, and its value for `key` (marked sensitive, so
    /// reqwest never logs it). Built once per key at start-up.
    pub(crate) fn auth_header(self, key: &str) -> Result<(HeaderName, HeaderValue), Error> {
        let (name, value) = match self {
            ProviderKind::OpenAi => (reqwest::header::AUTHORIZATION, format!("Bearer {key}")),
            ProviderKind::Anthropic => (HeaderName::from_static("x-api-key"), key.to_owned()),
            ProviderKind::Gemini => (HeaderName::from_static("x-goog-api-key"), key.to_owned()),
            ProviderKind::Local => return Err(in_process()),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            Error::Config("an API key holds characters not allowed in a header".into())
        })?;
        value.set_sensitive(true);
        Ok((name, value))
    }

    /// The chat request for `target`, streaming or not.
    pub(crate) fn chat_request(
        self,
        target: &Target<'_>,
        req: &ChatRequest,
        stream: bool,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let builder = match self {
            ProviderKind::OpenAi => openai::chat_request(target, req, stream),
            ProviderKind::Anthropic => anthropic::chat_request(target, req, stream),
            ProviderKind::Gemini => gemini::chat_request(target, req, stream),
            ProviderKind::Local => Err(in_process()),
        }?;
        Ok(target.authorize(builder))
    }

    /// Reads a complete (non-streamed) chat response body.
    pub(crate) fn parse_chat(self, body: &[u8], req: &ChatRequest) -> Result<ChatResponse, Error> {
        match self {
            ProviderKind::OpenAi => openai::parse_chat(body),
            ProviderKind::Anthropic => anthropic::parse_chat(body, req),
            ProviderKind::Gemini => gemini::parse_chat(body),
            ProviderKind::Local => Err(in_process()),
        }
    }

    /// A parser for the server-sent events of a streamed chat response (the local model
    /// streams canonical events and has none).
    pub(crate) fn stream_parser(self, req: &ChatRequest) -> Option<StreamParser> {
        Some(match self {
            ProviderKind::OpenAi => StreamParser::OpenAi(openai::StreamState::default()),
            ProviderKind::Anthropic => StreamParser::Anthropic(anthropic::StreamState::new(req)),
            ProviderKind::Gemini => StreamParser::Gemini(gemini::StreamState::default()),
            ProviderKind::Local => return None,
        })
    }

    /// The embeddings request; Anthropic has no embeddings API.
    pub(crate) fn embed_request(
        self,
        target: &Target<'_>,
        req: &EmbedRequest,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let builder = match self {
            ProviderKind::OpenAi => openai::embed_request(target, req),
            ProviderKind::Gemini => gemini::embed_request(target, req),
            ProviderKind::Anthropic => Err(Error::BadRequest(
                "Anthropic has no embeddings API: route this model to an OpenAI-compatible or Gemini deployment".into(),
            )),
            ProviderKind::Local => Err(no_local_embeddings()),
        }?;
        Ok(target.authorize(builder))
    }

    /// Reads an embeddings response body.
    pub(crate) fn parse_embed(self, body: &[u8], inputs: usize) -> Result<EmbedResponse, Error> {
        let resp = match self {
            ProviderKind::OpenAi => openai::parse_embed(body),
            ProviderKind::Gemini => gemini::parse_embed(body),
            ProviderKind::Anthropic => {
                Err(Error::BadRequest("Anthropic has no embeddings API".into()))
            }
            ProviderKind::Local => Err(no_local_embeddings()),
        }?;
        if resp.embeddings.len() != inputs {
            return Err(malformed(format!(
                "{} embeddings for {inputs} inputs",
                resp.embeddings.len()
            )));
        }
        Ok(resp)
    }

    /// The provider's error message from an error body, or the start of the raw body.
    pub(crate) fn error_message(self, body: &[u8]) -> String {
        #[derive(Deserialize)]
        struct Envelope {
            error: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            message: String,
        }
        // All three nest the message as `error.message`.
        match serde_json::from_slice::<Envelope>(body) {
            Ok(e) => truncate(&e.error.message, 500),
            Err(_) => truncate(&String::from_utf8_lossy(body), 200),
        }
    }
}

/// Where one attempt goes: the deployment's client, base URL, upstream model and key.
pub(crate) struct Target<'a> {
    pub client: &'a reqwest::Client,
    pub base_url: &'a str,
    pub model: &'a str,
    pub auth: Option<&'a (HeaderName, HeaderValue)>,
}

impl Target<'_> {
    fn authorize(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.auth {
            Some((name, value)) => builder.header(name, value.clone()),
            None => builder,
        }
    }

    /// A JSON POST of an already serialized body.
    pub(crate) fn post_json(&self, url: String, body: Vec<u8>) -> reqwest::RequestBuilder {
        self.client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )
            .body(body)
    }
}

/// The per-protocol streaming state machines behind one type.
#[derive(Debug)]
pub(crate) enum StreamParser {
    OpenAi(openai::StreamState),
    Anthropic(anthropic::StreamState),
    Gemini(gemini::StreamState),
}

impl StreamParser {
    /// Handles one server-sent event, appending canonical events to `out`.
    pub(crate) fn on_event(
        &mut self,
        event: &str,
        data: &str,
        out: &mut Vec<StreamEvent>,
    ) -> Result<(), Error> {
        match self {
            StreamParser::OpenAi(s) => s.on_event(data, out),
            StreamParser::Anthropic(s) => s.on_event(event, data, out),
            StreamParser::Gemini(s) => s.on_event(data, out),
        }
    }

    /// True once the protocol's end marker arrived: only then is the answer complete.
    pub(crate) fn finished(&self) -> bool {
        match self {
            StreamParser::OpenAi(s) => s.finished(),
            StreamParser::Anthropic(s) => s.finished(),
            StreamParser::Gemini(s) => s.finished(),
        }
    }
}

/// The error of an HTTP step asked of the local model, which is served in process (the
/// gateway never asks: it dispatches local deployments before building requests).
fn in_process() -> Error {
    Error::Config("the local model is served in process, not over HTTP".into())
}

/// The local model's answer to an embeddings call.
pub(crate) fn no_local_embeddings() -> Error {
    Error::BadRequest(
        "the built-in local model serves no embeddings: route this model to a provider with an embeddings API".into(),
    )
}

/// The error for a 2xx body that is not what the protocol promises.
pub(crate) fn malformed(detail: impl std::fmt::Display) -> Error {
    Error::Unavailable(format!(
        "malformed response from the provider: {}",
        truncate(&detail.to_string(), 200)
    ))
}

/// Serializes a wire body; our wire types cannot fail, but never panic on it.
pub(crate) fn to_body<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value)
        .map_err(|e| Error::BadRequest(format!("request cannot be encoded: {e}")))
}

/// A tool-call id for providers that give none (Gemini): unique enough within a conversation.
pub(crate) fn make_call_id() -> String {
    format!("call_{:016x}", fastrand::u64(..))
}

#[cfg(test)]
mod tests;
