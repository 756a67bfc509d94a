//! OpenAI Chat Completions and Embeddings, and every server that speaks them.
//!
//! The canonical types already have OpenAI's shape, so the request is serialized straight
//! from [`ChatRequest`] with the upstream model name swapped in (one pass, no intermediate
//! value). [`output`] renders canonical responses back to OpenAI's wire format for the
//! server's `/v1/chat/completions`.

pub mod output;
mod stream;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

pub(crate) use stream::StreamState;

use super::{Target, malformed, to_body};
use crate::error::Error;
use crate::types::serde_util::null_as_default;
use crate::types::{
    ChatRequest, ChatResponse, EmbedRequest, EmbedResponse, FinishReason, Message, Role, ToolCall,
    Usage,
};

/// The request body: the canonical request with the upstream model and stream flags.
struct Body<'a> {
    req: &'a ChatRequest,
    model: &'a str,
    stream: bool,
    /// api.openai.com wants `max_completion_tokens` (reasoning models refuse `max_tokens`);
    /// most compatible servers know only `max_tokens`.
    completion_tokens_name: bool,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.req;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("model", self.model)?;
        m.serialize_entry("messages", &r.messages)?;
        if !r.tools.is_empty() {
            m.serialize_entry("tools", &r.tools)?;
        }
        opt(&mut m, "tool_choice", &r.tool_choice)?;
        opt(&mut m, "parallel_tool_calls", &r.parallel_tool_calls)?;
        opt(&mut m, "response_format", &r.response_format)?;
        opt(&mut m, "temperature", &r.temperature)?;
        opt(&mut m, "top_p", &r.top_p)?;
        let max_name = if self.completion_tokens_name {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        opt(&mut m, max_name, &r.max_tokens)?;
        if !r.stop.is_empty() {
            m.serialize_entry("stop", &r.stop)?;
        }
        opt(&mut m, "seed", &r.seed)?;
        opt(&mut m, "presence_penalty", &r.presence_penalty)?;
        opt(&mut m, "frequency_penalty", &r.frequency_penalty)?;
        opt(&mut m, "user", &r.user)?;
        if self.stream {
            m.serialize_entry("stream", &true)?;
            // Always: accounting needs usage even when the client did not ask for it.
            m.serialize_entry(
                "stream_options",
                &IncludeUsage {
                    include_usage: true,
                },
            )?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct IncludeUsage {
    include_usage: bool,
}

fn opt<M: SerializeMap, T: Serialize>(m: &mut M, key: &str, v: &Option<T>) -> Result<(), M::Error> {
    match v {
        Some(v) => m.serialize_entry(key, v),
        None => Ok(()),
    }
}

pub(crate) fn chat_request(
    t: &Target<'_>,
    req: &ChatRequest,
    stream: bool,
) -> Result<reqwest::RequestBuilder, Error> {
    let body = Body {
        req,
        model: t.model,
        stream,
        completion_tokens_name: t.base_url.contains("api.openai.com"),
    };
    Ok(t.post_json(format!("{}/chat/completions", t.base_url), to_body(&body)?))
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    model: Option<String>,
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: WireMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    tool_calls: Vec<ToolCall>,
    /// A refusal replaces the content on OpenAI.
    #[serde(default)]
    refusal: Option<String>,
}

/// OpenAI's usage object (also in stream chunks).
#[derive(Deserialize)]
pub(crate) struct WireUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Self {
        Usage::new(u.prompt_tokens, u.completion_tokens)
    }
}

/// OpenAI's finish reason words; a call with tool calls is `ToolCalls` whatever the word
/// (some compatible servers say `stop`).
pub(crate) fn finish_reason(word: Option<&str>, has_tool_calls: bool) -> FinishReason {
    match word {
        _ if has_tool_calls => FinishReason::ToolCalls,
        Some("length") => FinishReason::Length,
        Some("content_filter") => FinishReason::ContentFilter,
        Some("tool_calls" | "function_call") => FinishReason::ToolCalls,
        _ => FinishReason::Stop,
    }
}

pub(crate) fn parse_chat(body: &[u8]) -> Result<ChatResponse, Error> {
    let c: Completion = serde_json::from_slice(body).map_err(malformed)?;
    let Some(choice) = c.choices.into_iter().next() else {
        return Err(malformed("no choices"));
    };
    let m = choice.message;
    let finish = finish_reason(choice.finish_reason.as_deref(), !m.tool_calls.is_empty());
    let content = m.content.or(m.refusal).map(Into::into);
    let message = Message {
        role: Role::Assistant,
        content,
        name: None,
        tool_calls: m.tool_calls,
        tool_call_id: None,
    };
    Ok(ChatResponse {
        id: c
            .id
            .unwrap_or_else(|| format!("chatcmpl-{:016x}", fastrand::u64(..))),
        model: c.model.unwrap_or_default(),
        message,
        finish_reason: finish,
        usage: c.usage.map(Usage::from).unwrap_or(Usage {
            estimated: true,
            ..Usage::default()
        }),
    })
}

pub(crate) fn embed_request(
    t: &Target<'_>,
    req: &EmbedRequest,
) -> Result<reqwest::RequestBuilder, Error> {
    #[derive(Serialize)]
    struct Body<'a> {
        model: &'a str,
        input: &'a [String],
        #[serde(skip_serializing_if = "Option::is_none")]
        dimensions: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        user: Option<&'a str>,
        encoding_format: &'static str,
    }
    let body = Body {
        model: t.model,
        input: &req.input,
        dimensions: req.dimensions,
        user: req.user.as_deref(),
        encoding_format: "float",
    };
    Ok(t.post_json(format!("{}/embeddings", t.base_url), to_body(&body)?))
}

pub(crate) fn parse_embed(body: &[u8]) -> Result<EmbedResponse, Error> {
    #[derive(Deserialize)]
    struct Resp {
        data: Vec<Item>,
        #[serde(default)]
        model: Option<String>,
        #[serde(default)]
        usage: Option<WireUsage>,
    }
    #[derive(Deserialize)]
    struct Item {
        embedding: Vec<f32>,
        #[serde(default)]
        index: usize,
    }
    let mut r: Resp = serde_json::from_slice(body).map_err(malformed)?;
    r.data.sort_by_key(|i| i.index);
    Ok(EmbedResponse {
        model: r.model.unwrap_or_default(),
        embeddings: r.data.into_iter().map(|i| i.embedding).collect(),
        usage: r
            .usage
            .map(|u| Usage::new(u.prompt_tokens, 0))
            .unwrap_or(Usage {
                estimated: true,
                ..Usage::default()
            }),
    })
}
