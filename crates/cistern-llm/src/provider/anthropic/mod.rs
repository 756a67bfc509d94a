//! Anthropic Messages: system prompt apart, content blocks, `tool_use` / `tool_result`.
//!
//! Structured output (`response_format` JSON) becomes a forced tool named [`JSON_TOOL`]
//! whose input schema is the requested schema — it works on every Claude model — and its
//! `tool_use` input comes back to the caller as the message text.

mod request;
mod stream;

use serde::Deserialize;

pub(crate) use request::chat_request;
pub(crate) use stream::StreamState;

use super::malformed;
use crate::error::Error;
use crate::types::{
    ChatRequest, ChatResponse, FinishReason, FunctionCall, FunctionType, Message, Role, ToolCall,
    Usage,
};

/// The synthetic tool that carries JSON output.
pub(crate) const JSON_TOOL: &str = "json_response";

/// Whether the request's output format is carried by [`JSON_TOOL`].
pub(crate) fn wants_json_tool(req: &ChatRequest) -> bool {
    use crate::types::ResponseFormat;
    matches!(
        req.response_format,
        Some(ResponseFormat::JsonObject | ResponseFormat::JsonSchema { .. })
    )
}

#[derive(Deserialize)]
struct Resp {
    id: String,
    #[serde(default)]
    model: String,
    content: Vec<Block>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: serde_json::Value,
    },
    #[serde(other)]
    Other,
}

/// Anthropic's usage; cached prompt tokens are reported apart and count as input.
#[derive(Deserialize, Default, Debug, Clone, Copy)]
pub(crate) struct WireUsage {
    #[serde(default)]
    input_tokens: u32,
    #[serde(default)]
    output_tokens: u32,
    #[serde(default)]
    cache_creation_input_tokens: Option<u32>,
    #[serde(default)]
    cache_read_input_tokens: Option<u32>,
}

impl WireUsage {
    fn input(&self) -> u32 {
        self.input_tokens
            .saturating_add(self.cache_creation_input_tokens.unwrap_or(0))
            .saturating_add(self.cache_read_input_tokens.unwrap_or(0))
    }
}

pub(crate) fn finish_reason(word: Option<&str>) -> FinishReason {
    match word {
        Some("max_tokens") => FinishReason::Length,
        Some("tool_use") => FinishReason::ToolCalls,
        Some("refusal") => FinishReason::ContentFilter,
        _ => FinishReason::Stop,
    }
}

pub(crate) fn parse_chat(body: &[u8], req: &ChatRequest) -> Result<ChatResponse, Error> {
    let r: Resp = serde_json::from_slice(body).map_err(malformed)?;
    let json_tool = wants_json_tool(req);
    let mut text = String::new();
    let mut tool_calls = Vec::new();
    for block in r.content {
        match block {
            Block::Text { text: t } => text.push_str(&t),
            Block::ToolUse { name, input, .. } if json_tool && name == JSON_TOOL => {
                text = input.to_string();
            }
            Block::ToolUse { id, name, input } => tool_calls.push(ToolCall {
                id,
                kind: FunctionType::Function,
                function: FunctionCall {
                    name,
                    arguments: input.to_string(),
                },
            }),
            Block::Other => {}
        }
    }
    let mut finish = finish_reason(r.stop_reason.as_deref());
    if finish == FinishReason::ToolCalls && tool_calls.is_empty() {
        finish = FinishReason::Stop; // only the JSON tool was called
    }
    let content = if text.is_empty() && !tool_calls.is_empty() {
        None
    } else {
        Some(text.into())
    };
    Ok(ChatResponse {
        id: r.id,
        model: r.model,
        message: Message {
            role: Role::Assistant,
            content,
            name: None,
            tool_calls,
            tool_call_id: None,
        },
        finish_reason: finish,
        usage: match r.usage {
            Some(u) => Usage::new(u.input(), u.output_tokens),
            None => Usage {
                estimated: true,
                ..Usage::default()
            },
        },
    })
}
